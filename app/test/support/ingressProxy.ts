/**
 * A tiny stand-in for Home Assistant's ingress chain (Core `/api/hassio_ingress/<token>/…` → Supervisor → app), for
 * browser tests. Like the real one it strips the prefix, sets X-Ingress-Path / X-Hass-Source, drops Accept-Encoding
 * (Core compresses at the border) and forwards WebSocket upgrades. It connects to the backend over loopback, which
 * the add-on's ingress guard allows. See docs/homeassistant-addon.md §5.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface IngressProxy {
  /** Panel URL as the HA frontend opens it, with a trailing slash: http://127.0.0.1:<port>/api/hassio_ingress/<token>/ */
  readonly url: string;
  readonly prefix: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function forwardHeaders(headers: IncomingHttpHeaders, prefix: string, host: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  delete out['accept-encoding'];
  out['x-ingress-path'] = prefix;
  out['x-hass-source'] = 'core.ingress';
  out['x-forwarded-for'] = '192.168.1.23';
  out['x-forwarded-host'] = host;
  out['x-forwarded-proto'] = 'http';
  return out;
}

/** Starts the proxy on 127.0.0.1 (random port) in front of the backend at 127.0.0.1:`backendPort`. */
export async function startIngressProxy(backendPort: number, token = 'e2eTok3n_abcdefghijklmnopqrstuvwxyz'): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${token}`;
  const sockets = new Set<Socket>();

  const strip = (url: string | undefined): string | null => {
    if (!url?.startsWith(prefix)) return null;
    const rest = url.slice(prefix.length);
    if (rest === '') return '/';
    if (rest.startsWith('/')) return rest;
    if (rest.startsWith('?')) return `/${rest}`;
    return null;
  };

  const server: Server = createServer((req, res) => {
    const path = strip(req.url);
    if (path === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not an ingress path');
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: backendPort,
        method: req.method,
        path,
        headers: forwardHeaders(req.headers, prefix, req.headers.host ?? ''),
      },
      (up) => {
        const headers = { ...up.headers };
        for (const h of HOP_BY_HOP) delete headers[h];
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`ingress proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req, client: Socket, head: Buffer) => {
    const path = strip(req.url);
    if (path === null) {
      client.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const backend = connect(backendPort, '127.0.0.1', () => {
      const headers = forwardHeaders(req.headers, prefix, req.headers.host ?? '');
      headers.connection = 'Upgrade';
      headers.upgrade = req.headers.upgrade ?? 'websocket';
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) {
        for (const value of Array.isArray(v) ? v : [v]) if (value !== undefined) lines.push(`${k}: ${value}`);
      }
      backend.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) backend.write(head);
      backend.pipe(client);
      client.pipe(backend);
    });
    sockets.add(client).add(backend);
    const cleanup = (): void => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    backend.on('error', cleanup).on('close', cleanup);
    client.on('error', cleanup).on('close', cleanup);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}/`,
    prefix,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
