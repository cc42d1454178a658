/**
 * Units normalised once, derived values computed once: the last step of the readings layer for every decode path
 * (DLMS tagged, positional, list conventions, self-describing, DSMR text, AMIS M-Bus records).
 *
 * - Every reading of a physical quantity (quantities.ts) leaves here in the quantity's canonical unit (the
 *   convention in units.ts), carrying that unit or none (meters without units, meaning the canonical one). A
 *   value whose unit is not one of its quantity's is refused: the decode path rejects the push
 *   (VALUE_IMPLAUSIBLE, the plausibility check below); the tolerant `normalisedReadings` marks it unscaled
 *   (raw number, no unit), so it never becomes a sensor value in a wrong unit.
 * - Numbers whose scale nobody states (OBIS-tagged pushes without any {scaler, unit}, apart from the documented
 *   L+G E450) are marked unscaled here (`unscaledWithoutUnits`): never converted, never given a unit.
 * - Net power and the energy counters (total register or tariff sum) are computed here (`derivedOf`) and carried in
 *   the push: the outputs, the monitor, the history store
 *   and the pipeline's log line use it and compute nothing themselves.
 */
import { canonicalShift, implausibleAs, quantityOf, type QuantitySpec } from './quantities.js';
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { applyScaler } from './units.js';

/** OBIS codes of the total active power registers (IEC 62056-6-1: C = 1 import A+, C = 2 export A−, D = 7). */
export const OBIS_POWER_IMPORT = '1-0:1.7.0';
export const OBIS_POWER_EXPORT = '1-0:2.7.0';

/**
 * `value` × 10^shift without binary noise: the decimal point is moved in the number's text where it has one
 * (1.068 kW → 1068 W, not 1068.0000000000002), else the value is scaled (applyScaler divides for shifts < 0).
 */
function shifted(value: number, shift: number): number {
  if (shift <= 0) return applyScaler(value, shift);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!m) return applyScaler(value, shift);
  const fraction = (m[3] ?? '').padEnd(shift, '0');
  const text = `${m[1]}${m[2]}${fraction.slice(0, shift)}${fraction.length > shift ? `.${fraction.slice(shift)}` : ''}`;
  const out = Number(text);
  return Object.is(out, -0) ? 0 : out;
}

/**
 * The reading in its quantity's canonical unit: the same object when it is in it already (or unscaled, or no
 * number), a new one when its unit had a prefix (`kWh`) or was `%` (power factor), null when its unit is not one
 * of the quantity's.
 */
export function canonicalReading(q: QuantitySpec, reading: Reading): Reading | null {
  if (reading.unscaled || typeof reading.value !== 'number') return reading;
  const unit = reading.unit;
  if (unit === undefined || unit === q.unit) return reading;
  const shift = canonicalShift(q, unit);
  if (shift === undefined) return null;
  const value = shifted(reading.value, shift);
  const out: { value: number; unit?: string; time?: string } = q.unit === null ? { value } : { value, unit: q.unit };
  if (reading.time !== undefined) out.time = reading.time;
  return out;
}

/**
 * OBIS-tagged pushes without any {scaler, unit}: their numbers are in the canonical unit only where a source
 * documents it. That is the L+G E450 of Energienetze Steiermark (FLAG id LGZ: W, Wh, var, varh; protocol.md
 * §6, esphome-libs/dlms_parser tests/expected/hdlc_lgz_e450_2.h). Anything else (e.g. Kamstrup's
 * `Kamstrup_V0001` list: current 57 = 0.57 A, power factor 83 = 0.83) keeps its raw numbers, marked
 * unscaled, until its scalers are known.
 */
export function unscaledWithoutUnits(extracted: ExtractedReadings, manufacturer: string | null): ExtractedReadings {
  if (extracted.layout !== 'obis' || extracted.scalerUnits !== 0 || manufacturer === 'LGZ') return extracted;
  const readings = extracted.readings;
  const marked: Readings = {};
  let count = 0;
  for (const obis in readings) {
    const r = readings[obis]!;
    if (typeof r.value === 'number' && quantityOf(obis) !== null) {
      marked[obis] = { value: r.value, unscaled: true };
      count++;
    } else marked[obis] = r;
  }
  if (count === 0) return extracted;
  return { ...extracted, readings: marked, reason: `${extracted.reason ?? 'OBIS-tagged'}: ${count} unscaled` };
}

/**
 * The decode path's last check, in place: every reading of a quantity must be a possible value of it
 * (quantities.ts) and is brought to its canonical unit. A push with one impossible number or a unit that is no
 * unit of its quantity is rejected whole (VALUE_IMPLAUSIBLE, `layout` in the detail), whichever strategy read it.
 * No allocation unless a unit had to be converted or a value fails.
 */
export function checkAndNormalise(readings: Readings, layout: string): void {
  for (const obis in readings) {
    const q = quantityOf(obis);
    if (q === null) continue;
    const reading = readings[obis]!;
    const implausible = implausibleAs(q, obis, reading, layout);
    if (implausible !== null) throw implausible;
    const canonical = canonicalReading(q, reading);
    // implausibleAs refused units that are not the quantity's, so canonical is never null here
    if (canonical !== reading && canonical !== null) readings[obis] = canonical;
  }
}

/**
 * Readings in the canonical units without rejecting anything: a number whose unit is not its quantity's is kept
 * as a raw number marked unscaled (no unit), as readings without a known scaler are. For readings that did not
 * come through the decode path (tests, tools).
 */
export function normalisedReadings(readings: Readings): Readings {
  const out: Readings = {};
  for (const obis in readings) {
    const reading = readings[obis]!;
    const q = quantityOf(obis);
    const canonical = q === null ? reading : canonicalReading(q, reading);
    out[obis] = canonical ?? { value: reading.value, unscaled: true };
  }
  return out;
}

/** Values computed from the readings of one push, once, in the readings layer. */
export interface DerivedValues {
  /** Active power import (1-0:1.7.0) in W; null when the push has none, or it is unscaled or no finite number. */
  readonly powerImportW: number | null;
  /** Active power export (1-0:2.7.0) in W; null likewise. */
  readonly powerExportW: number | null;
  /**
   * Net active power in W (positive: drawn from the grid): import − export, or import alone when the push has no
   * export register; null without a usable import power, or when an export register is there but unusable.
   */
  readonly netPowerW: number | null;
  /**
   * Active energy import in Wh: the total register (1-0:1.8.0), else the sum of the tariff registers 1-0:1.8.1 to
   * 1-0:1.8.4 (DSMR meters send only those); null when there is none that is usable (scaled, finite).
   */
  readonly energyImportWh: number | null;
  /** Active energy export in Wh (1-0:2.8.0, else 1-0:2.8.1 to 1-0:2.8.4), likewise. */
  readonly energyExportWh: number | null;
}

export const NO_DERIVED_VALUES: DerivedValues = Object.freeze({
  powerImportW: null,
  powerExportW: null,
  netPowerW: null,
  energyImportWh: null,
  energyExportWh: null,
});

/** A reading's value in its canonical unit, or null when it must not be used (absent, unscaled, not a finite number). */
function usable(reading: Reading | undefined): number | null {
  if (reading === undefined || reading.unscaled) return null;
  const v = reading.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Derived values of canonical readings (after checkAndNormalise / normalisedReadings). */
export function derivedOf(readings: Readings): DerivedValues {
  const exportReading = readings[OBIS_POWER_EXPORT];
  const powerImportW = usable(readings[OBIS_POWER_IMPORT]);
  const powerExportW = usable(exportReading);
  const energyImportWh = usable(readings[OBIS_ENERGY_IMPORT]) ?? tariffSum(readings, IMPORT_TARIFFS);
  const energyExportWh = usable(readings[OBIS_ENERGY_EXPORT]) ?? tariffSum(readings, EXPORT_TARIFFS);
  if (powerImportW === null && powerExportW === null && energyImportWh === null && energyExportWh === null) return NO_DERIVED_VALUES;
  let netPowerW: number | null = null;
  if (powerImportW !== null) {
    if (powerExportW !== null) netPowerW = powerImportW - powerExportW;
    else if (exportReading === undefined) netPowerW = powerImportW;
  }
  return { powerImportW, powerExportW, netPowerW, energyImportWh, energyExportWh };
}

const OBIS_ENERGY_IMPORT = '1-0:1.8.0';
const OBIS_ENERGY_EXPORT = '1-0:2.8.0';
const IMPORT_TARIFFS = ['1-0:1.8.1', '1-0:1.8.2', '1-0:1.8.3', '1-0:1.8.4'];
const EXPORT_TARIFFS = ['1-0:2.8.1', '1-0:2.8.2', '1-0:2.8.3', '1-0:2.8.4'];

/** The sum of the usable tariff registers (in tariff order), or null when there is none. */
function tariffSum(readings: Readings, codes: readonly string[]): number | null {
  let sum: number | null = null;
  for (const code of codes) {
    const v = usable(readings[code]);
    if (v !== null) sum = (sum ?? 0) + v;
  }
  return sum;
}
