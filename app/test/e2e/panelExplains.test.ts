/**
 * Issue 11, "the panel explains itself", in real headless Chromium against the REAL backend (app/dist/main.js)
 * behind the ingress stand-in:
 *  - a wrong key: the status line names the cause on the Live page within 10 s and the header badge is not green;
 *    the failed decryption is never shown as a decrypted data-notification;
 *  - bytes stop (socat pty): the values are dimmed and their age is shown;
 *  - German: no English text from the backend, for every reader status and every error code (the real stream
 *    with its status and frame errors rewritten in flight, so each code reaches the panel the way the backend sends it);
 *  - the frame inspector holds still: a pinned push survives 200 pushes, pause/resume, copy hex, download one push.
 *
 * Needs `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_CODES } from '../../src/judge/guards.js';
import { READER_STATUSES, STATUS_TEXT } from '../../src/monitor/health.js';
import { ERROR_CODES, codeInfo, type CatalogueCode } from '../../src/shared/errors.js';
import type { HealthDto, LiveMessage } from '../../src/contract/dto.js';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, screenshot, type PanelPage } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';
import { netzNoePush } from '../support/meterPush.js';
import { panelMessages, type PanelMessages } from '../support/panelI18n.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sleep, waitFor } from '../support/pace.js';

const WRONG_KEY = '000102030405060708090A0B0C0D0E0F';
const PTY_KEY = 'A0A1A2A3A4A5A6A7A8A9AAABACADAEAF';
const LEAFLET_KEY = '36C66639E48A8CA4D6BC8B282A793BBB';


/** The literal parts of a template (between `{placeholders}`) long enough to identify it in a page. */
const literals = (template: string): string[] =>
  template
    .split(/\{\w+\}/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 12);

let browser: Browser;
let en: PanelMessages;
let de: PanelMessages;
const backends: Backend[] = [];
const proxies: IngressProxy[] = [];
const pages: PanelPage[] = [];
let tmp: string;
let pty: PtyPair | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'smr-e2e-explains-'));
  browser = await launchBrowser();
  ({ en, de } = await panelMessages());
}, 60_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  for (const p of proxies) await p.close();
  for (const b of backends) await b.stop();
  await pty?.kill();
  rmSync(tmp, { recursive: true, force: true });
});

async function backendWithProxy(args: string[]): Promise<{ backend: Backend; proxy: IngressProxy }> {
  const backend = await startBackend(args);
  backends.push(backend);
  const proxy = await startIngressProxy(backend.port);
  proxies.push(proxy);
  return { backend, proxy };
}

async function open(url: string, opts?: Parameters<typeof openPanel>[2]): Promise<PanelPage> {
  const p = await openPanel(browser, url, opts);
  pages.push(p);
  return p;
}

describe('a wrong key', () => {
  it('is named by the status line on the Live page within 10 s; the badge is not green; no decrypted data-notification', async () => {
    const { proxy } = await backendWithProxy(['--simulator', '--simulator-interval', '500', '--key', WRONG_KEY]);
    const started = Date.now();
    const p = await open(`${proxy.url}#/live`);
    const { page } = p;
    const line = page.locator('[data-testid=status-line]');
    await page.locator('[data-testid=status-line][data-status=wrong_key]').waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    // the sentence is a polite live region (announced without interrupting)
    const region = line.locator('[role=status]');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    expect(await region.innerText()).toContain(en.health.readerStatus.advice.wrong_key);
    const text = await line.innerText();
    expect(text).toContain('Wrong key');
    expect(text).toContain(en.health.readerStatus.advice.wrong_key);
    expect(await line.locator('a').getAttribute('href')).toBe('#/health');
    // the Live page itself waits, under a badge that is not green
    await page.locator('[data-testid=waiting]').waitFor();
    const badge = page.locator('[data-testid=connection] [data-tone]');
    expect(await badge.getAttribute('data-tone')).not.toBe('ok');
    expect(await badge.innerText()).toBe('Wrong key');

    // the frame inspector: the decryption output of a failed push is marked failed, never "Decrypted data-notification"
    await page.click('[data-tab=frames]');
    await page.locator('li[data-ok=false]').first().waitFor({ timeout: 5000 });
    // by id: newer pushes keep arriving on top
    const failedId = await page.locator('li[data-ok=false]').first().getAttribute('data-frame-id');
    const failed = page.locator(`li[data-frame-id="${failedId}"]`);
    expect(await failed.locator('[data-testid=frame-error]').getAttribute('data-code')).toBe('CRYPTO_WRONG_KEY');
    expect(await failed.locator('[data-testid=frame-error]').innerText()).toContain(en.codes.errors.CRYPTO_WRONG_KEY);
    await failed.locator('[data-testid=frame-toggle]').click();
    const output = failed.locator('[data-block=block_plaintext_invalid]');
    await output.waitFor({ timeout: 5000 });
    expect(await output.getAttribute('data-failed')).toBe('true');
    expect(await failed.locator('[data-block=block_plaintext]').count()).toBe(0);
    expect(await failed.innerText()).not.toContain('Decrypted data-notification');
    expect(p.errors).toEqual([]);
    await screenshot(page, 'frames-wrong-key');
  });
});

describe('bytes stopping', () => {
  it('dims the values and shows their age; the badge turns from green', async () => {
    pty = await startPtyPair(tmp);
    const { proxy } = await backendWithProxy(['--serial-port', pty.reader, '--key', PTY_KEY, '--framing', 'auto']);
    await sleep(500);
    const p = await open(`${proxy.url}#/live`);
    const { page } = p;
    let counter = 0x40;
    for (let i = 0; i < 6; i++) {
      pty.write(netzNoePush({ keyHex: PTY_KEY, meterNumber: 'STALE1', energyWh: 30_000 + i, frameCounter: counter++ }));
      await sleep(500);
    }
    const values = page.locator('[data-testid=values]');
    await values.waitFor({ timeout: 10_000 });
    expect(await values.getAttribute('data-stale')).toBe('false');
    expect(await page.locator('[data-testid=connection] [data-tone]').getAttribute('data-tone')).toBe('ok');
    // no more bytes: after three push intervals, at least 10 s, the values are stale
    await waitFor('the values to be dimmed', async () => (await values.getAttribute('data-stale', { timeout: 1000 })) === 'true', 20_000);
    expect(await values.getAttribute('data-age')).toMatch(/^\d+ seconds$/);
    const note = page.locator('[data-testid=stale-note]');
    expect(await note.innerText()).toMatch(/^Values not updated since \d+:\d\d:\d\d [AP]M\.$/);
    // the ticking age sits beside the live region, not in it (it would be announced every second)
    expect(await page.locator('[data-testid=status-line] [role=status] [data-testid=stale-note]').count()).toBe(1);
    expect(await page.locator('[data-testid=stale-age]').innerText()).toMatch(/^\d+ sec\. ago$/);
    expect(await page.locator('[data-testid=status-line] [role=status] [data-testid=stale-age]').count()).toBe(0);
    expect(await values.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { filter: string } }).getComputedStyle(el).filter)).toContain('grayscale');
    expect(await page.locator('[data-testid=connection] [data-tone]').getAttribute('data-tone')).not.toBe('ok');
    // …and once the silence lasts 15 s, the reader status says so
    await page.locator('[data-testid=status-line][data-status=no_data]').waitFor({ timeout: 15_000 });
    expect(p.errors).toEqual([]);
    await screenshot(page, 'live-stale');
  }, 60_000);
});

describe('German', () => {
  it('shows no English text from the backend, for every reader status and every error code', async () => {
    const { proxy } = await backendWithProxy(['--simulator', '--simulator-interval', '200']);
    // the codes a push can fail with: the decode codes (those with a stage) and the guard's
    const codes = [...(Object.keys(ERROR_CODES) as CatalogueCode[]).filter((c) => codeInfo(c).stage !== undefined), ...GUARD_CODES];
    const params = { obis: '1-0:1.8.0', value: 1.5, unit: 'Wh', from: 2.5, to: 1.5, rise: 5000.5, seconds: 5, allowed: 12.25, meter: 'M2', previous: 'M1' };
    let statusUnderTest: string = READER_STATUSES[0];
    let lastHealth: HealthDto | null = null;
    const withStatus = (h: HealthDto): HealthDto => ({ ...h, status: { ...h.status, id: statusUnderTest as HealthDto['status']['id'], code: null } });
    const failFrame = <T extends { id: number; ok: boolean; error: unknown }>(f: T): T => ({ ...f, ok: false, error: { stage: 'layout', code: codes[f.id % codes.length], params } });
    /** The backend's messages with the status under test and a failed frame per error code in turn. */
    const rewrite = (text: string): string => {
      const m = JSON.parse(text) as LiveMessage;
      switch (m.type) {
        case 'snapshot':
          lastHealth = m.snapshot.health;
          return JSON.stringify({ ...m, snapshot: { ...m.snapshot, health: withStatus(m.snapshot.health), frames: m.snapshot.frames.map(failFrame) } });
        case 'push':
        case 'frame':
          if (m.health) lastHealth = m.health;
          return JSON.stringify({ ...m, frame: failFrame(m.frame), health: withStatus({ ...lastHealth!, counters: m.counters }) });
        case 'health':
          lastHealth = m.health;
          return JSON.stringify({ ...m, health: withStatus(m.health) });
      }
    };
    const p = await open(`${proxy.url}?lang=de#/live`, { locale: 'en-US' });
    const { page } = p;
    await page.context().routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((msg) => ws.send(rewrite(String(msg))));
      ws.onMessage((msg) => server.send(msg));
    });
    await page.reload();

    const english = [
      ...Object.values(STATUS_TEXT),
      ...Object.values(ERROR_CODES).map((c) => c.hint),
      ...[en.codes.errors, en.codes.hints, en.codes.layers, en.codes.blocks, en.health.readerStatus.advice, en.codes.api].flatMap((c) => Object.values(c)),
    ].flatMap(literals);
    // phrases German shares with English (technical names such as "APDU (general-glo-ciphering)") do not count
    const german = [de.codes.errors, de.codes.hints, de.codes.layers, de.codes.blocks, de.health.readerStatus.advice, de.codes.api].flatMap((c) => Object.values(c)).join('\n');
    const englishOnly = english.filter((phrase) => !german.includes(phrase));
    const germanOnly = (text: string, where: string) => {
      for (const phrase of englishOnly) expect(text.includes(phrase), `${where} contains English "${phrase}"`).toBe(false);
    };

    // every reader status: its German name and sentence in the status line
    const line = page.locator('[data-testid=status-line]');
    for (const id of READER_STATUSES) {
      statusUnderTest = id;
      await page.locator(`[data-testid=status-line][data-status=${id}]`).waitFor({ timeout: 5000 });
      const text = await line.innerText();
      expect(text, id).toContain(de.health.readerStatus.names[id]!);
      expect(text, id).toContain(de.health.readerStatus.advice[id]!);
      germanOnly(text, `status line (${id})`);
    }
    germanOnly(await page.locator('body').innerText(), 'Live page');

    // every error code: a failed push with that code in the frame list, with its German sentence and params
    await page.click('[data-tab=frames]');
    for (const code of codes) {
      const error = page.locator(`[data-testid=frame-error][data-code=${code}]`).first();
      await error.waitFor({ timeout: 10_000 });
      const text = await error.innerText();
      for (const part of literals(de.codes.errors[code]!)) expect(text, code).toContain(part);
      germanOnly(text, code);
    }
    // numbers in the guard sentences are German: 5000.5 Wh → "5.000,5"
    expect(await page.locator('[data-testid=frame-error][data-code=PLAUSIBILITY_ENERGY_JUMP]').first().innerText()).toMatch(/5[.\s\u00a0\u202f]000,5 Wh/);
    // an opened push: block titles, A-XDR tree with decimal commas
    await page.locator('li[data-frame-id] [data-testid=frame-toggle]').first().click();
    await page.locator('[data-testid=axdr-tree]').waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid=axdr-tree]').innerText()).toMatch(/= \d+,\d V/);
    germanOnly(await page.locator('body').innerText(), 'Frames page');

    await page.click('[data-tab=health]');
    await page.locator('[data-testid=layers]').waitFor();
    germanOnly(await page.locator('body').innerText(), 'Health page');
    // the key test: a malformed key is refused by the backend with a code, shown in German
    const keyTest = page.locator('[data-testid=key-test]');
    await keyTest.locator('input[name=key]').fill('1234');
    await keyTest.locator('button[type=submit]').click();
    const result = page.locator('[data-testid=key-test-result][data-code=KEY_FORMAT]');
    await result.waitFor({ timeout: 5000 });
    expect(await result.innerText()).toContain('32 Hex-Zeichen');
    // …and a wrong key names the layer that failed, in German, keeping the input
    await keyTest.locator('input[name=key]').fill(WRONG_KEY);
    await keyTest.locator('button[type=submit]').click();
    const verdict = page.locator('[data-testid=key-test-result][data-code=CRYPTO_WRONG_KEY]');
    await verdict.waitFor({ timeout: 5000 });
    expect(await verdict.innerText()).toContain('Scheitert bei: Entschlüsselung');
    expect(await keyTest.locator('input[name=key]').inputValue()).toBe(WRONG_KEY);
    germanOnly(await page.locator('body').innerText(), 'Health page with key test');
    // (the browser logs the refused key's 400 answer; nothing else)
    expect(p.errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
    await screenshot(page, 'health-de');
  }, 90_000);
});

describe('the frame inspector holds still', () => {
  let page: Page;

  it('a pinned push survives 200 pushes; pause holds the list; copy hex and download one push', async () => {
    const { proxy } = await backendWithProxy(['--simulator', '--simulator-interval', '50']);
    const p = await open(`${proxy.url}#/frames`);
    page = p.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('li[data-frame-id]').first().waitFor({ timeout: 15_000 });
    // a push arrives every 50 ms on top of the list: pause it to pick one (and find it by id)
    await page.click('[data-testid=pause]');
    const pinnedId = Number(await page.locator('li[data-frame-id]').first().getAttribute('data-frame-id'));
    const pinnedRow = page.locator(`li[data-frame-id="${pinnedId}"]`);
    await pinnedRow.locator('[data-testid=pin]').click();
    await page.click('[data-testid=pause]');
    expect(await pinnedRow.getAttribute('data-pinned')).toBe('true');

    // pinned pushes are listed on top; the live list follows
    expect(Number(await page.locator('li[data-frame-id]').first().getAttribute('data-frame-id'))).toBe(pinnedId);
    const newest = async () => Number(await page.locator('li[data-frame-id]:not([data-pinned])').first().getAttribute('data-frame-id', { timeout: 1000 }));
    await waitFor('200 more pushes', async () => (await newest()) >= pinnedId + 200, 40_000);
    // still listed, although the live list keeps 50 and the add-on's ring buffer as many
    expect(await pinnedRow.count()).toBe(1);
    expect(await pinnedRow.getAttribute('data-pinned')).toBe('true');
    const gone = await page.evaluate(async (id) => (await fetch(`api/frames/${id}`)).status, pinnedId);
    expect(gone).toBe(404);
    // …and its details, kept in the browser since it was pinned
    await pinnedRow.locator('[data-testid=frame-toggle]').click();
    await pinnedRow.locator('[data-testid=frame-detail]').waitFor({ timeout: 5000 });
    expect(await pinnedRow.locator('[data-testid=frame-detail]').innerText()).toMatch(/68 FA FA 68/);

    // copy hex: the raw push as received
    await pinnedRow.locator('[data-testid=copy-hex]').click();
    await pinnedRow.locator('[data-testid=copy-state][data-ok=true]').waitFor({ timeout: 5000 });
    const copied = (await page.evaluate('navigator.clipboard.readText()')) as string;
    expect(copied).toMatch(/^68FAFA68[0-9A-F]+16$/);

    // download one push: a capture file of that push alone, without a key
    const [download] = await Promise.all([page.waitForEvent('download'), pinnedRow.locator('[data-testid=download-one]').click()]);
    expect(download.suggestedFilename()).toBe(`smart-meter-push-${pinnedId}.hex`);
    const file = readFileSync((await download.path())!, 'utf8');
    const hexLines = file.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(hexLines).toEqual([copied]);
    expect(file.toUpperCase()).not.toContain(LEAFLET_KEY);

    // pause: the list holds still while pushes keep arriving; resume shows them
    await page.click('[data-testid=pause]');
    const frozen = await newest();
    await waitFor('pushes held back', async () => Number((await page.locator('[data-testid=held-back]').innerText({ timeout: 1000 })).match(/\d+/)?.[0] ?? 0) >= 10, 10_000);
    expect(await newest()).toBe(frozen);
    await page.click('[data-testid=pause]');
    await waitFor('the list to move again', async () => (await newest()) > frozen, 5000);
    expect(await pinnedRow.count()).toBe(1);
    // (the browser logs the 404 of the evicted push asked for above; nothing else)
    expect(p.errors.filter((e) => !/status of 404 \(Not Found\)/.test(e))).toEqual([]);
    await screenshot(page, 'frames-pinned');
  }, 90_000);
});

describe('a hidden page', () => {
  it('closes the live socket while hidden and resyncs from a fresh snapshot when visible again', async () => {
    const { proxy } = await backendWithProxy(['--simulator', '--simulator-interval', '200']);
    const p = await open(`${proxy.url}#/live`);
    const { page } = p;
    const sockets: { closed: boolean; types: string[] }[] = [];
    page.on('websocket', (ws) => {
      const s = { closed: false, types: [] as string[] };
      sockets.push(s);
      ws.on('close', () => (s.closed = true));
      ws.on('framereceived', (f) => s.types.push((JSON.parse(String(f.payload)) as { type: string }).type));
    });
    await page.reload();
    const live = await waitFor('pushes on a socket', async () => sockets.find((x) => !x.closed && x.types.filter((t) => t === 'push').length >= 3), 10_000);
    expect(live.types[0]).toBe('snapshot');

    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' }); document.dispatchEvent(new Event('visibilitychange'))`);
    await setVisibility('hidden');
    // closed after the grace period (10 s): a background tab costs nothing
    await waitFor('the socket to close while hidden', async () => live.closed, 15_000);
    const opened = sockets.length;
    const received = live.types.length;
    await sleep(1000);
    expect(sockets.length).toBe(opened);
    expect(live.types.length).toBe(received);

    await setVisibility('visible');
    const next = await waitFor('a new socket', async () => sockets.length > opened && sockets.at(-1)!.types.length >= 2 && sockets.at(-1), 5000);
    expect(next.types[0]).toBe('snapshot');
    await page.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 5000 });
    expect(p.errors).toEqual([]);
  }, 60_000);
});
