/**
 * Units normalised once and net power derived once, in the readings layer (issue 12): readings/normalise.ts, its
 * conversions per unit prefix, its refusals, and every decode path's output in the product's units.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { flagOfSystemTitle, meterIdentity } from '../../src/decoder/manufacturers.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { canonicalReading, checkAndNormalise, derivedOf, normalisedReadings, NO_DERIVED_VALUES } from '../../src/readings/normalise.js';
import { QUANTITIES, quantityOf } from '../../src/readings/quantities.js';
import type { Readings } from '../../src/readings/readings.js';
import { registerKey, REGISTER_KEYS } from '../../src/readings/registers.js';
import { PREFIXED_UNITS } from '../../src/readings/units.js';
import { isMeterError } from '../../src/shared/errors.js';
import { decodePlain, notification, OBIS, S, scalerUnit, U16, U32 } from '../decoder/axdrBuild.js';
import { keyOf, ownCaptures, sharedVectors, streamOf } from '../support/vectors.js';

const q = (obis: string) => quantityOf(obis)!;

describe('canonicalReading: one unit per quantity', () => {
  it('converts every prefix of every prefixable unit exactly (decimal point moved, no float noise)', () => {
    const cases: [obis: string, unit: string, value: number, canonical: number, canonicalUnit: string][] = [
      ['1-0:1.8.0', 'kWh', 7112.944, 7112944, 'Wh'],
      ['1-0:1.8.0', 'MWh', 1.5, 1500000, 'Wh'],
      ['1-0:1.7.0', 'kW', 1.068, 1068, 'W'],
      ['1-0:1.7.0', 'MW', 0.000123, 123, 'W'],
      ['1-0:3.8.0', 'kvarh', 1591.784, 1591784, 'varh'],
      ['1-0:3.8.0', 'Mvarh', 2.5, 2500000, 'varh'],
      ['1-0:3.7.0', 'kvar', 0.333, 333, 'var'],
      ['1-0:4.7.0', 'Mvar', 0.1, 100000, 'var'],
      ['1-0:9.8.0', 'kVAh', 12.0005, 12000.5, 'VAh'],
      ['1-0:9.7.0', 'kVA', 2.1, 2100, 'VA'],
      ['1-0:10.7.0', 'MVA', 0.01, 10000, 'VA'],
      ['1-0:32.7.0', 'kV', 0.2301, 230.1, 'V'],
      ['1-0:31.7.0', 'kA', 0.00525, 5.25, 'A'],
      ['1-0:1.7.0', 'kW', -0.5, -500, 'W'],
    ];
    for (const [obis, unit, value, canonical, canonicalUnit] of cases) {
      expect(canonicalReading(q(obis), { value, unit }), `${value} ${unit}`).toEqual({ value: canonical, unit: canonicalUnit });
    }
    // 0.1 + 0.2 style noise never shows up in what is published: 1.001 kWh is 1001 Wh, not 1000.9999999999999
    expect(canonicalReading(q('1-0:1.8.0'), { value: 1.001, unit: 'kWh' })?.value).toBe(1001);
  });

  it('power factor in % becomes a factor without unit', () => {
    expect(canonicalReading(q('1-0:13.7.0'), { value: 98.5, unit: '%' })).toEqual({ value: 0.985 });
    expect(canonicalReading(q('1-0:33.7.0'), { value: 100, unit: '%' })).toEqual({ value: 1 });
  });

  it('keeps the same object when the reading is already canonical, unitless, unscaled or no number', () => {
    for (const r of [{ value: 5, unit: 'Wh' }, { value: 5 }, { value: 9, unscaled: true as const }, { value: 'x' }]) {
      expect(canonicalReading(q('1-0:1.8.0'), r)).toBe(r);
    }
  });

  it('keeps a capture time', () => {
    expect(canonicalReading(q('1-0:1.7.0'), { value: 2, unit: 'kW', time: '2024-01-01T00:00:00+01:00' })).toEqual({
      value: 2000,
      unit: 'W',
      time: '2024-01-01T00:00:00+01:00',
    });
  });

  it('refuses units that are not the quantity\'s (never a value in a wrong unit)', () => {
    expect(canonicalReading(q('1-0:1.8.0'), { value: 5, unit: 'V' })).toBeNull();
    expect(canonicalReading(q('1-0:1.8.0'), { value: 5, unit: 'kW' })).toBeNull();
    expect(canonicalReading(q('1-0:1.7.0'), { value: 5, unit: 'Wh' })).toBeNull();
    expect(canonicalReading(q('1-0:1.7.0'), { value: 5, unit: 'xW' })).toBeNull();
    expect(canonicalReading(q('1-0:13.7.0'), { value: 5, unit: 'W' })).toBeNull();
    expect(canonicalReading(q('1-0:3.7.0'), { value: 5, unit: 'VA' })).toBeNull();
  });

  it('the DSMR text units are the same table (units.ts), volumes kept in m³', () => {
    expect(PREFIXED_UNITS.kWh).toEqual(['Wh', 3]);
    expect(PREFIXED_UNITS.kW).toEqual(['W', 3]);
    expect(PREFIXED_UNITS.m3).toEqual(['m³', 0]);
    for (const [unit, [canonical]] of Object.entries(PREFIXED_UNITS)) {
      if (unit === 'm3') continue;
      expect(Object.values(QUANTITIES).some((spec) => spec.unit === canonical), unit).toBe(true);
    }
  });
});

describe('checkAndNormalise (decode path) and normalisedReadings (tolerant)', () => {
  it('normalises in place and leaves codes that are no quantity as they are', () => {
    const readings: Readings = {
      '1-0:1.8.0': { value: 1.5, unit: 'kWh' },
      '1-0:13.7.0': { value: 95, unit: '%' },
      '0-1:24.2.1': { value: 0.107, unit: 'm³' },
      '1-0:81.7.4': { value: 120, unit: '°' },
      '0-0:96.1.0': { value: 'M1' },
      '1-0:32.7.0': { value: 230, unit: 'V' },
    };
    const voltage = readings['1-0:32.7.0'];
    checkAndNormalise(readings, 'test');
    expect(readings).toEqual({
      '1-0:1.8.0': { value: 1500, unit: 'Wh' },
      '1-0:13.7.0': { value: 0.95 },
      '0-1:24.2.1': { value: 0.107, unit: 'm³' },
      '1-0:81.7.4': { value: 120, unit: '°' },
      '0-0:96.1.0': { value: 'M1' },
      '1-0:32.7.0': { value: 230, unit: 'V' },
    });
    expect(readings['1-0:32.7.0']).toBe(voltage); // canonical readings are not copied
  });

  it('rejects a push with a unit that is not its quantity\'s, naming the layout (VALUE_IMPLAUSIBLE)', () => {
    const attempt = () => checkAndNormalise({ '1-0:1.8.0': { value: 5, unit: 'V' } }, 'dsmr');
    expect(attempt).toThrow(/1-0:1\.8\.0 = 5 V: not a unit of activeEnergy \(dsmr\)/);
    try {
      attempt();
    } catch (e) {
      expect(isMeterError(e) && e.code).toBe('VALUE_IMPLAUSIBLE');
    }
    expect(() => checkAndNormalise({ '1-0:1.7.0': { value: 2000, unit: 'kW' } }, 'dsmr')).toThrow(/outside/);
  });

  it('the tolerant form marks a refused unit unscaled (raw number, no unit) instead of converting it', () => {
    expect(normalisedReadings({ '1-0:1.8.0': { value: 5, unit: 'V' }, '1-0:1.7.0': { value: 1.2, unit: 'kW' } })).toEqual({
      '1-0:1.8.0': { value: 5, unscaled: true },
      '1-0:1.7.0': { value: 1200, unit: 'W' },
    });
  });
});

describe('every decode path hands on readings in the product units', () => {
  const vectors = [...sharedVectors(), ...ownCaptures()];
  for (const v of vectors) {
    it(v.name, () => {
      const records = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: 'auto' });
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) {
        if (!r.ok) continue;
        for (const [obis, reading] of Object.entries(r.readings)) {
          const spec = quantityOf(obis);
          if (spec === null || reading.unscaled) continue;
          // a quantity carries its canonical unit or none (meters without units: the canonical one)
          expect(reading.unit === undefined || reading.unit === spec.unit, `${obis} ${reading.unit}`).toBe(true);
        }
      }
    });
  }

  it('DLMS {scaler, unit}: a power factor in % (unit 56) leaves as a plain factor', () => {
    const body = S(OBIS('1-0:1.8.0'), U32(12937), scalerUnit(0, 30), OBIS('1-0:13.7.0'), U16(985), scalerUnit(-1, 56));
    const r = decodePlain(notification(body));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.push.readings['1-0:13.7.0']).toEqual({ value: 0.985 });
    expect(r.push.readings['1-0:1.8.0']).toEqual({ value: 12937, unit: 'Wh' });
  });

  it('DLMS {scaler, unit}: a unit that is not the quantity\'s rejects the push', () => {
    const body = S(OBIS('1-0:1.8.0'), U32(12937), scalerUnit(0, 35)); // 35 = V
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('VALUE_IMPLAUSIBLE');
  });
});

describe('derivedOf: net power once', () => {
  const W = (value: number) => ({ value, unit: 'W' });
  it('import − export, negative when exporting, zero', () => {
    expect(derivedOf({ '1-0:1.7.0': W(2893), '1-0:2.7.0': W(120) })).toMatchObject({ powerImportW: 2893, powerExportW: 120, netPowerW: 2773 });
    expect(derivedOf({ '1-0:1.7.0': W(0), '1-0:2.7.0': W(2601) })).toMatchObject({ powerImportW: 0, powerExportW: 2601, netPowerW: -2601 });
    expect(derivedOf({ '1-0:1.7.0': W(0), '1-0:2.7.0': W(0) }).netPowerW).toBe(0);
  });

  it('import alone when the push has no export register; null when it has export only or neither', () => {
    expect(derivedOf({ '1-0:1.7.0': W(3423) })).toMatchObject({ powerImportW: 3423, powerExportW: null, netPowerW: 3423 });
    expect(derivedOf({ '1-0:2.7.0': W(50) })).toMatchObject({ powerImportW: null, powerExportW: 50, netPowerW: null });
    expect(derivedOf({ '0-0:96.1.0': { value: 'M1' } })).toBe(NO_DERIVED_VALUES);
  });

  it('never uses unscaled or non-finite inputs', () => {
    expect(derivedOf({ '1-0:1.7.0': { value: 258874, unscaled: true } })).toBe(NO_DERIVED_VALUES);
    expect(derivedOf({ '1-0:1.7.0': W(100), '1-0:2.7.0': { value: 3, unscaled: true } })).toMatchObject({ powerImportW: 100, powerExportW: null, netPowerW: null });
    expect(derivedOf({ '1-0:1.7.0': { value: 28, unscaled: true }, '1-0:2.7.0': W(0) })).toMatchObject({ powerImportW: null, powerExportW: 0, netPowerW: null });
    expect(derivedOf({ '1-0:1.7.0': W(Number.NaN), '1-0:2.7.0': W(1) }).netPowerW).toBeNull();
    expect(derivedOf({ '1-0:1.7.0': { value: 'text' } })).toBe(NO_DERIVED_VALUES);
  });

  it('energy counters: the total register, else the sum of the tariff registers, never unscaled', () => {
    const Wh = (value: number) => ({ value, unit: 'Wh' });
    expect(derivedOf({ '1-0:1.8.0': Wh(100), '1-0:1.8.1': Wh(60), '1-0:2.8.0': Wh(5) })).toMatchObject({ energyImportWh: 100, energyExportWh: 5 });
    expect(derivedOf({ '1-0:1.8.1': Wh(60), '1-0:1.8.2': Wh(40), '1-0:2.8.2': Wh(7) })).toMatchObject({ energyImportWh: 100, energyExportWh: 7 });
    expect(derivedOf({ '1-0:1.8.0': { value: 886977, unscaled: true } })).toBe(NO_DERIVED_VALUES);
    expect(derivedOf({ '1-0:1.8.0': { value: 886977, unscaled: true }, '1-0:1.8.1': Wh(3) }).energyImportWh).toBe(3);
    expect(derivedOf({ '1-0:1.8.0': Wh(0) })).toEqual({ ...NO_DERIVED_VALUES, energyImportWh: 0 });
  });

  it('is carried in the decoded push of real captures (AMIS export, DSMR kW, DLMS)', () => {
    const byName = new Map([...sharedVectors(), ...ownCaptures()].map((v) => [v.name, v]));
    const derived = (name: string) => {
      const v = byName.get(name)!;
      const d = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: 'auto' });
      const [r] = [...d.push(streamOf(v)), ...d.flush()];
      if (!r?.ok) throw new Error(`${name} did not decode`);
      return r.push.derived;
    };
    expect(derived('netzooe-spec-amis-td3511').netPowerW).toBe(-117);
    expect(derived('dsmrparser-hu-eon-sagemcom').netPowerW).toBe(-2601);
    expect(derived('dlmsparser-steiermark-lg-e450')).toEqual({ powerImportW: 2893, powerExportW: 0, netPowerW: 2893, energyImportWh: 4408736, energyExportWh: 0 });
    expect(derived('scs-ch-lg-e570-vse2026-load')).toEqual(NO_DERIVED_VALUES);
    // DSMR: only tariff registers, in kWh on the wire: the sum in Wh
    const dsmr = derived('dsmrparser-nl-kaifa-dsmr42');
    expect(dsmr.energyImportWh).toBeGreaterThan(0);
    expect(Number.isInteger(dsmr.energyImportWh)).toBe(true);
  });
});

describe('register keys and the manufacturer, named once', () => {
  it('every key once, every code once', () => {
    expect(new Set(REGISTER_KEYS.map(([, key]) => key)).size).toBe(REGISTER_KEYS.length);
    expect(new Set(REGISTER_KEYS.map(([obis]) => obis)).size).toBe(REGISTER_KEYS.length);
    expect(registerKey('1-0:1.8.0')).toBe('energy_import');
    expect(registerKey('1-0:32.7.0')).toBe('voltage_l1');
    expect(registerKey('1-1:1.8.0')).toBeNull();
  });

  it('the decoder sets the manufacturer name from the FLAG id, else from the system title', () => {
    expect(meterIdentity('1', '4B464D6750000009', 'KFM').manufacturerName).toBe('Kaifa');
    expect(meterIdentity(null, '4C475A677370B177', null).manufacturerName).toBe('Landis+Gyr');
    expect(meterIdentity(null, '000000002D4C010E', 'SAM').manufacturerName).toBe('Siemens');
    expect(meterIdentity(null, '58595A0000000000', 'XYZ').manufacturerName).toBe('XYZ');
    expect(meterIdentity('1', null, null).manufacturerName).toBeNull();
    expect(flagOfSystemTitle('0102030405060708')).toBeNull();
  });
});
