/**
 * Accessibility and Home Assistant's look, in real headless Chromium against the REAL backend (simulator feed)
 * behind the ingress stand-in:
 *  - axe-core finds no WCAG 2.x A/AA violation on any page (every tab the panel shows, found at run time) in light
 *    and dark (prefers-color-scheme), and inside a same-origin "Home Assistant" parent page that hands over its theme
 *    variables the way the HA frontend does (light, dark, and a custom theme with a too-faint secondary text);
 *  - the tabs follow the WAI-ARIA tabs pattern (arrow keys, Home/End, roving tabindex); every focusable element shows
 *    a focus ring; the connection state is a live region;
 *  - the panel URL works with and without its trailing slash.
 *
 * Needs `npm run build` first (app/dist/main.js and ui/dist).
 */
import { createRequire } from 'node:module';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { launchBrowser, openPanel, type PanelPage, type PageOptions } from '../support/browser.js';
import { startIngressProxy, type IngressProxy } from '../support/ingressProxy.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** WCAG 2.0/2.1/2.2 level A and AA rules. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

let browser: Browser;
let backend: Backend | undefined;
let proxy: IngressProxy | undefined;
const pages: PanelPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  backend = await startBackend(['--simulator', '--simulator-interval', '500']);
  proxy = await startIngressProxy(backend.port);
}, 60_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await proxy?.close();
  await backend?.stop();
});

async function open(url: string, opts?: PageOptions): Promise<PanelPage> {
  const p = await openPanel(browser, url, { viewport: { width: 1100, height: 750 }, ...opts });
  pages.push(p);
  return p;
}

type Target = Page | Frame;

/** The tabs the panel shows, in order (read from the page, so pages added later are covered too). */
const tabsOf = (target: Target): Promise<string[]> =>
  target.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab') ?? ''));

/** Waits until the page of `tab` shows data, and opens what can be opened (a frame's inspector). */
async function settle(target: Target, tab: string): Promise<void> {
  await target.locator('[data-testid=connection][data-state=open]').waitFor({ timeout: 15_000 });
  await target.locator(`[role=tab][data-tab=${tab}][aria-selected=true]`).waitFor({ timeout: 5_000 });
  const ready: Record<string, string> = { live: '[data-stat=net]', frames: 'li[data-frame-id]', health: '[data-testid=layers]' };
  if (ready[tab]) await target.locator(ready[tab]).first().waitFor({ timeout: 15_000 });
  if (tab === 'frames') {
    await target.locator('[data-testid=frame-toggle]').first().click();
    await target.locator('[data-testid=frame-detail]').waitFor({ timeout: 5_000 });
  }
  // a couple of pushes, so charts and lists have content
  await new Promise((r) => setTimeout(r, 1200));
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page (or frame) and returns its A/AA violations, each with the failing elements. */
async function axe(target: Target): Promise<AxeViolation[]> {
  if (!(await target.evaluate('typeof window.axe === "object"'))) await target.addScriptTag({ path: AXE_PATH });
  return (await target.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
    }));
  })()`)) as AxeViolation[];
}

const describeViolations = (vs: AxeViolation[]): string =>
  vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 6).join('\n    ')}`).join('\n');

const cssVar = (target: Target, name: string): Promise<string> =>
  target.evaluate(`getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`) as Promise<string>;
const rgbOf = (target: Target, selector: string, prop: 'backgroundColor' | 'color'): Promise<string> =>
  target.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)}))[${JSON.stringify(prop)}]`) as Promise<string>;

describe('axe-core: no WCAG A/AA violations', () => {
  for (const scheme of ['light', 'dark'] as const) {
    for (const lang of ['en', 'de'] as const) {
      it(`every page, ${scheme}, ${lang} (prefers-color-scheme)`, async () => {
        const p = await open(`${proxy!.url}?lang=${lang}#/live`, { colorScheme: scheme });
        const { page } = p;
        await settle(page, 'live');
        expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(scheme);
        expect(await page.evaluate('document.documentElement.dataset.themeSource')).toBe('os');
        // the header is dark in dark mode (it stayed bright before)
        expect(await rgbOf(page, 'header', 'backgroundColor')).toBe(scheme === 'dark' ? 'rgb(16, 30, 36)' : 'rgb(2, 119, 189)');
        const tabs = await tabsOf(page);
        expect(tabs.length).toBeGreaterThanOrEqual(3);
        const failures: string[] = [];
        for (const tab of tabs) {
          await page.click(`[role=tab][data-tab=${tab}]`);
          await settle(page, tab);
          const vs = await axe(page);
          if (vs.length) failures.push(`#/${tab} (${scheme}, ${lang}):\n  ${describeViolations(vs)}`);
        }
        expect(failures.join('\n'), 'axe violations').toBe('');
        expect(p.errors).toEqual([]);
      });
    }
  }
});

/** Variables as Home Assistant's frontend applies them on its <html> (default light/dark theme values). */
const HA_LIGHT = {
  '--primary-background-color': '#fafafa',
  '--card-background-color': '#ffffff',
  '--primary-text-color': '#212121',
  '--secondary-text-color': '#727272',
  '--divider-color': 'rgba(0, 0, 0, 0.12)',
  '--primary-color': '#03a9f4',
  // white on HA's light blue is 2.6:1: the panel must deepen it
  '--app-header-background-color': '#03a9f4',
  '--app-header-text-color': '#ffffff',
};
const HA_DARK = {
  '--primary-background-color': '#111111',
  '--card-background-color': '#1c1c1c',
  '--primary-text-color': '#e1e1e1',
  '--secondary-text-color': '#9b9b9b',
  '--divider-color': 'rgba(225, 225, 225, 0.12)',
  '--primary-color': '#03a9f4',
  '--app-header-background-color': '#101e24',
  '--app-header-text-color': '#e1e1e1',
};
/** A custom theme: green accent, beige cards, a secondary text too faint for AA (3.1:1). */
const HA_CUSTOM = {
  '--primary-background-color': '#f4f1e8',
  '--card-background-color': '#fffdf7',
  '--primary-text-color': '#2b2b2b',
  '--secondary-text-color': '#8f8f8f',
  '--primary-color': '#43a047',
  '--app-header-background-color': '#2e5e31',
};
type HaVars = Record<string, string>;
const styleOf = (vars: HaVars): string => Object.entries(vars).map(([k, v]) => `${k}: ${v}`).join('; ');

/**
 * Opens a page at the ingress origin that plays Home Assistant's frontend: theme variables on its <html>, a
 * `<home-assistant>` element with `hass.themes.darkMode`, and the panel in an iframe at the ingress URL (same origin,
 * as in HA). The page itself is fulfilled by the browser (page.route), the iframe comes from the real backend.
 */
async function openInHomeAssistant(vars: HaVars, darkMode: boolean, hash: string): Promise<{ p: PanelPage; frame: Frame }> {
  const p = await open(proxy!.url, { colorScheme: darkMode ? 'light' : 'dark' }); // OS says the opposite: HA wins
  const origin = new URL(proxy!.url).origin;
  await p.page.route(`${origin}/ha-frontend`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en" style="${styleOf(vars)}"><head><meta name="color-scheme" content="${darkMode ? 'dark' : 'light'}"><title>Home Assistant</title></head>
<body style="margin:0"><home-assistant></home-assistant>
<iframe title="Smart Meter" src="${proxy!.prefix}/${hash}" style="border:0;width:1100px;height:750px"></iframe>
<script>document.querySelector('home-assistant').hass = { themes: { darkMode: ${darkMode} } };</script></body></html>`,
    }),
  );
  await p.page.goto(`${origin}/ha-frontend`);
  const frame = await (async () => {
    for (let i = 0; i < 100; i++) {
      const f = p.page.frames().find((fr) => fr.url().includes('/api/hassio_ingress/'));
      if (f) return f;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('panel iframe did not load');
  })();
  return { p, frame };
}

describe("theme: Home Assistant's inside the ingress iframe, the OS preference outside", () => {
  it('outside Home Assistant the panel follows a switch of the OS preference without a reload', async () => {
    const { page, errors } = await open(`${proxy!.url}#/live`, { colorScheme: 'light' });
    await settle(page, 'live');
    expect(await rgbOf(page, 'body', 'backgroundColor')).toBe('rgb(250, 250, 250)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('html[data-theme=dark]').waitFor({ timeout: 5_000 });
    expect(await rgbOf(page, 'body', 'backgroundColor')).toBe('rgb(17, 17, 17)');
    expect(errors).toEqual([]);
  });

  it('dark HA theme: panel goes dark with HA colours and a dark header, axe-clean on every page', async () => {
    const { p, frame } = await openInHomeAssistant(HA_DARK, true, '#/live');
    await settle(frame, 'live');
    expect(await frame.evaluate('document.documentElement.dataset.themeSource')).toBe('home-assistant');
    expect(await frame.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await rgbOf(frame, 'body', 'backgroundColor')).toBe('rgb(17, 17, 17)');
    expect(await rgbOf(frame, 'header', 'backgroundColor')).toBe('rgb(16, 30, 36)');
    const failures: string[] = [];
    for (const tab of await tabsOf(frame)) {
      await frame.click(`[role=tab][data-tab=${tab}]`);
      await settle(frame, tab);
      const vs = await axe(frame);
      if (vs.length) failures.push(`#/${tab}:\n  ${describeViolations(vs)}`);
    }
    expect(failures.join('\n'), 'axe violations').toBe('');
    expect(p.errors).toEqual([]);
  });

  it("light HA theme: HA's header blue is deepened until white text reaches AA; follows a switch to dark", async () => {
    const { p, frame } = await openInHomeAssistant(HA_LIGHT, false, '#/health');
    await settle(frame, 'health');
    expect(await frame.evaluate('document.documentElement.dataset.theme')).toBe('light');
    expect(await rgbOf(frame, 'body', 'backgroundColor')).toBe('rgb(250, 250, 250)');
    const header = await cssVar(frame, '--header-bg');
    expect(header).not.toBe('#03a9f4');
    // still HA's blue hue: blue channel dominant
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(header.slice(i, i + 2), 16)) as [number, number, number];
    expect(b).toBeGreaterThan(r);
    expect(b).toBeGreaterThan(g);
    expect(describeViolations(await axe(frame))).toBe('');

    // The user switches Home Assistant to dark: the frontend rewrites the variables on its <html>.
    await p.page.evaluate(`(() => {
      document.documentElement.setAttribute('style', ${JSON.stringify(styleOf(HA_DARK))});
      document.querySelector('home-assistant').hass = { themes: { darkMode: true } };
    })()`);
    await frame.locator('html[data-theme=dark]').waitFor({ timeout: 5_000 });
    expect(await rgbOf(frame, 'body', 'backgroundColor')).toBe('rgb(17, 17, 17)');
    expect(p.errors).toEqual([]);
  });

  it('a custom theme with too faint secondary text is corrected to AA and keeps its colours otherwise', async () => {
    const { p, frame } = await openInHomeAssistant(HA_CUSTOM, false, '#/health');
    await settle(frame, 'health');
    expect(await rgbOf(frame, 'body', 'backgroundColor')).toBe('rgb(244, 241, 232)');
    expect(await cssVar(frame, '--header-bg')).toBe('#2e5e31');
    expect(await cssVar(frame, '--text2')).not.toBe('#8f8f8f');
    for (const tab of await tabsOf(frame)) {
      await frame.click(`[role=tab][data-tab=${tab}]`);
      await settle(frame, tab);
      expect(describeViolations(await axe(frame)), `#/${tab}`).toBe('');
    }
    expect(p.errors).toEqual([]);
  });
});

describe('keyboard and screen readers', () => {
  it('tabs: arrow keys, Home and End move the selection; one tab stop; Tab leaves the tab list', async () => {
    const { page, errors } = await open(`${proxy!.url}#/live`);
    await settle(page, 'live');
    const tabs = await tabsOf(page);
    const state = async () =>
      (await page.evaluate(`(() => ({
        focused: document.activeElement?.getAttribute('data-tab') ?? null,
        selected: document.querySelector('[role=tab][aria-selected=true]')?.getAttribute('data-tab'),
        hash: location.hash,
        stops: [...document.querySelectorAll('[role=tab]')].filter((e) => e.tabIndex === 0).map((e) => e.getAttribute('data-tab')),
        panel: document.getElementById(document.querySelector('[role=tab][aria-selected=true]').getAttribute('aria-controls'))?.getAttribute('aria-labelledby'),
      }))()`)) as { focused: string | null; selected: string; hash: string; stops: string[]; panel: string };
    const expectOn = async (tab: string) => {
      await page.locator(`[role=tab][data-tab=${tab}][aria-selected=true]`).waitFor({ timeout: 2_000 });
      expect(await state()).toEqual({ focused: tab, selected: tab, hash: `#/${tab}`, stops: [tab], panel: `tab-${tab}` });
    };

    // reach the tab list from the top of the page with the keyboard: one Tab stop lands on the selected tab
    await page.locator('body').focus();
    for (let i = 0; i < 10 && (await state()).focused === null; i++) await page.keyboard.press('Tab');
    await expectOn('live');

    await page.keyboard.press('ArrowRight');
    await expectOn(tabs[1]!);
    await page.keyboard.press('ArrowLeft');
    await expectOn(tabs[0]!);
    await page.keyboard.press('ArrowLeft'); // wraps
    await expectOn(tabs[tabs.length - 1]!);
    await page.keyboard.press('Home');
    await expectOn(tabs[0]!);
    await page.keyboard.press('End');
    await expectOn(tabs[tabs.length - 1]!);
    await page.keyboard.press('ArrowRight'); // wraps
    await expectOn(tabs[0]!);

    await page.keyboard.press('Tab');
    expect((await state()).focused).toBeNull(); // out of the tab list (into the tab panel)
    expect(await page.evaluate('document.activeElement.getAttribute("role")')).toBe('tabpanel');
    expect(errors).toEqual([]);
  });

  it('every element reached with Tab shows a visible focus ring, on every page', async () => {
    const { page, errors } = await open(`${proxy!.url}#/live`);
    await settle(page, 'live');
    const missing: string[] = [];
    for (const tab of await tabsOf(page)) {
      await page.click(`[role=tab][data-tab=${tab}]`);
      await settle(page, tab);
      await page.locator('body').focus();
      const seen = new Set<string>();
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const f = (await page.evaluate(`(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const cs = getComputedStyle(el);
          const path = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('data-testid') ? '[' + el.getAttribute('data-testid') + ']' : '') + ':' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 20);
          return { path, ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1, visible: el.matches(':focus-visible') };
        })()`)) as { path: string; ring: boolean; visible: boolean } | null;
        if (f === null || seen.has(f.path)) break;
        seen.add(f.path);
        if (!f.ring || !f.visible) missing.push(`#/${tab} ${f.path}`);
      }
      expect(seen.size, `focusable elements on #/${tab}`).toBeGreaterThan(1);
    }
    expect(missing).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the connection state is a live region that names itself', async () => {
    const { page, errors } = await open(`${proxy!.url}?lang=de#/live`);
    await settle(page, 'live');
    const region = page.locator('[data-testid=connection]');
    expect(await region.getAttribute('role')).toBe('status');
    expect((await region.innerText()).replace(/\s+/g, ' ').trim()).toBe('Verbindung zum Add-on: Live');
    expect(await page.locator('[role=tablist]').getAttribute('aria-label')).toBeNull();
    expect(await page.locator('nav').first().getAttribute('aria-label')).toBe('Seiten');
    expect(errors).toEqual([]);
  });
});

describe('panel URL with and without the trailing slash', () => {
  it('with the slash (as Home Assistant opens it)', async () => {
    const p = await open(`${proxy!.url}#/live`);
    await settle(p.page, 'live');
    expect(new URL(p.page.url()).pathname).toBe(`${proxy!.prefix}/`);
    expect(p.errors).toEqual([]);
  });

  it('without the slash: panel renders, assets and WebSocket stay under the prefix, the address gains the slash', async () => {
    const bare = proxy!.url.replace(/\/$/, '');
    expect(bare.endsWith(proxy!.prefix)).toBe(true);
    const p = await open(`${bare}?lang=de#/health`);
    const { page } = p;
    await settle(page, 'health');
    expect(await page.locator('[role=tab]').allInnerTexts()).toEqual(expect.arrayContaining(['Live', 'Telegramme', 'Zustand']));
    expect(page.url()).toBe(`${bare}/?lang=de#/health`);
    for (const u of p.requests) {
      const url = new URL(u);
      if (url.protocol === 'data:') continue;
      if (url.pathname === proxy!.prefix) continue; // the document itself, as typed
      expect(url.pathname.startsWith(`${proxy!.prefix}/`), u).toBe(true);
    }
    expect(p.requests.some((u) => u.startsWith('ws://') && u.endsWith(`${proxy!.prefix}/ws`))).toBe(true);
    // hash links stay in this document (no reload): a marker set now survives a tab switch
    await page.evaluate('window.__stillHere = true');
    await page.click('[role=tab][data-tab=live]');
    await settle(page, 'live');
    expect(await page.evaluate('window.__stillHere === true')).toBe(true);
    expect(p.errors).toEqual([]);
  });
});
