/**
 * The one quantity table: which physical quantity an OBIS code (`A-B:C.D.E`) measures, its canonical unit
 * and a physically plausible range. The decoder checks every reading of every strategy against it after
 * extraction (decodeApdu.ts), so a push is only `ok` when each of its numbers is possible at all.
 *
 * This table is the one place that says which unit a quantity has (the convention is stated in units.ts): every
 * reading of a quantity leaves the readings layer in it (normalise.ts), carrying that unit or none (meaning the
 * canonical one); the outputs only choose how to present it (kWh from Wh) and never convert from meter units.
 *
 * The ranges are wide physical limits (IEC 62056-6-1 electricity codes, A = 1), not residential ones: the
 * runtime guard (judge/guards.ts) applies tighter checks on top. A value outside them cannot come from a
 * working meter, so it means a corrupted push or a misread layout.
 *
 * OBIS value group C (electricity): 1..20 are totals, 21..40 / 41..60 / 61..80 the same quantities for
 * L1 / L2 / L3 (C − 20, C − 40, C − 60); 91 is the neutral current. Group D: 7 = instantaneous value,
 * 8 = time integral (energy register, group E = tariff).
 */
import { MeterError } from '../shared/errors.js';
import type { Reading } from './readings.js';
import { applyScaler, PREFIX_SHIFT } from './units.js';

export type QuantityKind =
  | 'activePower'
  | 'reactivePower'
  | 'apparentPower'
  | 'current'
  | 'voltage'
  | 'powerFactor'
  | 'frequency'
  | 'activeEnergy'
  | 'reactiveEnergy'
  | 'apparentEnergy';

export interface QuantitySpec {
  readonly kind: QuantityKind;
  /** Canonical unit (see the module doc); null for the power factor. */
  readonly unit: string | null;
  /** The canonical unit as DLMS unit enum (IEC 62056-6-2; 255 "none" for the power factor). */
  readonly unitCode: number;
  /** Inclusive plausible range in the canonical unit. */
  readonly min: number;
  readonly max: number;
  /** Frequency: 0 (no voltage) is plausible below `min` too. */
  readonly zeroAllowed: boolean;
  /** Energy registers: the only check for unscaled readings (finite and ≥ 0). */
  readonly isEnergy: boolean;
}

const MAX_POWER = 1_000_000; // 1 MW: far above any customer-interface meter
/** DLMS unit enum of each canonical unit (units.ts). */
const UNIT_CODES: Readonly<Record<string, number>> = { W: 27, VA: 28, var: 29, Wh: 30, VAh: 31, varh: 32, A: 33, V: 35, Hz: 44 };

const spec = (kind: QuantityKind, unit: string | null, min: number, max: number, zeroAllowed = false): QuantitySpec => ({
  kind,
  unit,
  unitCode: unit === null ? 255 : UNIT_CODES[unit]!,
  min,
  max,
  zeroAllowed,
  isEnergy: kind === 'activeEnergy' || kind === 'reactiveEnergy' || kind === 'apparentEnergy',
});

export const QUANTITIES: Readonly<Record<QuantityKind, QuantitySpec>> = {
  activePower: spec('activePower', 'W', -MAX_POWER, MAX_POWER),
  reactivePower: spec('reactivePower', 'var', -MAX_POWER, MAX_POWER),
  apparentPower: spec('apparentPower', 'VA', -MAX_POWER, MAX_POWER),
  current: spec('current', 'A', -1000, 1000),
  voltage: spec('voltage', 'V', 0, 500),
  powerFactor: spec('powerFactor', null, -1, 1),
  frequency: spec('frequency', 'Hz', 45, 65, true),
  // energy: not negative and finite (MAX_VALUE keeps Infinity out of the range test itself)
  activeEnergy: spec('activeEnergy', 'Wh', 0, Number.MAX_VALUE),
  reactiveEnergy: spec('reactiveEnergy', 'varh', 0, Number.MAX_VALUE),
  apparentEnergy: spec('apparentEnergy', 'VAh', 0, Number.MAX_VALUE),
};

/** Quantity of the base C (1..20) for D = 7 (instantaneous) and D = 8 (energy). */
function baseQuantity(base: number, d: number): QuantityKind | null {
  if (d === 7) {
    if (base === 1 || base === 2 || base === 15 || base === 16) return 'activePower';
    if (base >= 3 && base <= 8) return 'reactivePower';
    if (base === 9 || base === 10) return 'apparentPower';
    if (base === 11) return 'current';
    if (base === 12) return 'voltage';
    if (base === 13) return 'powerFactor';
    if (base === 14) return 'frequency';
    return null;
  }
  if (d === 8) {
    if (base === 1 || base === 2 || base === 15) return 'activeEnergy';
    if (base >= 3 && base <= 8) return 'reactiveEnergy';
    if (base === 9 || base === 10) return 'apparentEnergy';
  }
  return null;
}

const OBIS_TEXT = /^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)(?:\*\d+)?$/;

function classify(obis: string): QuantitySpec | null {
  const m = OBIS_TEXT.exec(obis);
  if (!m || m[1] !== '1') return null;
  const c = Number(m[3]);
  const d = Number(m[4]);
  if (c === 91 && d === 7) return QUANTITIES.current; // neutral current
  if (c < 1 || c > 80) return null;
  const kind = baseQuantity(((c - 1) % 20) + 1, d);
  return kind ? QUANTITIES[kind] : null;
}

/** Lookups are cached by key string: a meter repeats the same few dozen codes every push. */
const cache = new Map<string, QuantitySpec | null>();
const MAX_CACHED = 4096;

/** The quantity an OBIS code measures, or null for codes that are no physical quantity (ids, clocks, states). */
export function quantityOf(obis: string): QuantitySpec | null {
  const hit = cache.get(obis);
  if (hit !== undefined) return hit;
  const q = classify(obis);
  if (cache.size < MAX_CACHED) cache.set(obis, q);
  return q;
}

/**
 * Quantities of electricity codes (A = 1) by value groups C and D, for callers that have the OBIS bytes: index
 * (D − 7) × 256 + C for D = 7 (instantaneous) and D = 8 (energy).
 */
export const QUANTITY_BY_CD: readonly (QuantitySpec | null)[] = Array.from({ length: 512 }, (_, i) =>
  classify(`1-0:${i & 0xff}.${(i >> 8) + 7}.0`),
);

/** quantityOf for OBIS value groups A, C, D as bytes: one array read, no string. */
export function quantityOfCode(a: number, c: number, d: number): QuantitySpec | null {
  return a === 1 && (d === 7 || d === 8) ? (QUANTITY_BY_CD[(d - 7) * 256 + c] ?? null) : null;
}

/**
 * Decimal shift from a stated unit to the quantity's canonical one (value × 10^shift), or undefined when the unit
 * is not one of the quantity's. No unit means the canonical one (meters that send no units: L+G E450).
 */
export function canonicalShift(q: QuantitySpec, unit: string | undefined): number | undefined {
  if (unit === undefined || unit === '' || unit === q.unit) return 0;
  if (q.unit === null) return unit === '%' ? -2 : undefined;
  return unit.length === q.unit.length + 1 && unit.endsWith(q.unit) ? PREFIX_SHIFT[unit[0]!] : undefined;
}

/**
 * Why a reading is implausible as quantity `q` (a VALUE_IMPLAUSIBLE error naming the `layout` that produced it), or
 * null when it is fine. The error is built only for an implausible value.
 */
export function implausibleAs(q: QuantitySpec, obis: string, reading: Reading, layout = 'obis'): MeterError | null {
  const v = reading.value;
  if (typeof v !== 'number') return new MeterError('VALUE_IMPLAUSIBLE', 'not_a_number', { obis, value: String(v).slice(0, 24), layout });
  if (!Number.isFinite(v)) return new MeterError('VALUE_IMPLAUSIBLE', 'not_finite', { obis, value: String(v), layout });
  if (reading.unscaled) return q.isEnergy && v < 0 ? new MeterError('VALUE_IMPLAUSIBLE', 'negative_energy', { obis, value: v, layout }) : null;
  const shift = canonicalShift(q, reading.unit);
  if (shift === undefined) return new MeterError('VALUE_IMPLAUSIBLE', 'wrong_unit', { obis, value: v, unit: reading.unit ?? '', quantity: q.kind, layout });
  const canonical = applyScaler(v, shift);
  if (canonical >= q.min && canonical <= q.max) return null;
  if (q.zeroAllowed && canonical === 0) return null;
  const range = q.isEnergy ? '≥ 0' : `${q.min}…${q.max}`;
  return new MeterError('VALUE_IMPLAUSIBLE', 'out_of_range', { obis, value: v, unit: reading.unit ?? '', range, rangeUnit: q.unit ?? '', quantity: q.kind, layout });
}

/**
 * Why a reading is implausible for its OBIS code, or null when it is fine (or the code is no quantity).
 * Unscaled readings (no scaler known) get only the energy checks: finite and not negative.
 */
export function implausibility(obis: string, reading: Reading, layout = 'obis'): MeterError | null {
  const q = quantityOf(obis);
  return q === null ? null : implausibleAs(q, obis, reading, layout);
}
