/**
 * The ingress web server: the only importer of fastify. `buildServer` wires plugins and routes without listening,
 * so unit tests use `inject()`; main.ts calls `listen()`.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WatchdogVerdict } from '../monitor/liveness.js';
import type { LiveSource, MeterLiveSource } from '../contract/dto.js';
import { LEGACY_METER_ID, LEGACY_METER_NAME } from '../config/options.js';
import { MeterSelection } from './meterSelection.js';
import { connectionLifecycle } from './plugins/connectionLifecycle.js';
import { ingressGuard } from './plugins/ingressGuard.js';
import { staticUi } from './plugins/staticUi.js';
import { failureOf, handleError, sendApiError } from './apiErrors.js';
import { FailureLines } from './failureLines.js';
import { validateResponse } from './responseValidation.js';
import { apiRoutes } from './routes/api.js';
import { historyRoutes } from './routes/history.js';
import { liveRoutes } from './routes/live.js';

export interface WebServerDeps {
  /** Runtime state the panel shows for a single meter (the state store; a fake in unit tests). */
  readonly source?: LiveSource;
  /** Every meter with its own state (first = default of `?meter=`); when given, `source` is not used. */
  readonly meters?: readonly MeterLiveSource[];
  /** Running under the Supervisor: serve only the ingress proxy and loopback. */
  readonly addonMode: boolean;
  /** Built panel directory (ui/dist). */
  readonly uiDir: string;
  /** Add-on version, for the log line. */
  readonly version: string;
  /** A pino-compatible logger instance, or fastify's `logger` option (`false`, the default, logs nothing). */
  readonly logger?: FastifyBaseLogger | boolean | { readonly level: string };
  /** WebSocket heartbeat in ms (default 25 s); tests shorten it. */
  readonly heartbeatMs?: number;
  /** Liveness for GET api/watchdog (the Supervisor's watchdog); absent: answers ok while the server runs. */
  readonly watchdog?: { verdict(): WatchdogVerdict };
  /** Wall clock (ms) for the request log's repeat summaries; tests inject one. Default Date.now. */
  readonly clock?: () => number;
}

function isLoggerInstance(logger: WebServerDeps['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && typeof (logger as Partial<FastifyBaseLogger>).child === 'function';
}

/**
 * One line per request, at debug instead of fastify's two at info (the panel polls; info is for state changes).
 * A failed request is logged once, with its status and code: `[web] GET /api/frames/abc 400 REQUEST_INVALID
 * field=id 1 ms`. A 5xx (a backend bug) is logged at error with its cause the first time a route fails, then as a
 * summary while it keeps failing, and once more when the route answers again (failureLines.ts).
 */
class RequestLines extends LogController {
  private readonly failures: FailureLines;

  constructor(now?: () => number) {
    super();
    this.failures = new FailureLines(now);
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const path = request.url.split('?')[0];
    // failures are tracked per route pattern (`GET /api/frames/:id`), so a client asking for many ids adds one entry
    const route = `${request.method} ${request.routeOptions.url ?? path}`;
    const line = `${request.method} ${path} ${reply.statusCode}`;
    const ms = `${Math.round(reply.elapsedTime)} ms`;
    const failure = reply.statusCode >= 400 ? failureOf(request) : undefined;
    if (reply.statusCode < 500) {
      const recovered = this.failures.answered(route);
      if (recovered) request.log.info(`${route} answers again after ${recovered.failures} failed ${recovered.failures === 1 ? 'request' : 'requests'} over ${seconds(recovered.ms)}`);
    }
    if (!failure) {
      request.log.debug(`${line} ${ms}`);
      return;
    }
    const params = failure.params ? Object.entries(failure.params).map(([k, v]) => ` ${k}=${v}`).join('') : '';
    const text = `${line} ${failure.code}${params}: ${failure.cause ?? 'no detail'}`;
    if (reply.statusCode < 500) {
      request.log.debug(`${line} ${failure.code}${params} ${ms}`);
      return;
    }
    const said = this.failures.failed(route);
    if (said.kind === 'first') request.log.error(`${text} (${ms})`);
    else if (said.kind === 'summary') request.log.error(`${text} (${said.repeats} more in the last ${seconds(said.ms)})`);
    else request.log.debug(`${text} (${ms}, repeated)`);
  }

  // the error handler answers every error; requestCompleted logs it once
  override defaultErrorLog(): void {}

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(`no route for ${request.method} ${request.url.split('?')[0]}`);
  }
}

/** `95 s`, `12 min`: a duration for a log line. */
function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Builds the server with all plugins and routes registered; does not listen. */
export function buildServer(deps: WebServerDeps): FastifyInstance {
  const common = { logController: new RequestLines(deps.clock), trustProxy: false, return503OnClosing: true } as const;
  const app: FastifyInstance = isLoggerInstance(deps.logger) ? Fastify({ loggerInstance: deps.logger, ...common }) : Fastify({ logger: deps.logger ?? false, ...common });

  // one error shape and one log line for every route (set before the routes are registered, so they inherit it)
  app.setErrorHandler(handleError);
  app.addHook('preSerialization', validateResponse);

  void app.register(ingressGuard, { enabled: deps.addonMode });
  void app.register(connectionLifecycle);
  // permessage-deflate (RFC 7692) with context takeover: successive live messages look alike, so a push costs a
  // few hundred bytes on the wire; messages below 256 B are sent as they are
  void app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024, perMessageDeflate: { threshold: 256 } } });
  const meters = new MeterSelection(deps.meters ?? (deps.source ? [{ id: LEGACY_METER_ID, name: LEGACY_METER_NAME, source: deps.source }] : []));
  void app.register(apiRoutes, { meters, ...(deps.watchdog ? { watchdog: deps.watchdog } : {}) });
  void app.register(historyRoutes, { meters });
  void app.register(liveRoutes, {
    meters,
    ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
  });
  void app.register(staticUi, { uiDir: deps.uiDir });

  app.setNotFoundHandler((_req, reply) => {
    void sendApiError(reply, 404, 'NOT_FOUND');
  });
  app.addHook('onReady', (done) => {
    app.log.debug({ version: deps.version, addonMode: deps.addonMode, uiDir: deps.uiDir }, 'web server ready');
    done();
  });
  return app;
}

/**
 * Starts listening and resolves with the bound address. Use host `::` (dual stack) or `0.0.0.0` in the add-on, so the
 * Supervisor at 172.30.32.2 can connect; port 0 picks a free port (tests).
 */
export async function listen(app: FastifyInstance, port: number, host = '0.0.0.0'): Promise<string> {
  return app.listen({ port, host });
}
