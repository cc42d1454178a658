/**
 * Real headless Chromium for the panel e2e tests (playwright-core + the system /usr/bin/chromium; no browser
 * download). Pages collect console errors, page errors and dialogs so tests can assert there were none.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go: <repo>/build/screenshots (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../build/screenshots/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PanelPage {
  readonly page: Page;
  /** console.error messages and uncaught page errors. */
  readonly errors: string[];
  /** alert/confirm/prompt texts (an XSS payload would show up here). */
  readonly dialogs: string[];
  /** Every HTTP request and WebSocket URL the page opened, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface PageOptions {
  /** Browser language (navigator.language), default en-US. */
  readonly locale?: string;
  readonly viewport?: { width: number; height: number };
  readonly colorScheme?: 'light' | 'dark';
}

export async function openPanel(browser: Browser, url: string, opts: PageOptions = {}): Promise<PanelPage> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1200, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    timezoneId: 'Europe/Vienna',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { page, errors, dialogs, requests, close: () => context.close() };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
