/** GET api/history through fastify inject(): schema, query limits, no prose, against a real in-memory store. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logger.js';
import { HistoryStore } from '../store/HistoryStore.js';
import { FakeLiveSource } from '../../test/support/fakeLiveSource.js';
import { buildServer } from './server.js';

describe('GET api/history', () => {
  it('answers with numbers and codes only, sized by the query', async () => {
    let now = Date.parse('2026-12-03T09:00:00Z');
    const history = new HistoryStore({ dir: null, log: createLogger({ level: 'error', sink: { write: () => {} } }), timeZone: 'Europe/Vienna', clock: () => now });
    history.add({ t: now, identity: 'm', importWh: 1000, exportWh: 0, netW: 600 });
    now += 30 * 60_000;
    history.add({ t: now, identity: 'm', importWh: 1300, exportWh: 0, netW: 600 });
    const app = buildServer({ source: new FakeLiveSource(), history, addonMode: false, uiDir: '/nonexistent', version: 't' });
    const res = await app.inject({ method: 'GET', url: '/api/history?hours=3&days=2&minutes=31' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['days', 'hours', 'now', 'powerStart', 'powerStepMs', 'powerW', 'problem', 'skippedRecords', 'storage', 'timeZone']);
    expect(body).toMatchObject({ storage: 'memory', problem: null, timeZone: 'Europe/Vienna', powerStepMs: 60_000 });
    expect(body.hours).toEqual([
      { t: Date.parse('2026-12-03T07:00:00Z'), importWh: null, exportWh: null },
      { t: Date.parse('2026-12-03T08:00:00Z'), importWh: null, exportWh: null },
      { t: Date.parse('2026-12-03T09:00:00Z'), importWh: 300, exportWh: 0 },
    ]);
    expect(body.days).toEqual([
      { date: '2026-12-02', importWh: null, exportWh: null },
      { date: '2026-12-03', importWh: 300, exportWh: 0 },
    ]);
    expect(body.powerW).toHaveLength(31);
    expect(body.powerW[0]).toBe(600);
    expect(body.powerW.at(-1)).toBe(600);
    expect((await app.inject({ method: 'GET', url: '/api/history?hours=100000' })).statusCode).toBe(400);
    await app.close();
  });
});
