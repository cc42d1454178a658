/**
 * The History page in real headless Chromium against the REAL backend (app/dist/main.js) behind the ingress
 * stand-in, with a temporary data directory: the history chart shows data, the backend is stopped and started again
 * on the same directory WITHOUT any meter feed, and the chart still shows the same figures.
 *
 * The feed: a TCP bridge on loopback (as ser2net would be) sending encrypted Netz NÖ pushes (the simulator's
 * encoder, the leaflet's key) every 400 ms at 20 kW import then 15 kW export, counters rising accordingly, so
 * the bars have visible kWh within seconds; one tampered push (+5 MWh) in between must not appear anywhere.
 * Then a power loss: the backend is killed with SIGKILL, half a record is appended to the file as an interrupted
 * write leaves it, and after the next start the first push brings back every Wh (from the cumulative counters).
 *
 * Needs `npm run build` first (app/dist/main.js and ui/dist). Screenshots go to build/screenshots/history-*.png.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import { fromHex } from '../../src/shared/hex.js';
import { HISTORY_FILE } from '../../src/store/HistoryStore.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import type { HistoryDto } from '../../src/contract/dto.js';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, screenshot, type PanelPage } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';
import { sleep, waitFor as waitUntil } from '../support/pace.js';

const KEY = fromHex(SIMULATOR_KEY_HEX);
const TITLE = Uint8Array.from(Buffer.from('4B464D6750004242', 'hex'));
const EVERY_MS = 400;

let tmp: string;
let dataDir: string;
let browser: Browser;
let bridge: Server;
const sockets = new Set<Socket>();
const cleanups: (() => Promise<unknown>)[] = [];
const pages: PanelPage[] = [];

const waitFor = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> => waitUntil(what, probe, timeoutMs);

async function history(backend: Backend): Promise<HistoryDto> {
  const res = await fetch(`http://127.0.0.1:${backend.port}/api/history`);
  return (await res.json()) as HistoryDto;
}

const total = (h: HistoryDto, k: 'importWh' | 'exportWh') => h.hours.reduce((a, x) => a + (x[k] ?? 0), 0);

async function openHistory(backend: Backend, locale: string): Promise<{ page: PanelPage; proxy: IngressProxy }> {
  const proxy = await startIngressProxy(backend.port);
  cleanups.push(() => proxy.close());
  const page = await openPanel(browser, `${proxy.url}#/history`, { locale });
  pages.push(page);
  return { page, proxy };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'smr-history-e2e-'));
  dataDir = join(tmp, 'data');
  browser = await launchBrowser();
  bridge = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => bridge.listen(0, '127.0.0.1', r));
}, 60_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const s of sockets) s.destroy();
  await new Promise((r) => bridge?.close(r));
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

let importWh = 4_000_000;
let exportWh = 1_000_000;
let fc = 1;
/** One push through the bridge at the given power; counters advance by the power over EVERY_MS. */
function send(powerImportW: number, powerExportW: number, tamperWh = 0): void {
  importWh += (powerImportW * EVERY_MS) / 3_600_000;
  exportWh += (powerExportW * EVERY_MS) / 3_600_000;
  const bytes = encodeNetzNoePush(
    { time: new Date(), utcOffsetMinutes: 60, energyImportWh: Math.floor(importWh) + tamperWh, energyExportWh: Math.floor(exportWh), powerImportW, powerExportW, voltage: [230, 231, 229], current: [29, 29, 29], powerFactor: 0.98, meterNumber: '100042424242' },
    KEY,
    TITLE,
    fc++,
  );
  for (const s of sockets) s.write(bytes);
}

describe('History page: stored energy history survives a restart of the backend', () => {
  let shownBefore: { hours: string; days: string; readout: string };
  let before: HistoryDto;
  let second: Backend;

  it('shows hourly, daily and power charts from the accepted pushes', async () => {
    const port = (bridge.address() as { port: number }).port;
    const backend = await startBackend(['--tcp-address', `tcp://127.0.0.1:${port}`, '--key', SIMULATOR_KEY_HEX, '--data-dir', dataDir]);
    cleanups.push(() => backend.stop());
    await waitFor('the backend to connect to the bridge', async () => sockets.size > 0);

    for (let i = 0; i < 30; i++) {
      send(20_000, 0);
      await sleep(EVERY_MS);
    }
    send(0, 0, 5_000_000); // a corrupted counter: the guard drops it, so must the history
    await sleep(EVERY_MS);
    for (let i = 0; i < 20; i++) {
      send(0, 15_000);
      await sleep(EVERY_MS);
    }
    before = await waitFor('export in the history', async () => {
      const h = await history(backend);
      return total(h, 'exportWh') > 25 && h;
    }).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${JSON.stringify((await history(backend)).hours.slice(-2))}\n${backend.output().slice(-3000)}`);
    });
    // ~30 × 2.2 Wh import, ~20 × 1.7 Wh export: the tampered 5 MWh is not in it
    expect(total(before, 'importWh')).toBeGreaterThan(40);
    expect(total(before, 'importWh')).toBeLessThan(200);
    expect(before.storage).toBe('file');
    expect(before.powerW.filter((w) => w !== null).length).toBeGreaterThanOrEqual(1);

    const { page: p } = await openHistory(backend, 'en-US');
    const page = p.page;
    await page.locator('[data-testid=history-hours] svg rect').first().waitFor({ timeout: 15_000 });
    expect(Number(await page.locator('[data-testid=history-hours]').getAttribute('data-bars'))).toBeGreaterThanOrEqual(1);
    expect(Number(await page.locator('[data-testid=history-days]').getAttribute('data-bars'))).toBe(1);
    expect(Number(await page.locator('[data-testid=power-chart]').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[role=tab][aria-selected=true]').innerText()).toBe('History');
    // the chart's accessible name states the totals
    const label = (await page.locator('[data-testid=history-hours] svg').getAttribute('aria-label')) ?? '';
    expect(label).toMatch(/^Energy per hour, last 24 hours\. import 0\.\d\d kWh, export 0\.\d\d kWh; most import .+ with 0\.\d\d kWh$/);
    shownBefore = {
      hours: await page.locator('[data-testid=history-hours] table').innerText(),
      days: await page.locator('[data-testid=history-days] table').innerText(),
      readout: await page.locator('[data-testid=history-hours-readout]').innerText(),
    };
    expect(shownBefore.readout).toContain(`${(total(before, 'importWh') / 1000).toFixed(2)} kWh`);
    expect(p.errors).toEqual([]);
    await screenshot(page, 'history-en-light');
    await backend.stop();
    expect(statSync(join(dataDir, HISTORY_FILE)).size % 36).toBe(0);
  });

  it('after a restart on the same data directory with no feed at all, the charts show the same figures', async () => {
    const backend = (second = await startBackend(['--data-dir', dataDir]));
    cleanups.push(() => backend.stop());
    const after = await history(backend);
    expect(after.hours).toEqual(before.hours.filter((h) => h.t >= after.hours[0]!.t).concat(after.hours.filter((h) => h.t > before.hours.at(-1)!.t)));
    expect(after.days).toEqual(before.days.filter((d) => d.date >= after.days[0]!.date).concat(after.days.filter((d) => d.date > before.days.at(-1)!.date)));
    expect(backend.output()).toContain('[history] energy history:');

    const { page: p } = await openHistory(backend, 'en-US');
    const page = p.page;
    await page.locator('[data-testid=history-hours] svg rect').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=history-hours] table').innerText()).toBe(shownBefore.hours);
    expect(await page.locator('[data-testid=history-days] table').innerText()).toBe(shownBefore.days);
    expect(await page.locator('[data-testid=history-hours-readout]').innerText()).toBe(shownBefore.readout);
    expect(Number(await page.locator('[data-testid=power-chart]').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    expect(p.errors).toEqual([]);

    // German: Intl numbers (decimal comma), translated labels, the tab named "Verlauf"
    const { page: de } = await openHistory(backend, 'de-AT');
    await de.page.locator('[data-testid=history-hours] svg rect').first().waitFor({ timeout: 15_000 });
    expect(await de.page.locator('[role=tab][aria-selected=true]').innerText()).toBe('Verlauf');
    expect(await de.page.locator('[data-testid=history-hours-readout]').innerText()).toMatch(/Summe\s+Bezug 0,\d\d kWh\s+Einspeisung 0,\d\d kWh/);
    expect(await de.page.locator('[data-testid=history-storage]').innerText()).toContain('Datenordner');
    await screenshot(de.page, 'history-de-light');
    const dark = await openPanel(browser, `${(await openHistory(backend, 'en-US')).proxy.url}#/history`, { colorScheme: 'dark' });
    pages.push(dark);
    await dark.page.locator('[data-testid=history-hours] svg rect').first().waitFor({ timeout: 15_000 });
    await screenshot(dark.page, 'history-en-dark');
  });

  it('power loss: killed with SIGKILL and a torn record at the end, the energy comes back with the next push', async () => {
    await second.stop(); // one writer per data directory
    const port = (bridge.address() as { port: number }).port;
    const tcp = ['--tcp-address', `tcp://127.0.0.1:${port}`, '--key', SIMULATOR_KEY_HEX, '--data-dir', dataDir];
    const third = await startBackend(tcp);
    cleanups.push(() => third.stop());
    await waitFor('the backend to connect to the bridge', async () => sockets.size > 0);
    const start = total(await history(third), 'importWh');
    for (let i = 0; i < 12; i++) {
      send(20_000, 0);
      await sleep(EVERY_MS);
    }
    const shown = await waitFor('the new pushes in the history', async () => {
      const v = total(await history(third), 'importWh');
      return v > start + 20 && v;
    });
    const exited = new Promise((r) => third.process.once('exit', r));
    third.process.kill('SIGKILL');
    await exited;
    // a write cut short by the power loss: half a record of garbage at the end
    appendFileSync(join(dataDir, HISTORY_FILE), Buffer.alloc(18, 0x5a));
    await waitFor('the bridge to notice the closed connection', async () => sockets.size === 0);

    const fourth = await startBackend(tcp);
    cleanups.push(() => fourth.stop());
    expect(fourth.output()).toMatch(/incomplete last record \(18 bytes/);
    await waitFor('the backend to connect to the bridge', async () => sockets.size > 0);
    send(20_000, 0);
    const after = await waitFor('the first push after the power loss', async () => {
      const h = await history(fourth);
      return total(h, 'importWh') > shown && h;
    });
    // every Wh the counter rose since the first run is in the hours, none twice, none lost
    expect(Math.abs(total(after, 'importWh') - (Math.floor(importWh) - 4_000_000))).toBeLessThanOrEqual(3);
    expect(after.skippedRecords).toBe(0);
    expect(after.storage).toBe('file');
  });
});
