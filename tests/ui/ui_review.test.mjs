// Browser test of the review screen (ui/web review.tsx / corrections.tsx, docs/ui.md): runs the
// real `station demo` with two sample envelopes and drives the system chromium with
// playwright-core. Both envelopes' values are confirmed through the API (the verification screen
// has its own test); then a reviewer opens the first envelope's review from the work queue, sees
// its findings with their page regions, picks the defects, sees the correction letter rendered by
// the station (its page images, nothing recorded yet), issues the request (the letter PDF served),
// finds it in the list of open requests with its days left, records the applicant's reply (the
// third envelope, as returned papers: the application back in review) and a change the applicant
// agreed to; a supervisor accepts the second envelope (over its blocking findings, with the
// reason). Every screen: Japanese strings only, axe-core clean, a screenshot kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logInToApp, screenChecks, useDemoStation } from './demo_station.mjs';

let browser;
let baseUrl;
let accounts = {};

useDemoStation({ name: 'review', roles: ['reviewer', 'supervisor'], envelopes: 3, ready: (s) => ({ browser, baseUrl, accounts } = s) });

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

const login = (page, username, password) => logInToApp(page, baseUrl, username, password);

const checkScreen = screenChecks('review');

// Confirms every value of the envelope through the API (as read; cleared where the reading breaks
// the field's format), so that it is 確認済 and ready for review.
async function confirmAll(page, envelopeId) {
  const csrf = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf);
  const v = await (await page.request.get(new URL(`/api/v1/envelopes/${envelopeId}/verification`, baseUrl).href)).json();
  for (const f of v.fields) {
    const headers = { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
    let r = await page.request.post(new URL(`/api/v1/fields/${f.id}/confirm`, baseUrl).href, { headers, data: {} });
    if (!r.ok()) r = await page.request.post(new URL(`/api/v1/fields/${f.id}/correct`, baseUrl).href, { headers, data: { value: '' } });
    assert.ok(r.ok(), `field ${f.key}: ${r.status()} ${await r.text()}`);
  }
}

test('a reviewer requests a correction after previewing the letter; a supervisor accepts another', { timeout: 600_000 }, async () => {
  const page = await newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await login(page, accounts.reviewer.username, accounts.reviewer.password);
  const list = await (await page.request.get(new URL('/api/v1/envelopes', baseUrl).href)).json();
  assert.equal(list.envelopes.length, 3, 'the demo imported three envelopes');
  const [first, second, third] = list.envelopes.map((e) => e.id).sort((a, b) => a - b);
  await confirmAll(page, first);
  await confirmAll(page, second);

  // ---- the work queue: 審査する by keyboard
  await page.reload();
  await page.waitForSelector('#envelope-list a.review-open');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((id) => document.activeElement?.getAttribute('href') === `#/envelopes/${id}/review`, first);
  }
  assert.ok(reached, 'the review link is reachable by Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#review-screen #decision-form');
  const review = await (await page.request.get(new URL(`/api/v1/envelopes/${first}/review`, baseUrl).href)).json();
  assert.ok(review.findings.length > 0, 'the sample envelope has findings');
  assert.equal(await page.locator('#finding-list button.finding').count(), review.findings.length);
  // A finding on a page: choosing it draws its region as the current box on that page's image.
  const placed = review.findings.findIndex((f) => f.page_id !== null && f.box && f.box.w > 0);
  assert.ok(placed >= 0, 'a finding has its page region');
  await page.locator('#finding-list button.finding').nth(placed).focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.page-frame .box.current');
  assert.equal(await page.locator('#finding-list button.finding').nth(placed).getAttribute('aria-pressed'), 'true');
  await page.waitForFunction(() => { const i = document.querySelector('.page-frame img'); return i && i.complete && i.naturalWidth > 0; });
  await checkScreen(page, '1-findings');

  // ---- request a correction: the letter's contents first
  await page.getByLabel('補正依頼', { exact: true }).check();
  await page.waitForSelector('#defects');
  await page.click('#preview-letter');
  const blocking = review.findings.filter((f) => f.severity === 'block');
  if (blocking.length === 0) {
    // No finding chosen by default: the screen asks for one, then takes a written defect.
    await page.waitForSelector('#decision-error');
    await page.fill('#extra-defect', '添付書類（登記事項証明書）が同封されていません。');
    await page.click('#preview-letter');
  }
  await page.waitForSelector('#letter-preview');
  // The letter as the station renders it: every page's image loaded, before anything is issued.
  await page.waitForSelector('#letter-pages img.letter-image');
  await page.waitForFunction(() => [...document.querySelectorAll('#letter-pages img.letter-image')]
    .every((i) => i.complete && i.naturalWidth > 0));
  const shown = await page.evaluate(() => [...document.querySelectorAll('#letter-pages img.letter-image')]
    .map((i) => ({ w: i.naturalWidth, h: i.naturalHeight, src: i.getAttribute('src') })));
  assert.ok(shown.length >= 1, 'the letter has a page');
  for (const img of shown) {
    assert.ok(img.h > img.w && img.w >= 500, `an upright A4 page readable on screen: ${img.w}x${img.h}`);
    assert.match(img.src, /^\/api\/v1\/letter-previews\/[0-9a-f]{32}\/\d+\.png$/);
  }
  assert.match(await page.textContent('#preview-summary'), /第1回.*提出期限は \d{4}年\d{1,2}月\d{1,2}日（.）/s);
  const notYet = await (await page.request.get(new URL(`/api/v1/envelopes/${first}/review`, baseUrl).href)).json();
  assert.equal(notYet.envelope.state, 'reviewed', 'previewing records nothing');
  assert.equal(notYet.rounds.length, 0, 'previewing issues no round');
  const preview = await page.textContent('#letter-preview');
  assert.match(preview, new RegExp(review.envelope.receipt_no));
  for (const f of blocking) assert.ok(preview.includes(f.message_ja), `the letter lists ${f.code}`);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'letter-preview', 'the preview takes the focus');
  await checkScreen(page, '2-letter-preview');
  await page.click('#decide');
  await page.waitForSelector('#decision-result #letter-link');
  assert.match(await page.textContent('#decision-result'), /補正依頼 第1回、提出期限 \d{4}-\d{2}-\d{2}/);
  const href = await page.getAttribute('#letter-link', 'href');
  const pdf = await page.request.get(new URL(href, baseUrl).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await page.waitForSelector('#rounds');
  await checkScreen(page, '3-requested');

  // ---- the open requests, overdue first
  await page.click('#nav-corrections');
  await page.waitForSelector('#corrections');
  assert.match(await page.textContent('#corrections'), new RegExp(review.envelope.receipt_no));
  // The deadline in Japanese with the days left (a new request: not overdue).
  const row = page.locator('#corrections tbody tr').first();
  assert.match(await row.textContent(), /\d{4}年\d{1,2}月\d{1,2}日（.）/);
  assert.match(await row.locator('td.days-left').textContent(), /^(あと\d+日|本日が期限)$/);
  await checkScreen(page, '4-corrections');

  // ---- the applicant's reply: the third envelope is the returned papers
  await page.goto(new URL(`/app#/envelopes/${first}/review`, baseUrl).href);
  await page.waitForSelector('#reply-form');
  await page.click('#receive-reply');
  await page.waitForSelector('#reply-error');  // nothing chosen: the screen says what to do
  await page.selectOption('#reply-envelope', String(third));
  await checkScreen(page, '5-reply-form');
  await page.click('#receive-reply');
  await page.waitForSelector('#reply-result');
  assert.match(await page.textContent('#reply-result'), /第1回補正の返送書類.*審査中/s);
  await page.waitForSelector('#review-screen .progress:has-text("審査中")');
  assert.equal(await page.locator('#reply-form').count(), 0, 'the application is no longer awaiting its correction');
  const received = await (await page.request.get(new URL(`/api/v1/envelopes/${first}/review`, baseUrl).href)).json();
  assert.equal(received.envelope.state, 'under_review');
  assert.equal(received.rounds[0].open, false);
  assert.match(await page.textContent('#rounds'), /回答受付/);

  // ---- a change the applicant agreed to (by telephone)
  await page.waitForSelector('#agreed-form');
  await page.selectOption('#agreed-field', 'facility.name');
  await page.waitForSelector('#agreed-current');
  await page.fill('#agreed-value', 'さくら苑');
  await page.selectOption('#agreed-how', '電話');
  await page.click('#record-agreed');
  await page.waitForSelector('#agreed-changes');
  assert.match(await page.textContent('#agreed-changes'), /さくら苑/);
  assert.match(await page.textContent('#agreed-result'), /電話で同意/);
  await checkScreen(page, '6-agreed-change');
  await page.click('button:has-text("ログアウト")');
  await page.waitForSelector('#login-screen');

  // ---- a supervisor accepts the second envelope (over blocking findings: with the reason)
  await login(page, accounts.supervisor.username, accounts.supervisor.password);
  await page.goto(new URL(`/app#/envelopes/${second}/review`, baseUrl).href);
  await page.waitForSelector('#review-screen #decision-form');
  await page.getByLabel('受理', { exact: true }).check();
  if (await page.locator('#override').count()) {
    await page.click('#decide');
    await page.waitForSelector('#decision-error');  // the reason is required for an override... once chosen
    await page.check('#override');
    await page.click('#decide');
    await page.waitForSelector('#decision-error:has-text("理由")');
    await page.fill('#decision-reason', '県に確認済み（施設リストへの追加予定）');
  }
  await checkScreen(page, '7-accept-form');
  await page.click('#decide');
  await page.waitForSelector('#decision-result');
  assert.match(await page.textContent('#decision-result'), /受理/);
  const after = await (await page.request.get(new URL(`/api/v1/envelopes/${second}/review`, baseUrl).href)).json();
  assert.equal(after.envelope.state, 'accepted');
  await page.waitForSelector('#history li:last-child');
  await checkScreen(page, '8-accepted');
  // Expected answers the browser logs: 401 (the session asked before each login) and 409 (the
  // plain acceptance the station refused above). Nothing else.
  assert.deepEqual(consoleErrors.filter((m) => !/status of (401|409) /.test(m)), []);
});
