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

  // The clerk imports it on the intake screen (/app#/intake); the finished job lists its envelope.
  const page = await newPage();
  await login(page, 'clerk');
  await page.goto(new URL('/app#/intake', baseUrl).href);
  await page.waitForSelector('#intake-form');
  await page.check('#kind-import');
  await page.fill('#folder', folder);
  await page.fill('#enclosures', '4');
  await page.click('#intake-start');
  await page.waitForSelector('#intake-job[data-state="done"]', { timeout: 240_000 });
  assert.equal((await page.textContent('#job-pages')).trim(), '5');
  const section = page.locator('#intake-job section.intake-envelope').first();
  const envelopeId = await section.getAttribute('data-envelope-id');
  assert.match(envelopeId, /^\d+$/);
  assert.match(await section.locator('h3').textContent(), /M\d{8}-\d{4}.*(受付済|読取中|読取済|読取失敗)/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'ui-pipeline-job.png'), fullPage: true });
  await page.close();
  const href = `/envelopes/${envelopeId}`;

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
