/**
 * The panel's meter switcher in real headless Chromium, behind the ingress stand-in, against the REAL backend with
 * two meters: the built-in simulator as the first meter and a socat pty fed with a real KNG Kärnten Netz AM550
 * capture as the "Heat pump". The switcher (with every meter's status and power) appears only with two meters;
 * choosing a meter moves the panel's WebSocket and API calls to `?meter=<id>` and shows that meter's values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, screenshot, type PanelPage } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sharedVectors, streamOf } from '../support/vectors.js';

const kaernten = sharedVectors().find((v) => v.name === 'pocki80-kaerntennetz-am550')!;

let browser: Browser;
let tmp: string;
let pty: PtyPair;
let backend: Backend;
let proxy: IngressProxy;
let single: Backend;
let singleProxy: IngressProxy;
let pushing = true;
let pusher: Promise<void>;
const pages: PanelPage[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'smr-switcher-'));
  browser = await launchBrowser();
  pty = await startPtyPair(tmp);
  backend = await startBackend([
    '--simulator',
    '--simulator-interval', '1000',
    '--meters', JSON.stringify([{ name: 'Heat pump', serial_port: pty.reader, key: kaernten.key, framing: 'hdlc', serial_settings: '9600_8N1' }]),
  ]);
  proxy = await startIngressProxy(backend.port);
  single = await startBackend(['--simulator', '--simulator-interval', '1000']);
  singleProxy = await startIngressProxy(single.port);
  pusher = (async () => {
    while (pushing) {
      await writePaced(pty, streamOf(kaernten), 9600, 10).catch(() => undefined);
      await sleep(500);
    }
  })();
}, 60_000);

afterAll(async () => {
  pushing = false;
  await pusher;
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await proxy?.close();
  await singleProxy?.close();
  await backend?.stop();
  await single?.stop();
  await pty?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

describe('meter switcher', () => {
  it('lists every meter with status and power, and switches the whole panel to the chosen meter', async () => {
    const p = await openPanel(browser, `${proxy.url}#/live`);
    pages.push(p);
    const { page } = p;
    const switcher = page.locator('[data-testid=meter-switcher]');
    await switcher.waitFor({ timeout: 15_000 });
    // the overview: both meters, with their status and power (this backend has no broker: status "MQTT broker")
    await page.locator('[data-meter=heat_pump]', { hasText: '3,149 W' }).waitFor({ timeout: 20_000 });
    const heatButton = await page.locator('[data-meter=heat_pump]').innerText();
    expect(heatButton).toMatch(/^Heat pump\s+\+3,149 W\s+MQTT broker$/);
    expect(await page.locator('[data-meter=meter]').innerText()).toMatch(/Meter[\s\S]*\d W/);
    expect(await page.locator('[data-meter=meter]').getAttribute('aria-pressed')).toBe('true');

    // the default meter's live socket carries no meter parameter
    expect(p.requests.filter((u) => u.startsWith('ws')).every((u) => !u.includes('meter='))).toBe(true);

    await page.locator('[data-meter=heat_pump]').click();
    expect(await page.locator('[data-meter=heat_pump]').getAttribute('aria-pressed')).toBe('true');
    // the header and the Live page show the AM550's values (its meter number, 3149 W import)
    await page.locator('[data-testid=meter-name]', { hasText: '1121271600000' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=power]', { hasText: '3,149' }).waitFor({ timeout: 15_000 });
    const ws = p.requests.filter((u) => u.startsWith('ws'));
    expect(ws.at(-1)).toMatch(/\/ws\?meter=heat_pump$/);
    for (const u of ws) expect(new URL(u).pathname.startsWith(proxy.prefix + '/'), u).toBe(true);

    // the Frames page's capture download is the heat pump's
    await page.goto(`${proxy.url}#/frames`);
    await page.locator('[data-testid=capture]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=capture]').getAttribute('href')).toBe('api/capture?meter=heat_pump');
    await screenshot(page, 'meter-switcher');

    // the History page asks for the heat pump's history, and a switch on that page loads the house meter's at once
    await page.goto(`${proxy.url}#/history`);
    const historyRequests = () => p.requests.filter((u) => new URL(u).pathname.endsWith('/api/history'));
    for (let i = 0; i < 100 && !historyRequests().some((u) => u.includes('meter=heat_pump')); i++) await page.waitForTimeout(100);
    expect(historyRequests().at(-1)).toMatch(/\/api\/history\?meter=heat_pump$/);
    await page.locator('[data-meter=meter]').click();
    for (let i = 0; i < 100 && !/\/api\/history$/.test(historyRequests().at(-1) ?? ''); i++) await page.waitForTimeout(100);
    expect(historyRequests().at(-1)).toMatch(/\/api\/history$/);
    await page.locator('[data-meter=heat_pump]').click();
    await page.goto(`${proxy.url}#/frames`);

    // the choice survives a reload; back to the first meter drops the parameter
    await page.reload();
    await page.locator('[data-meter=heat_pump][aria-pressed=true]').waitFor({ timeout: 15_000 });
    await page.locator('[data-meter=meter]').click();
    await page.locator('[data-testid=capture][href="api/capture"]').waitFor({ timeout: 15_000 });
    expect(p.errors).toEqual([]);
  }, 90_000);

  it('is not shown when the add-on reads one meter', async () => {
    const p = await openPanel(browser, `${singleProxy.url}#/live`);
    pages.push(p);
    await p.page.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 15_000 });
    await p.page.locator('[data-stat=net]').waitFor({ timeout: 15_000 });
    expect(await p.page.locator('[data-testid=meter-switcher]').count()).toBe(0);
    expect(p.requests.some((u) => u.endsWith('/api/meters'))).toBe(true);
    expect(p.requests.every((u) => !u.includes('meter='))).toBe(true);
  }, 60_000);
});
