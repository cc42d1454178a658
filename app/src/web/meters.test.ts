/**
 * Several meters in the web layer: GET api/meters (overview) and `?meter=<id>` on every API route and the
 * WebSocket, the first meter by default, 404 `METER_UNKNOWN` for an id that names no meter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Condition } from '../../test/support/condition.js';
import { FakeLiveSource, fakeSnapshot, fakeSummary } from '../../test/support/fakeLiveSource.js';
import type { LiveMessage, MetersDto, SnapshotDto } from '../contract/dto.js';
import { buildServer } from './server.js';

let uiDir: string;
let app: FastifyInstance | undefined;
beforeAll(() => {
  uiDir = mkdtempSync(join(tmpdir(), 'smr-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>panel</title>');
});
afterAll(() => rmSync(uiDir, { recursive: true, force: true }));
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function withPower(meterId: string, importW: number, exportW: number, status: SnapshotDto['health']['status']['id']): SnapshotDto {
  const s = fakeSnapshot({ meterId });
  return {
    ...s,
    live: { ...s.live, netPowerW: importW - exportW },
    health: { ...s.health, status: { ...s.health.status, id: status, code: status === 'ok' ? null : 'port_missing' } },
  };
}

function twoMeters() {
  const house = new FakeLiveSource(withPower('HOUSE-1', 523, 0, 'ok'), '# house\n');
  const heat = new FakeLiveSource(withPower('HEAT-2', 0, 1200, 'port_missing'), '# heat pump\n');
  app = buildServer({
    meters: [
      { id: 'meter', name: 'Meter', source: house },
      { id: 'heat_pump', name: 'Heat pump', source: heat },
    ],
    addonMode: false,
    uiDir,
    version: 'test',
    heartbeatMs: 50,
  });
  return { app, house, heat };
}

describe('several meters over HTTP', () => {
  it('GET api/meters lists every meter with its status and power, the default first', async () => {
    const { app } = twoMeters();
    const res = await app.inject({ url: '/api/meters' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((res.json() as MetersDto).meters).toEqual([
      { id: 'meter', name: 'Meter', status: 'ok', code: null, powerW: 523, receivedAt: expect.any(String) },
      { id: 'heat_pump', name: 'Heat pump', status: 'port_missing', code: 'port_missing', powerW: -1200, receivedAt: expect.any(String) },
    ]);
  });

  it('?meter= selects the meter of snapshot, capture and test-key; without it the first meter answers', async () => {
    const { app, heat } = twoMeters();
    const meterIdOf = async (url: string) => ((await app.inject({ url })).json() as SnapshotDto).live.meter?.id;
    expect(await meterIdOf('/api/snapshot')).toBe('HOUSE-1');
    expect(await meterIdOf('/api/snapshot?meter=meter')).toBe('HOUSE-1');
    expect(await meterIdOf('/api/snapshot?meter=heat_pump')).toBe('HEAT-2');
    expect((await app.inject({ url: '/api/capture?meter=heat_pump' })).body).toBe('# heat pump\n');
    expect((await app.inject({ url: '/api/capture' })).body).toBe('# house\n');
    const tested = await app.inject({ method: 'POST', url: '/api/test-key?meter=heat_pump', payload: { key: '36C66639E48A8CA4D6BC8B282A793BBB' } });
    expect(tested.statusCode).toBe(200);
    expect(heat.testedKeys).toEqual(['36c66639e48a8ca4d6bc8b282a793bbb']);
  });

  it('an unknown meter id is 404 METER_UNKNOWN with the known ids, never another meter’s data', async () => {
    const { app } = twoMeters();
    for (const url of ['/api/snapshot?meter=barn', '/api/capture?meter=barn', '/api/snapshot?meter=meter&meter=heat_pump']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'METER_UNKNOWN', params: { meter: expect.any(String) }, meters: ['meter', 'heat_pump'] });
      expect(res.body).not.toContain('HOUSE-1');
    }
    const post = await app.inject({ method: 'POST', url: '/api/test-key?meter=barn', payload: { key: '36C66639E48A8CA4D6BC8B282A793BBB' } });
    expect(post.statusCode).toBe(404);
  });

  it('a single-meter server (source only) has one meter called Meter', async () => {
    app = buildServer({ source: new FakeLiveSource(), addonMode: false, uiDir, version: 'test' });
    const res = await app.inject({ url: '/api/meters' });
    expect((res.json() as MetersDto).meters.map((m) => [m.id, m.name])).toEqual([['meter', 'Meter']]);
  });
});

describe('several meters over the WebSocket', () => {
  // messages re-check what a test waits for (no sleeps)
  const changes = new Condition();
  const until = (cond: () => boolean): Promise<void> => changes.until(cond);

  it('ws?meter= streams that meter only; ws streams the first', async () => {
    const { app, house, heat } = twoMeters();
    await app.ready();
    const collect = (url: string) =>
      new Promise<LiveMessage[]>((resolve, reject) => {
        const got: LiveMessage[] = [];
        const onMessage = (d: unknown) => {
          got.push(JSON.parse(String(d)) as LiveMessage);
          changes.changed();
        };
        app.injectWS(url, {}, { onInit: (s) => s.on('message', onMessage) }).then(() => resolve(got), reject);
      });
    const heatMessages = await collect('/ws?meter=heat_pump');
    const houseMessages = await collect('/ws');
    await until(() => heatMessages.length >= 1 && houseMessages.length >= 1);
    expect(heat.subscriberCount).toBe(1);
    expect(house.subscriberCount).toBe(1);
    const first = heatMessages[0]!;
    expect(first.type === 'snapshot' && first.snapshot.live.meter?.id).toBe('HEAT-2');
    heat.emit({ type: 'health', health: fakeSnapshot().health });
    await until(() => heatMessages.length >= 2);
    // a barrier instead of a pause: a message to the first meter after the heat pump's. Had the heat pump's reached
    // the first meter's socket, it would stand before the barrier there (one socket delivers in order).
    house.emit({ type: 'frame', frame: fakeSummary(9, Date.now(), true), counters: fakeSnapshot().health.counters });
    await until(() => houseMessages.length >= 2);
    expect(houseMessages.map((m) => m.type)).toEqual(['snapshot', 'frame']);
  });

  it('refuses ws?meter=<unknown> before the upgrade', async () => {
    const { app, house, heat } = twoMeters();
    await app.ready();
    await expect(app.injectWS('/ws?meter=barn')).rejects.toThrow(/404/);
    expect(house.subscriberCount + heat.subscriberCount).toBe(0);
  });
});
