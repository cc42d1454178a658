/**
 * The judge's one verdict per decoded push and the limits it shares with the energy history (pure unit, fake
 * clock in ms). The guard's rules themselves are covered by test/runtime/guards.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ACCEPTED, DEFAULT_MAX_POWER_W, identityOf, maxRiseWh, physicalMaxPowerW, PlausibilityGuard } from '../../src/judge/guards.js';
import type { Readings } from '../../src/readings/readings.js';

const H = 3_600_000;

const push = (importWh: number, powerW = 300): Readings => ({
  '1-0:1.8.0': { value: importWh, unit: 'Wh' },
  '1-0:1.7.0': { value: powerW, unit: 'W' },
});

describe('one verdict per decoded push', () => {
  it('every accepted push gets the same shared verdict object (no allocation per push)', () => {
    const guard = new PlausibilityGuard();
    const verdicts = [guard.check(push(1000), 0, 'a'), guard.check(push(1001), 5000, 'a'), guard.check(push(1002), 10_000, 'a')];
    expect(verdicts).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    for (const v of verdicts) expect(v).toBe(ACCEPTED);
    expect(Object.isFrozen(ACCEPTED)).toBe(true);
  });

  it('a dropped push gets its code, an English detail for the log and parameters for the panel', () => {
    const guard = new PlausibilityGuard();
    guard.check(push(1000), 0, 'a');
    const v = guard.check(push(1000 + 1_000_000), 5000, 'a');
    expect(v).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP', params: { obis: '1-0:1.8.0', rise: 1_000_000, seconds: 5, unit: 'Wh' } });
    expect(v.ok === false && v.detail).toMatch(/^1-0:1\.8\.0 rose by 1000000 Wh in 5 s/);
  });

  it('the identity a push is judged under: meter number, else system title, else empty', () => {
    expect(identityOf({ id: '1KFM', systemTitle: '4B464D', manufacturer: 'KFM', manufacturerName: 'Kaifa' })).toBe('1KFM');
    expect(identityOf({ id: null, systemTitle: '4B464D', manufacturer: 'KFM', manufacturerName: 'Kaifa' })).toBe('4B464D');
    expect(identityOf({ id: null, systemTitle: null, manufacturer: null, manufacturerName: null })).toBe('');
  });
});

describe('the connection limits (shared with the energy history)', () => {
  it('the physical maximum is the rating plus 50 % fuse overload; default 3 × 230 V × 63 A', () => {
    expect(physicalMaxPowerW()).toBe(DEFAULT_MAX_POWER_W * 1.5);
    expect(physicalMaxPowerW(11_040)).toBe(16_560);
  });

  it('the guard checks power readings against the same maximum (above 100 kW only when the connection allows it)', () => {
    const big = 100_000; // a 100 kW connection: 150 kW physical maximum
    const guard = new PlausibilityGuard({ maxPowerW: big });
    expect(guard.check({ '1-0:1.7.0': { value: physicalMaxPowerW(big) - 1, unit: 'W' } }, 0).ok).toBe(true);
    expect(guard.check({ '1-0:1.7.0': { value: physicalMaxPowerW(big) + 1, unit: 'W' } }, 1000)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_RANGE' });
  });

  it('the largest rise without power readings: the physical maximum over the time plus one whole-kWh register step', () => {
    expect(maxRiseWh(0)).toBe(1010);
    expect(maxRiseWh(H)).toBeCloseTo(DEFAULT_MAX_POWER_W * 1.5 + 1010, 6);
    expect(maxRiseWh(H / 2, 11_040)).toBeCloseTo(16_560 / 2 + 1010, 6);
  });

  it('across a gap of more than a minute the guard allows the same physical maximum that bounds the history', () => {
    const guard = new PlausibilityGuard({ maxPowerW: 11_040 });
    expect(guard.check(push(5_000_000), 0, 'a').ok).toBe(true);
    expect(guard.check(push(5_000_001), 5000, 'a').ok).toBe(true);
    const gap = 2 * H;
    const rise = Math.floor(maxRiseWh(gap, 11_040)) - 1010 - 1; // within the physical maximum, no register slack needed
    expect(guard.check(push(5_000_001 + rise), 5000 + gap, 'a').ok).toBe(true);
  });
});
