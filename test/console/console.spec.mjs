// End-to-end check of the tracker web console in a real headless Chromium (playwright-core).
// Run by WebConsoleIT: CONSOLE_URL=http://127.0.0.1:<tracker http>/console/ node test/console/console.spec.mjs
// Optional: SCREENSHOT (default target/console-screenshot.png), CHROMIUM (default /usr/bin/chromium).
// Exit 0 when every check passed; 1 with the reason on stderr otherwise.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const url = process.env.CONSOLE_URL;
const screenshot = resolve(process.env.SCREENSHOT || 'target/console-screenshot.png');
const STEP = 30_000;

function check(cond, message) {
  if (!cond) throw new Error('check failed: ' + message);
}

async function main() {
  check(url, 'CONSOLE_URL is not set');
  const profile = mkdtempSync(join(tmpdir(), 'dfstree-console-chromium-'));
  const work = mkdtempSync(join(tmpdir(), 'dfstree-console-file-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text() + ' at ' + m.location().url); });

    const res = await page.goto(url, { waitUntil: 'load', timeout: STEP });
    check(res && res.ok(), 'console page loads: ' + (res && res.status()));
    check((await page.title()).includes('DistributedFSTree'), 'page title');

    // the storage row turns ACTIVE (the table refreshes from /api/groups)
    await page.locator('#storages tbody tr', { hasText: 'ACTIVE' }).first().waitFor({ timeout: STEP });
    const row = await page.locator('#storages tbody tr', { hasText: 'ACTIVE' }).first().innerText();
    check(/group1/.test(row), 'ACTIVE row belongs to group1: ' + row);
    check(/\d+ \/ \d+/.test(row), 'ACTIVE row shows free / total MB: ' + row);
    await page.waitForFunction(() => document.getElementById('events').dataset.connected === 'true',
      null, { timeout: STEP });

    // upload ~300 KB of random bytes through the file input
    const bytes = randomBytes(300 * 1024 + 123);
    const file = join(work, 'console-e2e.bin');
    writeFileSync(file, bytes);
    await page.setInputFiles('#file', file);
    await page.selectOption('#group', 'group1');
    await page.click('#upload');

    await page.locator('#upload-result').waitFor({ state: 'visible', timeout: STEP }).catch(async (e) => {
      const err = await page.locator('#upload-error').innerText().catch(() => '');
      throw new Error('no file id after upload' + (err ? ': ' + err : '') + ' (' + e.message + ')');
    });
    const progress = await page.locator('#progress').evaluate((p) => p.value);
    check(progress === 100, 'progress reached 100%, is ' + progress);
    check((await page.locator('#percent').innerText()) === '100%', 'percent label says 100%');
    const fileId = (await page.locator('#file-id').innerText()).trim();
    check(/^group1\/M00\/[0-9A-F]{2}\/[0-9A-F]{2}\/[A-Za-z0-9_-]{27,}\.bin$/.test(fileId), 'file id shape: ' + fileId);
    check(await page.locator('#upload-error').isHidden(), 'no upload error shown');

    // the live event list (SSE) shows "created" for this file
    const event = page.locator(`#events li[data-type="created"][data-file-id="${fileId}"]`);
    await event.waitFor({ timeout: STEP });
    check((await event.innerText()).includes(String(bytes.length)), 'event carries the size');

    // the download link is the tracker's redirect; follow it and compare the bytes
    const href = await page.locator('#download').getAttribute('href');
    check(href === new URL(url).origin + '/' + fileId, 'download link is the tracker redirect: ' + href);
    const down = await page.request.get(href, { timeout: STEP });
    check(down.ok(), 'download answers ' + down.status());
    check(down.url() !== href, 'download was redirected to a storage: ' + down.url());
    const body = await down.body();
    check(body.length === bytes.length && body.equals(bytes),
      `downloaded bytes equal the uploaded ones (${body.length} vs ${bytes.length})`);

    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    // an upload error is shown to the user (here: no file chosen)
    await page.setInputFiles('#file', []);
    await page.click('#upload');
    await page.locator('#upload-error').waitFor({ state: 'visible', timeout: STEP });

    check(problems.length === 0, 'no errors in the page: ' + problems.join('; '));
    console.log('console e2e ok: ' + fileId + ', screenshot ' + screenshot);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
