import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';

export interface StaticUiOptions {
  /** Directory of the built panel (ui/dist), holding index.html and assets/. */
  readonly uiDir: string;
}

/**
 * The prefix Home Assistant Core sets in `X-Ingress-Path`: `/api/hassio_ingress/<token>`, no trailing slash, the token
 * URL-safe base64 (homeassistant-addon.md §5). Anything else is ignored, so the header can never inject markup.
 */
const INGRESS_PATH = /^\/api\/hassio_ingress\/[A-Za-z0-9_-]{1,200}$/;

/**
 * index.html with `<base href="<ingress path>/">` when the request came through ingress.
 *
 * Why: the ingress proxy strips the prefix, so `/api/hassio_ingress/<token>` and `/api/hassio_ingress/<token>/` both
 * arrive here as `/`, and the add-on cannot redirect the first to the second. Without the slash the browser resolves
 * Vite's relative `./assets/…` against `/api/hassio_ingress/`, the assets 404 and the panel stays blank. The base
 * element makes every relative URL resolve under the prefix whatever the address bar says; the panel then adds the
 * slash to its own URL (ui/src/main.tsx) so hash links and the WebSocket URL agree with it.
 */
export function indexWithBase(html: string, ingressPath: string | undefined): string {
  if (ingressPath === undefined || !INGRESS_PATH.test(ingressPath)) return html;
  const base = `<base href="${ingressPath}/">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + base + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + base + html.slice(at);
}

/**
 * Serves the built panel. `/` (and `/index.html`) answer with index.html, given a `<base>` under ingress (see
 * `indexWithBase`); Vite's hashed `assets/*` are cached for a year, index.html is revalidated so a new add-on
 * version is picked up. Never pre-compressed: Core compresses at the border and the Supervisor proxy has choked on
 * encodings it did not expect (homeassistant-addon.md §5). The panel uses hash routing, so no SPA fallback is needed.
 */
export const staticUi: FastifyPluginCallback<StaticUiOptions> = (app, opts, done) => {
  const indexFile = join(opts.uiDir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ uiDir: opts.uiDir }, 'panel not built: index.html missing, serving a placeholder');
    app.get('/', (_req, reply) => {
      void reply
        .type('text/plain; charset=utf-8')
        .send('The panel is not built. Run `npm run build -w ui`.');
    });
    done();
    return;
  }
  // Read once: a new panel build comes with a new add-on version, i.e. a restart.
  const indexHtml = readFileSync(indexFile, 'utf8');
  const sendIndex = (req: FastifyRequest, reply: FastifyReply): void => {
    const ingressPath = req.headers['x-ingress-path'];
    void reply
      .header('cache-control', 'no-cache')
      .header('vary', 'x-ingress-path')
      .type('text/html; charset=utf-8')
      .send(indexWithBase(indexHtml, typeof ingressPath === 'string' ? ingressPath : undefined));
  };
  app.get('/', sendIndex);
  app.get('/index.html', sendIndex);
  void app.register(fastifyStatic, {
    root: opts.uiDir,
    prefix: '/',
    index: false,
    wildcard: true,
    preCompressed: false,
    cacheControl: false,
    setHeaders(reply, path) {
      void reply.header(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  done();
};
