// Browser test of the supervisor's and administrator's screens (ui/web supervisor.tsx, export.tsx,
// keys.tsx; docs/ui.md): runs the real `station demo` with one sample envelope and drives the
// system chromium with playwright-core. The administrator opens 鍵と証明書, sets the prefecture's
// certificate (made by openssl) from its PEM file and verifies the audit log; the supervisor's
// envelope is confirmed and accepted through the API, then the supervisor sees it counted on 監督
// (the counts, the throughput chart and its table), runs the export on 出力 and follows its
// stages and its applications (a progress bar, 「N / M 件」) to the end, and saves the encrypted set, which openssl decrypts with the prefecture's
// key. Every screen: Japanese strings only, axe-core clean, a screenshot kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { logInToApp, screenChecks, useDemoStation } from './demo_station.mjs';

let tmpRoot;
let browser;
let baseUrl;
let accounts = {};

useDemoStation({
  name: 'supervisor', roles: ['reviewer', 'supervisor', 'admin'],
  ready: (s) => ({ tmpRoot, browser, baseUrl, accounts } = s),
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

const login = (page, username, password) => logInToApp(page, baseUrl, username, password);

const checkScreen = screenChecks('supervisor', { minTarget: 44 });

async function csrfOf(page) {
  return page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf);
}

// Confirms every value of the envelope through the API and accepts it (the supervisor's override:
// the demo's readings have blocking findings), so that it waits for the export.
async function confirmAndAccept(page, envelopeId) {
  const csrf = await csrfOf(page);
  const headers = { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
  const v = await (await page.request.get(new URL(`/api/v1/envelopes/${envelopeId}/verification`, baseUrl).href)).json();
  for (const f of v.fields) {
    let r = await page.request.post(new URL(`/api/v1/fields/${f.id}/confirm`, baseUrl).href, { headers, data: {} });
    if (!r.ok()) r = await page.request.post(new URL(`/api/v1/fields/${f.id}/correct`, baseUrl).href, { headers, data: { value: '' } });
    assert.ok(r.ok(), `field ${f.key}: ${r.status()} ${await r.text()}`);
  }
  const d = await page.request.post(new URL(`/api/v1/envelopes/${envelopeId}/decision`, baseUrl).href,
                                    { headers, data: { decision: 'accept', override: true, reason: '県に確認済み' } });
  assert.ok(d.ok(), `decision: ${d.status()} ${await d.text()}`);
}

test('an administrator sets the certificate; a supervisor sees the day and exports it', { timeout: 600_000 }, async () => {
  // The prefecture's pair, as an LGPKI certificate would come (RSA).
  const cert = path.join(tmpRoot, 'pref-cert.pem');
  const key = path.join(tmpRoot, 'pref-key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30',
                                     '-subj', '/C=JP/O=Chiba Prefecture/CN=kourei-shisetsu'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);

  // ---- the administrator: 鍵と証明書
  const admin = await newPage();
  const adminErrors = [];
  admin.on('console', (m) => { if (m.type() === 'error') adminErrors.push(m.text()); });
  await login(admin, accounts.admin.username, accounts.admin.password);
  assert.equal(await admin.locator('#nav-supervisor').count(), 0, 'no dashboard for the administrator');
  await admin.click('#nav-keys');
  await admin.waitForSelector('#keys-screen #station-card');
  // The demo set a stand-in prefecture's certificate; the administrator replaces it.
  assert.doesNotMatch(await admin.textContent('#recipient-card'), /kourei-shisetsu/);
  const before = await admin.textContent('#recipient-card code.fingerprint');
  assert.match(await admin.textContent('#key-commands'), /station keys rotate/);
  await checkScreen(admin, 'keys-before');
  await admin.setInputFiles('#recipient-file', cert);
  await admin.waitForSelector('#recipient-status');
  await admin.waitForFunction(() => /kourei-shisetsu/.test(document.querySelector('#recipient-card')?.textContent ?? ''));
  assert.notEqual(await admin.textContent('#recipient-card code.fingerprint'), before);
  await admin.click('#audit-verify');
  await admin.waitForSelector('#audit-result');
  assert.match(await admin.textContent('#audit-result'), /改ざんは見つかりませんでした/);
  await checkScreen(admin, 'keys');
  // The session check before the login answers 401 (the browser logs it); nothing else may fail.
  assert.deepEqual(adminErrors.filter((e) => !/Failed to load resource/.test(e)), []);

  // ---- the supervisor: 監督
  const page = await newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await login(page, accounts.supervisor.username, accounts.supervisor.password);
  const list = await (await page.request.get(new URL('/api/v1/envelopes', baseUrl).href)).json();
  assert.ok(list.envelopes.length >= 1);
  await confirmAndAccept(page, list.envelopes[0].id);

  await page.click('#nav-supervisor');
  await page.waitForSelector('#supervisor-screen #state-counts');
  const counts = await page.evaluate(() =>
    Object.fromEntries(Array.from(document.querySelectorAll('#state-counts tbody tr'))
      .map((tr) => [tr.querySelector('th')?.textContent, Number(tr.querySelector('td')?.textContent)])));
  assert.equal(counts['受理'], 1, `counts: ${JSON.stringify(counts)}`);
  // The chart: one accessible SVG per series, its figures in the table as well.
  for (const id of ['chart-received', 'chart-confirmed', 'chart-decisions']) {
    assert.equal(await page.getAttribute(`#${id}`, 'role'), 'img');
    assert.ok((await page.locator(`#${id} rect.bar`).count()) >= 11, 'a bar per hour of the working day');
  }
  const totals = await page.evaluate(() => Array.from(document.querySelectorAll('#throughput-table tr.total td')).map((td) => Number(td.textContent)));
  assert.equal(totals[2], 1, 'one decision today');
  assert.ok(totals[1] > 0, 'values confirmed today');
  const tallest = await page.evaluate(() => Math.max(...Array.from(document.querySelectorAll('#chart-decisions rect.bar')).map((r) => Number(r.getAttribute('height')))));
  assert.ok(tallest > 0, 'the decision is drawn');
  assert.match(await page.textContent('#chart-decisions desc'), /合計 1件/);
  await checkScreen(page, 'dashboard');

  // ---- 出力
  await page.click('#nav-export');
  await page.waitForSelector('#export-screen #export-waiting');
  assert.match(await page.textContent('#export-waiting'), /1件/);
  assert.match(await page.textContent('#export-recipient'), /kourei-shisetsu/);
  await checkScreen(page, 'export-before');
  const seen = new Set();
  const watch = setInterval(() => {
    page.evaluate(() => document.querySelector('#export-status')?.textContent ?? '')
      .then((t) => { if (t) seen.add(t); }).catch(() => {});
  }, 100);
  await page.click('#export-start');
  await page.waitForSelector('#export-result', { timeout: 300_000 });
  clearInterval(watch);
  seen.add(await page.textContent('#export-status'));
  const statuses = Array.from(seen);
  assert.ok(statuses.some((t) => /出力が終わりました。申請 1 \/ 1件/.test(t)), `statuses: ${statuses.join(' | ')}`);
  // The applications written, per application as the station reports them: a bar and 「N / M 件」.
  assert.equal(await page.getAttribute('#export-progress', 'role'), 'progressbar');
  assert.equal(await page.getAttribute('#export-progress', 'aria-valuemin'), '0');
  assert.equal(await page.getAttribute('#export-progress', 'aria-valuemax'), '1');
  assert.equal(await page.getAttribute('#export-progress', 'aria-valuenow'), '1');
  assert.equal(await page.getAttribute('#export-progress', 'aria-valuetext'), '1 / 1 件');
  assert.equal((await page.textContent('#export-progress-text')).trim(), '1 / 1 件');
  assert.ok(await page.evaluate(() => document.querySelector('#export-progress .bar-fill').getBoundingClientRect().width
                                      >= document.querySelector('#export-progress').clientWidth - 1), 'the bar is full');
  assert.match(await page.textContent('#export-applications'), /1件/);
  assert.match(await page.textContent('#export-file-name'), /\.p7m$/);
  assert.equal(await page.locator('#export-stages li.passed').count(), 3);
  await checkScreen(page, 'export-done');

  // The one download: the encrypted set, which the prefecture opens with its key.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-download')]);
  const saved = path.join(tmpRoot, 'set.p7m');
  await download.saveAs(saved);
  assert.ok(statSync(saved).size > 1000);
  const dec = spawnSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', saved, '-recip', cert, '-inkey', key,
                                    '-out', path.join(tmpRoot, 'signed.der')], { encoding: 'utf8' });
  assert.equal(dec.status, 0, dec.stderr);
  assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), []);
});

// No HTML is built in C++ (issue #17): an unknown address gets the front-end's static error page
// with 404, and the front-end shows the Japanese message of its code.
test('an unknown address shows the front-end\'s Japanese not-found screen', async () => {
  const page = await newPage();
  const response = await page.goto(new URL('/no/such/page', baseUrl).href);
  assert.equal(response.status(), 404);
  assert.equal(await page.getAttribute('html', 'data-error'), 'NOT_FOUND');
  await page.waitForSelector('#error-screen');
  assert.equal((await page.textContent('#error-screen h1')).trim(), 'ページが見つかりません');
  assert.match(await page.textContent('#error-message'), /お探しのページはありません/);
  assert.equal(await page.getAttribute('#error-message', 'role'), 'alert');
  assert.equal(await page.getAttribute('#error-back', 'href'), '/app');
  assert.match(await page.title(), /ページが見つかりません/);
  await checkScreen(page, 'not-found');
  await page.click('#error-back');
  await page.waitForSelector('#login-screen');
  await page.close();
});
