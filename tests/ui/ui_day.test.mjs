// The whole day at the station in a real browser (issue #17): the real `station demo` (one sample
// envelope imported and read by the real OCR) with [capture] import_roots set to the shared samples.
//   1. a clerk logs in and imports a second sample envelope from a folder (the intake screen);
//   2. a reviewer opens it from the work queue and verifies every field by keyboard only (the
//      keystrokes printed), one value corrected through the IME path (no shortcut while composing);
//   3. an OCR value of <script>alert(1)</script> renders as text;
//   4. the reviewer verifies the other envelope's doubtful digits together (文字ごとの確認);
//   5. the reviewer opens the findings of the first envelope and requests a correction;
//   6. a supervisor accepts the other envelope and exports the day's set.
// Every screen: a screenshot kept (test-artifacts/ui/day-*.png), axe-core clean, every visible
// string Japanese.
//
// Environment (set by CMake, see CMakeLists.txt): STATION_BIN, STATION_SHARED_DIR,
// STATION_UI_ARTIFACTS (the screenshots' folder), CHROMIUM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR, screenChecks, useDemoStation } from './demo_station.mjs';

const MARKUP = '<script>alert(1)</script>';
const IMPORTED_SAMPLE = 'app-002';  // the demo imports app-001 itself

let browser;
let baseUrl;
let accounts = {};
let samplesRoot;

// The station may import from the shared samples (the folder the clerk names must be under it).
useDemoStation({
  name: 'day', roles: ['clerk', 'reviewer', 'supervisor'],
  importRoots: () => [(samplesRoot = realpathSync(path.join(SHARED_DIR, 'samples')))],
  ready: (s) => ({ browser, baseUrl, accounts } = s),
});

const url = (p) => new URL(p, baseUrl).href;

const screens = [];
const checks = screenChecks('day', { allowed: () => Object.values(accounts).map((a) => a.username) });
async function checkScreen(page, name) {
  await checks(page, name);
  screens.push(name);
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

// Logs in on the front-end's login screen by keyboard (the user name has the focus).
async function login(page, who) {
  await page.goto(url('/app'));
  await page.waitForSelector('#login-screen');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'username');
  await page.keyboard.type(accounts[who].username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(accounts[who].password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#envelope-list');
}

async function logout(page) {
  await page.goto(url('/app'));
  await page.waitForSelector('header.bar');
  await page.click('header.bar button:has-text("ログアウト")');
  await page.waitForSelector('#login-screen');
}

async function csrfOf(page) {
  return page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf);
}

async function getJson(page, p) {
  const r = await page.request.get(url(p));
  assert.ok(r.ok(), `${p}: ${r.status()}`);
  return r.json();
}

async function readState(page) {
  return page.evaluate(() => ({
    progress: document.querySelector('#verify-progress')?.textContent ?? '',
    page: document.querySelector('.page-tab[aria-current="page"]')?.textContent ?? '',
    label: document.querySelector('label[for="value-input"]')?.textContent ?? '',
    fieldId: Number(document.getElementById('value-input')?.dataset.fieldId ?? 0),
  }));
}

// ↓ through the fields until `id` is under work; from the last one, ↑ back (both stop at the ends).
async function goToField(page, id, count, press) {
  for (const key of ['ArrowDown', 'ArrowUp']) {
    for (let i = 0; i < count + 1; i++) {
      if ((await readState(page)).fieldId === id) return;
      const before = (await readState(page)).fieldId;
      await press(key);
      await page.waitForFunction((b) => Number(document.getElementById('value-input')?.dataset.fieldId) !== b, before,
                                 { timeout: 2000 }).catch(() => {});
      if ((await readState(page)).fieldId === before) break;
    }
  }
}

// Tab until the focused element's href is `href`; true when reached.
async function tabTo(page, href, limit = 60) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((h) => document.activeElement?.getAttribute('href') === h, href)) return true;
    await page.keyboard.press('Tab');
  }
  return page.evaluate((h) => document.activeElement?.getAttribute('href') === h, href);
}

// Confirms every value still unconfirmed through the API (as read; cleared where the reading
// breaks the field's format).
async function confirmRest(page, envelopeId) {
  const csrf = await csrfOf(page);
  const v = await getJson(page, `/api/v1/envelopes/${envelopeId}/verification`);
  const headers = { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
  for (const f of v.fields.filter((x) => x.status !== 'confirmed')) {
    let r = await page.request.post(url(`/api/v1/fields/${f.id}/confirm`), { headers, data: {} });
    if (!r.ok()) r = await page.request.post(url(`/api/v1/fields/${f.id}/correct`), { headers, data: { value: '' } });
    assert.ok(r.ok(), `field ${f.key}: ${r.status()} ${await r.text()}`);
  }
}

test('a whole day: import, keyboard verification, group verification, review, acceptance, export', { timeout: 1_100_000 }, async () => {
  const page = await newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // ---- 1. the clerk imports an envelope from a folder
  await page.goto(url('/app'));
  await page.waitForSelector('#login-screen');
  await checkScreen(page, '01-login');
  await login(page, 'clerk');
  await checkScreen(page, '02-queue-clerk');
  const before = (await getJson(page, '/api/v1/envelopes')).envelopes.map((e) => e.id);
  assert.equal(before.length, 1, 'the demo imported one envelope');
  await page.click('#nav-intake');
  await page.waitForSelector('#intake-form');
  await page.check('#kind-import');
  await page.fill('#folder', path.join(samplesRoot, IMPORTED_SAMPLE));
  await checkScreen(page, '03-import-form');
  await page.click('#intake-start');
  await page.waitForSelector('#intake-job[data-state="done"]', { timeout: 240_000 });
  await checkScreen(page, '04-import-done');
  const afterImport = (await getJson(page, '/api/v1/envelopes')).envelopes;
  const imported = afterImport.find((e) => !before.includes(e.id));
  assert.ok(imported, 'the import made a new envelope');
  const other = before[0];
  await logout(page);

  // ---- 2. the reviewer verifies it by keyboard only
  await login(page, 'reviewer');
  // The background recognition reads it (the real OCR): wait until its fields are there.
  let data;
  for (let i = 0; i < 300; i++) {
    data = await getJson(page, `/api/v1/envelopes/${imported.id}/verification`);
    if (!data.recognition_pending && data.fields.length > 0) break;
    await page.waitForTimeout(1000);
  }
  assert.ok(!data.recognition_pending && data.fields.length > 0, 'the imported envelope was read');
  await page.reload();
  await page.waitForSelector(`#envelope-list a.verify-open[href="#/envelopes/${imported.id}"]`);
  await checkScreen(page, '05-queue-reviewer');
  let keys = 0;
  const press = async (key) => { await page.keyboard.press(key); keys += 1; };
  await page.evaluate(() => document.activeElement?.blur());
  assert.ok(await tabTo(page, `#/envelopes/${imported.id}`), 'the envelope is reachable by Tab');
  await press('Enter');
  await page.waitForSelector('#verify-screen #value-input');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.page-frame img')).every((i) => i.complete && i.naturalWidth > 0));
  await page.waitForFunction(() => document.querySelector('canvas.crop')?.width > 1);
  await checkScreen(page, '06-verify');
  const fieldCount = data.fields.length;

  // The IME path: to the contact's name by the arrow keys, a composing Enter reaches nothing.
  const target = data.fields.find((f) => f.key === 'contact.name') ?? data.fields.find((f) => /名/.test(f.label_ja));
  assert.ok(target, 'a name field to correct');
  await goToField(page, target.id, fieldCount, press);
  assert.equal((await readState(page)).fieldId, target.id);
  let posted = 0;
  const countPosts = (r) => { if (r.method() === 'POST') posted += 1; };
  page.on('request', countPosts);
  await page.evaluate(() => {
    const input = document.getElementById('value-input');
    input.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    input.dispatchEvent(new CompositionEvent('compositionupdate', { bubbles: true, data: 'なかむら' }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', code: 'F2', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', code: 'ArrowDown', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
  });
  await page.keyboard.press('Enter');
  keys += 1;
  await page.waitForTimeout(400);
  assert.equal(posted, 0, 'no Enter while composing reaches the station');
  assert.equal((await readState(page)).fieldId, target.id, 'no arrow key moved while composing');
  assert.equal(await page.locator('#alternatives').count(), 0, 'no F2 while composing');
  const corrected = '中村清美';
  await page.keyboard.insertText(corrected);
  keys += 1;
  await page.evaluate(() => {
    document.getElementById('value-input').dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '' }));
  });
  await Promise.all([page.waitForResponse((r) => r.url().includes(`/api/v1/fields/${target.id}/correct`)), press('Enter')]);
  page.off('request', countPosts);
  const imeKeys = keys;

  // Every other field by Enter (a value the station refuses as read: cleared, Enter).
  keys = 0;
  let refused = 0;
  for (let step = 0; step < fieldCount * 4; step++) {
    const s = await readState(page);
    const m = s.progress.match(/確定 (\d+) \/ (\d+)/);
    if (m && m[1] === m[2]) break;
    const enter = async () => {
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/')),
        page.keyboard.press('Enter'),
      ]);
      keys += 1;
      await page.waitForFunction(() => !document.getElementById('accept-button')?.disabled);
      return resp;
    };
    const resp = await enter();
    if (!resp.ok()) {
      refused += 1;
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      keys += 2;
      assert.ok((await enter()).ok(), `a cleared value is accepted (${s.label})`);
    }
  }
  const verified = await getJson(page, `/api/v1/envelopes/${imported.id}/verification`);
  assert.ok(verified.fields.every((f) => f.status === 'confirmed'), 'every field confirmed by keyboard');
  assert.equal(verified.fields.find((f) => f.id === target.id).value, corrected);
  const attention = data.fields.filter((f) => f.needs_attention && f.id !== target.id).length;
  const confidentPages = new Set(data.fields.filter((f) => !f.needs_attention && f.id !== target.id).map((f) => f.page_id)).size;
  console.log(`day: verification of ${IMPORTED_SAMPLE} by keyboard: ${keys} keystrokes for ${fieldCount - 1} fields on ` +
              `${data.pages.length} pages (+ ${imeKeys} for the IME correction; ${refused} values refused as read); ` +
              `reference: ${attention} fields needing attention + ${confidentPages} pages of confident fields = ` +
              `${attention + confidentPages} at best`);
  assert.ok(keys <= attention + confidentPages + 4 * refused, `keystrokes ${keys}`);
  await checkScreen(page, '07-verified');

  // ---- 3. an OCR value of <script> renders as text (stored as the reading would be)
  const victim = data.fields.find((f) => f.id !== target.id);
  const csrf = await csrfOf(page);
  const put = await page.request.post(url(`/api/v1/fields/${victim.id}/correct`),
                                      { data: { value: MARKUP }, headers: { 'X-CSRF-Token': csrf } });
  assert.equal(put.status(), 200, await put.text());
  await page.reload();
  await page.waitForSelector('#verify-screen .field-list');
  await goToField(page, victim.id, fieldCount, (k) => page.keyboard.press(k));
  assert.equal(await page.locator('.field-item.current .item-value').textContent(), MARKUP);
  assert.equal(await page.inputValue('#value-input'), MARKUP);
  assert.equal(await page.evaluate(() => document.querySelectorAll('#app script').length), 0);
  assert.deepEqual(dialogs, [], 'no script ran');
  await checkScreen(page, '08-markup-as-text');

  // ---- 4. the other envelope's doubtful digits together
  await page.click('#nav-group');
  await page.waitForSelector('#group-screen');
  await page.click('#group-screen button:has-text("数字すべて")');
  const group = await getJson(page, '/api/v1/doubtful-characters?chars=0123456789');
  await page.waitForFunction((n) => (n === 0 ? !!document.getElementById('group-empty')
                                             : document.querySelectorAll('.char-cell').length === n),
                             group.cells.length);
  if (group.cells.length > 0) {
    await page.waitForSelector('.char-cell.selected');
    assert.equal(await page.getAttribute('#group-screen button:has-text("数字すべて")', 'aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('char-cell')), true, 'the first cell has the focus');
    await checkScreen(page, '09-group');
    const groupFields = new Set(group.cells.map((c) => c.field_id));
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/doubtful-characters/decide')),
      page.keyboard.press('Enter'),
    ]);
    assert.equal(answer.status(), 200, await answer.text());
    const result = await answer.json();
    assert.equal(result.confirmed + result.refused.length, groupFields.size);
    await page.waitForSelector('#group-status:has-text("確定しました")');
    console.log(`day: group verification of digits: ${group.cells.length} characters of ${groupFields.size} fields in 1 keystroke ` +
                `(${result.confirmed} confirmed, ${result.refused.length} refused as read)`);
    const afterGroup = await getJson(page, `/api/v1/envelopes/${other}/verification`);
    for (const f of afterGroup.fields.filter((x) => groupFields.has(x.id) && !result.refused.some((r) => r.field_id === x.id)))
      assert.equal(f.status, 'confirmed', `${f.key} confirmed by the group pass`);
  } else {
    await page.waitForSelector('#group-empty');
    console.log('day: group verification: no doubtful digits in the queue');
  }
  await checkScreen(page, '10-group-done');

  // ---- 5. the findings of the verified envelope, and a correction request
  await page.goto(url('/app'));
  await page.waitForSelector(`#envelope-list a.review-open[href="#/envelopes/${imported.id}/review"]`);
  await page.evaluate(() => document.activeElement?.blur());
  assert.ok(await tabTo(page, `#/envelopes/${imported.id}/review`), 'the review is reachable by Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#review-screen #decision-form');
  const review = await getJson(page, `/api/v1/envelopes/${imported.id}/review`);
  assert.equal(await page.locator('#finding-list button.finding').count(), review.findings.length);
  const placed = review.findings.findIndex((f) => f.page_id !== null && f.box && f.box.w > 0);
  if (placed >= 0) {
    await page.locator('#finding-list button.finding').nth(placed).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.page-frame .box.current');
    await page.waitForFunction(() => { const i = document.querySelector('.page-frame img'); return i && i.complete && i.naturalWidth > 0; });
  }
  await checkScreen(page, '11-findings');
  await page.getByLabel('補正依頼', { exact: true }).check();
  await page.waitForSelector('#defects');
  await page.fill('#extra-defect', '添付書類（登記事項証明書）が同封されていません。');
  await page.click('#preview-letter');
  await page.waitForSelector('#letter-preview');
  assert.match(await page.textContent('#letter-preview'), new RegExp(review.envelope.receipt_no));
  await checkScreen(page, '12-letter-preview');
  await page.click('#decide');
  await page.waitForSelector('#decision-result #letter-link');
  assert.match(await page.textContent('#decision-result'), /補正依頼 第1回/);
  const letter = await page.request.get(url(await page.getAttribute('#letter-link', 'href')));
  assert.equal(letter.status(), 200);
  assert.equal((await letter.body()).subarray(0, 5).toString(), '%PDF-');
  await checkScreen(page, '13-requested');
  await page.click('#nav-corrections');
  await page.waitForSelector('#corrections');
  assert.match(await page.textContent('#corrections'), new RegExp(review.envelope.receipt_no));
  await checkScreen(page, '14-corrections');
  // The other envelope's remaining values (the verification screen has been shown above).
  await confirmRest(page, other);
  await logout(page);

  // ---- 6. the supervisor accepts the other envelope and exports the day's set
  await login(page, 'supervisor');
  await page.goto(url(`/app#/envelopes/${other}/review`));
  await page.waitForSelector('#review-screen #decision-form');
  await page.getByLabel('受理', { exact: true }).check();
  const otherReview = await getJson(page, `/api/v1/envelopes/${other}/review`);
  if (otherReview.blocking > 0) {
    await page.check('#override');
    await page.fill('#decision-reason', '県に確認済み（施設リストへの追加予定）');
  }
  await checkScreen(page, '15-accept-form');
  await page.click('#decide');
  await page.waitForSelector('#decision-result');
  assert.match(await page.textContent('#decision-result'), /受理/);
  assert.equal((await getJson(page, `/api/v1/envelopes/${other}/review`)).envelope.state, 'accepted');
  await checkScreen(page, '16-accepted');
  // The day's set on 出力 (the export screen), run to its end: its file and ファイルナンバー.
  await page.click('#nav-export');
  await page.waitForSelector('#export-screen #export-waiting');
  assert.match(await page.textContent('#export-waiting'), /[1-9]\d*件/);
  await checkScreen(page, '17-export-form');
  await page.click('#export-start');
  await page.waitForSelector('#export-result', { timeout: 300_000 });
  assert.match(await page.textContent('#export-file-name'), /\.p7m$/);
  assert.match(await page.textContent('#export-result'), /M-\d{8}-\d{2}/, 'the set has its file number');
  await checkScreen(page, '18-exported');
  console.log(`day: ${screens.length} screens checked (axe-core, Japanese) and kept: ${screens.join(', ')}`);
  assert.deepEqual(dialogs, [], 'no script ran');
  // Expected answers the browser logs: 401 (the session asked before each login), 400 (a value
  // refused as read). Nothing else.
  assert.deepEqual(consoleErrors.filter((m) => !/status of (400|401) /.test(m)), []);
  await page.close();
});
