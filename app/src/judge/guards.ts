/**
 * Plausibility guards (users.md pain points 6 and 7). Austrian pushes carry no authentication tag (SC 0x20 is
 * AES-CTR without a tag, protocol.md §3), so a ciphertext bit flipped on the line flips the same plaintext bit,
 * and the 8-bit M-Bus checksum misses many multi-bit errors: a corrupted push can decode into a well-formed push
 * with a wrong counter. It must be caught by its values before anything is published.
 *
 * - Ranges: voltage 0 or 150–300 V, |current| ≤ 120 A, |power| ≤ 100 kW, power factor 0–1.
 * - Cumulative registers (energy `1-b:c.8.e` in Wh/varh/VAh, DSMR gas/water `0-n:24.2.e` in m³):
 *   - never go backwards, not even after many pushes: Home Assistant's `total_increasing` statistics read any
 *     decrease as a meter reset and book the whole counter again. Only a new meter identity (meter number or
 *     system title: `check(…, identity)`) starts a new series; each identity keeps its own baselines.
 *   - may not grow by more than the energy that could have flowed since the last published value. Between
 *     two pushes the rate is at most 1.25 × the largest power reading of the last pushes (the same push
 *     included, so a load switched on in between is seen) plus 2 kW for a load switched on and off between two
 *     pushes, capped at the connection's physical maximum (`maxPowerW`: phases × 230 V × main fuse, plus 50 %
 *     fuse overload). Across a gap of more than a minute without pushes, or without any power reading, the
 *     physical maximum applies. The allowance accumulates with time, so the guard never locks itself out: a
 *     held-back genuine value is accepted once enough time has passed to explain it.
 *   - A meter identity never seen before (while another one is known) is accepted from its second push in a
 *     row: a meter number corrupted in one push would otherwise appear as a new device.
 *   - Electricity registers are real-time: each accepted push re-anchors the allowance to the last interval.
 *     Gas/water registers update every 5 min/1 h with a reading taken by the gas meter, so their allowance
 *     (25 m³/h) accumulates from the push where the value last changed.
 *   - A value that fails is held back: the whole push is dropped (nothing of it reaches MQTT), the baseline
 *     stays the last published value (a spike never moves it), and the next true value is judged against it.
 * - After a restart the guard has no baseline: the first push is accepted and becomes the baseline. Until a
 *   second push confirms it, two pushes in a row that agree with each other may replace it upwards (the first
 *   push was the corrupted one, too low); a decrease is not published even then.
 * - Elapsed time is the receive time (the add-on's clock), not the meter clock: a corrupted clock byte in the
 *   same push would otherwise widen the allowance, and meter clocks have one-second resolution.
 * A push that fails any check is dropped whole.
 */
import type { MeterIdentity } from '../decoder/types.js';
import type { Readings } from '../readings/readings.js';
import { problem, type CodedProblem, type CodeOfLayer, type DetailId, type ParamsArg, type Params } from '../shared/errors.js';

/** The guard's codes: the catalogue's `guard` layer (shared/errorCatalogue.ts). */
export type GuardCode = CodeOfLayer<'guard'>;

/** Every guard code, for catalogues (the panel's translations are checked against it). */
export const GUARD_CODES = ['PLAUSIBILITY_RANGE', 'PLAUSIBILITY_ENERGY_DECREASE', 'PLAUSIBILITY_ENERGY_JUMP', 'PLAUSIBILITY_NEW_METER'] as const satisfies readonly GuardCode[];

/** Parameters of a guard failure for the panel (OBIS code, values, units, seconds): no prose. */
export type GuardParams = Params;

/** A push the guards dropped: code, situation and params; `detail` is the English text rendered from the catalogue (for the log). */
export type GuardRejection = { readonly ok: false } & CodedProblem<GuardCode>;

/** The one verdict on one decoded push. */
export type GuardResult = { readonly ok: true } | GuardRejection;

/** The verdict of a push that passed every check (one shared object: no allocation per accepted push). */
export const ACCEPTED: GuardResult = Object.freeze({ ok: true as const });

/** A guard failure (built only when a check fails). */
function rejected<C extends GuardCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): GuardRejection {
  return { ok: false, ...problem(code, detailId, ...params) };
}

const VOLTAGE = /^1-0:(32|52|72|12)\.7\.0$/;
const CURRENT = /^1-0:(31|51|71|11|91)\.7\.0$/;
const POWER = /^1-0:([1-4]|1[5-9]|2[1-4]|4[1-4]|6[1-4])\.7\.0$/;
const POWER_FACTOR = /^1-0:(13|33|53|73)\.7\.0$/;
/** Energy registers: active/reactive/apparent, total and per tariff (C = 1..10, D = 8). */
const ENERGY = /^1-0:([1-9]|10)\.8\.\d+$/;

const MAX_POWER_W = 100_000;

/** Three phases × 230 V × 63 A: the default physical maximum of a household connection. */
export const DEFAULT_MAX_POWER_W = 3 * 230 * 63;
/** Fuses and main breakers carry a load above their rating for minutes (IEC 60269 gG: 1.6 × In within 1 h). */
const FUSE_OVERLOAD = 1.5;
/** One step of a register counting whole kWh (1000 Wh at once), plus rounding. */
const REGISTER_STEP_WH = 1010;

/** The connection's physical maximum in W: its rating (`max_power`, default 3 × 230 V × 63 A) plus the fuse overload. */
export function physicalMaxPowerW(maxPowerW: number = DEFAULT_MAX_POWER_W): number {
  return maxPowerW * FUSE_OVERLOAD;
}

/**
 * The largest rise of an active energy register (Wh) the connection can explain over `elapsedMs` without any power
 * reading: the physical maximum for the whole time plus one register step. The counter guard uses tighter,
 * power-based allowances between pushes; this bound is for a baseline the guard does not hold, such as the energy
 * history's last stored counter after a restart (store/HistoryStore.ts).
 */
export function maxRiseWh(elapsedMs: number, maxPowerW: number = DEFAULT_MAX_POWER_W): number {
  return physicalMaxPowerW(maxPowerW) * (elapsedMs / 3_600_000) + REGISTER_STEP_WH;
}

/** The device a push comes from, as the counter guard keeps baselines per device: meter number, else system title, else ''. */
export function identityOf(meter: MeterIdentity): string {
  return meter.id ?? meter.systemTitle ?? '';
}
/** Headroom over the largest recent power reading: the reading is a sample, the load varies between samples. */
const POWER_FACTOR_HEADROOM = 1.25;
/** A load that switched on and off between two pushes (kettle, induction hob pulse) is not in any sample. */
const BURST_W = 2000;
/** Power samples older than this, or a gap this long without a push, say nothing about the interval. */
const SAMPLE_GAP_MS = 60_000;
/** Power samples kept per meter (the last few pushes). */
const SAMPLE_WINDOW = 3;
/** Receive times jitter (serial transmission, idle flush) against the meter's sampling times. */
const JITTER_MS = 2000;
/** A household gas meter G16 passes at most 25 m³/h (G4: 6 m³/h); water meters far less. */
const GAS_MAX_M3_PER_H = 25;
/** Meters (identities) whose baselines are kept; the oldest is forgotten first. */
const MAX_IDENTITIES = 4;

type CounterKind = 'active' | 'reactive' | 'apparent' | 'gas';
type PowerKind = Exclude<CounterKind, 'gas'>;

/** C of an OBIS energy register (D = 8, cumulative "time integral 1") → kind. C = 16 (A+ − A−) may fall. */
const ENERGY_KIND = new Map<number, PowerKind>([
  ...[1, 2, 15, 21, 22, 35, 41, 42, 55, 61, 62, 75].map((c) => [c, 'active'] as const),
  ...[3, 4, 5, 6, 7, 8, 23, 24, 25, 26, 27, 28, 43, 44, 45, 46, 47, 48, 63, 64, 65, 66, 67, 68].map((c) => [c, 'reactive'] as const),
  ...[9, 10, 29, 30, 49, 50, 69, 70].map((c) => [c, 'apparent'] as const),
]);
const CUMULATIVE_ENERGY = /^1-\d+:(\d+)\.8\.\d+$/;
/** DSMR gas (and water) meter reading on an M-Bus channel, e.g. 0-1:24.2.1 (m³). */
const CUMULATIVE_GAS = /^0-\d+:24\.2\.\d+$/;
const POWER_READING = /^1-\d+:(\d+)\.7\.0$/;

/** Totals (C) and per-phase groups whose sum is a total, per power kind (IEC 62056-61 / OBIS C codes). */
const POWER_TOTALS: Record<PowerKind, readonly number[]> = { active: [1, 2, 15, 16], reactive: [3, 4, 5, 6, 7, 8], apparent: [9, 10] };
const POWER_PHASES: Record<PowerKind, readonly (readonly number[])[]> = {
  active: [[21, 41, 61], [22, 42, 62], [35, 55, 75], [36, 56, 76]],
  reactive: [[23, 43, 63], [24, 44, 64]],
  apparent: [[29, 49, 69], [30, 50, 70]],
};

export interface GuardOptions {
  /** The connection's maximum power in W (phases × 230 V × main fuse A); default 3 × 63 A. */
  readonly maxPowerW?: number;
}

type Rates = Readonly<Record<PowerKind, number | null>>;

interface Counter {
  readonly kind: CounterKind;
  /** The last published value, in Wh, varh, VAh or m³. */
  value: number;
  /** Energy (or m³) that may have flowed since `value` was last confirmed; grows with every push. */
  budget: number;
  /** Receive time of the push that last published or confirmed `value` (for messages). */
  since: number;
  /** False while `value` comes from one push only (the first after start): nothing has confirmed it yet. */
  corroborated: boolean;
  /** For an uncorroborated value: the last value held back as a jump, with its own allowance. */
  candidate: { value: number; budget: number } | null;
}

interface MeterState {
  readonly counters: Map<string, Counter>;
  readonly samples: { at: number; rates: Rates }[];
  lastAt: number | null;
}

export class PlausibilityGuard {
  private readonly meters = new Map<string, MeterState>();
  /** An identity seen in the last push but not yet confirmed by a second one. */
  private newIdentity: string | null = null;
  /** Physical maximum including the fuse overload, W. */
  private readonly capW: number;
  private readonly ratedW: number;

  constructor(options: GuardOptions = {}) {
    this.ratedW = options.maxPowerW ?? DEFAULT_MAX_POWER_W;
    this.capW = physicalMaxPowerW(this.ratedW);
  }

  /**
   * Checks one decoded push (readings in decoded units: Wh, W, V, A; kWh/kW/… are scaled) received at `at` (ms,
   * the injected clock) from the meter `identity` (meter number or system title: the device Home Assistant sees).
   */
  check(readings: Readings, at: number, identity = ''): GuardResult {
    for (const [obis, reading] of Object.entries(readings)) {
      const v = reading.value;
      if (typeof v !== 'number') continue;
      if (!Number.isFinite(v)) return rejected('PLAUSIBILITY_RANGE', 'not_a_number', { obis, value: String(v), unit: '' });
      // a raw value without its scaler (readings.ts `unscaled`) has no known magnitude: only finiteness and sign
      if (reading.unscaled) {
        if (ENERGY.test(obis) && v < 0) return range(obis, v, '');
        continue;
      }
      if (VOLTAGE.test(obis) && v !== 0 && (v < 150 || v > 300)) return range(obis, v, 'V');
      if (CURRENT.test(obis) && Math.abs(v) > 120) return range(obis, v, 'A');
      if (POWER.test(obis) && Math.abs(v) > Math.max(MAX_POWER_W, this.capW)) return range(obis, v, 'W');
      if (POWER_FACTOR.test(obis) && (v < -1 || v > 1)) return range(obis, v, '');
      if (ENERGY.test(obis) && v < 0) return range(obis, v, 'Wh');
    }
    // pushes without an identity (e.g. the short lists of Norwegian HAN meters) neither start nor break a confirmation
    if (identity !== '') {
      const known = [...this.meters.keys()].filter((k) => k !== '');
      if (known.length > 0 && !this.meters.has(identity) && this.newIdentity !== identity) {
        this.newIdentity = identity;
        return rejected('PLAUSIBILITY_NEW_METER', 'new_meter', { meter: identity, previous: known.at(-1) ?? '' });
      }
      this.newIdentity = null;
    }
    return this.checkCounters(readings, at, identity);
  }

  /** Forgets every baseline (all meters). */
  reset(): void {
    this.meters.clear();
    this.newIdentity = null;
  }

  private checkCounters(readings: Readings, at: number, identity: string): GuardResult {
    const meter = this.meterState(identity);
    const current = ratesOf(readings);
    const elapsedMs = meter.lastAt === null ? 0 : Math.max(0, at - meter.lastAt);
    // samples that describe this interval: the last few pushes within the gap limit, and this push
    const recent = elapsedMs > SAMPLE_GAP_MS ? [] : meter.samples.filter((s) => at - s.at <= SAMPLE_GAP_MS).map((s) => s.rates);
    const rate = (kind: CounterKind): number => {
      if (kind === 'gas') return GAS_MAX_M3_PER_H;
      if (elapsedMs > SAMPLE_GAP_MS) return this.capW;
      const seen = [...recent, current].map((r) => r[kind]).filter((p): p is number => p !== null);
      if (seen.length === 0) return this.capW;
      return Math.min(this.capW, POWER_FACTOR_HEADROOM * Math.max(...seen) + BURST_W);
    };
    const rates = { active: rate('active'), reactive: rate('reactive'), apparent: rate('apparent'), gas: rate('gas') };
    const interval = (kind: CounterKind) => (rates[kind] * elapsedMs) / 3_600_000;

    // time has passed for every register of this meter, whatever this push turns out to be
    for (const counter of meter.counters.values()) {
      counter.budget += interval(counter.kind);
      if (counter.candidate) counter.candidate.budget += interval(counter.kind);
    }
    meter.lastAt = at;
    meter.samples.push({ at, rates: current });
    if (meter.samples.length > SAMPLE_WINDOW) meter.samples.shift();

    const seen: [string, CounterKind, number][] = [];
    let failure: GuardResult | null = null;
    for (const [obis, reading] of Object.entries(readings)) {
      const kind = counterKind(obis);
      // unscaled registers (no Home Assistant sensor) cannot be compared with power of a known unit
      if (kind === null || typeof reading.value !== 'number' || reading.unscaled) continue;
      const v = normalise(reading.value, reading.unit);
      const unit = kind === 'gas' ? 'm³' : kind === 'active' ? 'Wh' : kind === 'reactive' ? 'varh' : 'VAh';
      seen.push([obis, kind, v]);
      const base = meter.counters.get(obis);
      if (!base) continue;
      if (v < base.value - 1e-6) {
        failure ??= rejected('PLAUSIBILITY_ENERGY_DECREASE', 'fell', { obis, from: round3(base.value), to: round3(v), unit });
        continue;
      }
      const jitter = (rates[kind] * JITTER_MS) / 3_600_000;
      const allowed = base.budget + jitter + slack(base.value, v, kind);
      if (v - base.value <= allowed) continue;
      // the first value after start may itself have been the corrupted one (too low): two pushes in a row that
      // agree with each other replace it, upwards only
      const candidate = base.candidate;
      const agrees = candidate !== null && v >= candidate.value - 1e-6 && v - candidate.value <= candidate.budget + jitter + slack(candidate.value, v, kind);
      if (!base.corroborated) base.candidate = { value: v, budget: 0 };
      if (agrees) continue;
      failure ??= rejected('PLAUSIBILITY_ENERGY_JUMP', 'rose', {
        obis,
        rise: round3(v - base.value),
        seconds: Math.round((at - base.since) / 1000),
        allowed: round3(allowed),
        unit,
        ...(kind === 'gas' ? { limit: GAS_MAX_M3_PER_H, limitUnit: 'm³/h' } : { limit: (rates[kind] / 1000).toFixed(1), limitUnit: 'kW' }),
        connectionKw: (this.ratedW / 1000).toFixed(1),
      });
    }
    if (failure) return failure;

    for (const [obis, kind, v] of seen) {
      const base = meter.counters.get(obis);
      if (!base) {
        meter.counters.set(obis, { kind, value: v, budget: 0, since: at, corroborated: false, candidate: null });
        continue;
      }
      base.corroborated = true;
      base.candidate = null;
      if (kind !== 'gas' || v > base.value) {
        // a real-time register is confirmed by every push; a gas reading only when it changes (it is stale)
        base.value = v;
        base.budget = interval(kind);
        base.since = at;
      }
    }
    return ACCEPTED;
  }

  private meterState(identity: string): MeterState {
    let state = this.meters.get(identity);
    if (state) {
      // most recently used last
      this.meters.delete(identity);
    } else {
      state = { counters: new Map(), samples: [], lastAt: null };
      if (this.meters.size >= MAX_IDENTITIES) this.meters.delete(this.meters.keys().next().value!);
    }
    this.meters.set(identity, state);
    return state;
  }
}

function counterKind(obis: string): CounterKind | null {
  if (CUMULATIVE_GAS.test(obis)) return 'gas';
  const m = CUMULATIVE_ENERGY.exec(obis);
  return m ? (ENERGY_KIND.get(Number(m[1])) ?? null) : null;
}

/** kWh, kW, kvarh, MWh … → the base unit; Wh, W, m³ and values without unit stay as they are. */
function normalise(value: number, unit: string | undefined): number {
  const factor = unit?.startsWith('k') ? 1000 : unit?.startsWith('M') ? 1_000_000 : 1;
  return Math.round(value * factor * 1e6) / 1e6;
}

/**
 * The largest power reading per kind in one push (W, var, VA). Apparent power falls back to Σ U × I per phase;
 * reactive and active power fall back to the apparent power (|P|, |Q| ≤ S).
 */
function ratesOf(readings: Readings): Rates {
  const power = new Map<number, number>();
  for (const [obis, reading] of Object.entries(readings)) {
    const m = POWER_READING.exec(obis);
    if (m && typeof reading.value === 'number' && Number.isFinite(reading.value) && !reading.unscaled) {
      power.set(Number(m[1]), Math.abs(normalise(reading.value, reading.unit)));
    }
  }
  const largest = (kind: PowerKind): number | null => {
    const candidates = POWER_TOTALS[kind].map((c) => power.get(c)).filter((p): p is number => p !== undefined);
    for (const phases of POWER_PHASES[kind]) {
      const values = phases.map((c) => power.get(c)).filter((p): p is number => p !== undefined);
      if (values.length > 0) candidates.push(values.reduce((a, b) => a + b, 0));
    }
    return candidates.length > 0 ? Math.max(...candidates) : null;
  };
  // U × I per phase (L1: 32/31, L2: 52/51, L3: 72/71, single phase: 12/11)
  let ui: number | null = null;
  for (const [u, i] of [[32, 31], [52, 51], [72, 71], [12, 11]] as const) {
    const volts = power.get(u);
    const amps = power.get(i);
    if (volts !== undefined && amps !== undefined) ui = (ui ?? 0) + volts * amps;
  }
  const apparentReading = largest('apparent');
  const apparent = apparentReading === null ? ui : Math.max(apparentReading, ui ?? 0);
  return { active: largest('active') ?? apparent, reactive: largest('reactive') ?? apparent, apparent };
}

/**
 * Register resolution plus one step: a register in whole kWh (or 0.1 m³) steps by 1000 Wh at once. Found from
 * the two values: both multiples of 1000 → 1000. A flipped bit adds 2^k, never a multiple of 10, so this
 * slack never hides one.
 */
function slack(before: number, after: number, kind: CounterKind): number {
  const steps = kind === 'gas' ? [1, 0.1, 0.01, 0.001] : [1000, 100, 10, 1];
  const multiple = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-6;
  const resolution = steps.find((s) => multiple(before, s) && multiple(after, s)) ?? steps[steps.length - 1]!;
  return resolution + steps[steps.length - 1]!;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function range(obis: string, v: number, unit: string): GuardResult {
  return rejected('PLAUSIBILITY_RANGE', 'out_of_range', { obis, value: v, unit });
}
