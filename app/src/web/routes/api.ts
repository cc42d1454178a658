import type { FastifyError, FastifyPluginCallback } from 'fastify';
import { parseKey } from '../../shared/hex.js';
import type { ApiErrorCode, FrameRecordDto, KeyTestDto, LiveSource, SnapshotDto } from '../contract.js';
import { apiErrorSchema, frameSchema, healthCheckSchema, keyTestBodySchema, keyTestSchema, snapshotSchema } from '../schemas.js';

export interface ApiRoutesOptions {
  readonly source: LiveSource;
}

/** File name offered by GET api/capture. */
export const CAPTURE_FILENAME = 'smart-meter-capture.hex';

/** The body of a 4xx answer: a code the panel translates, with params; never the offending value. */
export const apiError = (error: string, code: ApiErrorCode, params?: Record<string, string | number>) =>
  params ? { error, code, params } : { error, code };

/**
 * JSON API under `api/` (relative to the ingress path). Every route has a response schema, so only the fields
 * listed in schemas.ts are serialised.
 */
export const apiRoutes: FastifyPluginCallback<ApiRoutesOptions> = (app, opts, done) => {
  const { source } = opts;

  // schema validation failures (missing or too long fields) answer with a code too, naming only the field
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation) {
      const field = err.validation[0]?.instancePath.replace(/^\//, '') || String(err.validation[0]?.params?.missingProperty ?? '');
      void reply.code(400).send(apiError('Bad Request', 'REQUEST_INVALID', field ? { field } : undefined));
      return;
    }
    throw err;
  });

  /** Liveness for the Docker HEALTHCHECK: answers as soon as the server is up. */
  app.get('/api/health', { schema: { response: { 200: healthCheckSchema } } }, () => ({ status: 'ok' as const }));

  /** Everything the panel needs to render at once; the WebSocket sends the same as its first message. */
  app.get('/api/snapshot', { schema: { response: { 200: snapshotSchema } } }, (_req, reply): SnapshotDto => {
    void reply.header('cache-control', 'no-store');
    return source.snapshot();
  });

  /**
   * One push of the frame inspector with its details (hex blocks, A-XDR tree, readings, raw bytes): fetched when the
   * user opens it, so the live stream carries only summaries. 404 FRAME_GONE once the ring buffer evicted it.
   */
  app.get<{ Params: { id: string } }>(
    '/api/frames/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } } }, response: { 200: frameSchema, 404: apiErrorSchema } } },
    (req, reply): FrameRecordDto | void => {
      void reply.header('cache-control', 'no-store');
      const frame = source.frame(Number(req.params.id));
      if (!frame) {
        void reply.code(404).send(apiError('Not Found', 'FRAME_GONE', { id: Number(req.params.id) }));
        return;
      }
      return frame;
    },
  );

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
  /**
   * Tries a key on the last captured push and names the stage that fails (the key from the options is not
   * changed). The keys are only used for this one decode: not stored, not logged, not sent back.
   */
  app.post<{ Body: { key: string; authKey?: string } }>(
    '/api/test-key',
    { schema: { body: keyTestBodySchema, response: { 200: keyTestSchema, 400: apiErrorSchema } } },
    (req, reply): KeyTestDto | void => {
      void reply.header('cache-control', 'no-store');
      const key = parseKey(req.body.key);
      const authKey = req.body.authKey ? parseKey(req.body.authKey) : null;
      if (!key || (req.body.authKey && !authKey)) {
        void reply.code(400).send(apiError('Bad Request', 'KEY_FORMAT', { field: key ? 'authKey' : 'key', digits: 32 }));
        return;
      }
      return source.testKey(key, authKey);
    },
  );
  done();
};
