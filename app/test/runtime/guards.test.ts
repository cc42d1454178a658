/**
 * Plausibility guards with a fake clock (ms): what would be a bogus value on MQTT is held back, no counter
 * ever goes backwards, a real meter swap (new identity) is accepted, and the guard never locks itself out.
 */
import { describe, expect, it } from 'vitest';
import type { Readings } from '../../src/readings/readings.js';
import { DEFAULT_MAX_POWER_W, PlausibilityGuard } from '../../src/judge/guards.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** A Netz NÖ-like push: import/export energy (Wh) and power (W), plus any extra readings. */
function push(importWh: number, powerW = 0, extra: Record<string, number | { value: number; unit: string }> = {}): Readings {
  return {
    '1-0:1.8.0': { value: importWh, unit: 'Wh' },
    '1-0:2.8.0': { value: 6_430_217, unit: 'Wh' },
    '1-0:1.7.0': { value: powerW, unit: 'W' },
    '1-0:2.7.0': { value: 0, unit: 'W' },
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, typeof v === 'number' ? { value: v } : v])),
  };
}

/**
 * A meter drawing `powerW` steadily, pushing every `everyMs`: yields [readings, at] with the counter advanced
 * by exactly the energy of the interval (the meter's own integer Wh).
 */
function* steady(startWh: number, startAt: number, powerW: number, everyMs: number, count: number): Generator<[Readings, number]> {
  for (let i = 0; i < count; i++) {
    const at = startAt + i * everyMs;
    yield [push(Math.floor(startWh + (powerW * i * everyMs) / H), powerW), at];
  }
}

describe('PlausibilityGuard: energy counters', () => {
  it('accepts a counter that rises as the measured power explains, at 1 s, 5 s and 10 s push intervals', () => {
    for (const every of [1 * S, 5 * S, 10 * S]) {
      for (const power of [0, 180, 2500, 11_000, 30_000]) {
        const g = new PlausibilityGuard();
        for (const [r, at] of steady(12_345_678, 0, power, every, 200)) {
          expect(g.check(r, at), `${power} W every ${every} ms at ${at}`).toEqual({ ok: true });
        }
      }
    }
  });

  it('holds back the +128 Wh of one flipped bit in a Netz NÖ push (5 s, 0.5 kW), and the next true value is accepted', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(12_345_678, 500), 0).ok).toBe(true);
    expect(g.check(push(12_345_679, 500), 5 * S).ok).toBe(true);
    const flipped = g.check(push(12_345_680 + 128, 500), 10 * S);
    expect(flipped).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    expect(flipped.ok || flipped.detail).toMatch(/1-0:1\.8\.0 rose by 129 Wh.*implausible counter jump, held back/);
    // the baseline stayed at the last published value: the true value (lower than the spike) goes through
    expect(g.check(push(12_345_681, 500), 15 * S)).toEqual({ ok: true });
    expect(g.check(push(12_345_681, 500), 20 * S)).toEqual({ ok: true });
  });

  it('holds back every single-bit flip from +16 Wh upwards at low load, and a +10 MWh one at any load', () => {
    for (let bit = 4; bit < 31; bit++) {
      const g = new PlausibilityGuard();
      g.check(push(12_345_678, 300), 0);
      g.check(push(12_345_678, 300), 5 * S);
      expect(g.check(push(12_345_678 + 2 ** bit, 300), 10 * S).ok, `bit ${bit}`).toBe(false);
    }
    const g = new PlausibilityGuard();
    g.check(push(12_345_678, 40_000), 0);
    expect(g.check(push(22_345_678, 40_000), 5 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
  });

  it('accepts a load switched on right after a push: the new push carries the power that explains it', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(1_000_000, 200), 0).ok).toBe(true);
    expect(g.check(push(1_000_000, 200), 5 * S).ok).toBe(true);
    // 20 kW (heat pump + wallbox) during the whole next interval: +27.8 Wh
    expect(g.check(push(1_000_028, 20_000), 10 * S)).toEqual({ ok: true });
    expect(g.check(push(1_000_028 + 28, 20_000), 15 * S)).toEqual({ ok: true });
    // and switched off again: the last interval still ran at 20 kW (recent window)
    expect(g.check(push(1_000_056 + 28, 150), 20 * S)).toEqual({ ok: true });
  });

  it('never publishes a decrease: not to zero, not a lower value, not after many pushes in a row', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(5_000_000), 0).ok).toBe(true);
    expect(g.check(push(0), 5 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    for (let i = 2; i < 200; i++) {
      const r = g.check(push(4_000_000 + i), i * 5 * S);
      expect(r, `push ${i}`).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
      expect(r.ok || r.detail).toMatch(/1-0:1\.8\.0 fell from 5000000 to \d+ Wh.*held back/);
    }
    // after hours of a lower series, still nothing lower than 5 000 000 Wh; the counter going on is accepted
    expect(g.check(push(4_999_999), 10 * H).ok).toBe(false);
    expect(g.check(push(5_000_001), 10 * H + 5 * S)).toEqual({ ok: true });
  });

  it('holds back a decrease of one flipped bit (-128 Wh) and accepts the next true value', () => {
    const g = new PlausibilityGuard();
    g.check(push(12_345_678, 500), 0);
    expect(g.check(push(12_345_679 - 128, 500), 5 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    expect(g.check(push(12_345_680, 500), 10 * S)).toEqual({ ok: true });
  });

  it('accepts a meter swap (new series, lower counter) only when the meter identity changes', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(5_000_000), 0, '181220000009').ok).toBe(true);
    expect(g.check(push(120), 5 * S, '181220000009').ok).toBe(false);
    // the new meter: its own identity, its own baselines, from its second push in a row
    expect(g.check(push(120), 10 * S, '181220000777')).toMatchObject({ ok: false, code: 'PLAUSIBILITY_NEW_METER' });
    expect(g.check(push(121), 15 * S, '181220000777')).toEqual({ ok: true });
    expect(g.check(push(119), 20 * S, '181220000777')).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    // a push that claims the old identity again (a corrupted meter number) is judged against the old meter's baseline
    expect(g.check(push(121), 25 * S, '181220000009')).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    expect(g.check(push(122), 30 * S, '181220000777')).toEqual({ ok: true });
  });

  it('holds back a push whose meter number was corrupted (one push from an unknown meter)', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(5_000_000, 400), 0, '181220000009').ok).toBe(true);
    expect(g.check(push(5_000_001, 400), 5 * S, '18122000\u00b00009')).toMatchObject({ ok: false, code: 'PLAUSIBILITY_NEW_METER' });
    expect(g.check(push(5_000_002, 400), 10 * S, '181220000009')).toEqual({ ok: true });
    // alternating corruption never confirms an unknown meter
    expect(g.check(push(5_000_003, 400), 15 * S, '181220000019').ok).toBe(false);
    expect(g.check(push(5_000_004, 400), 20 * S, '181220000008').ok).toBe(false);
    expect(g.check(push(5_000_005, 400), 25 * S, '181220000009')).toEqual({ ok: true });
    // without any identity (meters that send neither number nor system title) nothing changes
    const anonymous = new PlausibilityGuard();
    expect(anonymous.check(push(1), 0).ok).toBe(true);
    expect(anonymous.check(push(1), 5 * S).ok).toBe(true);
  });

  it('lets short lists without a meter number alternate with lists that carry one (Norwegian HAN: 2 s / 10 s)', () => {
    const g = new PlausibilityGuard();
    const list1 = { '1-0:1.7.0': { value: 1122, unit: 'W' } };
    expect(g.check(list1, 0, '').ok).toBe(true);
    for (let t = 2; t <= 60; t += 2) {
      const verdict = t % 10 === 0 ? g.check(push(10_049_926 + Math.floor(t / 10), 1122), t * S, '6970631400000000') : g.check(list1, t * S, '');
      expect(verdict, `t = ${t} s`).toEqual({ ok: true });
    }
    // a corrupted number in a long list is still held back, short lists in between do not confirm it
    expect(g.check(push(10_049_933, 1122), 70 * S, '6970631400000001').ok).toBe(false);
    expect(g.check(list1, 72 * S, '').ok).toBe(true);
    expect(g.check(push(10_049_933, 1122), 80 * S, '6970631400000000')).toEqual({ ok: true });
  });

  it('cannot lock itself out: after a gap (power outage, port unplugged) the allowance grows with the elapsed time', () => {
    const g = new PlausibilityGuard();
    g.check(push(1_000_000, 300), 0);
    g.check(push(1_000_000, 300), 5 * S);
    // 2 hours without pushes at 9 kW average, now 300 W again: +18 kWh, below 2 h × 43.5 kW
    expect(g.check(push(1_018_000, 300), 2 * H)).toEqual({ ok: true });
    // but not more than the connection can deliver in that time
    const g2 = new PlausibilityGuard();
    g2.check(push(1_000_000, 300), 0);
    expect(g2.check(push(1_000_000 + 2 * DEFAULT_MAX_POWER_W * 2, 300), 2 * H).ok).toBe(false);
  });

  it('accepts a genuine value it first held back once enough time has passed to explain it', () => {
    const g = new PlausibilityGuard();
    g.check(push(1_000_000, 100), 0);
    g.check(push(1_000_000, 100), 5 * S);
    // the meter stepped by 60 Wh (e.g. a register updated once a minute) while showing 100 W: held back at first
    const results: boolean[] = [];
    for (let i = 2; i < 40; i++) results.push(g.check(push(1_000_060 + Math.floor(i / 10), 100), i * 5 * S).ok);
    expect(results[0]).toBe(false);
    const firstAccepted = results.indexOf(true);
    expect(firstAccepted).toBeGreaterThan(0);
    expect(results.slice(firstAccepted).every(Boolean)).toBe(true);
  });

  it('uses the physical maximum from the main fuse: 3 × 25 A allows less than 3 × 63 A', () => {
    const small = new PlausibilityGuard({ maxPowerW: 3 * 230 * 25 });
    const large = new PlausibilityGuard();
    for (const g of [small, large]) g.check(push(1_000_000), 0);
    // 5 min without pushes, then +3.1 kWh (37 kW): too much for 17.25 kW (+50 % overload), fine for 43.5 kW
    expect(small.check(push(1_003_123), 5 * MIN).ok).toBe(false);
    expect(large.check(push(1_003_123), 5 * MIN).ok).toBe(true);
  });

  it('after a restart (a new guard) the first push has no baseline: it is accepted, then judged from there', () => {
    const before = new PlausibilityGuard();
    before.check(push(1_000_000), 0);
    const after = new PlausibilityGuard();
    expect(after.check(push(1_000_900), 3 * MIN)).toEqual({ ok: true });
    expect(after.check(push(1_000_800), 3 * MIN + 5 * S).ok).toBe(false);
    expect(after.check(push(1_000_901), 3 * MIN + 10 * S)).toEqual({ ok: true });
  });

  it('after a restart whose first push was corrupted too low, two agreeing pushes replace it (upwards only)', () => {
    const g = new PlausibilityGuard();
    // bit 23 cleared in the first push after start: 12 345 678 − 8 388 608
    expect(g.check(push(3_957_070, 500), 0)).toEqual({ ok: true });
    expect(g.check(push(12_345_679, 500), 5 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    expect(g.check(push(12_345_680, 500), 10 * S)).toEqual({ ok: true });
    expect(g.check(push(12_345_681, 500), 15 * S)).toEqual({ ok: true });
    // from now on the value is confirmed: a spike is held back, a decrease too
    expect(g.check(push(12_345_682 + 4096, 500), 20 * S).ok).toBe(false);
    expect(g.check(push(12_345_682 + 4096, 500), 25 * S).ok).toBe(false);
    expect(g.check(push(12_345_683, 500), 30 * S)).toEqual({ ok: true });
    // a first push corrupted too high is never followed by a decrease: the counters stay held back
    const h = new PlausibilityGuard();
    expect(h.check(push(12_345_678 + 8_388_608, 500), 0).ok).toBe(true);
    for (let i = 1; i < 50; i++) expect(h.check(push(12_345_678 + i, 500), i * 5 * S).ok).toBe(false);
  });

  it('a confirmed value is never replaced by two pushes that agree with each other but not with it', () => {
    const g = new PlausibilityGuard();
    g.check(push(12_345_678, 500), 0);
    g.check(push(12_345_679, 500), 5 * S);
    expect(g.check(push(12_345_680 + 65_536, 500), 10 * S).ok).toBe(false);
    expect(g.check(push(12_345_681 + 65_536, 500), 15 * S).ok).toBe(false);
    expect(g.check(push(12_345_682, 500), 20 * S)).toEqual({ ok: true });
  });

  it('re-anchors when the clock steps backwards instead of locking out', () => {
    const g = new PlausibilityGuard();
    g.check(push(1_000_000, 1000), 10 * H);
    g.check(push(1_000_001, 1000), 10 * H + 5 * S);
    // NTP sets the clock back an hour
    const back = 9 * H;
    let accepted = 0;
    for (let i = 1; i <= 10; i++) if (g.check(push(1_000_001 + i * 2, 1000), back + i * 5 * S).ok) accepted++;
    expect(accepted).toBeGreaterThanOrEqual(9);
  });

  it('checks every tariff register on its own', () => {
    const tariffs = (t1: number, t2: number, power = 800) =>
      push(t1 + t2, power, { '1-0:1.8.1': { value: t1, unit: 'Wh' }, '1-0:1.8.2': { value: t2, unit: 'Wh' } });
    const g = new PlausibilityGuard();
    expect(g.check(tariffs(8_768_040, 3_280_910), 0).ok).toBe(true);
    expect(g.check(tariffs(8_768_041, 3_280_910), 5 * S)).toEqual({ ok: true });
    // tariff 2 jumps (and the total with it): held back
    expect(g.check(tariffs(8_768_042, 3_280_910 + 1024), 10 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    // tariff 1 alone jumps while the total does not
    const bad = g.check({ ...tariffs(8_768_042, 3_280_910), '1-0:1.8.1': { value: 8_768_042 + 4096, unit: 'Wh' } }, 15 * S);
    expect(bad.ok || bad.detail).toMatch(/^1-0:1\.8\.1 /);
    expect(g.check(tariffs(8_768_044, 3_280_910), 20 * S)).toEqual({ ok: true });
    // a tariff register falling: held back
    expect(g.check(tariffs(8_768_045, 3_280_909), 25 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
  });

  it('bounds reactive energy by reactive power (or by U × I when the meter sends no reactive power)', () => {
    const reactive = (varh: number, powerVar: number | null) =>
      push(1_000_000, 0, {
        '1-0:3.8.0': { value: varh, unit: 'varh' },
        ...(powerVar === null ? {} : { '1-0:3.7.0': { value: powerVar, unit: 'var' } }),
      });
    const g = new PlausibilityGuard();
    g.check(reactive(8_969_789, 4000), 0);
    expect(g.check(reactive(8_969_789 + 6, 4000), 5 * S)).toEqual({ ok: true });
    expect(g.check(reactive(8_969_795 + 256, 4000), 10 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    // without reactive power, the apparent power from voltage × current per phase bounds it
    const ui = (varh: number) =>
      push(1_000_000, 0, {
        '1-0:4.8.0': { value: varh, unit: 'varh' },
        '1-0:32.7.0': { value: 230, unit: 'V' },
        '1-0:31.7.0': { value: 10, unit: 'A' },
      });
    const h = new PlausibilityGuard();
    h.check(ui(16_598_153), 0);
    expect(h.check(ui(16_598_153 + 3), 5 * S)).toEqual({ ok: true });
    expect(h.check(ui(16_598_156 + 64), 10 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    expect(h.check(ui(16_598_159), 15 * S)).toEqual({ ok: true });
  });

  it('scales kWh/kW registers (DSMR) and accepts a register in whole kWh stepping by 1 kWh', () => {
    const dsmr = (kwh: number, kw: number) => ({
      '1-0:1.8.1': { value: kwh, unit: 'kWh' },
      '1-0:1.7.0': { value: kw, unit: 'kW' },
    });
    const g = new PlausibilityGuard();
    g.check(dsmr(7112.944, 2.5), 0);
    expect(g.check(dsmr(7112.947, 2.5), 1 * S)).toEqual({ ok: true });
    expect(g.check(dsmr(7112.947 + 0.128, 2.5), 2 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    // a meter that counts whole kWh: the step of one resolution unit is accepted
    const whole = new PlausibilityGuard();
    whole.check({ '1-0:1.8.0': { value: 4409, unit: 'kWh' }, '1-0:1.7.0': { value: 300, unit: 'W' } }, 0);
    expect(whole.check({ '1-0:1.8.0': { value: 4410, unit: 'kWh' }, '1-0:1.7.0': { value: 300, unit: 'W' } }, 10 * S)).toEqual({ ok: true });
    expect(whole.check({ '1-0:1.8.0': { value: 4410 + 64, unit: 'kWh' }, '1-0:1.7.0': { value: 300, unit: 'W' } }, 20 * S).ok).toBe(false);
  });

  it('checks a gas counter (DSMR 0-1:24.2.1, m³) that steps every 5 minutes, at up to 25 m³/h', () => {
    const gas = (m3: number) => ({ '0-1:24.2.1': { value: m3, unit: 'm3' }, '1-0:1.7.0': { value: 300, unit: 'W' } });
    const g = new PlausibilityGuard();
    let at = 0;
    let m3 = 2934.518;
    expect(g.check(gas(m3), at).ok).toBe(true);
    // one telegram per second, the gas value changes every 5 min by 0.25 m³ (3 m³/h heating)
    for (let step = 0; step < 6; step++) {
      for (let s = 1; s <= 300; s++) {
        at += S;
        if (s === 300) m3 = Math.round((m3 + 0.25) * 1000) / 1000;
        expect(g.check(gas(m3), at).ok, `step ${step} second ${s}`).toBe(true);
      }
    }
    expect(g.check(gas(m3 - 0.001), at + S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_DECREASE' });
    // 5 min later: +8 m³ (96 m³/h) is no household gas meter
    expect(g.check(gas(m3 + 8), at + 5 * MIN)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_ENERGY_JUMP' });
    expect(g.check(gas(m3 + 0.3), at + 5 * MIN + S)).toEqual({ ok: true });
  });

  it('ignores registers that may fall (A+ − A−, billing period) and text values', () => {
    const g = new PlausibilityGuard();
    g.check({ '1-0:16.8.0': { value: 5000, unit: 'Wh' }, '1-0:1.9.0': { value: 900, unit: 'Wh' }, '0-0:96.1.0': { value: 'x' } }, 0);
    expect(g.check({ '1-0:16.8.0': { value: 4000, unit: 'Wh' }, '1-0:1.9.0': { value: 0, unit: 'Wh' }, '0-0:96.1.0': { value: 'y' } }, 5 * S)).toEqual({ ok: true });
  });

  it('a push dropped by the range checks leaves the baselines alone', () => {
    const g = new PlausibilityGuard();
    g.check(push(1_000_000, 500), 0);
    expect(g.check(push(2_000_000, 500, { '1-0:32.7.0': 2337 }), 5 * S)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_RANGE' });
    expect(g.check(push(1_000_001, 500), 10 * S)).toEqual({ ok: true });
  });
});

describe('PlausibilityGuard: ranges', () => {
  it('rejects out-of-range voltage, current and power, but accepts an unused phase at 0 V', () => {
    const g = new PlausibilityGuard();
    expect(g.check(push(1, 0, { '1-0:32.7.0': 2337 }), 0)).toMatchObject({ ok: false, code: 'PLAUSIBILITY_RANGE' });
    expect(g.check(push(1, 0, { '1-0:31.7.0': 655.35 }), 0).ok).toBe(false);
    expect(g.check(push(1, 4_000_000), 0).ok).toBe(false);
    expect(g.check(push(1, 0, { '1-0:32.7.0': 233.7, '1-0:52.7.0': 0, '1-0:72.7.0': 0 }), 0).ok).toBe(true);
  });
});

describe('PlausibilityGuard and unscaled readings', () => {
  it('does not apply unit ranges to raw values whose scaler is unknown, but still refuses negative energy', () => {
    const guard = new PlausibilityGuard();
    // L+G E450 self-describing push: power factor 941 (‰) and power 258874 (0.01 W), both without scaler
    const raw = { '1-0:13.7.0': { value: 941, unscaled: true as const }, '1-0:1.7.0': { value: 258874, unscaled: true as const } };
    expect(guard.check(raw, 0, 'A').ok).toBe(true);
    expect(guard.check({ '1-0:13.7.0': { value: 941 } }, 1000, 'A').ok).toBe(false);
    expect(guard.check({ '1-0:1.8.0': { value: -5, unscaled: true as const } }, 2000, 'A').ok).toBe(false);
  });
});
