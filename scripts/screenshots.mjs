// `npm run screenshots`: pictures of every page of the panel, light and dark, English and German, for README.md and
// DOCS.md. Starts the built service on the meter simulator (no hardware, no broker), lets it run so the charts have a
// history, opens each tab the panel shows (read from the page, so new pages are picked up) in headless Chromium and
// writes docs/screenshots/<tab>-<lang>-<light|dark>.png at 1100×750.
// Needs `npm run build` (the npm script runs it). Env: CHROMIUM_PATH (default /usr/bin/chromium), SHOTS_WARMUP_MS.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const VIEWPORT = { width: 1100, height: 750 };
const WARMUP_MS = Number(process.env.SHOTS_WARMUP_MS ?? 15_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const port = await freePort();
const service = spawn(process.execPath, ['app/dist/main.js', '--simulator', '--simulator-interval', '500', '--web-port', String(port)], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars'],
});

try {
  for (let i = 0; ; i++) {
    if (service.exitCode !== null) throw new Error(`the service exited with ${service.exitCode}`);
    if (await fetch(`${base}api/health`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error('the service did not answer within 20 s');
    await sleep(100);
  }
  console.log(`service on ${base}; ${WARMUP_MS / 1000} s of simulated pushes for the charts`);
  await sleep(WARMUP_MS);
  mkdirSync(OUT, { recursive: true });

  const written = [];
  for (const lang of ['en', 'de']) {
    for (const scheme of ['light', 'dark']) {
      const context = await browser.newContext({
        viewport: VIEWPORT,
        colorScheme: scheme,
        locale: lang === 'de' ? 'de-AT' : 'en-GB',
        timezoneId: 'Europe/Vienna',
      });
      const page = await context.newPage();
      await page.goto(`${base}?lang=${lang}#/live`);
      await page.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 15_000 });
      const tabs = await page.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')));
      for (const tab of tabs) {
        await page.click(`[role=tab][data-tab=${tab}]`);
        await page.locator(`[role=tab][data-tab=${tab}][aria-selected=true]`).waitFor();
        // open the first frame in the inspector, where there is one
        const toggle = page.locator('[data-testid=frame-toggle]').first();
        if (await toggle.count()) await toggle.click();
        await sleep(1500);
        await page.mouse.move(0, 0);
        const file = `${OUT}${tab}-${lang}-${scheme}.png`;
        await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
        written.push(file.slice(ROOT.length));
      }
      await context.close();
    }
  }
  console.log(written.join('\n'));
} finally {
  await browser.close();
  service.kill('SIGTERM');
}
