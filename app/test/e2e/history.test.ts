/**
 * The History page in real headless Chromium against the REAL backend (app/dist/main.js) behind the ingress
 * stand-in, with a temporary data directory: the history chart shows data, the backend is stopped and started again
 * on the same directory WITHOUT any meter feed, and the chart still shows the same figures.
 *
 * The feed: a TCP bridge on loopback (as ser2net would be) sending encrypted Netz NÖ pushes (the simulator's
 * encoder, the leaflet's key) every 400 ms at 20 kW import then 15 kW export, counters rising accordingly, so
 * the bars have visible kWh within seconds; one tampered push (+5 MWh) in between must not appear anywhere.
 *
 * Needs `npm run build` first (app/dist/main.js and ui/dist). Screenshots go to build/screenshots/history-*.png.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import { fromHex } from '../../src/shared/hex.js';
import { HISTORY_FILE } from '../../src/store/HistoryStore.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import type { HistoryDto } from '../../src/web/contract.js';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, screenshot, type PanelPage } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';
import { sleep } from '../support/pace.js';

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

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

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

describe('History page: stored energy history survives a restart of the backend', () => {
  let shownBefore: { hours: string; days: string; readout: string };
  let before: HistoryDto;

  it('shows hourly, daily and power charts from the accepted pushes', async () => {
    const port = (bridge.address() as { port: number }).port;
    const backend = await startBackend(['--tcp-address', `tcp://127.0.0.1:${port}`, '--key', SIMULATOR_KEY_HEX, '--data-dir', dataDir]);
    cleanups.push(() => backend.stop());
    await waitFor('the backend to connect to the bridge', async () => sockets.size > 0);

    let importWh = 4_000_000;
    let exportWh = 1_000_000;
    let fc = 1;
    const send = (powerImportW: number, powerExportW: number, tamperWh = 0) => {
      const time = new Date();
      const bytes = encodeNetzNoePush(
        { time, utcOffsetMinutes: 60, energyImportWh: Math.floor(importWh) + tamperWh, energyExportWh: Math.floor(exportWh), powerImportW, powerExportW, voltage: [230, 231, 229], current: [29, 29, 29], powerFactor: 0.98, meterNumber: '100042424242' },
        KEY,
        TITLE,
        fc++,
      );
      for (const s of sockets) s.write(bytes);
    };
    for (let i = 0; i < 30; i++) {
      importWh += (20_000 * EVERY_MS) / 3_600_000;
      send(20_000, 0);
      await sleep(EVERY_MS);
    }
    send(20_000, 0, 5_000_000); // a corrupted counter: the guard drops it, so must the history
    await sleep(EVERY_MS);
    for (let i = 0; i < 20; i++) {
      exportWh += (15_000 * EVERY_MS) / 3_600_000;
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
    const backend = await startBackend(['--data-dir', dataDir]);
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
});
