import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Condition } from '../../test/support/condition.js';
import { FakeLiveSource, fakeHealth, fakeLive, fakeSnapshot, fakeSummary } from '../../test/support/fakeLiveSource.js';
import type { LiveMessage, SnapshotDto } from '../contract/dto.js';
import { buildServer } from './server.js';

let uiDir: string;
let app: FastifyInstance | undefined;

beforeAll(() => {
  uiDir = mkdtempSync(join(tmpdir(), 'smr-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  // Large and repetitive, so a compressing server would certainly compress it.
  writeFileSync(join(uiDir, 'index.html'), `<!doctype html><title>panel</title>${'<p>x</p>'.repeat(500)}`);
  writeFileSync(join(uiDir, 'assets', 'index-abc123.js'), `console.log(1);${' '.repeat(4000)}`);
});
afterAll(() => rmSync(uiDir, { recursive: true, force: true }));
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(source = new FakeLiveSource(), addonMode = true): FastifyInstance {
  app = buildServer({ source, addonMode, uiDir, version: '0.1.0-test', heartbeatMs: 50 });
  return app;
}

describe('ingress guard', () => {
  it('refuses a non-ingress socket address in add-on mode, even with X-Forwarded-For of the Supervisor', async () => {
    const res = await build().inject({
      url: '/api/snapshot',
      remoteAddress: '192.168.1.50',
      headers: { 'x-forwarded-for': '172.30.32.2' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('1KFM0200200000');
  });

  it('refuses the static panel too', async () => {
    const res = await build().inject({ url: '/', remoteAddress: '10.0.0.7' });
    expect(res.statusCode).toBe(403);
  });

  it.each(['172.30.32.2', '::ffff:172.30.32.2', '127.0.0.1', '::1', '::ffff:127.0.0.1'])(
    'serves %s in add-on mode',
    async (remoteAddress) => {
      const res = await build().inject({ url: '/api/health', remoteAddress });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    },
  );

  it('refuses a neighbour of the Supervisor address', async () => {
    const res = await build().inject({ url: '/api/health', remoteAddress: '172.30.32.3' });
    expect(res.statusCode).toBe(403);
  });

  it('allows any address when not in add-on mode', async () => {
    const res = await build(new FakeLiveSource(), false).inject({ url: '/api/snapshot', remoteAddress: '192.168.1.50' });
    expect(res.statusCode).toBe(200);
  });
});

describe('api', () => {
  it('GET api/snapshot returns the whole snapshot unchanged (the response schema lists every DTO field)', async () => {
    const snap = fakeSnapshot({ now: Date.UTC(2026, 0, 2, 3, 4, 5) });
    const res = await build(new FakeLiveSource(snap)).inject({ url: '/api/snapshot', remoteAddress: '172.30.32.2' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(snap)));
  });

  it('drops fields that are not in the schema (a key that slipped into a DTO never leaves)', async () => {
    const snap = fakeSnapshot();
    const leaky = {
      ...snap,
      key: '36C66639E48A8CA4D6BC8B282A793BBB',
      live: { ...snap.live, meter: { ...snap.live.meter, key: '36C66639E48A8CA4D6BC8B282A793BBB' } },
    } as unknown as SnapshotDto;
    const res = await build(new FakeLiveSource(leaky)).inject({ url: '/api/snapshot' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('36C66639');
    expect(res.json().live.meter.id).toBe('1KFM0200200000');
  });

  it('delivers a meter id with HTML in it as plain JSON data', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const res = await build(new FakeLiveSource(fakeSnapshot({ meterId: evil }))).inject({ url: '/api/snapshot' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().live.meter.id).toBe(evil);
  });

  it('GET api/capture is a text attachment', async () => {
    const res = await build(new FakeLiveSource(fakeSnapshot(), '# 1 push\n68FAFA68AB16\n')).inject({ url: '/api/capture' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="smart-meter-capture.hex"');
    expect(res.body).toBe('# 1 push\n68FAFA68AB16\n');
  });

  it('answers unknown api paths with 404 JSON', async () => {
    const res = await build().inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', code: 'NOT_FOUND' });
  });

  it('GET api/frames/:id returns one push with its details; the snapshot lists summaries only', async () => {
    const snap = fakeSnapshot();
    const server = build(new FakeLiveSource(snap));
    const listed = (await server.inject({ url: '/api/snapshot' })).json() as SnapshotDto;
    expect(listed.frames[0]).toEqual(JSON.parse(JSON.stringify(snap.frames[0])));
    expect(listed.frames[0]).not.toHaveProperty('blocks');
    expect(listed.frames[0]).not.toHaveProperty('raw');
    const res = await server.inject({ url: `/api/frames/${snap.frames[0]!.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const frame = res.json();
    expect(frame).toMatchObject({ id: snap.frames[0]!.id, ok: true, raw: expect.stringMatching(/^68FAFA68/) });
    expect(frame.blocks[0].title).toEqual({ code: 'block_mbus', params: { index: 1, count: 1 } });
    expect(frame.tree.children[1]).toMatchObject({ num: 12937, value: 12937, unit: 'Wh' });
  });

  it('GET api/frames/:id answers 404 FRAME_GONE for an evicted push and refuses ids that are no number', async () => {
    const gone = await build().inject({ url: '/api/frames/999' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ error: 'Not Found', code: 'FRAME_GONE', params: { id: 999 } });
    const bad = await app!.inject({ url: '/api/frames/abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'REQUEST_INVALID' });
  });
});

describe('no compression', () => {
  it.each(['/', '/api/snapshot', '/assets/index-abc123.js', '/api/capture'])(
    '%s has no content-encoding even with Accept-Encoding: gzip',
    async (url) => {
      const res = await build().inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
    },
  );

  it('serves index.html for / and caches hashed assets', async () => {
    const index = await build().inject({ url: '/' });
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>panel</title>');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await app!.inject({ url: '/assets/index-abc123.js' });
    expect(asset.headers['cache-control']).toContain('immutable');
  });
});

describe('live WebSocket', () => {
  // socket events re-check what a test waits for (no sleeps): messages, pings, closes, subscribers coming and going
  const changes = new Condition();
  const until = (cond: () => boolean): Promise<void> => changes.until(cond);
  function collect(ws: import('ws').WebSocket): LiveMessage[] {
    const got: LiveMessage[] = [];
    ws.on('message', (data) => {
      got.push(JSON.parse(String(data)) as LiveMessage);
      changes.changed();
    });
    return got;
  }
  const fromSupervisor = { socket: { remoteAddress: '172.30.32.2' } } as never;

  it('sends the snapshot first, then forwards live messages, and unsubscribes on close', async () => {
    const source = new FakeLiveSource();
    const server = build(source);
    await server.ready();
    let got: LiveMessage[] = [];
    const ws = await server.injectWS('/ws', fromSupervisor, { onInit: (s) => (got = collect(s)) });
    await until(() => got.length >= 1);
    expect(got[0]?.type).toBe('snapshot');
    expect(source.subscriberCount).toBe(1);

    const now = Date.now();
    const health = fakeHealth(now);
    source.emit({ type: 'push', live: fakeLive('X1', 700, 0, now), frame: fakeSummary(3, now, true), point: { t: now, importW: 700, exportW: 0 }, counters: health.counters, health });
    source.emit({ type: 'health', health: fakeHealth(now, 2) });
    await until(() => got.length >= 3);
    expect(got.map((m) => m.type)).toEqual(['snapshot', 'push', 'health']);

    ws.terminate();
    await source.changes.until(() => source.subscriberCount === 0);
  });

  it('negotiates permessage-deflate with a client that offers it', async () => {
    const server = (app = buildServer({ source: new FakeLiveSource(), addonMode: false, uiDir, version: '0.1.0-test' }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as import('node:net').AddressInfo;
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: true });
    const first = await new Promise<LiveMessage>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as LiveMessage));
      ws.once('error', reject);
    });
    expect(ws.extensions).toMatch(/permessage-deflate/);
    expect(first.type).toBe('snapshot');
    ws.close();
  });

  it('refuses the upgrade from a foreign address in add-on mode', async () => {
    const source = new FakeLiveSource();
    const server = build(source);
    await server.ready();
    await expect(server.injectWS('/ws', { socket: { remoteAddress: '192.168.1.50' } } as never)).rejects.toThrow(/403/);
    expect(source.subscriberCount).toBe(0);
  });

  it('pings as a heartbeat and keeps a client that answers', async () => {
    const server = build();
    await server.ready();
    const ws = await server.injectWS('/ws', fromSupervisor);
    let pings = 0;
    // injectWS's client does not auto-pong, so answer by hand like a browser does.
    ws.on('ping', () => {
      pings++;
      ws.pong();
      changes.changed();
    });
    await until(() => pings >= 3);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.terminate();
  });

  it('terminates a client that stops answering pings, and unsubscribes it', async () => {
    const source = new FakeLiveSource();
    const server = build(source);
    await server.ready();
    const ws = await server.injectWS('/ws', fromSupervisor);
    let closed = false;
    ws.on('close', () => {
      closed = true;
      changes.changed();
    });
    await until(() => closed);
    await source.changes.until(() => source.subscriberCount === 0);
  });
});

describe('lifecycle on a real socket', () => {
  const openResources = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r.startsWith('TCP'));

  it('close() ends a client that never answers the close frame and leaves no socket, timer or subscription', async () => {
    const before = openResources();
    const source = new FakeLiveSource();
    // the default heartbeat (25 s): the short one of build() would end the mute client by itself
    const server = (app = buildServer({ source, addonMode: false, uiDir, version: '0.1.0-test' }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as import('node:net').AddressInfo;
    const mute = (await import('node:net')).connect({ host: '127.0.0.1', port });
    const muteClosed = new Promise<void>((resolve) => mute.once('close', () => resolve()));
    mute.on('error', () => {});
    const upgraded = new Promise<string>((resolve) => mute.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    mute.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(await upgraded).toMatch(/^HTTP\/1.1 101/);
    expect(source.subscriberCount).toBe(1);
    // the raw socket never answers the close frame (ws alone would wait 30 s for it)

    // ws alone would hold the socket (and so close()) for its 30 s close timeout; the server cuts it after 300 ms
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      server.close().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ]);
    clearTimeout(timer);
    expect(closed, 'close() waited for the mute client').toBe(true);
    app = undefined;
    await muteClosed;
    await source.changes.until(() => source.subscriberCount === 0);
    expect(source.subscriberCount).toBe(0);
    expect(openResources().length).toBeLessThanOrEqual(before.length);
  });
});

describe('POST api/test-key', () => {
  const KEY = '36C66639E48A8CA4D6BC8B282A793BBB';

  it('hands the normalised key to the runtime and answers the result without the key', async () => {
    const source = new FakeLiveSource();
    const res = await build(source).inject({
      method: 'POST',
      url: '/api/test-key',
      remoteAddress: '172.30.32.2',
      payload: { key: `0x${KEY.slice(0, 16)} ${KEY.slice(16)}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tested: true, ok: true, values: 13 });
    expect(source.testedKeys).toEqual([KEY.toLowerCase()]);
    expect(res.body.toUpperCase()).not.toContain(KEY);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('rejects a malformed key with 400 and does not echo it', async () => {
    const source = new FakeLiveSource();
    const res = await build(source).inject({ method: 'POST', url: '/api/test-key', remoteAddress: '127.0.0.1', payload: { key: 'secret-but-short' } });
    expect(res.statusCode).toBe(400);
    // a code and the field for the panel to translate, no English sentence
    expect(res.json()).toEqual({ error: 'Bad Request', code: 'KEY_FORMAT', params: { field: 'key', digits: 32 } });
    expect(res.body).not.toContain('secret-but-short');
    expect(source.testedKeys).toEqual([]);
  });

  it('names a malformed authentication key, and answers schema violations with a code naming only the field', async () => {
    const source = new FakeLiveSource();
    const server = build(source);
    const auth = await server.inject({ method: 'POST', url: '/api/test-key', remoteAddress: '127.0.0.1', payload: { key: KEY, authKey: 'nope' } });
    expect(auth.json()).toEqual({ error: 'Bad Request', code: 'KEY_FORMAT', params: { field: 'authKey', digits: 32 } });
    const long = await server.inject({ method: 'POST', url: '/api/test-key', remoteAddress: '127.0.0.1', payload: { key: 'A'.repeat(300) } });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'key' } });
    expect(long.body).not.toContain('AAAA');
    const missing = await server.inject({ method: 'POST', url: '/api/test-key', remoteAddress: '127.0.0.1', payload: {} });
    expect(missing.json()).toEqual({ error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'key' } });
    expect(source.testedKeys).toEqual([]);
  });

  it('is behind the ingress guard like every route', async () => {
    const res = await build().inject({ method: 'POST', url: '/api/test-key', remoteAddress: '192.168.1.9', payload: { key: KEY } });
    expect(res.statusCode).toBe(403);
  });
});
