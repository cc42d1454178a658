/**
 * The ingress panel in real headless Chromium, against the REAL backend process (app/dist/main.js) behind a
 * stand-in for HA's ingress proxy (prefix /api/hassio_ingress/<token>/ stripped, WebSocket forwarded).
 *
 *  - backend A: built-in simulator, a push every 500 ms → Live page, language switch;
 *  - backend B: a socat PTY as the serial port, configured with a key that does NOT match the meter's: the
 *    Netz NÖ document push fails at decryption, while a push we encrypt with B's key (and whose meter number is an
 *    HTML payload) decodes → Frames page and XSS check; then socat is killed → Health page names the serial layer.
 *
 * Needs `npm run build` first (app/dist/main.js and ui/dist). Screenshots go to build/screenshots/*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, screenshot, type PanelPage } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';
import { loadVector, netzNoePush, vectorBytes } from '../support/meterPush.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sleep, waitFor } from '../support/pace.js';

const WRONG_KEY = '000102030405060708090A0B0C0D0E0F';
const REAL_KEY = loadVector('netznoe-doc-kaifa').key;
const EVIL_ID = '<img src=x onerror=alert(1)>';



const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

let browser: Browser;
let tmp: string;
let simulator: Backend | undefined;
let simProxy: IngressProxy | undefined;
let pty: PtyPair | undefined;
let serial: Backend | undefined;
let serialProxy: IngressProxy | undefined;
const pages: PanelPage[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'smr-e2e-'));
  browser = await launchBrowser();
  simulator = await startBackend(['--simulator', '--simulator-interval', '500']);
  simProxy = await startIngressProxy(simulator.port);
}, 60_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await simProxy?.close();
  await serialProxy?.close();
  await simulator?.stop();
  await serial?.stop();
  await pty?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

async function open(url: string, opts?: Parameters<typeof openPanel>[2]): Promise<PanelPage> {
  const p = await openPanel(browser, url, opts);
  pages.push(p);
  return p;
}

/** Every URL the page loaded stayed under the ingress prefix (no absolute /assets or /api). */
function expectUnderPrefix(p: PanelPage, proxy: IngressProxy): void {
  const base = new URL(proxy.url);
  for (const u of p.requests) {
    const url = new URL(u);
    if (url.protocol === 'data:') continue;
    expect(url.host, u).toBe(base.host);
    expect(url.pathname.startsWith(proxy.prefix + '/'), u).toBe(true);
  }
}

describe('panel against the simulator', () => {
  it('Live page under the ingress prefix shows values that change with the next push', async () => {
    const p = await open(`${simProxy!.url}#/live`);
    const { page } = p;
    await page.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 15_000 });
    await page.locator('[data-stat=net]').waitFor({ timeout: 15_000 });

    const read = async () => `${await text(page, '[data-testid=power]')}|${await text(page, '[data-stat=meter-time]')}`;
    const first = await read();
    expect(first).toMatch(/\d W/);
    expect(await text(page, '[data-stat=energy-import]')).toMatch(/\d\.\d{3} kWh/);
    // Values and the meter clock move with the next push (every 500 ms).
    const next = await waitFor('the next push to change the Live page', async () => {
      const now = await read();
      return now !== first ? now : null;
    }, 5_000);
    expect(next).not.toBe(first);

    // Per-phase table and the push age.
    const phases = await text(page, '[data-testid=phases]');
    expect(phases).toMatch(/L1[\s\S]*\d V[\s\S]*\d A/);
    expect(await text(page, '[data-testid=age]')).toMatch(/Last push: .*\d/);

    // The chart gets points from snapshot.history and live pushes.
    await waitFor('chart points', async () => {
      const n = Number(await page.locator('[data-points]').getAttribute('data-points', { timeout: 1000 }));
      return n >= 2;
    }, 10_000);
    // …and draws them: one path command (M/L) per history point in each series, read in one go (same render).
    const drawn = (await page.evaluate(`(() => {
      const c = document.querySelector('[data-testid=power-chart]');
      const count = (s) => (c.querySelector('path[data-series=' + s + ']')?.getAttribute('d')?.match(/[ML]/g) ?? []).length;
      return { points: Number(c.getAttribute('data-points')), imp: count('import'), exp: count('export') };
    })()`)) as { points: number; imp: number; exp: number };
    expect(drawn.points).toBeGreaterThanOrEqual(2);
    expect(drawn).toEqual({ points: drawn.points, imp: drawn.points, exp: drawn.points });

    expectUnderPrefix(p, simProxy!);
    expect(p.requests.some((u) => u.startsWith('ws://') && u.endsWith(`${simProxy!.prefix}/ws`))).toBe(true);
    expect(p.errors).toEqual([]);
    await screenshot(page, 'live');

    // Phone width: single column, no horizontal scrolling.
    const phone = await open(`${simProxy!.url}#/live`, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.page.locator('[data-stat=net]').waitFor({ timeout: 15_000 });
    const overflow = Number(await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'live-phone-dark');
  });

  it('?lang=de switches labels (and number formats) to German', async () => {
    const p = await open(`${simProxy!.url}?lang=de#/live`, { locale: 'en-US' });
    const { page } = p;
    await page.locator('[data-stat=net]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');
    const tabs = await page.locator('[role=tab]').allInnerTexts();
    expect(tabs).toEqual(['Live', 'Verlauf', 'Telegramme', 'Zustand']);
    expect(await text(page, '[data-stat=net]')).toContain('Nettoleistung');
    expect(await text(page, '[data-stat=import]')).toContain('Bezug');
    expect(await text(page, '[data-stat=energy-import]')).toMatch(/Energie bezogen\s+[\d.\s\u00a0\u202f]*\d,\d{3} kWh/);
    expect(await text(page, '[data-testid=phases]')).toContain('Spannung');
    await page.click('[data-tab=health]');
    await page.locator('[data-testid=layers]').waitFor();
    expect(await text(page, '[data-testid=layers]')).toContain('Serielle Schnittstelle');
    // the reader status, translated: this backend has no MQTT broker, so nothing reaches Home Assistant
    const status = page.locator('[data-testid=reader-status]');
    expect(await status.getAttribute('data-status')).toBe('broker');
    expect(await status.innerText()).toMatch(/Status\s+MQTT-Broker\s+seit .*\n*[\s\S]*Mosquitto-Broker-Add-on/);
    expect(p.errors).toEqual([]);
    await page.click('[data-tab=live]');
    await screenshot(page, 'live-de');
  });
});

describe('panel against a serial source with the wrong key', () => {
  beforeAll(async () => {
    pty = await startPtyPair(tmp);
    serial = await startBackend(['--serial-port', pty.reader, '--key', WRONG_KEY, '--framing', 'auto']);
    serialProxy = await startIngressProxy(serial.port);
    await sleep(500); // the port is open before the first byte is written
    // 1. A push encrypted with the configured key whose meter number is an HTML payload: decodes.
    pty.write(netzNoePush({ keyHex: WRONG_KEY, meterNumber: EVIL_ID, energyWh: 20_000 }));
    await sleep(1500);
    // 2. The operator document push, encrypted with the real key: fails at decryption.
    pty.write(vectorBytes('netznoe-doc-kaifa'));
    await sleep(1500);
  }, 60_000);

  it('Frames page shows the failed push with its failed stage and error, and never a key', async () => {
    const p = await open(`${serialProxy!.url}#/frames`);
    const { page } = p;
    const failed = page.locator('li[data-ok=false]').first();
    await failed.waitFor({ timeout: 15_000 });

    const failedStages = await failed.locator('[data-status=fail]').evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-stage')),
    );
    expect(failedStages).toEqual(['decryption']);
    for (const stage of ['bytes', 'frames', 'checksum']) {
      expect(await failed.locator(`[data-stage=${stage}]`).getAttribute('data-status')).toBe('pass');
    }
    const errorLine = await failed.locator('[data-testid=frame-error]').innerText();
    expect(errorLine).toMatch(/^[A-Z][A-Z0-9_]+ \S/);
    // The code chip once; the backend's "CODE: " prefix is not repeated in the message.
    expect(errorLine).not.toMatch(/^([A-Z][A-Z0-9_]+) \1\b/);

    // The other push decoded; newest first means the failed one is on top.
    await page.locator('li[data-ok=true]').first().waitFor({ timeout: 5_000 });
    const order = await page.locator('li[data-frame-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ok')));
    expect(order.slice(0, 2)).toEqual(['false', 'true']);

    // Inspector: annotated hex of the link frame.
    await failed.locator('[data-testid=frame-toggle]').click();
    const detail = page.locator('[data-testid=frame-detail]');
    await detail.waitFor();
    expect(await detail.innerText()).toMatch(/68 FA FA 68/i);
    expect(page.url()).toMatch(/#\/frames\/\d+$/);

    // The HTML payload in the meter number is shown as text, never parsed.
    expect(await text(page, '[data-testid=meter-name]')).toBe(EVIL_ID);
    expect(await page.locator('header img, main img').count()).toBe(0);

    // No key anywhere: page, snapshot, capture.
    const body = (await page.content()).toUpperCase();
    expect(body).not.toContain(WRONG_KEY);
    expect(body).not.toContain(REAL_KEY.toUpperCase());
    const api = await page.evaluate(async () => {
      const snap = await fetch('api/snapshot').then((r) => r.text());
      const res = await fetch('api/capture');
      return { snap, capture: await res.text(), disposition: res.headers.get('content-disposition') };
    });
    for (const s of [api.snap, api.capture]) {
      expect(s.toUpperCase()).not.toContain(WRONG_KEY);
      expect(s.toUpperCase()).not.toContain(REAL_KEY.toUpperCase());
    }
    expect(api.capture.toUpperCase()).toContain('68FAFA68');
    expect(api.disposition).toBe('attachment; filename="smart-meter-capture.hex"');
    expect(await page.locator('[data-testid=capture]').getAttribute('href')).toBe('api/capture');

    expect(p.dialogs).toEqual([]);
    expect(p.errors).toEqual([]);
    expectUnderPrefix(p, serialProxy!);
    await screenshot(page, 'frames');
  });

  it('Health page names the failing layer when the serial source stops', async () => {
    const p = await open(`${serialProxy!.url}#/health`);
    const { page } = p;
    const serialLayer = page.locator('[data-layer=serial]');
    await serialLayer.waitFor({ timeout: 15_000 });
    expect(await serialLayer.getAttribute('data-status')).toBe('ok');
    // Decryption failed on the last push.
    expect(await page.locator('[data-layer=decryption]').getAttribute('data-status')).toMatch(/^(warn|error)$/);
    expect(await text(page, '[data-testid=last-error]')).toMatch(/[A-Z][A-Z0-9_]+/);

    // "Test a key" on the last push (the document push): its real key works, the configured one names the
    // failing stage; neither key stays in the page
    const keyTest = page.locator('[data-testid=key-test]');
    const result = page.locator('[data-testid=key-test-result]');
    await keyTest.locator('input[name=key]').fill(REAL_KEY);
    await keyTest.locator('button[type=submit]').click();
    await waitFor('a working key', async () => (await result.getAttribute('data-ok', { timeout: 1000 })) === 'true');
    expect(await result.innerText()).toMatch(/\d+ values/);
    await keyTest.locator('input[name=key]').fill(WRONG_KEY);
    await keyTest.locator('button[type=submit]').click();
    await waitFor('a failing key', async () => /CRYPTO_WRONG_KEY/.test(await result.innerText({ timeout: 1000 })));
    // the verdict names the layer that failed, in words; the (password) field keeps the key to fix a typo
    expect(await result.getAttribute('data-layer')).toBe('crypto');
    expect(await result.innerText()).toMatch(/Fails at decryption/);
    expect(await keyTest.locator('input[name=key]').inputValue()).toBe(WRONG_KEY);
    const html = (await page.content()).toUpperCase();
    expect(html).not.toContain(REAL_KEY.toUpperCase());
    expect(html).not.toContain(WRONG_KEY.toUpperCase());
    await screenshot(page, 'health-key-test');

    await pty!.kill();
    await waitFor('the serial layer to fail', async () => {
      const s = await serialLayer.getAttribute('data-status', { timeout: 1000 });
      return s === 'error' || s === 'warn';
    }, 20_000);
    expect(await serialLayer.innerText()).toContain('Serial port');
    // the same status as the Home Assistant entity, in English
    const status = page.locator('[data-testid=reader-status]');
    await waitFor('the status to name the port', async () => /^port_(error|missing)$/.test((await status.getAttribute('data-status', { timeout: 1000 })) ?? ''), 10_000);
    expect(await status.innerText()).toMatch(/Port (error|not found)/);
    expect(p.errors).toEqual([]);
    await screenshot(page, 'health');
  });
});
