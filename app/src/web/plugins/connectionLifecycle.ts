import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { sendApiError } from '../apiErrors.js';

export interface ConnectionLifecycleOptions {
  /** On close: sockets still open this long after the WebSocket close frames went out are destroyed. Default 300 ms. */
  readonly closeGraceMs?: number;
}

/** Route config flag of the routes that accept a WebSocket upgrade (the live route). */
export interface UpgradeRouteConfig {
  readonly acceptsUpgrade?: boolean;
}

const DEFAULT_CLOSE_GRACE_MS = 300;

/** Node's parser sets `upgrade` on a request it hands to the server's 'upgrade' event (not in @types/node 20). */
function isUpgrade(raw: IncomingMessage): boolean {
  return (raw as IncomingMessage & { upgrade?: boolean }).upgrade === true;
}

/**
 * Owns every TCP connection of the server, so none outlives it (the add-on runs for months, and the Supervisor
 * kills it 10 s after SIGTERM):
 * - An upgrade request arrives on a socket that Node's HTTP server no longer manages. When it is answered with a
 *   plain response instead of `101` (the ingress guard's 403, a path without a WebSocket route: 404), nothing would
 *   ever close that socket: the peer's FIN left it in CLOSE-WAIT for good. Such a response carries
 *   `Connection: close` and the socket is ended as soon as the response is written.
 * - An upgrade to a route that has no WebSocket handler (e.g. the static files' wildcard) is refused with 404
 *   rather than upgraded and closed again.
 * - On close, sockets that are still open after the WebSocket close handshake had `closeGraceMs` are destroyed, so
 *   a client that never answers the close frame cannot hold the shutdown.
 * Registered after the ingress guard: a foreign peer gets 403 before anything else is looked at.
 */
const connectionLifecyclePlugin: FastifyPluginCallback<ConnectionLifecycleOptions> = (app, opts, done) => {
  const closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  app.server.on('connection', track);

  app.addHook('onRequest', (req, reply, next) => {
    if (isUpgrade(req.raw) && !(req.routeOptions.config as UpgradeRouteConfig | undefined)?.acceptsUpgrade) {
      void sendApiError(reply, 404, 'NOT_FOUND');
      return;
    }
    next();
  });
  app.addHook('onSend', (req, reply, payload, next) => {
    if (isUpgrade(req.raw)) void reply.header('connection', 'close');
    next(null, payload);
  });
  app.addHook('onResponse', (req, _reply, next) => {
    // Reached only when the upgrade was refused: an accepted upgrade is hijacked and never gets here.
    if (isUpgrade(req.raw)) req.raw.socket.destroySoon();
    next();
  });

  let forceTimer: NodeJS.Timeout | null = null;
  app.addHook('preClose', (next) => {
    forceTimer = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, closeGraceMs);
    next();
  });
  app.addHook('onClose', (_instance, next) => {
    if (forceTimer) clearTimeout(forceTimer);
    forceTimer = null;
    app.server.off('connection', track);
    next();
  });
  done();
};

export const connectionLifecycle = fp(connectionLifecyclePlugin, { name: 'smr-connection-lifecycle', fastify: '5.x' });
