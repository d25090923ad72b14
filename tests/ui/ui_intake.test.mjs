// Browser test of the intake screen (ui/web intake.tsx, docs/ui.md): runs the real `station demo`
// and drives the system chromium with playwright-core. A clerk imports a folder (a form page, a
// blank back, another form page) and follows its progress to the end with the thumbnails as pages
// arrive, confirms the blank page, turns a page and moves it later with the keyboard only, turns
// another with a button, scans one sheet from SANE's `test` backend, and finds both envelopes in
// the day's receipt log with its xlsx; a reviewer sees the log but no capture form. Every screen:
// Japanese strings only, axe-core clean, a screenshot kept.
//
// Environment (set by CMake, see CMakeLists.txt): STATION_BIN, STATION_SHARED_DIR,
// STATION_UI_ARTIFACTS (the screenshots' folder), CHROMIUM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIR, logInToApp, screenChecks, useDemoStation } from './demo_station.mjs';

let tmpRoot;
let browser;
let baseUrl;
let demo;

// The web import reads only under the configured roots: the kiosk's scan folder.
useDemoStation({
  name: 'intake', roles: ['clerk', 'reviewer'], importRoots: (root) => [path.join(root, 'kiosk-scans')],
  ready: (s) => ({ tmpRoot, browser, baseUrl, demo } = s),
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

const login = (page, role) => logInToApp(page, baseUrl, demo.accounts[role].username, demo.accounts[role].password);

const checkScreen = screenChecks('intake');

// An uncompressed 8-bit grey TIFF of paper-white noise: the blank back of a sheet.
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

// Records the job polls the screen makes; resolves once the job panel shows an end state.
function recordPolls(page) {
  const polled = [];
  page.on('response', async (r) => {
    if (/^\/api\/v1\/intake\/jobs\/\d+$/.test(new URL(r.url()).pathname) && r.status() === 200) {
      try { polled.push(await r.json()); } catch { /* navigated meanwhile */ }
    }
  });
  return polled;
}

const allImagesLoaded = (page, selector) =>
  page.waitForFunction((sel) => {
    const imgs = Array.from(document.querySelectorAll(sel));
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, selector, { timeout: 120_000 });

test('a clerk imports with live progress and thumbnails, checks a blank page, turns and reorders pages, scans', { timeout: 900_000 }, async () => {
  const folder = path.join(tmpRoot, 'kiosk-scans', 'envelope-web');
  mkdirSync(folder, { recursive: true });
  copyFileSync(path.join(SHARED_DIR, 'samples', 'app-001', 'page-03.jpg'), path.join(folder, 'a.jpg'));
  writeFileSync(path.join(folder, 'b.tif'), blankTiff(1654, 2339, 200));
  copyFileSync(path.join(SHARED_DIR, 'samples', 'app-001', 'page-04.jpg'), path.join(folder, 'c.jpg'));

  const page = await newPage();
  await login(page, 'clerk');
  await page.click('#nav-intake');
  await page.waitForSelector('#intake-form');
  await page.waitForSelector('#intake-log');
  assert.equal(await page.title(), '受付｜申請書確認端末');
  await checkScreen(page, 'start');

  // The import, with its progress polled until the end.
  const polled = recordPolls(page);
  await page.check('#kind-import');
  await page.fill('#folder', folder);
  await page.fill('#enclosures', '2');
  await page.click('#intake-start');
  await page.waitForSelector('#intake-job[data-state="done"]', { timeout: 240_000 });
  assert.equal((await page.textContent('#job-pages')).trim(), '3', 'progress reaches every page');
  assert.ok(polled.length >= 1, 'the screen polls the job');
  assert.ok(polled.every((p, i) => i === 0 || p.pages >= polled[i - 1].pages), 'progress never goes back');
  assert.match(await page.textContent('#job-blank'), /1 ページ/);
  // The thumbnails: every page, loaded through the authenticated image path.
  const thumbs = page.locator('#intake-job .thumb img');
  assert.equal(await thumbs.count(), 3);
  await allImagesLoaded(page, '#intake-job .thumb img');
  const src = await thumbs.first().getAttribute('src');
  assert.match(src, /^\/api\/v1\/pages\/\d+\/image\?w=\d+/);
  const anonymous = await browser.newContext().then((c) => c.request.get(new URL(src, baseUrl).href));
  assert.equal(anonymous.status(), 401, 'no thumbnail without a session');
  await checkScreen(page, 'import-done');

  // The blank back: confirmed blank with its button.
  const blankItem = page.locator('#intake-job li.thumb.blank');
  assert.equal(await blankItem.count(), 1);
  await blankItem.locator('button.confirm-blank').click();
  await page.waitForFunction(() => document.querySelectorAll('#intake-job li.thumb.blank').length === 0);
  assert.match(await page.textContent('#intake-job'), /白紙（確認済み）/);

  // Keyboard only. The pages can be changed once the background reading is over (the key hint
  // shows then): Tab to the first thumbnail, Shift+→ moves it after the second page; once read
  // again, R turns it right (a new image, wider than tall).
  const RECOGNITION_TIMEOUT_MS = 420_000;
  const editable = () => page.waitForSelector('#intake-job p.meta[id$="-keys"]', { timeout: RECOGNITION_TIMEOUT_MS });
  const tabTo = async (id) => {
    for (let i = 0; i < 80; ++i) {
      if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
      await page.keyboard.press('Tab');
    }
    assert.fail(`#${id} is not reachable with Tab`);
  };
  await editable();
  const firstButton = page.locator('#intake-job .thumb-button').first();
  const firstId = await firstButton.getAttribute('id');
  await tabTo(firstId);
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction((id) => document.querySelectorAll('#intake-job .thumb-button')[1]?.id === id, firstId);
  assert.match(await page.textContent(`#${firstId} .thumb-caption`), /^2ページ目/);
  await editable();
  const firstSrc = await page.locator(`#${firstId} img`).getAttribute('src');
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(firstId);
  await page.keyboard.press('r');
  await page.waitForFunction(([id, old]) => document.querySelector(`#${id} img`)?.getAttribute('src') !== old,
                             [firstId, firstSrc]);
  await allImagesLoaded(page, '#intake-job .thumb img');
  const turned = await page.evaluate((id) => {
    const img = document.querySelector(`#${id} img`);
    return { w: img.naturalWidth, h: img.naturalHeight };
  }, firstId);
  assert.ok(turned.w > turned.h, `turned right: wider than tall (${turned.w}x${turned.h})`);
  await checkScreen(page, 'keyboard');

  // A button: the selected page turned back left.
  await editable();
  await page.click(`#${firstId}`);
  await page.click('#page-rotate-left');
  await page.waitForFunction((id) => {
    const img = document.querySelector(`#${id} img`);
    return img && img.complete && img.naturalHeight > img.naturalWidth;
  }, firstId, { timeout: 60_000 });

  // A scan: one sheet from SANE's test backend (flatbed), its thumbnail appears.
  await page.check('#kind-scan');
  await page.selectOption('#device', 'test:0');
  await page.selectOption('#source', 'flatbed');
  await page.click('#intake-start');
  await page.waitForSelector('#intake-job[data-state="done"][data-kind="scan"]', { timeout: 240_000 });
  assert.equal((await page.textContent('#job-pages')).trim(), '1');
  await allImagesLoaded(page, '#intake-job .thumb img');

  // The receipt log of the day: both envelopes (their receipt numbers, as the job polls gave
  // them); the xlsx is a real download.
  const receipts = [...new Set(polled.flatMap((j) => j.envelopes.map((e) => e.receipt_no)))];
  assert.ok(receipts.length >= 2, `the import and the scan each made an envelope (${receipts.join(', ')})`);
  const logShows = () => page.evaluate(() =>
    Array.from(document.querySelectorAll('#intake-log tbody tr td:first-child')).map((td) => td.textContent.trim()));
  try {
    await page.waitForFunction((wanted) => {
      const shown = Array.from(document.querySelectorAll('#intake-log tbody tr td:first-child'))
        .map((td) => td.textContent.trim());
      return wanted.every((r) => shown.includes(r));
    }, receipts);
  } catch (e) {
    assert.fail(`the log shows ${JSON.stringify(await logShows())}, not every one of ${JSON.stringify(receipts)}: ${e.message}`);
  }
  const href = await page.getAttribute('#intake-xlsx', 'href');
  assert.match(href, /^\/api\/v1\/intake\/log\.xlsx\?date=\d{4}-\d{2}-\d{2}$/);
  const xlsx = await page.request.get(new URL(href, baseUrl).href);
  assert.equal(xlsx.status(), 200);
  assert.equal((await xlsx.body()).subarray(0, 2).toString('latin1'), 'PK');
  await checkScreen(page, 'log');
  await page.context().close();

  // A reviewer: the receipt log, no capture form.
  const reviewer = await newPage();
  await login(reviewer, 'reviewer');
  await reviewer.click('#nav-intake');
  await reviewer.waitForSelector('#intake-log');
  assert.equal(await reviewer.locator('#intake-form').count(), 0);
  const start = await reviewer.request.post(new URL('/api/v1/intake/jobs', baseUrl).href,
                                            { data: { kind: 'scan' }, headers: { 'Content-Type': 'application/json' } });
  assert.equal(start.status(), 403);
  await checkScreen(reviewer, 'reviewer');
  await reviewer.context().close();
});
