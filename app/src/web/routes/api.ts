import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { WatchdogVerdict } from '../../monitor/liveness.js';
import type { CatalogueCode, DetailId, ParamsArg } from '../../shared/errors.js';
import { parseKey } from '../../shared/hex.js';
import type { ApiErrorCode, FrameRecordDto, KeyTestDto, MetersDto, SnapshotDto } from '../../contract/dto.js';
import type { MeterSelection } from '../meterSelection.js';
import { apiErrorSchema, frameSchema, healthCheckSchema, keyTestBodySchema, keyTestSchema, metersSchema, snapshotSchema, unknownMeterSchema, watchdogSchema } from '../schemas.js';

export interface ApiRoutesOptions {
  /** The configured meters; `?meter=<id>` selects one (default: the first). */
  readonly meters: MeterSelection;
  /** Liveness of the process (monitor/liveness.ts); without it api/watchdog answers ok while the server runs. */
  readonly watchdog?: { verdict(): WatchdogVerdict };
}

/** File name offered by GET api/capture. */
export const CAPTURE_FILENAME = 'smart-meter-capture.hex';

/**
 * The body of a 4xx answer: a code the panel translates, with params; never the offending value. The code is one of
 * the catalogue's `api` layer; `detailId` picks its message (shared/errorCatalogue.ts), so tsc checks the params.
 */
export const apiError = <C extends ApiErrorCode & CatalogueCode, D extends DetailId<C>>(error: string, code: C, _detailId: D, ...params: ParamsArg<C, D>) =>
  params[0] ? { error, code, params: params[0] } : { error, code };

/**
 * JSON API under `api/` (relative to the ingress path). Every route has a response schema, so only the fields
 * listed in schemas.ts are serialised.
 */
export const apiRoutes: FastifyPluginCallback<ApiRoutesOptions> = (app, opts, done) => {
  const { meters } = opts;

  // schema validation failures (missing or too long fields) answer with a code too, naming only the field
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation) {
      const field = err.validation[0]?.instancePath.replace(/^\//, '') || String(err.validation[0]?.params?.missingProperty ?? '');
      void reply.code(400).send(field ? apiError('Bad Request', 'REQUEST_INVALID', 'field', { field }) : apiError('Bad Request', 'REQUEST_INVALID', 'whole'));
      return;
    }
    throw err;
  });

  /** Liveness for the Docker HEALTHCHECK: answers as soon as the server is up. */
  app.get('/api/health', { schema: { response: { 200: healthCheckSchema } } }, () => ({ status: 'ok' as const }));

  /**
   * For the Supervisor's watchdog (config.yaml `watchdog:`) and the Docker HEALTHCHECK: 503 while the add-on is hung
   * (event loop blocked, a pipeline dead), 200 otherwise, also while a meter is silent. Same ingress guard as every route:
   * the Supervisor calls it from 172.30.32.2.
   */
  app.get('/api/watchdog', { schema: { response: { 200: watchdogSchema, 503: watchdogSchema } } }, (_req, reply) => {
    const verdict = opts.watchdog?.verdict() ?? { ok: true, problems: [] };
    void reply.header('cache-control', 'no-store').code(verdict.ok ? 200 : 503);
    return { status: verdict.ok ? ('ok' as const) : ('failing' as const), problems: verdict.problems };
  });

  /** Every meter with its status and power: the panel's meter switcher and overview. */
  app.get('/api/meters', { schema: { response: { 200: metersSchema } } }, (_req, reply): MetersDto => {
    void reply.header('cache-control', 'no-store');
    return { meters: meters.summaries() };
  });

  /** Everything the panel needs to render at once; the WebSocket sends the same as its first message. */
  app.get('/api/snapshot', { schema: { response: { 200: snapshotSchema, 404: unknownMeterSchema } } }, (req, reply): SnapshotDto | void => {
    void reply.header('cache-control', 'no-store');
    const source = meters.sourceFor(req, reply);
    if (source) return source.snapshot();
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
      const source = meters.sourceFor(req, reply);
      if (!source) return;
      const frame = source.frame(Number(req.params.id));
      if (!frame) {
        void reply.code(404).send(apiError('Not Found', 'FRAME_GONE', 'gone', { id: Number(req.params.id) }));
        return;
      }
      return frame;
    },
  );

  /** The last raw pushes as hex text for a bug report; the key is never part of it. */
  app.get(
    '/api/capture',
    { schema: { response: { 200: { type: 'string' }, 404: unknownMeterSchema } } },
    (req, reply) => {
      const source = meters.sourceFor(req, reply);
      if (!source) return;
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
    { schema: { body: keyTestBodySchema, response: { 200: keyTestSchema, 400: apiErrorSchema, 404: unknownMeterSchema } } },
    (req, reply): KeyTestDto | void => {
      void reply.header('cache-control', 'no-store');
      const source = meters.sourceFor(req, reply);
      if (!source) return;
      const key = parseKey(req.body.key);
      const authKey = req.body.authKey ? parseKey(req.body.authKey) : null;
      if (!key || (req.body.authKey && !authKey)) {
        void reply.code(400).send(apiError('Bad Request', 'KEY_FORMAT', 'digits', { field: key ? 'authKey' : 'key', digits: 32 }));
        return;
      }
      return source.testKey(key, authKey);
    },
  );
  done();
};
