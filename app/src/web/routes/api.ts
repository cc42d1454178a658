import type { FastifyPluginCallback } from 'fastify';
import type { LiveSource, SnapshotDto } from '../contract.js';
import { healthCheckSchema, snapshotSchema } from '../schemas.js';

export interface ApiRoutesOptions {
  readonly source: LiveSource;
}

/** File name offered by GET api/capture. */
export const CAPTURE_FILENAME = 'smart-meter-capture.hex';

/**
 * JSON API under `api/` (relative to the ingress path). Every route has a response schema, so only the fields
 * listed in schemas.ts are serialised.
 */
export const apiRoutes: FastifyPluginCallback<ApiRoutesOptions> = (app, opts, done) => {
  const { source } = opts;

  /** Liveness for the Docker HEALTHCHECK: answers as soon as the server is up. */
  app.get('/api/health', { schema: { response: { 200: healthCheckSchema } } }, () => ({ status: 'ok' as const }));

  /** Everything the panel needs to render at once; the WebSocket sends the same as its first message. */
  app.get('/api/snapshot', { schema: { response: { 200: snapshotSchema } } }, (_req, reply): SnapshotDto => {
    void reply.header('cache-control', 'no-store');
    return source.snapshot();
  });

  /** The last raw pushes as hex text for a bug report; the key is never part of it. */
  app.get(
    '/api/capture',
    { schema: { response: { 200: { type: 'string' } } } },
    (_req, reply) => {
      void reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${CAPTURE_FILENAME}"`)
        .type('text/plain; charset=utf-8')
        .send(source.capture());
    },
  );
  done();
};
