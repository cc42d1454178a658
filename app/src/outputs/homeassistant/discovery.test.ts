/**
 * Discovery and state payloads (homeassistant-addon.md §7, "Concrete checks" 12). The allowed
 * (device_class, state_class, unit) table below is ported from the document, NOT derived from registry.ts:
 * Home Assistant drops an entity whose unit does not fit its device class.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/support/vectors.js';
import { decodeCapture } from '../../cli/decodeCommand.js';
import { meterIdentity } from '../../decoder/manufacturers.js';
import type { MeterIdentity } from '../../decoder/types.js';
import { derivedOf, normalisedReadings } from '../../readings/normalise.js';
import type { Readings } from '../../readings/readings.js';
import type { FramingMode } from '../../framing/StreamFramer.js';
import { READER_STATUSES } from '../../monitor/health.js';
import type { AcceptedPush } from '../../pipeline/events.js';
import {
  buildDiagnostics,
  buildDiscovery,
  buildReaderDiscovery,
  buildReaderState,
  buildState,
  deviceId,
  discoverableObis,
  readerDeviceId,
  manufacturerName,
  meterTime,
  type Component,
} from './discovery.js';
import { lookupObis, publishedValue, lookupSensor } from './registry.js';

// --- homeassistant-addon.md §7 table (units case-sensitive) -------------------------------------------------
const NO_UNIT = null;
const ALLOWED: Record<string, { stateClasses: (string | null)[]; units: (string | null)[] }> = {
  energy: {
    stateClasses: ['total_increasing', 'total'],
    units: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
  },
  reactive_energy: { stateClasses: ['total', 'total_increasing'], units: ['varh', 'kvarh'] },
  power: { stateClasses: ['measurement'], units: ['mW', 'W', 'kW', 'MW', 'GW', 'TW'] },
  reactive_power: { stateClasses: ['measurement'], units: ['mvar', 'var', 'kvar'] },
  apparent_power: { stateClasses: ['measurement'], units: ['mVA', 'VA', 'kVA'] },
  voltage: { stateClasses: ['measurement'], units: ['V', 'mV', 'µV', 'kV', 'MV'] },
  current: { stateClasses: ['measurement'], units: ['A', 'mA', 'µA'] },
  power_factor: { stateClasses: ['measurement'], units: ['%', NO_UNIT] },
  frequency: { stateClasses: ['measurement'], units: ['mHz', 'Hz', 'kHz', 'MHz', 'GHz'] },
  // Not in the meter table but used by the diagnostic entities: timestamps carry neither unit nor state class.
  timestamp: { stateClasses: [null], units: [NO_UNIT] },
};
/** Sensors without a device class (counters, text): any state class, but no unit here. */
const NO_DEVICE_CLASS = { stateClasses: [null, 'total_increasing'], units: [NO_UNIT] };

const TOPIC_RE = /^homeassistant\/(sensor|device)\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)?\/config$/;
const SETTINGS = { baseTopic: 'smartmeter', discoveryPrefix: 'homeassistant' };

const KAIFA: MeterIdentity = meterIdentity('181220000009', '4B464D6750000009', 'KFM');

/** Every OBIS code the brief names, with the units meters send (E450 sends none: see below). */
const FULL: Readings = {
  '0-0:1.0.0': { value: '2024-05-01T12:00:00+02:00' },
  '0-0:96.1.0': { value: '181220000009' },
  '0-0:42.0.0': { value: 'KFM1200200000009' },
  '1-0:1.8.0': { value: 6842204, unit: 'Wh' },
  '1-0:2.8.0': { value: 1234567, unit: 'Wh' },
  '1-0:1.8.1': { value: 4000000, unit: 'Wh' },
  '1-0:1.8.2': { value: 2842204, unit: 'Wh' },
  '1-0:2.8.1': { value: 1000000, unit: 'Wh' },
  '1-0:2.8.2': { value: 234567, unit: 'Wh' },
  '1-0:3.8.0': { value: 1591784, unit: 'varh' },
  '1-0:4.8.0': { value: 1401005, unit: 'varh' },
  '1-0:1.7.0': { value: 2893, unit: 'W' },
  '1-0:2.7.0': { value: 120, unit: 'W' },
  '1-0:3.7.0': { value: 1735, unit: 'var' },
  '1-0:4.7.0': { value: 0, unit: 'var' },
  '1-0:32.7.0': { value: 233.7, unit: 'V' },
  '1-0:52.7.0': { value: 231.2, unit: 'V' },
  '1-0:72.7.0': { value: 229.9, unit: 'V' },
  '1-0:31.7.0': { value: 1.23, unit: 'A' },
  '1-0:51.7.0': { value: 0.45, unit: 'A' },
  '1-0:71.7.0': { value: 10.02, unit: 'A' },
  '1-0:13.7.0': { value: 0.987 },
  '1-0:14.7.0': { value: 49.98, unit: 'Hz' },
  '1-1:99.99.99': { value: 42 },
};

/** An accepted push as the readings layer hands it on: units normalised, net power derived (readings/normalise.ts). */
const push = (readings: Readings, meter: MeterIdentity = KAIFA, time: string | null = null): AcceptedPush => ({
  meter,
  time,
  readings: normalisedReadings(readings),
  derived: derivedOf(normalisedReadings(readings)),
  receivedAt: new Date('2024-05-01T10:00:01.000Z'),
});

const components = (readings: Readings, meter: MeterIdentity = KAIFA): Record<string, Component> =>
  buildDiscovery(meter, Object.keys(readings), SETTINGS, '1.2.3').payload.components as Record<string, Component>;

const str = (v: unknown): string | null => (v === undefined ? null : String(v));

/** Decodes a shared test vector the way the decode CLI does; returns the first push. */
function decodeVector(name: string): { meter: MeterIdentity; time: string | null; readings: Readings } {
  const file = join(SHARED_VECTORS, `${name}.json`);
  const v = JSON.parse(readFileSync(file, 'utf8')) as { key: string; framing: FramingMode; frames: string[] };
  const records = decodeCapture(Uint8Array.from(Buffer.from(v.frames.join(''), 'hex')), {
    key: Uint8Array.from(Buffer.from(v.key, 'hex')),
    authKey: null,
    framing: v.framing,
  });
  const first = records[0];
  if (!first?.ok) throw new Error(`vector ${name} did not decode`);
  return first;
}

describe('discovery: allowed device_class / state_class / unit combinations (addon doc §7)', () => {
  const cmps = components(FULL);

  it('creates an entity for every known numeric OBIS code and none for unknown or text codes', () => {
    const keys = Object.keys(cmps);
    for (const k of [
      'energy_import',
      'energy_export',
      'energy_import_t1',
      'energy_import_t2',
      'energy_export_t1',
      'energy_export_t2',
      'reactive_energy_import',
      'reactive_energy_export',
      'power_import',
      'power_export',
      'reactive_power_import',
      'reactive_power_export',
      'voltage_l1',
      'voltage_l2',
      'voltage_l3',
      'current_l1',
      'current_l2',
      'current_l3',
      'power_factor',
      'frequency',
      'net_power',
      'meter_time',
      'last_push',
      'decode_errors',
      'rejected_pushes',
      'link_status',
    ]) {
      expect(keys, k).toContain(k);
    }
    expect(keys.some((k) => k.includes('99') || k.includes(':'))).toBe(false);
    expect(keys).not.toContain('meter_number');
    expect(keys).not.toContain('device_name');
  });

  it('every sensor has an allowed (device_class, state_class, unit)', () => {
    for (const [key, c] of Object.entries(cmps)) {
      expect(c.platform, key).toBe('sensor');
      const dc = str(c.device_class);
      const sc = str(c.state_class);
      const unit = str(c.unit_of_measurement);
      const allowed = dc === null ? NO_DEVICE_CLASS : ALLOWED[dc];
      expect(allowed, `${key}: device_class ${dc} is not in the table`).toBeDefined();
      expect(allowed!.stateClasses, `${key}: state_class ${sc} with ${dc}`).toContain(sc);
      expect(allowed!.units, `${key}: unit ${unit} with ${dc}`).toContain(unit);
    }
  });

  it('energy import/export are energy + total_increasing + kWh (Energy dashboard)', () => {
    for (const key of ['energy_import', 'energy_export', 'energy_import_t1', 'energy_export_t2']) {
      expect(cmps[key], key).toMatchObject({
        device_class: 'energy',
        state_class: 'total_increasing',
        unit_of_measurement: 'kWh',
      });
    }
    expect(cmps.reactive_energy_import).toMatchObject({ device_class: 'reactive_energy', unit_of_measurement: 'kvarh' });
    expect(cmps.reactive_power_import).toMatchObject({ device_class: 'reactive_power', unit_of_measurement: 'var' });
    expect(cmps.power_factor).toMatchObject({ device_class: 'power_factor', state_class: 'measurement' });
    expect(cmps.power_factor).not.toHaveProperty('unit_of_measurement');
    expect(cmps.net_power).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' });
  });

  it('meter values expire, diagnostics are diagnostic entities on the diagnostics topic', () => {
    expect(cmps.energy_import!.expire_after).toBe(120);
    expect(cmps.voltage_l1!.expire_after).toBe(120);
    for (const key of ['last_push', 'decode_errors', 'rejected_pushes', 'link_status']) {
      expect(cmps[key], key).toMatchObject({
        entity_category: 'diagnostic',
        state_topic: 'smartmeter/181220000009/diagnostics',
      });
      expect(cmps[key]).not.toHaveProperty('expire_after');
    }
    expect(cmps.last_push!.device_class).toBe('timestamp');
    expect(cmps.meter_time).toMatchObject({ device_class: 'timestamp', entity_category: 'diagnostic' });
    expect(cmps.decode_errors).toMatchObject({ state_class: 'total_increasing' });
    expect(cmps.decode_errors).not.toHaveProperty('unit_of_measurement');
    expect(cmps.link_status).not.toHaveProperty('device_class');
  });
});

describe('discovery: identity, topics, structure', () => {
  it('unique_ids are unique, <id>_<key>, and stable whatever the reading order', () => {
    const a = components(FULL);
    const reversed = Object.fromEntries(Object.entries(FULL).reverse());
    const b = components(reversed);
    const ids = Object.values(a).map((c) => c.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [key, c] of Object.entries(a)) expect(c.unique_id).toBe(`181220000009_${key}`);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('device has identifiers, name, manufacturer and serial; origin has a name; no object_id; topic shape', () => {
    const { topic, payload } = buildDiscovery(KAIFA, Object.keys(FULL), SETTINGS, '1.2.3');
    expect(topic).toBe('homeassistant/device/181220000009/config');
    expect(topic).toMatch(TOPIC_RE);
    expect(payload.device).toEqual({
      identifiers: ['smartmeter_181220000009'],
      name: 'Smart meter 181220000009',
      via_device: 'smartmeter_reader',
      manufacturer: 'Kaifa',
      serial_number: '181220000009',
    });
    expect(payload.origin).toEqual({
      name: 'Smart Meter Reader',
      sw_version: '1.2.3',
      support_url: 'https://github.com/smart-meter-reader/smart-meter-reader',
    });
    expect(payload.availability).toEqual([{ topic: 'smartmeter/status' }]);
    expect(payload.state_topic).toBe('smartmeter/181220000009/state');
    expect(JSON.stringify(payload)).not.toMatch(/object_id/);
    for (const c of Object.values(payload.components)) {
      expect(typeof c.name).toBe('string');
      expect(String(c.name)).not.toMatch(/meter 1812/i); // has_entity_name style: no device name inside
      expect(String(c.value_template)).toMatch(/^\{\{ value_json\.[a-z0-9_]+( \| default\(''\))? \}\}$/);
    }
  });

  it('device id: meter number, else system title, sanitised; never empty', () => {
    expect(deviceId(KAIFA)).toBe('181220000009');
    expect(deviceId(meterIdentity(null, '4C475A677370B177', 'LGZ'))).toBe('4C475A677370B177');
    expect(deviceId(meterIdentity('SMS 1030/78.8', null, null))).toBe('SMS_1030_78_8');
    expect(deviceId(meterIdentity('', null, null))).toBe('unidentified');
    const odd = buildDiscovery(meterIdentity('a/b+c#d', null, null), [], SETTINGS, '1');
    expect(odd.topic).toMatch(TOPIC_RE);
  });

  it('manufacturer from the system title FLAG id', () => {
    const m = (flag: string | null, systemTitle: string | null = null) =>
      manufacturerName(meterIdentity(null, systemTitle, flag));
    expect(m('KFM')).toBe('Kaifa');
    expect(m('SAG')).toBe('Sagemcom');
    expect(m('LGZ')).toBe('Landis+Gyr');
    expect(m('ISK')).toBe('Iskraemeco');
    expect(m('SMS')).toBe('Siemens');
    expect(m('KAM')).toBe('Kamstrup');
    expect(m(null, '4B464D6750000009')).toBe('Kaifa');
    expect(m(null, null)).toBeNull();
    const d = buildDiscovery(meterIdentity('1', null, null), [], SETTINGS, '1').payload.device;
    expect(d).not.toHaveProperty('manufacturer');
  });

  it('net_power only when both powers exist', () => {
    expect(components({ '1-0:1.7.0': { value: 1, unit: 'W' } })).not.toHaveProperty('net_power');
    expect(components({ '1-0:1.7.0': { value: 1, unit: 'W' }, '1-0:2.7.0': { value: 1, unit: 'W' } })).toHaveProperty(
      'net_power',
    );
  });

  it('custom prefixes', () => {
    const { topic, payload } = buildDiscovery(KAIFA, ['1-0:1.8.0'], { baseTopic: 'sm/x', discoveryPrefix: 'ha' }, '1');
    expect(topic).toBe('ha/device/181220000009/config');
    expect(payload.state_topic).toBe('sm/x/181220000009/state');
    expect(payload.availability).toEqual([{ topic: 'sm/x/status' }]);
  });
});

describe('discovery: several meters on one connection', () => {
  // what MqttPublisher.addMeter uses for an added meter called "Heat pump" (id heat_pump)
  const ADDED = {
    baseTopic: 'smartmeter/heat_pump',
    discoveryPrefix: 'homeassistant',
    availabilityTopic: 'smartmeter/status',
    deviceIdPrefix: 'heat_pump_',
    meterName: 'Heat pump',
  };

  it('an added meter has its own topics, unique ids and devices, even for the same meter number; availability is shared', () => {
    const first = buildDiscovery(KAIFA, Object.keys(FULL), SETTINGS, '1');
    const added = buildDiscovery(KAIFA, Object.keys(FULL), ADDED, '1');
    expect(added.topic).toBe('homeassistant/device/heat_pump_181220000009/config');
    expect(added.topic).toMatch(TOPIC_RE);
    expect(added.payload.state_topic).toBe('smartmeter/heat_pump/heat_pump_181220000009/state');
    expect(added.payload.availability).toEqual(first.payload.availability);
    expect(added.payload.device).toMatchObject({
      identifiers: ['smartmeter_heat_pump_181220000009'],
      name: 'Heat pump',
      via_device: 'smartmeter_heat_pump_reader',
      serial_number: '181220000009',
    });
    const ids = (m: typeof first) => Object.values(m.payload.components).map((c) => String(c.unique_id));
    for (const id of ids(added)) expect(id.startsWith('heat_pump_181220000009_'), id).toBe(true);
    expect(ids(added).filter((id) => ids(first).includes(id))).toEqual([]);
    const diagnostics = Object.values(added.payload.components).filter((c) => c.state_topic).map((c) => c.state_topic);
    expect(new Set(diagnostics)).toEqual(new Set(['smartmeter/heat_pump/heat_pump_181220000009/diagnostics']));
  });

  it("an added meter's reader device (status, problem) is its own", () => {
    const first = buildReaderDiscovery(SETTINGS, '1');
    const added = buildReaderDiscovery(ADDED, '1');
    expect(added.topic).toBe('homeassistant/device/smartmeter_heat_pump_reader/config');
    expect(added.topic).not.toBe(first.topic);
    expect(added.payload.device).toMatchObject({ identifiers: ['smartmeter_heat_pump_reader'], name: 'Smart Meter Reader (Heat pump)' });
    expect(added.payload.state_topic).toBe('smartmeter/heat_pump/reader');
    expect(added.payload.availability).toEqual([{ topic: 'smartmeter/status' }]);
    expect(Object.values(added.payload.components).map((c) => c.unique_id)).toEqual(['smartmeter_heat_pump_reader_status', 'smartmeter_heat_pump_reader_problem']);
  });
});

describe('state payload', () => {
  const previousTz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'Europe/Vienna';
  });
  afterAll(() => {
    if (previousTz === undefined) delete process.env.TZ;
    else process.env.TZ = previousTz;
  });

  it('kWh from integer Wh without float noise', () => {
    const s = buildState(push({ '1-0:1.8.0': { value: 6842204, unit: 'Wh' } }));
    expect(s.energy_import).toBe(6842.204);
    expect(JSON.stringify(s)).toContain('"energy_import":6842.204,');
  });

  it('any integer Wh becomes exactly n/1000 with at most 3 decimals (property)', () => {
    const def = lookupSensor('1-0:1.8.0')!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (wh) => {
        const out = publishedValue(def, { value: wh, unit: 'Wh' })!;
        const text = String(wh).padStart(4, '0');
        const expected = `${text.slice(0, -3)}.${text.slice(-3)}`.replace(/\.?0+$/, '').replace(/^0+(?=\d)/, '');
        expect(JSON.stringify(out)).toBe(expected === '' ? '0' : expected);
      }),
    );
  });

  it('E450-style readings without unit get the implied unit (Wh → kWh, varh → kvarh, W, var)', () => {
    const e450 = decodeVector('dlmsparser-steiermark-lg-e450');
    expect(e450.readings['1-0:1.8.0']).toEqual({ value: 4408736 }); // really unitless in the push
    const s = buildState(push(e450.readings, e450.meter, e450.time));
    expect(s).toMatchObject({
      energy_import: 4408.736,
      energy_import_t1: 3593.919,
      energy_import_t2: 814.817,
      energy_export: 0,
      reactive_energy_import: 1591.784,
      reactive_energy_export: 1401.005,
      power_import: 2893,
      power_export: 0,
      reactive_power_import: 1735,
      net_power: 2893,
      meter_time: '2022-02-21T17:37:30+01:00', // local meter time + Vienna offset (winter)
    });
    const c = components(e450.readings, e450.meter);
    expect(c.energy_import).toMatchObject({ unit_of_measurement: 'kWh', device_class: 'energy' });
    expect(c.reactive_energy_export).toMatchObject({ unit_of_measurement: 'kvarh' });
    expect(c.power_import).toMatchObject({ unit_of_measurement: 'W' });
    expect(buildDiscovery(e450.meter, [], SETTINGS, '1').topic).toBe('homeassistant/device/4C475A677370B177/config');
  });

  it('Netz NÖ Kaifa push: exact state', () => {
    const noe = decodeVector('netznoe-doc-kaifa');
    expect(buildState(push(noe.readings, noe.meter, noe.time))).toEqual({
      energy_import: 12.937,
      energy_export: 0,
      power_import: 0,
      power_export: 0,
      voltage_l1: 233.7,
      voltage_l2: 0,
      voltage_l3: 0,
      current_l1: 0,
      current_l2: 0,
      current_l3: 0,
      power_factor: 1,
      net_power: 0,
      meter_time: '2021-09-27T09:47:15+02:00',
      meter_number: '181220000009',
      received_at: '2024-05-01T10:00:01.000Z',
    });
  });

  it('full set: conversions, rounding, unknown OBIS kept under its code', () => {
    const s = buildState(push(FULL, KAIFA, '2024-05-01T12:00:00+02:00'));
    expect(s).toMatchObject({
      energy_import: 6842.204,
      energy_export: 1234.567,
      energy_import_t1: 4000,
      reactive_energy_import: 1591.784,
      power_import: 2893,
      power_export: 120,
      net_power: 2773,
      reactive_power_import: 1735,
      voltage_l1: 233.7,
      current_l3: 10.02,
      power_factor: 0.987,
      frequency: 49.98,
      meter_number: '181220000009',
      device_name: 'KFM1200200000009',
      meter_time: '2024-05-01T12:00:00+02:00',
      '1-1:99.99.99': 42,
    });
  });

  it('other source units are converted, wrong units and non-numbers are left out', () => {
    const s = buildState(
      push({
        '1-0:1.8.0': { value: 7112.944, unit: 'kWh' },
        '1-0:2.8.0': { value: 5, unit: 'V' },
        '1-0:1.7.0': { value: 1.068, unit: 'kW' },
        '1-0:2.7.0': { value: Number.NaN, unit: 'W' },
        '1-0:13.7.0': { value: 98.5, unit: '%' },
        '1-0:32.7.0': { value: 'garbage', unit: 'V' },
      }),
    );
    expect(s.energy_import).toBe(7112.944);
    expect(s.power_import).toBe(1068);
    expect(s.power_factor).toBe(0.985);
    expect(s).not.toHaveProperty('energy_export');
    expect(s).not.toHaveProperty('power_export');
    expect(s).not.toHaveProperty('net_power');
    expect(s).not.toHaveProperty('voltage_l1');
  });

  it('the outputs never convert from meter units: a reading not normalised by the readings layer is not published', () => {
    expect(publishedValue(lookupSensor('1-0:1.8.0')!, { value: 7112.944, unit: 'kWh' })).toBeNull();
    expect(publishedValue(lookupSensor('1-0:1.7.0')!, { value: 1.068, unit: 'kW' })).toBeNull();
    expect(publishedValue(lookupSensor('1-0:13.7.0')!, { value: 98.5, unit: '%' })).toBeNull();
    expect(publishedValue(lookupSensor('1-0:1.8.0')!, { value: 7112944, unit: 'Wh' })).toBe(7112.944);
    expect(publishedValue(lookupSensor('1-0:1.8.0')!, { value: 7112944 })).toBe(7112.944);
  });

  it('net power is the push\'s derived value (readings layer), not computed from the readings again', () => {
    const readings: Readings = { '1-0:1.7.0': { value: 500, unit: 'W' }, '1-0:2.7.0': { value: 200, unit: 'W' } };
    const accepted = { ...push(readings), derived: { ...push(readings).derived, netPowerW: 301 } };
    expect(buildState(accepted).net_power).toBe(301);
  });

  it('meter time: offsets kept, local times get the TZ offset, garbage is null', () => {
    expect(meterTime('2021-09-27T09:47:15+02:00')).toBe('2021-09-27T09:47:15+02:00');
    expect(meterTime('2021-07-01T12:00:00')).toBe('2021-07-01T12:00:00+02:00');
    expect(meterTime('2021-12-01T12:00:00')).toBe('2021-12-01T12:00:00+01:00');
    expect(meterTime('not a time')).toBeNull();
    expect(meterTime(null)).toBeNull();
    expect(buildState(push({}, KAIFA, null)).meter_time).toBeNull();
  });

  it('registry: text codes are not sensors, unknown codes unknown', () => {
    expect(lookupObis('0-0:96.1.0')?.kind).toBe('text');
    expect(lookupSensor('0-0:96.1.0')).toBeUndefined();
    expect(lookupObis('1-1:1.8.0')).toBeUndefined();
  });
});

const READER_OK = { status: 'ok', statusLayer: 'reader', statusCode: null, problem: 'none', statusSince: new Date(0) } as const;

describe('diagnostics payload', () => {
  it('maps the fields', () => {
    expect(
      buildDiagnostics({
        ...READER_OK,
        linkStatus: 'wrong_key',
        decodeErrors: 3,
        rejectedPushes: 1,
        lastPushAt: new Date('2024-05-01T10:00:00Z'),
      }),
    ).toEqual({ link_status: 'wrong_key', decode_errors: 3, rejected_pushes: 1, last_push: '2024-05-01T10:00:00.000Z' });
    expect(buildDiagnostics({ ...READER_OK, linkStatus: 'ok', decodeErrors: 0, rejectedPushes: 0, lastPushAt: null }).last_push).toBeNull();
  });
});

describe('reader device (status before any push)', () => {
  it('has a stable id from the base topic, an enum status with every status as option and a problem text', () => {
    const { topic, payload } = buildReaderDiscovery(SETTINGS, '1.2.3');
    expect(readerDeviceId(SETTINGS)).toBe('smartmeter_reader');
    expect(topic).toBe('homeassistant/device/smartmeter_reader/config');
    expect(topic).toMatch(TOPIC_RE);
    expect(payload.device).toMatchObject({ identifiers: ['smartmeter_reader'], name: 'Smart Meter Reader' });
    expect(payload.state_topic).toBe('smartmeter/reader');
    expect(payload.availability).toEqual([{ topic: 'smartmeter/status' }]);
    expect(payload.components.status).toMatchObject({
      platform: 'sensor',
      unique_id: 'smartmeter_reader_status',
      device_class: 'enum',
      entity_category: 'diagnostic',
      value_template: '{{ value_json.status }}',
    });
    expect(payload.components.status!.options).toEqual([...READER_STATUSES]);
    expect(READER_STATUSES).toEqual(expect.arrayContaining(['starting', 'ok', 'no_data', 'serial_settings', 'wrong_key', 'auth_failed', 'no_key', 'unknown_layout', 'implausible_values', 'broker']));
    expect(payload.components.problem).toMatchObject({ platform: 'sensor', unique_id: 'smartmeter_reader_problem', value_template: '{{ value_json.problem }}' });
    // the meter device, once known, routes through the reader device: one reader device whatever meter appears
    expect(buildDiscovery(KAIFA, Object.keys(FULL), SETTINGS, '1.2.3').payload.device.via_device).toBe('smartmeter_reader');
    expect(readerDeviceId({ baseTopic: 'home/meter 1' })).toBe('home_meter_1_reader');
  });

  it('state carries status, problem, layer, code and since', () => {
    expect(buildReaderState({ status: 'wrong_key', problem: 'Wrong key', statusLayer: 'crypto', statusCode: 'CRYPTO_WRONG_KEY', statusSince: new Date('2024-05-01T10:00:00Z') })).toEqual({
      status: 'wrong_key',
      problem: 'Wrong key',
      layer: 'crypto',
      code: 'CRYPTO_WRONG_KEY',
      since: '2024-05-01T10:00:00.000Z',
    });
  });
});

describe('unscaled readings (raw register values without scaler)', () => {
  const readings: Readings = {
    '1-0:1.8.0': { value: 6842204, unit: 'Wh' },
    '1-0:32.7.0': { value: 236, unscaled: true },
    '1-0:31.7.0': { value: 9, unscaled: true },
    '1-0:1.7.0': { value: 28, unscaled: true },
    '1-0:2.7.0': { value: 0, unscaled: true },
  };

  it('are never discovered as a sensor with a unit or device class', () => {
    expect(discoverableObis(readings)).toEqual(['1-0:1.8.0']);
    const c = buildDiscovery(KAIFA, discoverableObis(readings), SETTINGS, '1').payload.components;
    expect(Object.keys(c).filter((k) => !['meter_time', 'last_push', 'link_status', 'decode_errors', 'rejected_pushes'].includes(k))).toEqual([
      'energy_import',
    ]);
  });

  it('stay in the state under their OBIS code with the raw value, never under a sensor key or in net power', () => {
    const s = buildState(push(readings));
    expect(s['1-0:32.7.0']).toBe(236);
    expect(s['1-0:31.7.0']).toBe(9);
    expect(s.voltage_l1).toBeUndefined();
    expect(s.current_l1).toBeUndefined();
    expect(s.power_import).toBeUndefined();
    expect(s.net_power).toBeUndefined();
    expect(s.energy_import).toBe(6842.204);
  });
});
