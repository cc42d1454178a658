/**
 * How the energy history is fed: it listens to the pipeline's `accepted` events (nothing else enters it) and judges a
 * rise against its own stored counter with the judge's limit (judge/guards.ts maxRiseWh). In memory, fake clock.
 */
import { describe, expect, it } from 'vitest';
import { maxRiseWh } from '../../src/judge/guards.js';
import { derivedOf } from '../../src/readings/normalise.js';
import type { AcceptedPush, PipelineListener } from '../../src/pipeline/events.js';
import { createLogger } from '../../src/shared/logger.js';
import { HistoryStore } from '../../src/store/HistoryStore.js';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const METER = { id: '100042424242', systemTitle: '4B464D6750004242', manufacturer: 'KFM', manufacturerName: 'Kaifa' };

const accepted = (t: number, importWh: number, powerW = 500): AcceptedPush => {
  const readings = { '1-0:1.8.0': { value: importWh, unit: 'Wh' }, '1-0:2.8.0': { value: 0, unit: 'Wh' }, '1-0:1.7.0': { value: powerW, unit: 'W' }, '1-0:2.7.0': { value: 0, unit: 'W' } };
  return { meter: METER, time: null, receivedAt: new Date(t), readings, derived: derivedOf(readings) };
};

function setup(maxPowerW?: number) {
  let now = T0;
  const lines: string[] = [];
  const store = new HistoryStore({ dir: null, log: createLogger({ level: 'debug', sink: { write: (l) => lines.push(l) } }), timeZone: 'Europe/Vienna', clock: () => now, ...(maxPowerW ? { maxPowerW } : {}) });
  // the store as the pipeline sees it: a listener of accepted pushes only
  const listener: PipelineListener = store;
  const feed = (t: number, wh: number) => {
    now = t;
    listener.accepted!(accepted(t, wh), undefined as never);
  };
  return { store, lines, feed };
}

describe('HistoryStore fed by accepted pushes', () => {
  it('books the energy between accepted pushes and the net power per minute', () => {
    const t = setup();
    t.feed(T0 + 10_000, 10_000);
    t.feed(T0 + 70_000, 10_050);
    const v = t.store.view();
    expect(v.hours.at(-1)).toMatchObject({ t: T0, importWh: 50, exportWh: 0 });
    expect(v.powerW.filter((w) => w !== null)).toEqual([500, 500]);
  });

  it('a rise beyond the judge’s maxRiseWh for the elapsed time starts a new series; one within it is booked', () => {
    const maxPowerW = 3 * 230 * 25;
    const gap = 10 * 60_000;
    const bound = maxRiseWh(gap, maxPowerW);
    const within = setup(maxPowerW);
    within.feed(T0, 10_000);
    within.feed(T0 + gap, 10_000 + Math.floor(bound));
    expect(within.store.view().hours.at(-1)?.importWh).toBe(Math.floor(bound));
    const beyond = setup(maxPowerW);
    beyond.feed(T0, 10_000);
    beyond.feed(T0 + gap, 10_000 + Math.ceil(bound) + 1);
    expect(beyond.store.view().hours.at(-1)?.importWh).toBeNull(); // nothing booked for that step
    expect(beyond.lines.some((l) => l.includes('more than the connection allows'))).toBe(true);
  });

  it('a push it cannot record is logged, never thrown back into the pipeline', () => {
    const t = setup();
    const broken = { ...accepted(T0, 1), receivedAt: null } as unknown as AcceptedPush;
    expect(() => t.store.accepted(broken)).not.toThrow();
    expect(t.lines.some((l) => l.includes('ERROR') && l.includes('energy history: push not recorded'))).toBe(true);
  });
});
