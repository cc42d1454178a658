/**
 * OBIS registry: what each known register becomes in Home Assistant (name, device/state class, the unit as
 * published) and how the decoded value is presented.
 *
 * Declarative on purpose. The readings layer owns the facts: which key an OBIS code has (readings/registers.ts),
 * which unit its quantity is in (readings/quantities.ts) and the conversion of every meter unit into that one
 * (readings/normalise.ts). This table only chooses the presentation (kWh from Wh, decimals) and never converts
 * from a meter's units. Discovery payloads and state JSON are derived from it by pure functions (discovery.ts);
 * unknown codes are never turned into entities.
 */
import { QUANTITIES, type QuantityKind } from '../../readings/quantities.js';
import type { Reading } from '../../readings/readings.js';
import { REGISTER_KEYS } from '../../readings/registers.js';

export type StateClass = 'measurement' | 'total' | 'total_increasing';

/** How one physical quantity is published. */
export interface Quantity {
  /** The readings-layer quantity: decoded values arrive in its canonical unit (readings/quantities.ts). */
  readonly quantityKind: QuantityKind;
  readonly deviceClass: string | null;
  readonly stateClass: StateClass | null;
  /** Unit in the published state and `unit_of_measurement`; null: unitless (omit the unit). */
  readonly unit: string | null;
  /** published = decoded (canonical unit) / divisor: a presentation choice (kWh from Wh). */
  readonly divisor: number;
  /** Decimals the published value is rounded to (and `suggested_display_precision`). */
  readonly decimals: number;
}

const Q = {
  energy: {
    quantityKind: 'activeEnergy',
    deviceClass: 'energy',
    stateClass: 'total_increasing',
    unit: 'kWh',
    divisor: 1000,
    decimals: 3,
  },
  /**
   * A signed energy register that may fall: the Netz OÖ AMIS "Inkassozählwerk" (1.128.0, int32 Wh; AMIS spec
   * Tabelle 2). Home Assistant's `total` state class accepts decreases and negative values without reading them
   * as a meter reset (`total_increasing` would).
   */
  signedEnergy: {
    quantityKind: 'activeEnergy',
    deviceClass: 'energy',
    stateClass: 'total',
    unit: 'kWh',
    divisor: 1000,
    decimals: 3,
  },
  reactiveEnergy: {
    quantityKind: 'reactiveEnergy',
    deviceClass: 'reactive_energy',
    stateClass: 'total_increasing',
    unit: 'kvarh',
    divisor: 1000,
    decimals: 3,
  },
  power: {
    quantityKind: 'activePower',
    deviceClass: 'power',
    stateClass: 'measurement',
    unit: 'W',
    divisor: 1,
    decimals: 0,
  },
  reactivePower: {
    quantityKind: 'reactivePower',
    deviceClass: 'reactive_power',
    stateClass: 'measurement',
    unit: 'var',
    divisor: 1,
    decimals: 0,
  },
  apparentPower: {
    quantityKind: 'apparentPower',
    deviceClass: 'apparent_power',
    stateClass: 'measurement',
    unit: 'VA',
    divisor: 1,
    decimals: 0,
  },
  voltage: {
    quantityKind: 'voltage',
    deviceClass: 'voltage',
    stateClass: 'measurement',
    unit: 'V',
    divisor: 1,
    decimals: 1,
  },
  current: {
    quantityKind: 'current',
    deviceClass: 'current',
    stateClass: 'measurement',
    unit: 'A',
    divisor: 1,
    decimals: 2,
  },
  powerFactor: {
    quantityKind: 'powerFactor',
    deviceClass: 'power_factor',
    stateClass: 'measurement',
    unit: null,
    divisor: 1,
    decimals: 3,
  },
  frequency: {
    quantityKind: 'frequency',
    deviceClass: 'frequency',
    stateClass: 'measurement',
    unit: 'Hz',
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

/** Register key (readings/registers.ts) → [name, quantity]. */
const SENSORS: Readonly<Record<string, readonly [name: string, quantity: QuantityId]>> = {
  energy_import: ['Energy import', 'energy'],
  energy_export: ['Energy export', 'energy'],
  energy_import_t1: ['Energy import tariff 1', 'energy'],
  energy_import_t2: ['Energy import tariff 2', 'energy'],
  energy_export_t1: ['Energy export tariff 1', 'energy'],
  energy_export_t2: ['Energy export tariff 2', 'energy'],
  reactive_energy_import: ['Reactive energy import', 'reactiveEnergy'],
  reactive_energy_export: ['Reactive energy export', 'reactiveEnergy'],
  reactive_energy_import_t1: ['Reactive energy import tariff 1', 'reactiveEnergy'],
  reactive_energy_import_t2: ['Reactive energy import tariff 2', 'reactiveEnergy'],
  reactive_energy_export_t1: ['Reactive energy export tariff 1', 'reactiveEnergy'],
  reactive_energy_export_t2: ['Reactive energy export tariff 2', 'reactiveEnergy'],
  power_import: ['Power import', 'power'],
  power_export: ['Power export', 'power'],
  reactive_power_import: ['Reactive power import', 'reactivePower'],
  reactive_power_export: ['Reactive power export', 'reactivePower'],
  apparent_power_import: ['Apparent power import', 'apparentPower'],
  apparent_power_export: ['Apparent power export', 'apparentPower'],
  power_import_l1: ['Power import L1', 'power'],
  power_export_l1: ['Power export L1', 'power'],
  power_import_l2: ['Power import L2', 'power'],
  power_export_l2: ['Power export L2', 'power'],
  power_import_l3: ['Power import L3', 'power'],
  power_export_l3: ['Power export L3', 'power'],
  reactive_power_import_l1: ['Reactive power import L1', 'reactivePower'],
  reactive_power_export_l1: ['Reactive power export L1', 'reactivePower'],
  reactive_power_import_l2: ['Reactive power import L2', 'reactivePower'],
  reactive_power_export_l2: ['Reactive power export L2', 'reactivePower'],
  reactive_power_import_l3: ['Reactive power import L3', 'reactivePower'],
  reactive_power_export_l3: ['Reactive power export L3', 'reactivePower'],
  voltage_l1: ['Voltage L1', 'voltage'],
  voltage_l2: ['Voltage L2', 'voltage'],
  voltage_l3: ['Voltage L3', 'voltage'],
  current_l1: ['Current L1', 'current'],
  current_l2: ['Current L2', 'current'],
  current_l3: ['Current L3', 'current'],
  power_factor: ['Power factor', 'powerFactor'],
  power_factor_l1: ['Power factor L1', 'powerFactor'],
  power_factor_l2: ['Power factor L2', 'powerFactor'],
  power_factor_l3: ['Power factor L3', 'powerFactor'],
  frequency: ['Frequency', 'frequency'],
  inkasso_register: ['Inkasso register', 'signedEnergy'],
};

/** Text registers: kept in the state JSON, shown on the device card (serial number) rather than as entities. */
const TEXTS: Readonly<Record<string, string>> = {
  meter_number: 'Meter number',
  device_name: 'Logical device name',
  // published as `meter_time`, normalised to carry an offset (discovery.ts `meterTime`)
  meter_time: 'Meter clock',
};

const BY_OBIS: ReadonlyMap<string, ObisDefinition> = new Map<string, ObisDefinition>(
  REGISTER_KEYS.flatMap(([obis, key]): [string, ObisDefinition][] => {
    const sensor = SENSORS[key];
    if (sensor) {
      const [name, quantity] = sensor;
      return [[obis, Object.freeze({ kind: 'sensor', obis, key, name, quantity, ...Q[quantity] })]];
    }
    const text = TEXTS[key];
    return text === undefined ? [] : [[obis, Object.freeze({ kind: 'text', obis, key, name: text })]];
  }),
);

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
 * The published value of a reading, or null when it cannot be published safely: not a finite number, or a unit
 * other than its quantity's canonical one (readings arrive normalised from the readings layer; one that is not
 * was not decoded by it and is never published in a wrong unit).
 *
 * Energy: the value is brought to integer Wh (varh) first, then divided by 1000, so 6842204 Wh → 6842.204 kWh
 * exactly (an integer / 1000 is the double nearest to the 3-decimal number).
 */
export function publishedValue(def: SensorDefinition, reading: Reading): number | null {
  const value = reading.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (reading.unit !== undefined && reading.unit !== '' && reading.unit !== QUANTITIES[def.quantityKind].unit) return null;
  return presented(def, value);
}

/** A value in the quantity's canonical unit as published: divided by the presentation divisor and rounded. */
export function presented(def: Pick<Quantity, 'divisor' | 'decimals'>, value: number): number {
  if (def.divisor === 1) return roundTo(value, def.decimals);
  // Round to the source resolution first (integer Wh for kWh with 3 decimals), then divide once.
  const sourceDecimals = Math.max(0, def.decimals - Math.round(Math.log10(def.divisor)));
  const sourceScale = 10 ** sourceDecimals;
  const integral = Math.round(roundTo(value, sourceDecimals) * sourceScale);
  const out = integral / (def.divisor * sourceScale);
  return Object.is(out, -0) ? 0 : out;
}
