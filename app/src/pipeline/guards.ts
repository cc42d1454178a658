/**
 * Plausibility guards (users.md pain points 6 and 7). Austrian pushes carry no authentication tag, so a
 * corrupted push that still parses must be caught by its values before anything is published:
 * - ranges: voltage 0 or 150–300 V, |current| ≤ 120 A, |power| ≤ 100 kW, power factor 0–1;
 * - energy registers never go backwards: a decrease is accepted only after it persists for
 *   `decreaseConfirmations` pushes in a row (a meter swap), and a register never drops to 0 from a value;
 * - energy may not grow faster than the maximum power allows over the time since the last push.
 * A push that fails any check is dropped whole.
 */
import type { Readings } from '../dlms/obis/readings.js';

export type GuardCode = 'PLAUSIBILITY_RANGE' | 'PLAUSIBILITY_ENERGY_DECREASE' | 'PLAUSIBILITY_ENERGY_JUMP';

export type GuardResult = { readonly ok: true } | { readonly ok: false; readonly code: GuardCode; readonly detail: string };

const VOLTAGE = /^1-0:(32|52|72|12)\.7\.0$/;
const CURRENT = /^1-0:(31|51|71|11|91)\.7\.0$/;
const POWER = /^1-0:([1-4]|1[5-9]|2[1-4]|4[1-4]|6[1-4])\.7\.0$/;
const POWER_FACTOR = /^1-0:(13|33|53|73)\.7\.0$/;
/** Energy registers: active/reactive/apparent, total and per tariff (C = 1..10, D = 8). */
const ENERGY = /^1-0:([1-9]|10)\.8\.\d+$/;

const MAX_POWER_W = 100_000;
/** Allowance for rounding and clock jitter when comparing energy growth with power. */
const JUMP_SLACK_WH = 50;

export interface GuardOptions {
  readonly decreaseConfirmations?: number;
}

interface Baseline {
  readonly value: number;
  readonly at: number;
}

export class PlausibilityGuard {
  private readonly baselines = new Map<string, Baseline>();
  private readonly pendingDecrease = new Map<string, { value: number; count: number }>();
  private readonly confirmations: number;

  constructor(options: GuardOptions = {}) {
    this.confirmations = options.decreaseConfirmations ?? 3;
  }

  /** Checks one decoded push (readings in decoded units: Wh, W, V, A) received at `at` (ms). */
  check(readings: Readings, at: number): GuardResult {
    for (const [obis, reading] of Object.entries(readings)) {
      const v = reading.value;
      if (typeof v !== 'number') continue;
      if (!Number.isFinite(v)) return { ok: false, code: 'PLAUSIBILITY_RANGE', detail: `${obis} is not a number` };
      if (VOLTAGE.test(obis) && v !== 0 && (v < 150 || v > 300)) return range(obis, v, 'V');
      if (CURRENT.test(obis) && Math.abs(v) > 120) return range(obis, v, 'A');
      if (POWER.test(obis) && Math.abs(v) > MAX_POWER_W) return range(obis, v, 'W');
      if (POWER_FACTOR.test(obis) && (v < -1 || v > 1)) return range(obis, v, '');
      if (ENERGY.test(obis) && v < 0) return range(obis, v, 'Wh');
    }
    const updates: [string, number][] = [];
    for (const [obis, reading] of Object.entries(readings)) {
      const v = reading.value;
      if (typeof v !== 'number' || !ENERGY.test(obis)) continue;
      const base = this.baselines.get(obis);
      if (!base) {
        updates.push([obis, v]);
        continue;
      }
      if (v < base.value) {
        // the new, lower counter must itself behave like a register: steady or rising, close to the last one
        const pending = this.pendingDecrease.get(obis);
        const continues = pending !== undefined && v >= pending.value && v - pending.value <= 1000;
        const count = v === 0 ? 0 : continues ? pending.count + 1 : 1;
        this.pendingDecrease.set(obis, { value: v, count });
        if (count < this.confirmations || v === 0) {
          return {
            ok: false,
            code: 'PLAUSIBILITY_ENERGY_DECREASE',
            detail: `${obis} went from ${base.value} to ${v} (${count}/${this.confirmations} pushes; accepted only when it persists, e.g. after a meter swap)`,
          };
        }
        updates.push([obis, v]);
        continue;
      }
      const hours = Math.max(0, at - base.at) / 3_600_000;
      const maxGrowth = MAX_POWER_W * hours + JUMP_SLACK_WH;
      if (v - base.value > maxGrowth) {
        return {
          ok: false,
          code: 'PLAUSIBILITY_ENERGY_JUMP',
          detail: `${obis} grew by ${v - base.value} in ${Math.round(hours * 3600)} s, more than ${MAX_POWER_W / 1000} kW could deliver`,
        };
      }
      updates.push([obis, v]);
    }
    for (const [obis, v] of updates) {
      this.baselines.set(obis, { value: v, at });
      this.pendingDecrease.delete(obis);
    }
    return { ok: true };
  }

  /** A new meter (different meter number or system title): forget the baselines. */
  reset(): void {
    this.baselines.clear();
    this.pendingDecrease.clear();
  }
}

function range(obis: string, v: number, unit: string): GuardResult {
  return { ok: false, code: 'PLAUSIBILITY_RANGE', detail: `${obis} = ${v}${unit ? ` ${unit}` : ''} is out of range` };
}
