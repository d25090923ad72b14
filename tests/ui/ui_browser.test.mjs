// Browser test of the station's web UI: runs the real `station demo` on a free port and drives
// the system chromium with playwright-core (no browser download).
//
// Environment (set by CMake, see CMakeLists.txt):
//   STATION_BIN         the station executable
//   STATION_SHARED_DIR  the shared folder (forms, data, samples)
//   STATION_UI_ARTIFACTS  where to write the screenshot (default: the OS temp dir)
//   CHROMIUM            the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, STATION_BIN, SHARED_DIR, CHROMIUM, CHROMIUM_ARGS, DemoStation } from './demo_station.mjs';

const ARTIFACTS = process.env.STATION_UI_ARTIFACTS || tmpdir();

let tmpRoot;
let context;        // one persistent browser context on a fresh profile directory
let baseUrl;
let demo;
let acceptedEnvelopeId;  // reviewed by the reviewer, accepted by the supervisor
let accounts = {};  // role -> { username, password }

const startStation = async () => {
  demo = new DemoStation(tmpRoot);
  await demo.start(['reviewer', 'supervisor', 'clerk']);
  baseUrl = demo.baseUrl;
  accounts = demo.accounts;
};
const stopStation = async () => { if (demo) await demo.stop(); };

before(async () => {
  assert.ok(STATION_BIN && existsSync(STATION_BIN), `STATION_BIN not found: ${STATION_BIN}`);
  assert.ok(SHARED_DIR && existsSync(SHARED_DIR), `STATION_SHARED_DIR not found: ${SHARED_DIR}`);
  tmpRoot = mkdtempSync(path.join(tmpdir(), 'station-ui-'));
  // The web import reads only under the configured roots (issue #16): the kiosk's scan folder.
  mkdirSync(path.join(tmpRoot, 'config', 'station'), { recursive: true });
  mkdirSync(path.join(tmpRoot, 'kiosk-scans'), { recursive: true });
  writeFileSync(path.join(tmpRoot, 'config', 'station', 'config.toml'),
                `[capture]\nimport_roots = [${JSON.stringify(path.join(tmpRoot, 'kiosk-scans'))}]\n`);
  try {
    await startStation();
    // Playwright passes the fresh profile as --user-data-dir itself (it refuses it in `args`).
    context = await chromium.launchPersistentContext(path.join(tmpRoot, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
      locale: 'ja-JP',
    });
  } catch (e) {
    await stopStation();
    throw e;
  }
});

after(async () => {
  if (context) await context.close().catch(() => {});
  await stopStation();
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
});

// A page with no session: each test starts logged out.
async function newPage() {
  await context.clearCookies();
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

async function login(page, role) {
  const { username, password } = accounts[role];
  await page.goto(baseUrl);
  assert.match(new URL(page.url()).pathname, /^\/login$/, 'an anonymous visit must land on /login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => new URL(u).pathname === '/'), page.click('#login')]);
}

test('wrong password shows the Japanese error and no session', async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await page.fill('#username', accounts.reviewer.username);
  await page.fill('#password', 'this-is-not-the-password');
  await page.click('#login');
  await page.waitForSelector('.alert.error');
  assert.match(await page.textContent('.alert.error'), /ユーザー名またはパスワードが違います/);
  assert.equal(new URL(page.url()).pathname, '/login');
  const api = await page.request.get(new URL('/api/envelopes', baseUrl).href);
  assert.equal(api.status(), 401);
  await page.close();
});

test('reviewer confirms 介護保険事業所番号 beside its crop', async () => {
  const page = await newPage();
  await login(page, 'reviewer');
  // The envelope list, with security headers.
  const resp = await page.reload();
  const headers = resp.headers();
  assert.match(headers['content-security-policy'] || '', /default-src 'self'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.match(headers['cache-control'] || '', /no-store/);
  await page.waitForSelector('a.envelope-link');
  await Promise.all([page.waitForURL(/\/envelopes\/\d+/), page.click('a.envelope-link >> nth=0')]);

  const field = page.locator('section.field[data-key="facility.jigyosho_no"]');
  await field.waitFor();
  assert.match(await field.locator('.label').textContent(), /介護保険事業所番号/);
  const img = field.locator('.crop img');
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction((el) => el.complete, await img.elementHandle());
  const naturalWidth = await img.evaluate((el) => el.naturalWidth);
  assert.ok(naturalWidth > 0, 'the crop image must load');
  assert.match(await field.textContent(), /\d+%/);

  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-review.png'), fullPage: true });

  const input = field.locator('input[name=value]');
  const suggested = await input.inputValue();
  const value = suggested.trim() !== '' ? suggested : '1234567890';
  await input.fill(value);
  await Promise.all([page.waitForURL(/\/envelopes\/\d+/), field.locator('button[type=submit]').click()]);
  const confirmed = page.locator('section.field[data-key="facility.jigyosho_no"]');
  await confirmed.waitFor();
  assert.match(await confirmed.locator('.badge.confirmed').textContent(), /確認済み/);
  assert.match(await confirmed.locator('.confirmed-by').textContent(), new RegExp(accounts.reviewer.username));
  assert.equal(await confirmed.locator('input[name=value]').inputValue(), value);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-review-confirmed.png'), fullPage: false });

  // The JSON API agrees.
  const envId = new URL(page.url()).pathname.split('/').pop();
  const api = await page.request.get(new URL(`/api/envelopes/${envId}/fields`, baseUrl).href);
  assert.equal(api.status(), 200);
  const fields = await api.json();
  const f = fields.find((x) => x.key === 'facility.jigyosho_no');
  assert.equal(f.status, 'confirmed');
  assert.equal(f.confirmed_value, value);

  // The reviewer works through the other fields (here through the page's JSON API, with its CSRF
  // token): a value whose format is refused is corrected, as a reviewer would, by clearing it.
  const results = await page.evaluate(async (ids) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const out = [];
    for (const [id, v] of ids) {
      const post = (value) => fetch(`/api/fields/${id}/confirm`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ value }),
      });
      let r = await post(v);
      if (r.status === 400) r = await post('');
      out.push(r.status);
    }
    return out;
  }, fields.filter((x) => x.status !== 'confirmed').map((x) => [x.id, x.value]));
  assert.ok(results.every((s) => s === 200), `confirmations: ${results.join(',')}`);

  // The checks run on the confirmed values: the demo's first sample names a facility the list does
  // not have, and a reviewer's plain acceptance (審査: 受理) is refused while a finding blocks it.
  const findings = await page.request.get(new URL(`/api/envelopes/${envId}/findings`, baseUrl).href);
  assert.equal(findings.status(), 200);
  const blocking = (await findings.json()).findings.filter((x) => x.severity === 'block');
  assert.ok(blocking.length > 0 && blocking.every((x) => x.message_ja), JSON.stringify(blocking));
  const refused = await page.evaluate(async (id) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch(`/api/envelopes/${id}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ decision: 'accept' }),
    });
    return r.status;
  }, envId);
  assert.equal(refused, 409, 'a blocking finding stops a plain acceptance');
  acceptedEnvelopeId = envId;
  const withoutToken = await page.request.post(new URL(`/api/fields/${f.id}/confirm`, baseUrl).href,
    { data: { value } });
  assert.equal(withoutToken.status(), 403, 'a POST without the CSRF token is refused');

  await Promise.all([page.waitForURL(/\/login$/), page.click('#logout')]);
  const afterLogout = await page.request.get(new URL('/api/envelopes', baseUrl).href);
  assert.equal(afterLogout.status(), 401);
  await page.close();
});

test('supervisor exports the day and sees the ファイルナンバー', async () => {
  const page = await newPage();
  await login(page, 'supervisor');
  // The supervisor accepts the reviewed envelope despite its findings, with the reason (override):
  // only accepted applications are exported.
  assert.ok(acceptedEnvelopeId, 'the review test left an envelope to accept');
  const decided = await page.evaluate(async (id) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const r = await fetch(`/api/envelopes/${id}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ decision: 'accept', override: true, reason: '添付書類は別送で受領済み' }),
    });
    return [r.status, await r.json()];
  }, acceptedEnvelopeId);
  assert.equal(decided[0], 200, JSON.stringify(decided[1]));
  assert.equal(decided[1].state, 'accepted');
  const history = await page.request.get(new URL(`/api/envelopes/${acceptedEnvelopeId}/history`, baseUrl).href);
  assert.equal(history.status(), 200);
  assert.equal((await history.json()).at(-1).to_ja, '受理');
  await page.waitForSelector('#export');
  await page.click('#export');
  await page.waitForLoadState();
  const errors = await page.locator('.alert.error').allTextContents();
  assert.deepEqual(errors, [], `export failed: ${errors.join(' ')}`);
  await page.waitForSelector('#file-no');
  assert.match(await page.textContent('#export-result'), /ファイルナンバー/);
  assert.ok((await page.textContent('#file-no')).trim().length > 0);
  // Encrypted to the (demo) prefecture's certificate: its fingerprint is shown, no password.
  assert.match((await page.textContent('#recipient-fingerprint')).trim(), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.match((await page.textContent('#bundle-path')).trim(), /\.p7m$/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-export.png'), fullPage: false });
  await page.close();
});

// An uncompressed 8-bit grey TIFF of paper-white noise: the blank back of a sheet, as a scanner
// writes it.
function blankTiff(w, h, dpi) {
  const n = 12, ifd = 8, rational = ifd + 2 + n * 12 + 4, pixels = rational + 8;
  const buf = Buffer.alloc(pixels + w * h);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifd, 4);
  buf.writeUInt16LE(n, ifd);
  const entries = [[256, 4, w], [257, 4, h], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, pixels], [277, 3, 1],
                   [278, 4, h], [279, 4, w * h], [282, 5, rational], [283, 5, rational], [296, 3, 2]];
  entries.forEach(([tag, type, value], i) => {
    const o = ifd + 2 + i * 12;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(1, o + 4);
    if (type === 3) buf.writeUInt16LE(value, o + 8); else buf.writeUInt32LE(value, o + 8);
  });
  buf.writeUInt32LE(0, ifd + 2 + n * 12);
  buf.writeUInt32LE(dpi, rational);
  buf.writeUInt32LE(1, rational + 4);
  let seed = 3;
  for (let i = 0; i < w * h; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    buf[pixels + i] = 236 + ((seed >>> 16) % 12);
  }
  return buf;
}

// Follows a capture job's page until the job has ended; returns the progress the page polled.
async function followJob(page) {
  const polled = [];
  page.on('response', async (r) => {
    if (/\/api\/capture\/jobs\/\d+$/.test(new URL(r.url()).pathname) && r.status() === 200) {
      try { polled.push(await r.json()); } catch { /* the page reloaded meanwhile */ }
    }
  });
  await page.waitForSelector('#capture-job:not([data-state="running"])', { timeout: 240_000 });
  return polled;
}

test('clerk imports a folder from the web page, sees its progress to the end and confirms a blank page', async () => {
  const folder = path.join(tmpRoot, 'kiosk-scans', 'envelope-web');
  mkdirSync(folder, { recursive: true });
  copyFileSync(path.join(SHARED_DIR, 'samples', 'app-001', 'page-03.jpg'), path.join(folder, 'a.jpg'));
  writeFileSync(path.join(folder, 'b.tif'), blankTiff(1654, 2339, 200));

  const page = await newPage();
  await login(page, 'clerk');
  await Promise.all([page.waitForURL((u) => new URL(u).pathname === '/capture'), page.click('#nav-capture')]);
  await page.check('#kind-import');
  await page.fill('#folder', folder);
  await page.fill('#enclosures', '1');
  await Promise.all([page.waitForURL(/\/capture\/jobs\/\d+$/), page.click('#capture-start')]);
  const polled = await followJob(page);
  assert.equal(await page.getAttribute('#capture-job', 'data-state'), 'done',
               await page.locator('main').textContent());
  assert.equal((await page.textContent('#job-pages')).trim(), '2', 'progress reaches every page');
  assert.ok(Number((await page.textContent('#job-ppm')).trim()) > 0, 'pages per minute are shown');
  assert.match(await page.textContent('#job-blank'), /1 ページ/);
  // The poll that saw the end triggers a reload, so its body may be lost: the end state is the
  // page's (checked above); what was polled before it only ever grows, up to the pages there are.
  assert.ok(polled.every((p) => p.pages >= 0 && p.pages <= 2), JSON.stringify(polled));
  assert.ok(polled.every((p, i) => i === 0 || p.pages >= polled[i - 1].pages), 'progress never goes back');
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-capture-done.png'), fullPage: true });

  // The blank back: its thumbnail (authenticated image path), confirmed blank by the clerk.
  await Promise.all([page.waitForURL(/\/envelopes\/\d+\/blank$/), page.click('a.blank-link >> nth=0')]);
  const card = page.locator('.blank-page').first();
  await card.waitFor();
  const img = card.locator('img');
  await page.waitForFunction((el) => el.complete, await img.elementHandle());
  assert.ok(await img.evaluate((el) => el.naturalWidth) > 0, 'the thumbnail must load');
  const src = await img.getAttribute('src');
  assert.match(src, /^\/pages\/\d+\.png\?w=300$/);
  await context.clearCookies();
  const anonymous = await page.request.get(new URL(src, baseUrl).href);
  assert.equal(anonymous.status(), 401, 'no thumbnail without a session');
  await page.close();

  const again = await newPage();
  await login(again, 'clerk');
  await again.goto(new URL(page.url(), baseUrl).href);
  const card2 = again.locator('.blank-page').first();
  await card2.waitFor();
  await Promise.all([again.waitForURL(/\/envelopes\/\d+\/blank$/), card2.locator('button.confirm-blank').click()]);
  await again.waitForSelector('.blank-page.confirmed');
  assert.match(await again.textContent('.blank-page.confirmed .badge'), /白紙（確認済み）/);
  await again.screenshot({ path: path.join(ARTIFACTS, 'ui-blank-confirmed.png'), fullPage: false });
  await again.close();
});

test('clerk scans from SANE (test backend) in the web page; a reviewer may not', async () => {
  const page = await newPage();
  await login(page, 'clerk');
  await page.goto(new URL('/capture', baseUrl).href);
  await page.check('#kind-scan');
  await page.selectOption('#device', 'test:0');
  await page.selectOption('#source', 'flatbed');
  await Promise.all([page.waitForURL(/\/capture\/jobs\/\d+$/), page.click('#capture-start')]);
  await followJob(page);
  assert.equal(await page.getAttribute('#capture-job', 'data-state'), 'done',
               await page.locator('main').textContent());
  assert.equal((await page.textContent('#job-pages')).trim(), '1');
  assert.match(await page.textContent('#job-result'), /M\d{8}-\d{4}/);
  await page.close();

  const reviewer = await newPage();
  await login(reviewer, 'reviewer');
  assert.equal(await reviewer.locator('#nav-capture').count(), 0);
  const resp = await reviewer.goto(new URL('/capture', baseUrl).href);
  assert.equal(resp.status(), 403);
  await reviewer.close();
});

// Issue 11 (one pipeline): an envelope imported from the web page is read in the background with
// nothing run by hand; its state and progress show on the job and review pages, and once read the
// reviewer finds its fields.
const RECOGNITION_TIMEOUT_MS = 420_000;  // five pages of OCR, possibly queued, under sanitizers

test('an envelope imported on the web page is recognised in the background and its fields reach the reviewer', async () => {
  const folder = path.join(tmpRoot, 'kiosk-scans', 'envelope-app-004');
  mkdirSync(folder, { recursive: true });
  for (const name of ['page-01.jpg', 'page-02.jpg', 'page-03.jpg', 'page-04.jpg', 'page-05.jpg']) {
    copyFileSync(path.join(SHARED_DIR, 'samples', 'app-004', name), path.join(folder, name));
  }

  const page = await newPage();
  await login(page, 'clerk');
  await page.goto(new URL('/capture', baseUrl).href);
  await page.check('#kind-import');
  await page.fill('#folder', folder);
  await page.fill('#enclosures', '4');
  await Promise.all([page.waitForURL(/\/capture\/jobs\/\d+$/), page.click('#capture-start')]);
  await followJob(page);
  assert.equal(await page.getAttribute('#capture-job', 'data-state'), 'done',
               await page.locator('main').textContent());
  assert.equal((await page.textContent('#job-pages')).trim(), '5');
  // The finished job links to its envelope and shows its recognition state (a Japanese label).
  const link = page.locator('#job-result a.job-envelope-link').first();
  const href = await link.getAttribute('href');
  assert.match(href, /^\/envelopes\/\d+$/);
  assert.match(await link.textContent(), /M\d{8}-\d{4}/);
  const state = page.locator('#job-result .recognition-state').first();
  assert.match(await state.textContent(), /受付済|読取中|読取済|読取失敗/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-pipeline-job.png'), fullPage: true });
  await page.close();

  // The reviewer opens it while (or after) it is read: the page follows the state and reloads by
  // itself once the reading has ended.
  const reviewer = await newPage();
  await login(reviewer, 'reviewer');
  const envelopeUrl = new URL(href, baseUrl).href;
  await reviewer.goto(envelopeUrl);
  const seen = new Set();
  const deadline = Date.now() + RECOGNITION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const badge = reviewer.locator('#envelope-state .recognition-state');
    seen.add((await badge.textContent().catch(() => '')).trim());
    if (await badge.getAttribute('data-pending').catch(() => null) === '0') break;
    await reviewer.waitForTimeout(1000);
  }
  const final = reviewer.locator('#envelope-state .recognition-state');
  assert.equal(await final.getAttribute('data-pending'), '0', `still being read: ${[...seen].join(' → ')}`);
  assert.match(await final.textContent(), /読取済/, [...seen].join(' → '));
  assert.ok([...seen].every((t) => /^(受付済（読取待ち）|読取中 \d+\/5 ページ|読取済)$/.test(t) || t === ''),
            [...seen].join(' → '));

  const field = reviewer.locator('section.field[data-key="facility.jigyosho_no"]');
  await field.waitFor();
  assert.match(await field.locator('.label').textContent(), /介護保険事業所番号/);
  assert.match((await field.locator('input[name=value]').inputValue()).trim(), /^\d{10}$/);
  const count = await reviewer.locator('section.field').count();
  assert.ok(count > 40, `fields read: ${count}`);
  await reviewer.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
  await reviewer.screenshot({ path: path.join(ARTIFACTS, 'ui-pipeline-review.png'), fullPage: true });

  // The JSON API says the same.
  const id = href.split('/').pop();
  const api = await reviewer.request.get(new URL(`/api/envelopes/${id}/state`, baseUrl).href);
  assert.equal(api.status(), 200);
  const body = await api.json();
  assert.equal(body.state, 'recognized');
  assert.equal(body.pending, false);
  assert.ok(body.fields_total > 40);
  await reviewer.close();
});
