/**
 * One DTO declaration, validated at run time (issue 12): the schemas of contract/dto.ts check what the routes
 * answer and what requests carry, and every 4xx/5xx of every route has the one error shape, logged once by the
 * web layer with its code.
 */
import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiErrorDto,
  FrameRecordDto,
  HealthDto,
  LiveMessage,
  SnapshotDto,
  TreeNodeDto,
  type FrameRecordDto as FrameRecord,
  type SnapshotDto as Snapshot,
} from '../../src/contract/dto.js';
import { createLogger, fastifyLogger } from '../../src/shared/logger.js';
import { HistoryStore } from '../../src/store/HistoryStore.js';
import { buildServer } from '../../src/web/server.js';
import { FakeLiveSource, fakeFrame, fakeHealth, fakeLive, fakeSnapshot, fakeSummary } from '../support/fakeLiveSource.js';

const checkError = Compile(ApiErrorDto);
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server over `source` whose log lines (level debug) are collected. */
function serve(source = new FakeLiveSource(), addonMode = false, withHistory = true, clock?: () => number) {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', sink: { write: (l) => lines.push(l.trimEnd().replace(/^\S+ /, '')) } });
  const history = new HistoryStore({ dir: null, log, timeZone: 'Europe/Vienna', clock: () => Date.parse('2026-12-03T09:00:00Z') });
  app = buildServer({
    meters: [{ id: 'meter', name: 'Meter', source, ...(withHistory ? { history } : {}) }],
    addonMode,
    uiDir: '/nonexistent',
    version: 't',
    logger: fastifyLogger(log.child('web'), 'debug'),
    ...(clock ? { clock } : {}),
  });
  return { app, lines };
}

/** A source whose answers are broken in a given way (a bug in the runtime the schemas must catch). */
class BrokenSource extends FakeLiveSource {
  constructor(private readonly breakSnapshot: (s: Snapshot) => unknown = (s) => s, private readonly brokenFrame: unknown = null) {
    super();
  }
  override snapshot(): Snapshot {
    return this.breakSnapshot(super.snapshot()) as Snapshot;
  }
  override frame(id: number): FrameRecord | null {
    return (this.brokenFrame as FrameRecord | null) ?? super.frame(id);
  }
}

describe('DTO schemas (contract/dto.ts)', () => {
  it('accept what the backend builds and refuse a wrong type, a missing field or a value outside an enum', () => {
    const snapshot = Compile(SnapshotDto);
    const snap = fakeSnapshot();
    expect(snapshot.Check(snap)).toBe(true);
    expect(snapshot.Check({ ...snap, live: { ...snap.live, netPowerW: '700' } })).toBe(false);
    const { version: _dropped, ...noVersion } = snap;
    expect(snapshot.Check(noVersion)).toBe(false);
    const health = Compile(HealthDto);
    expect(health.Check({ ...snap.health, status: { ...snap.health.status, id: 'fine' } })).toBe(false);
    expect(health.Check({ ...snap.health, counters: { ...snap.health.counters, errors: { FRAME_CHECKSUM: 1.5 } } })).toBe(false);
  });

  it('check the A-XDR tree at every depth (the recursive schema)', () => {
    const tree = Compile(TreeNodeDto);
    const leaf = { type: 'uint32', num: 12937, value: 12937, unit: 'Wh' };
    expect(tree.Check({ type: 'structure(2)', children: [{ type: 'structure(1)', children: [leaf] }] })).toBe(true);
    expect(tree.Check({ type: 'structure(2)', children: [{ type: 'structure(1)', children: [{ ...leaf, num: '12937' }] }] })).toBe(false);
    expect(Compile(FrameRecordDto).Check(fakeFrame(1, Date.now(), true))).toBe(true);
  });

  it('describe every live WebSocket message', () => {
    const message = Compile(LiveMessage);
    const now = Date.now();
    const health = fakeHealth(now);
    expect(message.Check({ type: 'snapshot', snapshot: fakeSnapshot() })).toBe(true);
    expect(message.Check({ type: 'push', frame: fakeSummary(3, now, true), live: fakeLive('X1', 700, 0, now), point: null, counters: health.counters })).toBe(true);
    expect(message.Check({ type: 'health', health })).toBe(true);
    expect(message.Check({ type: 'push', frame: fakeSummary(3, now, true), point: null })).toBe(false);
    expect(message.Check({ type: 'gossip', health })).toBe(false);
  });
});

describe('answers are validated against their DTO schema', () => {
  it('an answer with a wrong type fails with 500 SERVER_ERROR instead of reaching the panel, logged once with the field', async () => {
    const { app, lines } = serve(new BrokenSource((s) => ({ ...s, live: { ...s.live, netPowerW: 'a lot' } })));
    const res = await app.inject({ url: '/api/snapshot' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal Server Error', code: 'SERVER_ERROR' });
    expect(res.body).not.toContain('a lot');
    const logged = lines.filter((l) => l.includes('/api/snapshot'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^ERROR \[web\] GET \/api\/snapshot 500 SERVER_ERROR: RESPONSE_INVALID response 200 does not match its schema: \/live\/netPowerW /);
  });

  it('a value outside its enum, or a missing field, fails too (fast-json-stringify alone would send it)', async () => {
    const unknownStatus = serve(new BrokenSource((s) => ({ ...s, health: { ...s.health, status: { ...s.health.status, id: 'fine' } } })));
    expect((await unknownStatus.app.inject({ url: '/api/snapshot' })).statusCode).toBe(500);
    await unknownStatus.app.close();
    const frame = fakeFrame(5, Date.now(), true);
    const { raw: _raw, ...noRaw } = frame;
    const missing = serve(new BrokenSource(undefined, noRaw));
    const res = await missing.app.inject({ url: '/api/frames/5' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal Server Error', code: 'SERVER_ERROR' });
    expect(missing.lines.join('\n')).toMatch(/GET \/api\/frames\/5 500 SERVER_ERROR: .*must have required properties raw/);
    // the same failing route for other ids: tracked per route pattern, so no further error line
    for (const id of [6, 7, 8]) expect((await missing.app.inject({ url: `/api/frames/${id}` })).statusCode).toBe(500);
    expect(missing.lines.filter((l) => l.startsWith('ERROR') && l.includes('/api/frames/'))).toHaveLength(1);
    expect(missing.lines.filter((l) => l.startsWith('DEBUG') && /\/api\/frames\/[678] 500 SERVER_ERROR/.test(l))).toHaveLength(3);
  });

  it('a correct answer passes unchanged', async () => {
    const snap = fakeSnapshot();
    const { app } = serve(new FakeLiveSource(snap));
    const res = await app.inject({ url: '/api/snapshot' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(snap)));
  });
});

describe('one error shape for every route', () => {
  const failures: [string, { method?: 'GET' | 'POST'; url: string; payload?: string; headers?: Record<string, string> }, number, object][] = [
    ['history: query out of range', { url: '/api/history?hours=100000' }, 400, { error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'hours' } }],
    ['history: query not a number', { url: '/api/history?days=many' }, 400, { error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'days' } }],
    ['frames: id no number', { url: '/api/frames/abc' }, 400, { error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'id' } }],
    ['frames: evicted push', { url: '/api/frames/999' }, 404, { error: 'Not Found', code: 'FRAME_GONE', params: { id: 999 } }],
    ['test-key: body no JSON', { method: 'POST', url: '/api/test-key', payload: '{"key":', headers: { 'content-type': 'application/json' } }, 400, { error: 'Bad Request', code: 'REQUEST_INVALID' }],
    ['test-key: body of another type', { method: 'POST', url: '/api/test-key', payload: 'key=1', headers: { 'content-type': 'text/csv' } }, 415, { error: 'Unsupported Media Type', code: 'REQUEST_INVALID' }],
    ['test-key: key no text', { method: 'POST', url: '/api/test-key', payload: '{"key":{"hex":"00"}}', headers: { 'content-type': 'application/json' } }, 400, { error: 'Bad Request', code: 'REQUEST_INVALID', params: { field: 'key' } }],
    ['unknown route', { url: '/api/nope' }, 404, { error: 'Not Found', code: 'NOT_FOUND' }],
  ];

  it.each(failures)('%s', async (_name, request, status, body) => {
    const { app, lines } = serve();
    const res = await app.inject(request);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(body);
    expect(checkError.Check(res.json())).toBe(true);
    // logged once, by the web layer, with the code (a 4xx at debug: the panel polls)
    const path = request.url.split('?')[0]!;
    const logged = lines.filter((l) => l.includes(` ${path} `));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^DEBUG \\[web\\] ${request.method ?? 'GET'} ${path.replace(/\//g, '\\/')} ${status} ${(body as { code: string }).code}\\b`));
  });

  it('a route with no history, an unknown meter and a foreign address answer in the same shape', async () => {
    const none = serve(new FakeLiveSource(), false, false);
    const notKept = await none.app.inject({ url: '/api/history' });
    expect(notKept.json()).toEqual({ error: 'Not Found', code: 'HISTORY_NOT_KEPT', params: { meter: 'meter' } });
    const unknown = await none.app.inject({ url: '/api/history?meter=garage' });
    expect(unknown.json()).toEqual({ error: 'Not Found', code: 'METER_UNKNOWN', params: { meter: 'garage' }, meters: ['meter'] });
    for (const res of [notKept, unknown]) expect(checkError.Check(res.json())).toBe(true);
    await none.app.close();

    const guarded = serve(new FakeLiveSource(), true);
    const foreign = await guarded.app.inject({ url: '/api/snapshot', remoteAddress: '192.168.1.50' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toEqual({ error: 'Forbidden', code: 'INGRESS_ONLY' });
  });

  it('an error thrown inside a route answers 500 SERVER_ERROR, its message only in the log (once, at error)', async () => {
    class Failing extends FakeLiveSource {
      override capture(): string {
        throw new Error('ring buffer gone');
      }
    }
    const { app, lines } = serve(new Failing());
    const res = await app.inject({ url: '/api/capture' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal Server Error', code: 'SERVER_ERROR' });
    expect(res.body).not.toContain('ring buffer');
    const logged = lines.filter((l) => l.includes('/api/capture'));
    expect(logged).toEqual([expect.stringMatching(/^ERROR \[web\] GET \/api\/capture 500 SERVER_ERROR: ring buffer gone \(\d+ ms\)$/)]);
  });

  it('a route that keeps failing logs one error line, then a summary at most every 10 min, and its recovery once', async () => {
    let broken = true;
    class Flaky extends FakeLiveSource {
      override capture(): string {
        if (broken) throw new Error('ring buffer gone');
        return super.capture();
      }
    }
    let now = Date.parse('2026-12-03T09:00:00Z');
    const { app, lines } = serve(new Flaky(), false, true, () => now);
    const errors = () => lines.filter((l) => !l.startsWith('DEBUG') && l.includes('/api/capture'));
    // a panel polling every 5 s for 15 minutes: 180 failed requests
    for (let i = 0; i < 180; i++) {
      expect((await app.inject({ url: '/api/capture' })).statusCode).toBe(500);
      now += 5000;
    }
    expect(errors()).toEqual([
      expect.stringMatching(/^ERROR \[web\] GET \/api\/capture 500 SERVER_ERROR: ring buffer gone \(\d+ ms\)$/),
      'ERROR [web] GET /api/capture 500 SERVER_ERROR: ring buffer gone (120 more in the last 10 min)',
    ]);
    // every other one is still there at debug
    expect(lines.filter((l) => l.startsWith('DEBUG') && l.includes('/api/capture 500 SERVER_ERROR'))).toHaveLength(178);
    broken = false;
    expect((await app.inject({ url: '/api/capture' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/capture' })).statusCode).toBe(200);
    expect(errors().slice(2)).toEqual(['INFO  [web] GET /api/capture answers again after 180 failed requests over 15 min']);
  });
});
