// The explorer in a real browser (issue 12): Debian's headless Chromium, driven by
// playwright-core, against the demo (the real log server, two real witnesses and the
// participants' client). It loads the overview, searches for a model, opens its
// submission, clicks "Verify in my browser" and sees every step succeed; through a proxy
// that tampers with tiles it sees exactly which step failed; axe-core reports no serious
// or critical violation on any page. Screenshots go to tests/browser/screenshots/.
//
// Needs: DOCKET_BIN_DIR (the release binaries; default $CARGO_TARGET_DIR/release or
// ~/.cache/docket-target/release) and CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(here, 'screenshots');
const BIN_DIR = process.env.DOCKET_BIN_DIR
  || path.join(process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache/docket-target'), 'release');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
const DEMO_TIMEOUT_MS = 240_000;

let demo;
let dataDir;
let base;
let browser;
let proxies = [];

async function freePort() {
  // Three consecutive free ports: the log and its two witnesses.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all([0, 1, 2].map((o) => new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port + o, '127.0.0.1', () => s.close(() => resolve(true)));
    })));
    if (ok.every(Boolean)) return port;
  }
  throw new Error('no three free consecutive ports');
}

function startDemo(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(BIN_DIR, 'docket-demo'),
      ['--data-dir', dataDir, '--port', String(port), '--review-window', '5s'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('the demo did not finish its scenario:\n' + out)), DEMO_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Press Ctrl-C to stop.')) { clearTimeout(timer); resolve(child); }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error('the demo exited with ' + code + ':\n' + out)); });
  });
}

// A proxy in front of the log that changes one byte of every response whose path
// matches `tamper` (the last byte, or the one at `at`), as a lying server or a corrupted
// cache would.
function tamperingProxy(target, tamper, at) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const upstream = http.request(target + req.url, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          if (tamper.test(req.url) && body.length > 0) body[at === undefined ? body.length - 1 : at] ^= 0x01;
          const headers = { ...up.headers };
          delete headers['content-length'];
          res.writeHead(up.statusCode, headers);
          res.end(body);
        });
      });
      upstream.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(upstream);
    });
    server.listen(0, '127.0.0.1', () => {
      proxies.push(server);
      resolve('http://127.0.0.1:' + server.address().port);
    });
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'docket-browser-'));
  const port = await freePort();
  demo = await startDemo(port);
  base = 'http://127.0.0.1:' + port;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  for (const p of proxies) p.close();
  if (demo) {
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    demo.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  // No request may leave the machine's loopback, and none may go to another host.
  page.on('request', (r) => {
    const url = new URL(r.url());
    assert.equal(url.hostname, '127.0.0.1', 'request to another host: ' + r.url());
  });
  return page;
}

async function axeCheck(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => v.id + ': ' + v.help + ' ' + v.nodes.map((n) => n.target.join(' ')).join(', ')), [], name);
}

async function verifyOn(page) {
  const button = page.getByRole('button', { name: 'Verify in my browser' });
  await button.click();
  await page.locator('#verify-result').waitFor({ timeout: 60_000 });
  return {
    result: await page.locator('#verify-result').textContent(),
    steps: await page.locator('#verify-steps li').allTextContents(),
    failed: await page.locator('#verify-steps li.fail:not(#verify-result)').allTextContents(),
  };
}

test('overview, search, submission, verify: every step succeeds', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  assert.equal(await page.locator('h1').textContent(), 'Overview');
  const counts = await page.locator('.counts').textContent();
  for (const [label, n] of [['All submissions', 4], ['Decided on time', 1], ['Decided late', 1], ['Overdue', 1], ['Withdrawn', 1], ['Pending', 0]]) {
    assert.match(counts, new RegExp(label + ':\\s*' + n + '\\b'), counts);
  }
  assert.match(await page.content(), /localhost\/witness-a/);
  await page.screenshot({ path: path.join(SHOTS, '01-overview.png'), fullPage: true });

  await page.getByLabel('Search', { exact: true }).fill('atlas-4');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\/search\?q=atlas-4/);
  await page.screenshot({ path: path.join(SHOTS, '02-search.png'), fullPage: true });
  await page.locator('table a[href^="/submission/"]').first().click();
  await page.waitForURL(/\/submission\/\d+/);
  assert.match(await page.locator('h1').textContent(), /atlas-4/);
  assert.match(await page.locator('.facts').textContent(), /decided late/);

  const { result, steps, failed } = await verifyOn(page);
  await page.screenshot({ path: path.join(SHOTS, '03-submission-verified.png'), fullPage: true });
  assert.deepEqual(failed, []);
  assert.equal(result, 'Every step succeeded.', steps.join('\n'));
  assert.ok(steps.some((s) => /Ed25519 signature/.test(s)));
  assert.ok(steps.some((s) => /cosigned by/.test(s)), steps.join('\n'));
  assert.ok(steps.some((s) => /inclusion proof/.test(s)));
});

test('the demo statuses are the true ones, and the entry page verifies', async () => {
  const page = await newPage();
  const expected = { 'acme-frontier-1': 'decided on time', 'atlas-4': 'decided late', 'acme-frontier-2': 'overdue', 'atlas-mini': 'withdrawn' };
  await page.goto(base + '/submissions');
  await page.screenshot({ path: path.join(SHOTS, '04-submissions.png'), fullPage: true });
  const rows = await page.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 4, rows.join('\n'));
  for (const [model, status] of Object.entries(expected)) {
    const row = rows.find((r) => r.includes(model + ' '));
    assert.ok(row, model);
    assert.match(row, new RegExp(status), model + ': ' + row);
  }
  await page.locator('tbody tr a[href^="/submission/"]').first().click();
  await page.locator('.timeline a[href^="/entry/"]').last().click();
  await page.waitForURL(/\/entry\/\d+/);
  const { result, steps } = await verifyOn(page);
  assert.equal(result, 'Every step succeeded.', steps.join('\n'));
  assert.ok(steps.some((s) => /compare it with the entry shown on this page: identical/.test(s)), steps.join('\n'));
  await page.screenshot({ path: path.join(SHOTS, '05-entry-verified.png'), fullPage: true });
});

test('tampered tiles: the page says which step failed', async () => {
  // A changed hash in the level-0 tiles: the recomputed proof no longer reaches the root.
  const hashes = await tamperingProxy(base, /^\/tile\/0\//);
  let page = await newPage();
  await page.goto(hashes + '/submission/7');
  let { result, failed } = await verifyOn(page);
  await page.screenshot({ path: path.join(SHOTS, '06-tampered-tile.png'), fullPage: true });
  assert.match(result, /^Verification failed at: /);
  assert.equal(failed.length, 1, failed.join('\n'));
  assert.match(failed[0], /FAILED: Entry \d+: (recompute its leaf hash|recompute the inclusion proof)/);

  // A changed byte in entry 0 of the entry bundle (after its 2-byte length): the bytes
  // no longer match the entry the page shows.
  const entries = await tamperingProxy(base, /^\/tile\/entries\//, 2);
  page = await newPage();
  await page.goto(entries + '/entry/0');
  ({ result, failed } = await verifyOn(page));
  await page.screenshot({ path: path.join(SHOTS, '07-tampered-entry.png'), fullPage: true });
  assert.equal(failed.length, 1, failed.join('\n'));
  assert.match(failed[0], /FAILED: Entry 0: compare it with the entry shown on this page/);

  // A changed checkpoint: the log's signature fails.
  const note = await tamperingProxy(base, /^\/checkpoint$/);
  page = await newPage();
  await page.goto(note + '/entry/7');
  ({ failed } = await verifyOn(page));
  assert.equal(failed.length, 1, failed.join('\n'));
  assert.match(failed[0], /FAILED: (Download the latest checkpoint|Check the log's Ed25519 signature)/);
});

test('axe-core: no serious or critical violation; readable at phone width', async () => {
  const pages = ['/', '/submissions', '/search?q=acme', '/submission/6', '/entry/6', '/participants', '/witnesses', '/verify'];
  // axe's script is injected by the test, so this context lets it past the pages' CSP.
  const page = await newPage({ bypassCSP: true });
  for (const p of pages) {
    await page.goto(base + p);
    await axeCheck(page, p);
  }
  const phone = await newPage({ viewport: { width: 360, height: 740 }, bypassCSP: true });
  for (const p of ['/', '/submissions', '/submission/6']) {
    await phone.goto(base + p);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, p + ' scrolls sideways by ' + overflow + ' px at phone width');
    await axeCheck(phone, p + ' (phone)');
  }
  await phone.goto(base + '/');
  await phone.screenshot({ path: path.join(SHOTS, '08-overview-phone.png'), fullPage: true });
});
