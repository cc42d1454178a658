/** Plausibility guards: what would be a bogus value on MQTT is dropped, a real meter swap is accepted. */
import { describe, expect, it } from 'vitest';
import { PlausibilityGuard } from '../../src/pipeline/guards.js';

const readings = (wh: number, extra: Record<string, number> = {}) => ({
  '1-0:1.8.0': { value: wh, unit: 'Wh' },
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { value: v }])),
});

describe('PlausibilityGuard', () => {
  it('accepts a rising counter', () => {
    const g = new PlausibilityGuard();
    expect(g.check(readings(1000), 0).ok).toBe(true);
    expect(g.check(readings(1001), 5000).ok).toBe(true);
  });

  it('never accepts a drop to zero and accepts a decrease only after it persists', () => {
    const g = new PlausibilityGuard({ decreaseConfirmations: 3 });
    expect(g.check(readings(5_000_000), 0).ok).toBe(true);
    expect(g.check(readings(0), 5000)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    expect(g.check(readings(0), 10_000).ok).toBe(false);
    expect(g.check(readings(0), 15_000).ok).toBe(false);
    expect(g.check(readings(0), 20_000).ok).toBe(false);
    // a new meter with a lower but real counter: accepted on the third push in a row
    expect(g.check(readings(120), 25_000).ok).toBe(false);
    expect(g.check(readings(121), 30_000).ok).toBe(false);
    expect(g.check(readings(121), 35_000).ok).toBe(true);
    expect(g.check(readings(122), 40_000).ok).toBe(true);
  });

  it('rejects energy growing faster than any household connection allows', () => {
    const g = new PlausibilityGuard();
    g.check(readings(1_000_000), 0);
    expect(g.check(readings(1_100_000), 5000)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    expect(g.check(readings(1_000_100), 5000).ok).toBe(true);
  });

  it('rejects out-of-range voltage, current and power, but accepts an unused phase at 0 V', () => {
    const g = new PlausibilityGuard();
    expect(g.check(readings(1, { '1-0:32.7.0': 2337 }), 0)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_RANGE' });
    expect(g.check(readings(1, { '1-0:31.7.0': 655.35 }), 0).ok).toBe(false);
    expect(g.check(readings(1, { '1-0:1.7.0': 4_000_000 }), 0).ok).toBe(false);
    expect(g.check(readings(1, { '1-0:32.7.0': 233.7, '1-0:52.7.0': 0, '1-0:72.7.0': 0 }), 0).ok).toBe(true);
  });
});
