/** DLMS unit enumeration (IEC 62056-6-2 §4.3.2, Blue Book table "Enumerated values for physical units"). */

const UNITS: Readonly<Record<number, string>> = {
  1: 'a',
  2: 'mo',
  3: 'wk',
  4: 'd',
  5: 'h',
  6: 'min',
  7: 's',
  8: '°',
  9: '°C',
  10: 'currency',
  11: 'm',
  12: 'm/s',
  13: 'm³',
  14: 'm³',
  15: 'm³/h',
  16: 'm³/h',
  17: 'm³/d',
  18: 'm³/d',
  19: 'l',
  20: 'kg',
  21: 'N',
  22: 'Nm',
  23: 'Pa',
  24: 'bar',
  25: 'J',
  26: 'J/h',
  27: 'W',
  28: 'VA',
  29: 'var',
  30: 'Wh',
  31: 'VAh',
  32: 'varh',
  33: 'A',
  34: 'C',
  35: 'V',
  36: 'V/m',
  37: 'F',
  38: 'Ω',
  39: 'Ωm²/m',
  40: 'Wb',
  41: 'T',
  42: 'A/m',
  43: 'H',
  44: 'Hz',
  45: '1/(Wh)',
  46: '1/(varh)',
  47: '1/(VAh)',
  48: 'V²h',
  49: 'A²h',
  50: 'kg/s',
  51: 'S',
  52: 'K',
  53: '1/(V²h)',
  54: '1/(A²h)',
  55: '1/m³',
  56: '%',
  57: 'Ah',
};

/**
 * The product's one unit convention (DOCS.md "Units"): energy in Wh / varh / VAh, power in W / var / VA, voltage
 * in V, current in A, frequency in Hz, volumes in m³, the power factor without unit. Every reading leaves the
 * readings layer in it (normalise.ts); which unit each quantity has is stated in quantities.ts.
 *
 * Prefixed and text forms meters write (DSMR `kWh`, `kW`, `m3`) map to [unit of the convention, decimal places the
 * value moves to the left of the point]: 1.5 kWh = 1500 Wh. DLMS units carry no prefix (the scaler does that).
 */
/** Decimal prefixes meters write in front of a unit of the convention (`kWh`, `MW`): value × 10^shift. */
export const PREFIX_SHIFT: Readonly<Record<string, number>> = { k: 3, M: 6 };

/** The convention's units that meters also write with a prefix (DSMR text); `m3` is the text form of `m³`. */
const PREFIXABLE = ['Wh', 'W', 'varh', 'var', 'VAh', 'VA'] as const;

export const PREFIXED_UNITS: Readonly<Record<string, readonly [unit: string, shift: number]>> = Object.fromEntries([
  ...PREFIXABLE.flatMap((unit) => Object.entries(PREFIX_SHIFT).map(([prefix, shift]) => [`${prefix}${unit}`, [unit, shift]] as const)),
  ['m3', ['m³', 0]],
]);

/** Unit symbol for a DLMS unit enum, or null for 255 ("count", unitless) and unknown values. */
export function unitSymbol(code: number): string | null {
  return UNITS[code] ?? null;
}

/**
 * value × 10^scaler without float noise for the usual negative scalers: 2337 × 10^-1 is computed as
 * 2337 / 10 = 233.7 (not 233.70000000000002).
 */
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

export function applyScaler(raw: number, scaler: number): number {
  if (scaler === 0) return raw;
  if (scaler < 0) return raw / (POW10[-scaler] ?? 10 ** -scaler);
  return raw * (POW10[scaler] ?? 10 ** scaler);
}
