// The browser tests' shared parts: the real `station demo` they run, the system chromium's
// arguments, the set-up and tear-down hooks around both (useDemoStation), and the checks every
// screen gets (screenChecks: Japanese only, axe-core, large targets, a screenshot).
//
// Environment (set by CMake, see CMakeLists.txt): STATION_BIN, STATION_SHARED_DIR,
// STATION_UI_ARTIFACTS (the screenshots' folder), CHROMIUM.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
// Fails the test (not skips it) when `npm ci` was not run in tests/ui.
export const { chromium } = require('playwright-core');

export const STATION_BIN = process.env.STATION_BIN;
export const SHARED_DIR = process.env.STATION_SHARED_DIR;
export const ARTIFACTS = process.env.STATION_UI_ARTIFACTS || path.join(tmpdir(), 'station-ui-artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STARTUP_TIMEOUT_MS = 240_000;  // demo import + OCR of one envelope, under sanitizers

// Headless chromium as the tests run it (Playwright passes the profile folder itself).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                              '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// `station demo` on a fresh store under `root`, with one envelope; started() resolves once it
// printed its URL and the logins of every role in `roles` (this.accounts: role -> {username,
// password}).
export class DemoStation {
  // maxEnvelopes: how many sample envelopes the demo imports (1 unless a test needs more).
  constructor(root, maxEnvelopes = 1) {
    this.root = root;
    this.maxEnvelopes = maxEnvelopes;
    this.accounts = {};
    this.baseUrl = undefined;
    this.log = '';
    this.child = undefined;
  }

  start(roles) {
    return new Promise((resolve, reject) => {
      // SANE sees only its `test` and `pnm` backends (tests/unit/scanner/sane-config).
      this.child = spawn(STATION_BIN, ['demo', '--port', '0', '--data-dir', path.join(this.root, 'store'),
                                       '--shared', SHARED_DIR, '--max-envelopes', String(this.maxEnvelopes)],
                         { env: { ...process.env, XDG_CONFIG_HOME: path.join(this.root, 'config'),
                                  SANE_CONFIG_DIR: path.resolve('../unit/scanner/sane-config') },
                           stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      // Each further envelope is read before the demo prints its URL: more time for each.
      const timer = setTimeout(() => reject(new Error(`station did not start in time\n${out}\n${this.log}`)),
                               STARTUP_TIMEOUT_MS + 120_000 * Math.max(0, this.maxEnvelopes - 1));
      this.child.stdout.setEncoding('utf8');
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (d) => { this.log += d; });
      this.child.stdout.on('data', (d) => {
        out += d;
        for (const m of out.matchAll(/^login \((\w+)\): (\S+) \/ (\S+)$/gm)) {
          this.accounts[m[1]] = { username: m[2], password: m[3] };
        }
        const url = out.match(/^URL: (http:\/\/127\.0\.0\.1:\d+\/)$/m);
        if (url && roles.every((r) => this.accounts[r])) {
          clearTimeout(timer);
          this.baseUrl = url[1];
          resolve();
        }
      });
      this.child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`station exited early (code ${code}, signal ${signal})\n${out}\n${this.log}`));
      });
    });
  }

  // SIGTERM, then SIGKILL after 10 s.
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
    if (await Promise.race([exited, timeout]) === 'timeout') child.kill('SIGKILL');
  }
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core, injected through the devtools protocol (the page's CSP forbids injected scripts, as it
// should), run on the whole document: its violations, briefly.
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

// Every visible element's own text, and every aria-label, alt and title, that is neither Japanese
// nor a number, date or code: what a screen must not show. Values read from the forms (.value) and
// key names (kbd) are data, not the screen's wording; `allowed` lists other data shown as it is
// (e.g. user names).
export async function nonJapaneseStrings(page, allowed = []) {
  return page.evaluate((allowedTexts) => {
    const japanese = /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]/;
    const numberOrCode = /^[\s\d.,:;/%()+\-−×#A-Za-z_@]*\d[\s\d.,:;/%()+\-−×#A-Za-z_@]*$|^[\s\d.,:/%()+\-−×→]+$/;
    const bad = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.value, kbd, script, style')) continue;
      if (!el.checkVisibility || !el.checkVisibility()) continue;
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
      if (own === '' || japanese.test(own) || numberOrCode.test(own) || allowedTexts.includes(own)) continue;
      bad.push(own);
    }
    for (const el of document.querySelectorAll('[aria-label], [alt], [title]')) {
      for (const a of ['aria-label', 'alt', 'title']) {
        const v = el.getAttribute(a);
        if (v && !japanese.test(v)) bad.push(`${a}=${v}`);
      }
    }
    return bad;
  }, allowed);
}

// Logs in on the front-end's login screen and waits for the work queue.
export async function logInToApp(page, baseUrl, username, password) {
  await page.goto(new URL('/app', baseUrl).href);
  await page.waitForSelector('#login-screen');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#envelope-list');
}

// The hooks every browser test file repeats (node:test before/after of the file): a temporary
// root `station-<name>-…`; with `importRoots` (root => folders) a config.toml naming the folders the
// web import may read (made if missing); the demo station with the accounts of `roles` and
// `envelopes` sample envelopes; a headless chromium — a browser, or with `persistent` (its options,
// e.g. viewport) a persistent context on a fresh profile. `ready` gets {tmpRoot, demo, baseUrl,
// accounts, browser, context} once all is up. Everything is torn down after the file's tests.
export function useDemoStation({ name, roles, envelopes = 1, importRoots, config = '', persistent, ready }) {
  const env = {};
  before(async () => {
    assert.ok(STATION_BIN && existsSync(STATION_BIN), `STATION_BIN not found: ${STATION_BIN}`);
    assert.ok(SHARED_DIR && existsSync(SHARED_DIR), `STATION_SHARED_DIR not found: ${SHARED_DIR}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    env.tmpRoot = mkdtempSync(path.join(tmpdir(), `station-${name}-`));
    // The demo reads $XDG_CONFIG_HOME/station/config.toml (DemoStation sets XDG_CONFIG_HOME to
    // <root>/config): the import roots' section and the test's own `config` text.
    let toml = config;
    if (importRoots) {
      const roots = importRoots(env.tmpRoot);
      for (const r of roots) mkdirSync(r, { recursive: true });
      toml += `[capture]\nimport_roots = [${roots.map((r) => JSON.stringify(r)).join(', ')}]\n`;
    }
    if (toml) {
      mkdirSync(path.join(env.tmpRoot, 'config', 'station'), { recursive: true });
      writeFileSync(path.join(env.tmpRoot, 'config', 'station', 'config.toml'), toml);
    }
    env.demo = new DemoStation(env.tmpRoot, envelopes);
    try {
      await env.demo.start(roles);
      env.baseUrl = env.demo.baseUrl;
      env.accounts = env.demo.accounts;
      if (persistent) {
        // Playwright passes the fresh profile as --user-data-dir itself (it refuses it in `args`).
        env.context = await chromium.launchPersistentContext(path.join(env.tmpRoot, 'chromium-profile'), {
          executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, locale: 'ja-JP', ...persistent,
        });
      } else {
        env.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      }
    } catch (e) {
      await env.demo.stop();
      throw e;
    }
    if (ready) ready(env);
  });
  after(async () => {
    if (env.context) await env.context.close().catch(() => {});
    if (env.browser) await env.browser.close().catch(() => {});
    if (env.demo) await env.demo.stop();
    if (env.tmpRoot) rmSync(env.tmpRoot, { recursive: true, force: true });
  });
  return env;
}

// The checks of a screen, as a function (page, name): Japanese only (`allowed()`: data shown as
// it is, e.g. user names), axe-core clean, with `minTarget` every visible button and button-like
// link at least that many px high, and a full-page screenshot ARTIFACTS/<prefix>-<name>.png.
export function screenChecks(prefix, { allowed = () => [], minTarget = 0 } = {}) {
  return async (page, name) => {
    assert.deepEqual(await nonJapaneseStrings(page, allowed()), [], `Japanese only on ${name}`);
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${name}`);
    if (minTarget > 0) {
      const small = await page.evaluate((min) =>
        Array.from(document.querySelectorAll('button, a.button, input[type=file]'))
          .filter((b) => b.checkVisibility() && b.getBoundingClientRect().height < min)
          .map((b) => b.textContent || b.id), minTarget);
      assert.deepEqual(small, [], `every control at least ${minTarget} px high on ${name}`);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-${name}.png`), fullPage: true });
  };
}
