// `npm run screenshots`: pictures of every page of the panel, light and dark, English and German, for README.md and
// DOCS.md. Starts the built service on the meter simulator (no hardware, no broker), lets it run so the charts have a
// history, opens each tab the panel shows (read from the page, so new pages are picked up) in headless Chromium and
// writes docs/screenshots/<tab>-<lang>-<light|dark>.png at 1100×750.
// The History page shows a seeded month (seedHistory below). Needs `npm run build` (the npm script runs it). Env: CHROMIUM_PATH (default /usr/bin/chromium), SHOTS_WARMUP_MS.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * An energy history for the History page, so its charts show what a month of use looks like: 30 days of the
 * simulator's meter (its meter number and counters, ending where the simulator starts) with a household profile,
 * written through the real store into a temporary data directory. Only for the pictures: the add-on records real
 * pushes only.
 */
async function seedHistory(dir) {
  const { HistoryStore } = await import('../app/dist/store/HistoryStore.js');
  const { createLogger } = await import('../app/dist/shared/logger.js');
  const store = new HistoryStore({ dir, log: createLogger({ level: 'error', sink: { write: () => {} } }), timeZone: 'Europe/Vienna' });
  const step = 5 * 60_000;
  const end = Date.now() - 60_000;
  const start = end - 30 * 24 * 3_600_000;
  const netAt = (t) => {
    const hour = new Date(t).getUTCHours() + 1; // Vienna in winter
    const day = Math.floor(t / 86_400_000);
    const sun = hour >= 9 && hour <= 15 ? Math.sin(((hour - 9) / 6) * Math.PI) * (1500 + 900 * Math.sin(day)) : 0;
    const load = 250 + (hour >= 6 && hour <= 8 ? 900 : 0) + (hour >= 17 && hour <= 21 ? 1400 : 0) + 200 * Math.sin(t / 3_000_000);
    return Math.round(load - sun);
  };
  let importWh = 0;
  let exportWh = 0;
  const samples = [];
  for (let t = start; t <= end; t += step) {
    const net = netAt(t);
    samples.push({ t, net, importWh, exportWh });
    importWh += (Math.max(0, net) * step) / 3_600_000;
    exportWh += (Math.max(0, -net) * step) / 3_600_000;
  }
  // the simulator starts at 4 321 000 Wh import and 1 234 000 Wh export (transport/simulator/MeterSimulator.ts)
  const importBase = 4_321_000 - importWh;
  const exportBase = 1_234_000 - exportWh;
  for (const s of samples) {
    store.add({ t: s.t, identity: '100042424242', importWh: Math.round(importBase + s.importWh), exportWh: Math.round(exportBase + s.exportWh), netW: s.net });
  }
  store.close();
}

const dataDir = mkdtempSync(join(tmpdir(), 'smr-shots-'));
await seedHistory(dataDir);
const port = await freePort();
const service = spawn(process.execPath, ['app/dist/main.js', '--simulator', '--simulator-interval', '500', '--web-port', String(port), '--data-dir', dataDir], {
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
  await new Promise((r) => (service.exitCode !== null ? r() : service.once('exit', r)));
  rmSync(dataDir, { recursive: true, force: true });
}
