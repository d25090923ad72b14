// Browser test of the station's web UI: runs the real `station demo` on a free port and drives
// the system chromium with playwright-core (no browser download). The old list, login, review and
// export pages are retired (issue #17): everyone logs in at /app; the reviewer's work and the
// export are driven through the JSON APIs and the front-end's 出力 screen here; the capture pages
// (still server-rendered) are reached by their URLs.
//
// Environment (set by CMake, see CMakeLists.txt):
//   STATION_BIN         the station executable
//   STATION_SHARED_DIR  the shared folder (forms, data, samples)
//   STATION_UI_ARTIFACTS  where to write the screenshot (default: the OS temp dir)
//   CHROMIUM            the browser (default /usr/bin/chromium)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR, ARTIFACTS, useDemoStation } from './demo_station.mjs';

let tmpRoot;
let context;        // one persistent browser context on a fresh profile directory
let baseUrl;
let acceptedEnvelopeId;  // reviewed by the reviewer, accepted by the supervisor
let accounts = {};  // role -> { username, password }

// The web import reads only under the configured roots (issue #16): the kiosk's scan folder.
useDemoStation({
  name: 'ui', roles: ['reviewer', 'supervisor', 'clerk'], importRoots: (root) => [path.join(root, 'kiosk-scans')],
  persistent: { viewport: { width: 1280, height: 1000 } },
  ready: (s) => ({ tmpRoot, context, baseUrl, accounts } = s),
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
  assert.equal(new URL(page.url()).pathname, '/app', 'an anonymous visit must land on the front-end\'s login');
  await page.waitForSelector('#login-screen');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#envelope-list');
}

async function csrfOf(page) {
  return page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf);
}

test('wrong password shows the Japanese error and no session', async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  assert.equal(new URL(page.url()).pathname, '/app');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await page.waitForSelector('#login-screen');
  await page.fill('#username', accounts.reviewer.username);
  await page.fill('#password', 'this-is-not-the-password');
  await page.click('#login-submit');
  await page.waitForSelector('#login-error');
  assert.match(await page.textContent('#login-error'), /ユーザー名またはパスワードが違います/);
  const api = await page.request.get(new URL('/api/envelopes', baseUrl).href);
  assert.equal(api.status(), 401);
  // The retired pages: the old login and list lead to the front-end, the old review is gone.
  const old = await page.request.get(new URL('/envelopes/1', baseUrl).href, { maxRedirects: 0 });
  assert.equal(old.status(), 404);
  await page.close();
});

test('reviewer confirms 介護保険事業所番号 through the API; the checks and the CSRF rule hold', async () => {
  const page = await newPage();
  await login(page, 'reviewer');
  const resp = await page.reload();
  const headers = resp.headers();
  assert.match(headers['content-security-policy'] || '', /default-src 'self'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.match(headers['cache-control'] || '', /no-store/);
  await page.waitForSelector('#envelope-list');
  const token = await csrfOf(page);
  const list = await (await page.request.get(new URL('/api/v1/envelopes', baseUrl).href)).json();
  const envId = String(list.envelopes[0].id);
  const before = await (await page.request.get(new URL(`/api/envelopes/${envId}/fields`, baseUrl).href)).json();
  const target = before.find((x) => x.key === 'facility.jigyosho_no');
  assert.ok(target, 'the demo envelope has 介護保険事業所番号');
  const value = target.value.trim() !== '' ? target.value : '1234567890';
  const ok = await page.request.post(new URL(`/api/fields/${target.id}/confirm`, baseUrl).href,
                                     { headers: { 'X-CSRF-Token': token }, data: { value } });
  assert.equal(ok.status(), 200, await ok.text());

  // The JSON API agrees.
  const api = await page.request.get(new URL(`/api/envelopes/${envId}/fields`, baseUrl).href);
  assert.equal(api.status(), 200);
  const fields = await api.json();
  const f = fields.find((x) => x.key === 'facility.jigyosho_no');
  assert.equal(f.status, 'confirmed');
  assert.equal(f.confirmed_value, value);

  // The reviewer works through the other fields (here through the page's JSON API, with its CSRF
  // token): a value whose format is refused is corrected, as a reviewer would, by clearing it.
  const results = await page.evaluate(async (ids) => {
    const token = (await (await fetch('/api/v1/session')).json()).csrf;
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
    const token = (await (await fetch('/api/v1/session')).json()).csrf;
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

  await page.click('#logout');
  await page.waitForSelector('#login-screen');
  const afterLogout = await page.request.get(new URL('/api/envelopes', baseUrl).href);
  assert.equal(afterLogout.status(), 401);
  await page.close();
});

test('supervisor exports the day on 出力 and sees the set', async () => {
  const page = await newPage();
  await login(page, 'supervisor');
  // The supervisor accepts the reviewed envelope despite its findings, with the reason (override):
  // only accepted applications are exported.
  assert.ok(acceptedEnvelopeId, 'the review test left an envelope to accept');
  const decided = await page.evaluate(async (id) => {
    const token = (await (await fetch('/api/v1/session')).json()).csrf;
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
  await page.click('#nav-export');
  await page.waitForSelector('#export-start:not([disabled])');
  await page.click('#export-start');
  await page.waitForSelector('#export-result', { timeout: 240_000 });
  assert.equal(await page.locator('#export-failed').count(), 0);
  // Encrypted to the (demo) prefecture's certificate: its fingerprint is shown, no password.
  assert.match((await page.locator('#export-result code.fingerprint').first().textContent()).trim(),
               /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.match((await page.textContent('#export-file-name')).trim(), /\.p7m$/);
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
  const href = `/app#/envelopes/${envelopeId}`;

  // The reviewer follows it while (or after) it is read, then opens it on the verification screen.
  const reviewer = await newPage();
  await login(reviewer, 'reviewer');
  const id = href.split('/').pop();
  const deadline = Date.now() + RECOGNITION_TIMEOUT_MS;
  const seen = new Set();
  let body;
  while (Date.now() < deadline) {
    const api = await reviewer.request.get(new URL(`/api/envelopes/${id}/state`, baseUrl).href);
    assert.equal(api.status(), 200);
    body = await api.json();
    seen.add(body.state);
    if (!body.pending) break;
    await reviewer.waitForTimeout(1000);
  }
  assert.equal(body.pending, false, `still being read: ${[...seen].join(' → ')}`);
  assert.equal(body.state, 'recognized', [...seen].join(' → '));
  assert.ok(body.fields_total > 40);
  const v = await (await reviewer.request.get(new URL(`/api/v1/envelopes/${id}/verification`, baseUrl).href)).json();
  const field = v.fields.find((f) => f.key === 'facility.jigyosho_no');
  assert.match(field.label_ja, /介護保険事業所番号/);
  assert.match(field.value.trim(), /^\d{10}$/);
  await reviewer.goto(new URL(href, baseUrl).href);
  await reviewer.waitForSelector('#verify-progress');
  await reviewer.screenshot({ path: path.join(ARTIFACTS, 'ui-pipeline-review.png'), fullPage: true });
  await reviewer.close();
});
