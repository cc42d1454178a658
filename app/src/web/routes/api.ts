import type { DtoRoutes } from '../typeProvider.js';
import { Type } from 'typebox';
import type { WatchdogVerdict } from '../../monitor/liveness.js';
import { parseKey } from '../../shared/hex.js';
import { FrameParamsDto, FrameRecordDto, HealthCheckDto, KeyTestDto, KeyTestRequestDto, MetersDto, SnapshotDto, WatchdogDto } from '../../contract/dto.js';
import { ERROR_RESPONSES, sendApiError } from '../apiErrors.js';
import type { MeterSelection } from '../meterSelection.js';

export interface ApiRoutesOptions {
  /** The configured meters; `?meter=<id>` selects one (default: the first). */
  readonly meters: MeterSelection;
  /** Liveness of the process (monitor/liveness.ts); without it api/watchdog answers ok while the server runs. */
  readonly watchdog?: { verdict(): WatchdogVerdict };
}

/** File name offered by GET api/capture. */
export const CAPTURE_FILENAME = 'smart-meter-capture.hex';

/**
 * JSON API under `api/` (relative to the ingress path). Every route declares its request and response DTOs
 * (contract/dto.ts): requests are validated, answers validated and serialised with only the listed fields.
 */
export const apiRoutes: DtoRoutes<ApiRoutesOptions> = (app, opts, done) => {
  const { meters } = opts;

  /** Liveness for the Docker HEALTHCHECK: answers as soon as the server is up. */
  app.get('/api/health', { schema: { response: { 200: HealthCheckDto, ...ERROR_RESPONSES } } }, () => ({ status: 'ok' as const }));

  /**
   * For the Supervisor's watchdog (config.yaml `watchdog:`) and the Docker HEALTHCHECK: 503 while the add-on is hung
   * (event loop blocked, a pipeline dead), 200 otherwise, also while a meter is silent. Same ingress guard as every route:
   * the Supervisor calls it from 172.30.32.2.
   */
  app.get('/api/watchdog', { schema: { response: { 200: WatchdogDto, 503: WatchdogDto, ...ERROR_RESPONSES } } }, (_req, reply) => {
    const verdict = opts.watchdog?.verdict() ?? { ok: true, problems: [] };
    void reply.header('cache-control', 'no-store').code(verdict.ok ? 200 : 503);
    return { status: verdict.ok ? ('ok' as const) : ('failing' as const), problems: verdict.problems };
  });

  /** Every meter with its status and power: the panel's meter switcher and overview. */
  app.get('/api/meters', { schema: { response: { 200: MetersDto, ...ERROR_RESPONSES } } }, (_req, reply) => {
    void reply.header('cache-control', 'no-store');
    return { meters: meters.summaries() };
  });

  /** Everything the panel needs to render at once; the WebSocket sends the same as its first message. */
  app.get('/api/snapshot', { schema: { response: { 200: SnapshotDto, ...ERROR_RESPONSES } } }, (req, reply) => {
    void reply.header('cache-control', 'no-store');
    const source = meters.sourceFor(req, reply);
    if (source) return source.snapshot();
  });

  /**
   * One push of the frame inspector with its details (hex blocks, A-XDR tree, readings, raw bytes): fetched when the
   * user opens it, so the live stream carries only summaries. 404 FRAME_GONE once the ring buffer evicted it.
   */
  app.get(
    '/api/frames/:id',
    { schema: { params: FrameParamsDto, response: { 200: FrameRecordDto, ...ERROR_RESPONSES } } },
    (req, reply) => {
      void reply.header('cache-control', 'no-store');
      const source = meters.sourceFor(req, reply);
      if (!source) return;
      const frame = source.frame(Number(req.params.id));
      if (!frame) {
        void sendApiError(reply, 404, 'FRAME_GONE', { id: Number(req.params.id) });
        return;
      }
      return frame;
    },
  );

  /** The last raw pushes as hex text for a bug report; the key is never part of it. */
  app.get(
    '/api/capture',
    { schema: { response: { 200: Type.String(), ...ERROR_RESPONSES } } },
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
  app.post(
    '/api/test-key',
    { schema: { body: KeyTestRequestDto, response: { 200: KeyTestDto, ...ERROR_RESPONSES } } },
    (req, reply) => {
      void reply.header('cache-control', 'no-store');
      const source = meters.sourceFor(req, reply);
      if (!source) return;
      const key = parseKey(req.body.key);
      const authKey = req.body.authKey ? parseKey(req.body.authKey) : null;
      if (!key || (req.body.authKey && !authKey)) {
        void sendApiError(reply, 400, 'KEY_FORMAT', { field: key ? 'authKey' : 'key', digits: 32 });
        return;
      }
      return source.testKey(key, authKey);
    },
  );
  done();
};
