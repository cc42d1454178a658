import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexWithBase, staticUi } from './staticUi.js';

const PREFIX = '/api/hassio_ingress/AbC-12_xyz';
const VITE_INDEX = '<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n    <script type="module" crossorigin src="./assets/index-abc.js"></script>\n  </head>\n  <body><div id="app"></div></body>\n</html>\n';

describe('indexWithBase', () => {
  it('puts the ingress prefix with a trailing slash as the first element of <head>', () => {
    const html = indexWithBase(VITE_INDEX, PREFIX);
    expect(html).toContain(`<head><base href="${PREFIX}/">\n    <meta charset`);
    // the base comes before the first relative URL, so the assets resolve under the prefix
    expect(html.indexOf('<base')).toBeLessThan(html.indexOf('./assets/'));
  });

  it('leaves the page alone without ingress', () => {
    expect(indexWithBase(VITE_INDEX, undefined)).toBe(VITE_INDEX);
  });

  it.each([
    '/api/hassio_ingress/abc"><script>alert(1)</script>',
    '/api/hassio_ingress/abc/',
    '/api/hassio_ingress/',
    'https://evil.example/api/hassio_ingress/abc',
    '/other/abc',
    '//evil.example/x',
  ])('ignores an X-Ingress-Path that is not an ingress prefix: %s', (bad) => {
    expect(indexWithBase(VITE_INDEX, bad)).toBe(VITE_INDEX);
  });

  it('works on a page without <head> (inserted after the doctype)', () => {
    expect(indexWithBase('<!doctype html><title>x</title>', PREFIX)).toBe(`<!doctype html><base href="${PREFIX}/"><title>x</title>`);
  });
});

describe('staticUi plugin', () => {
  let uiDir: string;
  let app: FastifyInstance | undefined;
  beforeAll(() => {
    uiDir = mkdtempSync(join(tmpdir(), 'smr-static-'));
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(join(uiDir, 'index.html'), VITE_INDEX);
    writeFileSync(join(uiDir, 'assets', 'index-abc.js'), 'console.log(1);');
  });
  afterAll(() => rmSync(uiDir, { recursive: true, force: true }));
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const build = (): FastifyInstance => {
    app = Fastify();
    void app.register(staticUi, { uiDir });
    return app;
  };

  it.each(['/', '/index.html'])('%s under ingress carries the base; revalidated, varies by the header', async (url) => {
    const res = await build().inject({ url, headers: { 'x-ingress-path': PREFIX } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.vary).toContain('x-ingress-path');
    expect(res.body).toContain(`<base href="${PREFIX}/">`);
  });

  it('/ without ingress is the file as built', async () => {
    const res = await build().inject({ url: '/' });
    expect(res.body).toBe(VITE_INDEX);
  });

  it('assets are still served and cached for a year', async () => {
    const res = await build().inject({ url: '/assets/index-abc.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });
});
