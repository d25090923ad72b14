// Browser test of the account screens (ui/web accounts.tsx / password.tsx, docs/ui.md): runs the
// real `station demo` and drives the system chromium with playwright-core, an administrator and a
// clerk in two separate browser contexts. The administrator creates a clerk, resets its password
// (the one-time password shown once); the clerk logs in with it and must set a new one; the clerk's
// own password change refuses a wrong current password; the administrator disables the clerk, whose
// open screen ends and whose login is refused. axe-core finds no violation on the account screens;
// the buttons are large targets; screenshots are kept.
//
// Environment (set by CMake, see CMakeLists.txt): STATION_BIN, STATION_SHARED_DIR,
// STATION_UI_ARTIFACTS (the screenshots' folder), CHROMIUM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ARTIFACTS, axeViolations, useDemoStation } from './demo_station.mjs';

let browser;
let baseUrl;
let accounts = {};

useDemoStation({ name: 'accounts', roles: ['admin'], ready: (s) => ({ browser, baseUrl, accounts } = s) });

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'ja-JP' });
  return context.newPage();
}

async function login(page, username, password) {
  await page.goto(new URL('/app', baseUrl).href);
  await page.waitForSelector('#login-screen');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
}

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `accounts-${name}.png`), fullPage: true });

test('an administrator manages a clerk account; the clerk follows through the web UI', { timeout: 600_000 }, async () => {
  const CLERK = 'clerk9';
  const FIRST = 'first-pass-for-nine';
  const CHOSEN = 'chosen-pass-for-nine';

  // ---- the administrator reaches 「利用者の管理」 from the header by keyboard
  const admin = await newPage();
  await login(admin, accounts.admin.username, accounts.admin.password);
  await admin.waitForSelector('#nav-accounts');
  let reached = false;
  for (let i = 0; i < 12 && !reached; ++i) {
    await admin.keyboard.press('Tab');
    reached = await admin.evaluate(() => document.activeElement?.id === 'nav-accounts');
  }
  assert.ok(reached, 'the header link 利用者の管理 is reachable with Tab');
  await admin.keyboard.press('Enter');
  await admin.waitForSelector('#accounts-table');
  assert.equal(await admin.title(), '利用者の管理｜申請書確認端末');
  const headers = await admin.$$eval('#accounts-table thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(headers, ['ユーザー名', '役割', '状態', '最後のログイン', '続けて失敗した回数', '操作']);
  assert.deepEqual(await axeViolations(admin), [], 'axe-core on the account screen');

  // ---- create the clerk
  await admin.fill('#new-username', CLERK);
  await admin.check('input[name=role][value=clerk]');
  await admin.fill('#acct-password', FIRST);
  await admin.fill('#acct-password2', FIRST);
  await admin.click('#new-submit');
  const row = `#accounts-table tr[data-user="${CLERK}"]`;
  await admin.waitForSelector(row);
  assert.equal(await admin.textContent(`${row} td:nth-child(2)`), '受付担当');
  assert.equal(await admin.textContent(`${row} td.state`), '有効');
  assert.equal(await admin.textContent(`${row} td:nth-child(4)`), 'まだありません');

  // Large targets: every button and button-like link on the screen is at least 44 px high.
  const small = await admin.$$eval('#accounts-screen button, #accounts-screen a.button, header a.button, header button',
    (els) => els.filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.textContent));
  assert.deepEqual(small, []);
  await shot(admin, '1-list');

  // ---- reset: a confirmation first, then the one-time password, shown once
  await admin.click(`button[aria-label="パスワードを再発行（${CLERK}）"]`);
  await admin.waitForSelector('#confirm-panel');
  assert.equal(await admin.evaluate(() => document.activeElement?.id), 'confirm-title');
  assert.match(await admin.textContent('#confirm-title'), /clerk9 のパスワードを再発行しますか/);
  assert.deepEqual(await axeViolations(admin), [], 'axe-core with the confirmation open');
  await admin.click('#confirm-run');
  await admin.waitForSelector('#otp-value');
  const otp = (await admin.textContent('#otp-value')).trim();
  assert.ok(otp.length >= 8, `a one-time password: ${otp.length} characters`);
  assert.match(await admin.textContent('#otp-panel'), /直接会って/);
  // The list is read again after the reset: wait for the row to show it.
  await admin.waitForFunction((sel) => document.querySelector(sel)?.textContent === '有効（仮パスワード：次のログインで変更）',
    `${row} td.state`);
  assert.deepEqual(await axeViolations(admin), [], 'axe-core with the one-time password shown');
  await shot(admin, '2-one-time-password');
  await admin.click('#otp-done');
  assert.equal(await admin.$('#otp-value'), null);
  assert.ok(!(await admin.content()).includes(otp), 'the one-time password is gone from the screen once closed');

  // ---- the clerk logs in with it and must choose a new password
  const clerk = await newPage();
  await login(clerk, CLERK, FIRST);  // the first password no longer works
  await clerk.waitForSelector('#login-error');
  await clerk.fill('#password', otp);
  await clerk.click('#login-submit');
  await clerk.waitForSelector('#new-password');
  assert.match(await clerk.textContent('#login-error'), /仮パスワード/);
  await clerk.fill('#new-password', CHOSEN);
  await clerk.fill('#new-password2', CHOSEN);
  await clerk.click('#login-submit');
  await clerk.waitForSelector('#nav-password');
  assert.equal(await clerk.$('#nav-accounts'), null, 'no account screen link for a clerk');

  // ---- the clerk's own change needs the current password
  await clerk.click('#nav-password');
  await clerk.waitForSelector('#password-screen');
  await clerk.fill('#current-password', 'not-the-password');
  await clerk.fill('#own-new-password', 'third-pass-for-nine');
  await clerk.fill('#own-new-password2', 'third-pass-for-nine');
  await clerk.click('#password-submit');
  await clerk.waitForSelector('#password-error');
  assert.match(await clerk.textContent('#password-error'), /今のパスワードが違います/);
  assert.deepEqual(await axeViolations(clerk), [], 'axe-core on the password screen');
  await shot(clerk, '3-password-refused');

  // ---- the administrator disables the clerk (after a confirmation)
  await admin.click(`button[aria-label="無効にする（${CLERK}）"]`);
  await admin.waitForSelector('#confirm-panel');
  assert.match(await admin.textContent('#confirm-panel'), /ログインできなくなり/);
  await admin.click('#confirm-run');
  await admin.waitForFunction((sel) => document.querySelector(sel)?.textContent === '無効', `${row} td.state`);
  await shot(admin, '4-disabled');

  // The clerk's open screen ends at its next request; the login is refused.
  await clerk.click('#nav-password');
  await clerk.fill('#current-password', CHOSEN);
  await clerk.fill('#own-new-password', 'third-pass-for-nine');
  await clerk.fill('#own-new-password2', 'third-pass-for-nine');
  await clerk.click('#password-submit');
  await clerk.waitForSelector('#login-screen');
  await login(clerk, CLERK, CHOSEN);
  await clerk.waitForSelector('#login-error');
  assert.match(await clerk.textContent('#login-error'), /ユーザー名またはパスワードが違います/);
  await shot(clerk, '5-login-refused');

  // Re-enabled, the clerk logs in again with the chosen password.
  await admin.click(`button[aria-label="有効に戻す（${CLERK}）"]`);
  await admin.click('#confirm-run');
  await admin.waitForFunction((sel) => document.querySelector(sel)?.textContent === '有効', `${row} td.state`);
  await login(clerk, CLERK, CHOSEN);
  await clerk.waitForSelector('#nav-password');
});
