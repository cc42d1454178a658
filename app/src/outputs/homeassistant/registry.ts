/**
 * OBIS registry: what each known OBIS code becomes in Home Assistant (key, name, device/state class, the unit
 * as published) and how the decoded value is turned into the published one.
 *
 * Declarative on purpose: the quantities say how to convert and round, the code table only says which OBIS
 * code is which quantity. Discovery payloads and state JSON are derived from it by pure functions
 * (discovery.ts); unknown codes are never turned into entities.
 */
import type { Reading } from '../../readings/readings.js';

export type StateClass = 'measurement' | 'total' | 'total_increasing';

/** How one physical quantity is read (source unit), converted and published. */
export interface Quantity {
  readonly deviceClass: string | null;
  readonly stateClass: StateClass | null;
  /** Unit in the published state and `unit_of_measurement`; null: unitless (omit the unit). */
  readonly unit: string | null;
  /** Unit the value is in when the meter sends none (L+G E450 pushes carry no units). */
  readonly sourceUnit: string | null;
  /** Other source units the meter may state, as factors to `sourceUnit` (DSMR `kWh`, `kW` …). */
  readonly accepts: Readonly<Record<string, number>>;
  /** published = source / divisor. */
  readonly divisor: number;
  /** Decimals the published value is rounded to (and `suggested_display_precision`). */
  readonly decimals: number;
}

const Q = {
  energy: {
    deviceClass: 'energy',
    stateClass: 'total_increasing',
    unit: 'kWh',
    sourceUnit: 'Wh',
    accepts: { Wh: 1, kWh: 1000 },
    divisor: 1000,
    decimals: 3,
  },
  /**
   * A signed energy register that may fall: the Netz OÖ AMIS "Inkassozählwerk" (1.128.0, int32 Wh; AMIS spec
   * Tabelle 2). Home Assistant's `total` state class accepts decreases and negative values without reading them
   * as a meter reset (`total_increasing` would).
   */
  signedEnergy: {
    deviceClass: 'energy',
    stateClass: 'total',
    unit: 'kWh',
    sourceUnit: 'Wh',
    accepts: { Wh: 1, kWh: 1000 },
    divisor: 1000,
    decimals: 3,
  },
  reactiveEnergy: {
    deviceClass: 'reactive_energy',
    stateClass: 'total_increasing',
    unit: 'kvarh',
    sourceUnit: 'varh',
    accepts: { varh: 1, kvarh: 1000 },
    divisor: 1000,
    decimals: 3,
  },
  power: {
    deviceClass: 'power',
    stateClass: 'measurement',
    unit: 'W',
    sourceUnit: 'W',
    accepts: { W: 1, kW: 1000 },
    divisor: 1,
    decimals: 0,
  },
  reactivePower: {
    deviceClass: 'reactive_power',
    stateClass: 'measurement',
    unit: 'var',
    sourceUnit: 'var',
    accepts: { var: 1, kvar: 1000 },
    divisor: 1,
    decimals: 0,
  },
  apparentPower: {
    deviceClass: 'apparent_power',
    stateClass: 'measurement',
    unit: 'VA',
    sourceUnit: 'VA',
    accepts: { VA: 1, kVA: 1000 },
    divisor: 1,
    decimals: 0,
  },
  voltage: {
    deviceClass: 'voltage',
    stateClass: 'measurement',
    unit: 'V',
    sourceUnit: 'V',
    accepts: { V: 1 },
    divisor: 1,
    decimals: 1,
  },
  current: {
    deviceClass: 'current',
    stateClass: 'measurement',
    unit: 'A',
    sourceUnit: 'A',
    accepts: { A: 1 },
    divisor: 1,
    decimals: 2,
  },
  powerFactor: {
    deviceClass: 'power_factor',
    stateClass: 'measurement',
    unit: null,
    sourceUnit: null,
    accepts: { '%': 0.01 },
    divisor: 1,
    decimals: 3,
  },
  frequency: {
    deviceClass: 'frequency',
    stateClass: 'measurement',
    unit: 'Hz',
    sourceUnit: 'Hz',
    accepts: { Hz: 1 },
    divisor: 1,
    decimals: 2,
  },
} as const satisfies Record<string, Quantity>;

export type QuantityId = keyof typeof Q;

/** A numeric OBIS register published as a Home Assistant sensor. */
export interface SensorDefinition extends Quantity {
  readonly kind: 'sensor';
  readonly obis: string;
  /** Stable snake_case id: state JSON key and `unique_id` suffix. Never rename (entity ids hang on it). */
  readonly key: string;
  /** Short English name (has_entity_name style: the device name is prepended by Home Assistant). */
  readonly name: string;
  readonly quantity: QuantityId;
}

/** A text register kept in the state JSON under its key, but not an entity (it is on the device card). */
export interface TextDefinition {
  readonly kind: 'text';
  readonly obis: string;
  readonly key: string;
  readonly name: string;
}

export type ObisDefinition = SensorDefinition | TextDefinition;

/** OBIS code → [key, name, quantity]. Order = entity order in the discovery payload. */
const SENSORS: ReadonlyArray<readonly [obis: string, key: string, name: string, quantity: QuantityId]> = [
  ['1-0:1.8.0', 'energy_import', 'Energy import', 'energy'],
  ['1-0:2.8.0', 'energy_export', 'Energy export', 'energy'],
  ['1-0:1.8.1', 'energy_import_t1', 'Energy import tariff 1', 'energy'],
  ['1-0:1.8.2', 'energy_import_t2', 'Energy import tariff 2', 'energy'],
  ['1-0:2.8.1', 'energy_export_t1', 'Energy export tariff 1', 'energy'],
  ['1-0:2.8.2', 'energy_export_t2', 'Energy export tariff 2', 'energy'],
  ['1-0:3.8.0', 'reactive_energy_import', 'Reactive energy import', 'reactiveEnergy'],
  ['1-0:4.8.0', 'reactive_energy_export', 'Reactive energy export', 'reactiveEnergy'],
  ['1-0:3.8.1', 'reactive_energy_import_t1', 'Reactive energy import tariff 1', 'reactiveEnergy'],
  ['1-0:3.8.2', 'reactive_energy_import_t2', 'Reactive energy import tariff 2', 'reactiveEnergy'],
  ['1-0:4.8.1', 'reactive_energy_export_t1', 'Reactive energy export tariff 1', 'reactiveEnergy'],
  ['1-0:4.8.2', 'reactive_energy_export_t2', 'Reactive energy export tariff 2', 'reactiveEnergy'],
  ['1-0:1.7.0', 'power_import', 'Power import', 'power'],
  ['1-0:2.7.0', 'power_export', 'Power export', 'power'],
  ['1-0:3.7.0', 'reactive_power_import', 'Reactive power import', 'reactivePower'],
  ['1-0:4.7.0', 'reactive_power_export', 'Reactive power export', 'reactivePower'],
  ['1-0:9.7.0', 'apparent_power_import', 'Apparent power import', 'apparentPower'],
  ['1-0:10.7.0', 'apparent_power_export', 'Apparent power export', 'apparentPower'],
  ['1-0:21.7.0', 'power_import_l1', 'Power import L1', 'power'],
  ['1-0:22.7.0', 'power_export_l1', 'Power export L1', 'power'],
  ['1-0:41.7.0', 'power_import_l2', 'Power import L2', 'power'],
  ['1-0:42.7.0', 'power_export_l2', 'Power export L2', 'power'],
  ['1-0:61.7.0', 'power_import_l3', 'Power import L3', 'power'],
  ['1-0:62.7.0', 'power_export_l3', 'Power export L3', 'power'],
  ['1-0:23.7.0', 'reactive_power_import_l1', 'Reactive power import L1', 'reactivePower'],
  ['1-0:24.7.0', 'reactive_power_export_l1', 'Reactive power export L1', 'reactivePower'],
  ['1-0:43.7.0', 'reactive_power_import_l2', 'Reactive power import L2', 'reactivePower'],
  ['1-0:44.7.0', 'reactive_power_export_l2', 'Reactive power export L2', 'reactivePower'],
  ['1-0:63.7.0', 'reactive_power_import_l3', 'Reactive power import L3', 'reactivePower'],
  ['1-0:64.7.0', 'reactive_power_export_l3', 'Reactive power export L3', 'reactivePower'],
  ['1-0:32.7.0', 'voltage_l1', 'Voltage L1', 'voltage'],
  ['1-0:52.7.0', 'voltage_l2', 'Voltage L2', 'voltage'],
  ['1-0:72.7.0', 'voltage_l3', 'Voltage L3', 'voltage'],
  ['1-0:31.7.0', 'current_l1', 'Current L1', 'current'],
  ['1-0:51.7.0', 'current_l2', 'Current L2', 'current'],
  ['1-0:71.7.0', 'current_l3', 'Current L3', 'current'],
  ['1-0:13.7.0', 'power_factor', 'Power factor', 'powerFactor'],
  ['1-0:33.7.0', 'power_factor_l1', 'Power factor L1', 'powerFactor'],
  ['1-0:53.7.0', 'power_factor_l2', 'Power factor L2', 'powerFactor'],
  ['1-0:73.7.0', 'power_factor_l3', 'Power factor L3', 'powerFactor'],
  ['1-0:14.7.0', 'frequency', 'Frequency', 'frequency'],
  // Netz Oberösterreich AMIS (Siemens TD-3511/3512): "Inkassozählwerk", signed (AMIS spec Tabelle 2)
  ['1-0:1.128.0', 'inkasso_register', 'Inkasso register', 'signedEnergy'],
];

/** Text registers: kept in the state JSON, shown on the device card (serial number) rather than as entities. */
const TEXTS: ReadonlyArray<readonly [obis: string, key: string, name: string]> = [
  ['0-0:96.1.0', 'meter_number', 'Meter number'],
  ['0-0:42.0.0', 'device_name', 'Logical device name'],
  // Published as `meter_time`, normalised to carry an offset (discovery.ts `meterTime`).
  ['0-0:1.0.0', 'meter_time', 'Meter clock'],
];

const BY_OBIS: ReadonlyMap<string, ObisDefinition> = new Map<string, ObisDefinition>([
  ...SENSORS.map(
    ([obis, key, name, quantity]) =>
      [obis, Object.freeze({ kind: 'sensor', obis, key, name, quantity, ...Q[quantity] })] as const,
  ),
  ...TEXTS.map(([obis, key, name]) => [obis, Object.freeze({ kind: 'text', obis, key, name })] as const),
]);

/** The registry entry for an OBIS code (`A-B:C.D.E`), or undefined for codes we do not know. */
export function lookupObis(obis: string): ObisDefinition | undefined {
  return BY_OBIS.get(obis);
}

/** The sensor entry for an OBIS code, or undefined for unknown and text codes. */
export function lookupSensor(obis: string): SensorDefinition | undefined {
  const def = BY_OBIS.get(obis);
  return def?.kind === 'sensor' ? def : undefined;
}

/** All sensor definitions in table order. */
export function sensorDefinitions(): SensorDefinition[] {
  return [...BY_OBIS.values()].filter((d): d is SensorDefinition => d.kind === 'sensor');
}

/** Rounds to `decimals` without float noise: the result is an integer divided by 10^decimals. */
export function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  const rounded = Math.round(value * scale) / scale;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * The published value of a reading, or null when it cannot be published safely: not a finite number, or a
 * unit the quantity cannot be converted from (never publish a value in the wrong unit).
 *
 * Energy: the source is brought to integer Wh (varh) first, then divided by 1000, so 6842204 Wh → 6842.204 kWh
 * exactly (an integer / 1000 is the double nearest to the 3-decimal number).
 */
export function publishedValue(def: SensorDefinition, reading: Reading): number | null {
  if (typeof reading.value !== 'number' || !Number.isFinite(reading.value)) return null;
  const unit = reading.unit === undefined || reading.unit === '' ? null : reading.unit;
  let factor: number;
  if (unit === null || unit === def.sourceUnit) factor = 1;
  else {
    const f = def.accepts[unit];
    if (f === undefined) return null;
    factor = f;
  }
  const source = reading.value * factor;
  if (def.divisor === 1) return roundTo(source, def.decimals);
  // Round to the source resolution first (integer Wh for kWh with 3 decimals), then divide once.
  const sourceDecimals = Math.max(0, def.decimals - Math.round(Math.log10(def.divisor)));
  const sourceScale = 10 ** sourceDecimals;
  const integral = Math.round(roundTo(source, sourceDecimals) * sourceScale);
  const out = integral / (def.divisor * sourceScale);
  return Object.is(out, -0) ? 0 : out;
}
