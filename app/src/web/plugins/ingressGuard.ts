import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { sendApiError } from '../apiErrors.js';

/**
 * Socket addresses served in add-on mode: the Supervisor's ingress proxy (172.30.32.2, `DOCKER_IPV4_NETWORK_MASK[2]`
 * of 172.30.32.0/23) and loopback for the Docker HEALTHCHECK. IPv4 peers appear as `::ffff:a.b.c.d` when the server
 * listens on `::`. See docs/homeassistant-addon.md §5: "Only connections from 172.30.32.2 must be allowed".
 */
export const INGRESS_ALLOWED_ADDRESSES: ReadonlySet<string> = new Set([
  '172.30.32.2',
  '::ffff:172.30.32.2',
  '127.0.0.1',
  '::1',
  '::ffff:127.0.0.1',
]);

export interface IngressGuardOptions {
  /** When false the guard lets every address through (standalone / development). */
  readonly enabled: boolean;
  /** Addresses to allow; default INGRESS_ALLOWED_ADDRESSES. */
  readonly allowed?: ReadonlySet<string>;
}

/** True when a peer with this socket address may be served. */
export function isAllowedPeer(address: string | undefined, allowed = INGRESS_ALLOWED_ADDRESSES): boolean {
  return address !== undefined && allowed.has(address);
}

/**
 * Refuses (403) every request whose TCP peer is not the ingress proxy or loopback. Uses the socket address only:
 * `X-Forwarded-For` is set by whoever connects and proves nothing. Wrapped in fastify-plugin on purpose so the
 * hook covers every route, the static UI and the WebSocket upgrade.
 */
const ingressGuardPlugin: FastifyPluginCallback<IngressGuardOptions> = (app, opts, done) => {
  if (opts.enabled) {
    const allowed = opts.allowed ?? INGRESS_ALLOWED_ADDRESSES;
    app.addHook('onRequest', (req, reply, next) => {
      // `socket` can be absent on synthetic requests (injectWS); that counts as not allowed.
      const address = (req.raw.socket as typeof req.raw.socket | undefined)?.remoteAddress;
      if (isAllowedPeer(address, allowed)) {
        next();
        return;
      }
      req.log.warn({ address }, 'ingress guard: refused request from a non-ingress address');
      // the one error shape: only Home Assistant ingress (and loopback) may use this panel
      void sendApiError(reply, 403, 'INGRESS_ONLY');
    });
  }
  done();
};

export const ingressGuard = fp(ingressGuardPlugin, { name: 'smr-ingress-guard', fastify: '5.x' });
