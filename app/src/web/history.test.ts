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
    const app = buildServer({ meters: [{ id: 'meter', name: 'Meter', source: new FakeLiveSource(), history }], addonMode: false, uiDir: '/nonexistent', version: 't' });
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

  it('answers for the meter named by ?meter=, and with codes where there is no such meter or no history', async () => {
    const log = createLogger({ level: 'error', sink: { write: () => {} } });
    const now = Date.parse('2026-12-03T09:00:00Z');
    const house = new HistoryStore({ dir: null, log, timeZone: 'Europe/Vienna', clock: () => now });
    const heatPump = new HistoryStore({ dir: null, log, timeZone: 'Europe/Vienna', clock: () => now });
    house.add({ t: now - 30 * 60_000, identity: 'a', importWh: 1000, exportWh: 0, netW: 500 });
    house.add({ t: now, identity: 'a', importWh: 1100, exportWh: 0, netW: 500 });
    heatPump.add({ t: now - 30 * 60_000, identity: 'b', importWh: 5000, exportWh: 0, netW: 2000 });
    heatPump.add({ t: now, identity: 'b', importWh: 6000, exportWh: 0, netW: 2000 });
    const app = buildServer({
      meters: [
        { id: 'meter', name: 'House', source: new FakeLiveSource(), history: house },
        { id: 'heat_pump', name: 'Heat pump', source: new FakeLiveSource(), history: heatPump },
        { id: 'barn', name: 'Barn', source: new FakeLiveSource() },
      ],
      addonMode: false,
      uiDir: '/nonexistent',
      version: 't',
    });
    const lastHour = async (query: string) => (await app.inject({ method: 'GET', url: `/api/history?hours=2${query}` })).json().hours[0].importWh;
    expect(await lastHour('')).toBe(100);
    expect(await lastHour('&meter=meter')).toBe(100);
    expect(await lastHour('&meter=heat_pump')).toBe(1000);
    const unknown = await app.inject({ method: 'GET', url: '/api/history?meter=garage' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'METER_UNKNOWN', params: { meter: 'garage' } });
    const none = await app.inject({ method: 'GET', url: '/api/history?meter=barn' });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'HISTORY_NOT_KEPT', params: { meter: 'barn' } });
    await app.close();
  });
});
