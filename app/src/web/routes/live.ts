import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../contract/dto.js';
import type { MeterSelection } from '../meterSelection.js';
import type { UpgradeRouteConfig } from '../plugins/connectionLifecycle.js';

export interface LiveRoutesOptions {
  /** The configured meters; `ws?meter=<id>` streams that meter (default: the first). */
  readonly meters: MeterSelection;
  /** Ping interval in ms; default 25 s. Ingress proxies run with autoping off, so the app keeps the socket warm. */
  readonly heartbeatMs?: number;
  /** Close a client whose unsent data exceeds this many bytes (it reconnects and gets a fresh snapshot). */
  readonly maxBufferedBytes?: number;
}

/** Default heartbeat: below the 30–60 s idle timeouts of common proxies. */
export const HEARTBEAT_MS = 25_000;
const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
/**
 * Messages are compressed (permessage-deflate, when the client negotiated it) while the socket keeps up; above this
 * backlog they go out as they are, so a burst of pushes never waits behind the compressor (ws deflates one message
 * at a time per socket).
 */
const COMPRESS_BELOW_BYTES = 64 * 1024;
/** RFC 6455 §7.4.1 close code 1013 "Try Again Later". */
const CLOSE_TRY_AGAIN = 1013;

/**
 * WebSocket `ws` (relative to the panel URL): first `{type:'snapshot'}`, then every LiveMessage of the source.
 * WebSocket rather than SSE because SSE through HA ingress was buffered by Core before 2026-01 (Core compressed
 * text/event-stream; SV issue #6470, fixed in CORE PR #160704), see homeassistant-addon.md §5.
 */
export const liveRoutes: FastifyPluginCallback<LiveRoutesOptions> = (app, opts, done) => {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;

  const upgrade = {
    websocket: true,
    config: { acceptsUpgrade: true } satisfies UpgradeRouteConfig,
    // an unknown `?meter=` is refused before the upgrade (404 METER_UNKNOWN), like the HTTP routes
    preValidation: (req: FastifyRequest, reply: FastifyReply, next: () => void) => {
      if (opts.meters.select(req.query)) next();
      else void opts.meters.refuse(req, reply);
    },
  } as const;
  app.get('/ws', upgrade, (socket: WebSocket, req) => {
    const source = opts.meters.select(req.query)!.source;
    const send = (message: LiveMessage): void => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > maxBuffered) {
        req.log.warn('live socket: client too slow, closing');
        socket.close(CLOSE_TRY_AGAIN, 'client too slow');
        return;
      }
      socket.send(JSON.stringify(message), { compress: socket.bufferedAmount < COMPRESS_BELOW_BYTES });
    };

    send({ type: 'snapshot', snapshot: source.snapshot() });
    const unsubscribe = source.subscribe(send);

    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const heartbeat = setInterval(() => {
      if (!alive) {
        req.log.debug('live socket: no pong, terminating');
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, heartbeatMs);
    heartbeat.unref();

    socket.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    socket.on('error', (err) => req.log.debug({ err }, 'live socket error'));
    // The panel sends nothing; ignore anything it does send.
  });
  done();
};
