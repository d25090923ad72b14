// Browser test of blind double entry (ui/web entries.tsx, docs/ui.md 「二重入力」): runs the real
// `station demo` (one sample envelope imported and read) with [verification] double_entry =
// ["amount"], and three people in three browser contexts. A reviewer keys the amount blind (an
// empty input, no reading or other entry on the screen; an Enter while the IME composes sends
// nothing), a supervisor keys a different amount, neither may decide, and a second reviewer (made
// by the administrator) sees both entries beside the crop and decides by keyboard. The value is
// then confirmed as decided. axe-core and the Japanese-only check on each screen; screenshots in
// the build's test artifacts (test-artifacts/ui/entries-*.png).
//
// Environment (set by CMake, see CMakeLists.txt): STATION_BIN, STATION_SHARED_DIR,
// STATION_UI_ARTIFACTS (the screenshots' folder), CHROMIUM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logInToApp, screenChecks, useDemoStation } from './demo_station.mjs';

const REVIEWER2 = 'reviewer2';
const REVIEWER2_PASSWORD = 'third-person-pw-81';
const FIRST = '120000';
const SECOND = '130000';

let browser;
let baseUrl;
let accounts = {};
useDemoStation({
  name: 'entries',
  roles: ['admin', 'reviewer', 'supervisor'],
  config: '[verification]\ndouble_entry = ["amount"]\n',
  ready: (s) => ({ browser, baseUrl, accounts } = s),
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

// The screen's checks (Japanese only, axe-core, a screenshot entries-<name>.png); the keyers' user
// names are data shown as they are.
const checkScreen = screenChecks('entries', {
  allowed: () => [accounts.reviewer.username, accounts.supervisor.username,
    `1人目の入力（${accounts.reviewer.username}）`, `2人目の入力（${accounts.supervisor.username}）`],
});

// A write through the page's own session (its CSRF token from /api/v1/session).
async function postAs(page, url, data) {
  const session = await (await page.request.get(new URL('/api/v1/session', baseUrl).href)).json();
  return page.request.post(new URL(url, baseUrl).href, { data, headers: { 'X-CSRF-Token': session.csrf } });
}

// The amount field of the demo's envelope, as the verification data shows it.
async function amountField(page) {
  const list = await (await page.request.get(new URL('/api/v1/envelopes', baseUrl).href)).json();
  const id = list.envelopes[0].id;
  const v = await (await page.request.get(new URL(`/api/v1/envelopes/${id}/verification`, baseUrl).href)).json();
  return v.fields.find((f) => f.key === 'amount');
}

test('two people key one field blind and differently; a third decides', async () => {
  // The administrator sees the setting and makes the third person's account.
  const admin = await newPage();
  await logInToApp(admin, baseUrl, accounts.admin.username, accounts.admin.password);
  const settings = await (await admin.request.get(new URL('/api/v1/entries/settings', baseUrl).href)).json();
  assert.deepEqual(settings.types.map((t) => t.type), ['amount']);
  const made = await postAs(admin, '/api/v1/accounts', { username: REVIEWER2, role: 'reviewer', password: REVIEWER2_PASSWORD });
  assert.equal(made.status(), 201, await made.text());

  // ---- the first keyer: the crop and an empty input, nothing read
  const first = await newPage();
  await logInToApp(first, baseUrl, accounts.reviewer.username, accounts.reviewer.password);
  const before = await amountField(first);
  assert.equal(before.double_entry, 'awaiting_first');
  assert.equal(before.value, '', 'the verification data hides the reading of a double-entry field');
  await first.focus('#nav-entries');
  await first.keyboard.press('Enter');
  await first.waitForSelector('#entry-value');
  assert.match(await first.textContent('#entry-title'), /1人目の入力/);
  assert.equal(await first.inputValue('#entry-value'), '');
  assert.equal(await first.locator('#entries-both').count(), 0);
  assert.match(await first.textContent('#entries-types'), /金額/);
  assert.equal(await first.evaluate(() => document.activeElement?.id), 'entry-value', 'the input has the focus');
  await first.waitForFunction(() => {
    const c = document.getElementById('entry-crop');
    return c && c.width > 1;
  });
  await checkScreen(first, '1-first-keyer');

  // An Enter while the IME composes sends nothing.
  let posted = 0;
  const countPosts = (r) => { if (r.method() === 'POST') posted += 1; };
  first.on('request', countPosts);
  await first.evaluate(() => {
    const input = document.getElementById('entry-value');
    input.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true }));
  });
  await first.waitForTimeout(400);
  assert.equal(posted, 0, 'no Enter while composing reaches the station');
  await first.evaluate(() => {
    document.getElementById('entry-value').dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '' }));
  });
  first.off('request', countPosts);

  await first.keyboard.type(FIRST);
  const [r1] = await Promise.all([first.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/entries/')),
                                  first.keyboard.press('Enter')]);
  const a1 = await r1.json();
  assert.equal(a1.state, 'awaiting_second');
  assert.equal(a1.value, undefined, 'the answer carries no value before the field is decided');
  await first.waitForSelector('#entries-empty');
  assert.match(await first.textContent('#entries-status'), /別の方の入力を待ちます/);
  assert.ok(!(await first.content()).includes(FIRST), 'the entry is gone from the screen');

  // ---- the second keyer: round 2, nothing of the first entry
  const second = await newPage();
  await logInToApp(second, baseUrl, accounts.supervisor.username, accounts.supervisor.password);
  await second.goto(new URL('/app#/entries', baseUrl).href);
  await second.waitForSelector('#entry-value');
  assert.match(await second.textContent('#entry-title'), /2人目の入力/);
  assert.equal(await second.inputValue('#entry-value'), '');
  assert.ok(!(await second.content()).includes(FIRST), 'the first entry is not on the second keyer\'s screen');
  await checkScreen(second, '2-second-keyer');
  await second.keyboard.type(SECOND);
  const [r2] = await Promise.all([second.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/entries/')),
                                  second.keyboard.press('Enter')]);
  const a2 = await r2.json();
  assert.equal(a2.state, 'disputed');
  assert.equal(a2.value, undefined);
  assert.ok(!(await r2.text()).includes(FIRST));
  await second.waitForSelector('#entries-empty');
  assert.match(await second.textContent('#entries-status'), /判定に回りました/);
  // A keyer does not decide: the supervisor's decision list is empty.
  await second.goto(new URL('/app#/entries/decide', baseUrl).href);
  await second.waitForSelector('#entries-empty');
  assert.equal((await second.request.get(new URL(`/api/v1/entries/${a2.field_id}/dispute`, baseUrl).href)).status(), 403);

  // ---- the third person: both entries beside the crop, decided by keyboard
  const third = await newPage();
  await logInToApp(third, baseUrl, REVIEWER2, REVIEWER2_PASSWORD);
  await third.goto(new URL('/app#/entries/decide', baseUrl).href);
  await third.waitForSelector('#entries-both');
  assert.equal((await third.textContent('#entry-round-1 .entry-value')).trim(), FIRST);
  assert.equal((await third.textContent('#entry-round-2 .entry-value')).trim(), SECOND);
  assert.match(await third.textContent('#entry-round-1'), new RegExp(accounts.reviewer.username));
  await third.waitForFunction(() => {
    const c = document.getElementById('entry-crop');
    return c && c.width > 1;
  });
  await checkScreen(third, '3-decision');
  await third.focus('#entry-value');
  await third.keyboard.type(SECOND);
  const [r3] = await Promise.all([third.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/decide')),
                                  third.keyboard.press('Enter')]);
  const a3 = await r3.json();
  assert.equal(a3.confirmed, true);
  assert.equal(a3.value, SECOND);
  await third.waitForSelector('#entries-empty');
  assert.match(await third.textContent('#entries-status'), /確定しました/);

  const after = await amountField(third);
  assert.equal(after.status, 'confirmed');
  assert.equal(after.value, SECOND);
  assert.equal(after.confirmed_by, REVIEWER2);

  // The supervisor's screen names the types under double entry.
  await second.goto(new URL('/app#/supervisor', baseUrl).href);
  await second.waitForSelector('#double-entry-types');
  assert.match(await second.textContent('#double-entry-types'), /金額/);
  await checkScreen(second, '4-supervisor');
});
