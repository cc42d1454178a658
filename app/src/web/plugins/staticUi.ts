import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginCallback } from 'fastify';

export interface StaticUiOptions {
  /** Directory of the built panel (ui/dist), holding index.html and assets/. */
  readonly uiDir: string;
}

/**
 * Serves the built panel. `/` answers with index.html; Vite's hashed `assets/*` are cached for a year, index.html
 * is revalidated so a new add-on version is picked up. Never pre-compressed: Core compresses at the border and the
 * Supervisor proxy has choked on encodings it did not expect (homeassistant-addon.md §5). The panel uses hash
 * routing, so no SPA fallback is needed.
 */
export const staticUi: FastifyPluginCallback<StaticUiOptions> = (app, opts, done) => {
  if (!existsSync(join(opts.uiDir, 'index.html'))) {
    app.log.warn({ uiDir: opts.uiDir }, 'panel not built: index.html missing, serving a placeholder');
    app.get('/', (_req, reply) => {
      void reply
        .type('text/plain; charset=utf-8')
        .send('The panel is not built. Run `npm run build -w ui`.');
    });
    done();
    return;
  }
  void app.register(fastifyStatic, {
    root: opts.uiDir,
    prefix: '/',
    index: ['index.html'],
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
