/**
 * Nordic HAN lists (Norway/Sweden, plain HDLC at 2400 baud) from real public captures:
 * Kaifa KFM_001 positional lists 1-3 (layouts.ts), Kamstrup_V0001 unscaled 1-1 lists (listScalings.ts),
 * Aidon AIDON_V0001 self-describing lists. Values are asserted in the product's units.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import type { PushRecord } from '../../src/decoder/records.js';
import { LIST_CONVENTIONS, applyListConvention } from '../../src/readings/listScalings.js';
import { encodeHdlcFrame } from '../../src/framing/hdlc/hdlcEncode.js';
import { ownCaptures, keyOf, referenceReadings, streamOf, type Vector } from '../support/vectors.js';

const captures = ownCaptures();
const capture = (name: string): Vector => {
  const v = captures.find((c) => c.name === name);
  if (!v) throw new Error(`missing capture ${name}`);
  return v;
};
function decodeOne(v: Vector): Extract<PushRecord, { ok: true }> {
  const records = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: 'auto' });
  expect(records).toHaveLength(1);
  const record = records[0]!;
  if (!record.ok) throw new Error(JSON.stringify(record));
  return record;
}
const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('Kaifa KFM_001 (MA304 3-phase, MA105 1-phase)', () => {
  it('list 1: active power import only, clock from the header', () => {
    const r = decodeOne(capture('elwiz-no-kaifa-ma304h3e-list1'));
    expect(r.readings).toEqual({ '1-0:1.7.0': { value: 3423, unit: 'W' }, '0-0:1.0.0': { value: '2022-10-16T21:00:18' } });
  });

  it('list 2 (3-phase): meter id and type, ±P in W, ±Q in var, currents from mA, voltages from 0.1 V', () => {
    const r = decodeOne(capture('elwiz-no-kaifa-ma304h3e-list2'));
    expect(r.meter.id).toBe('6970631403757615');
    expect(r.readings).toMatchObject({
      '0-0:96.1.0': { value: '6970631403757615' },
      '0-0:96.1.7': { value: 'MA304H3E' },
      '1-0:1.7.0': { value: 3426, unit: 'W' },
      '1-0:4.7.0': { value: 52, unit: 'var' },
      '1-0:31.7.0': { value: 10.522, unit: 'A' },
      '1-0:51.7.0': { value: 12.276, unit: 'A' },
      '1-0:71.7.0': { value: 4.621, unit: 'A' },
      '1-0:32.7.0': { value: 232.5, unit: 'V' },
      '1-0:52.7.0': { value: 0, unit: 'V' },
      '1-0:72.7.0': { value: 234.4, unit: 'V' },
    });
  });

  it('list 3 (3-phase): adds the meter clock and the cumulative energies in Wh and varh', () => {
    const r = decodeOne(capture('elwiz-no-kaifa-ma304h3e-list3'));
    expect(r.time).toBe('2022-10-16T21:00:10');
    expect(r.readings).toMatchObject({
      '1-0:1.8.0': { value: 82840532, unit: 'Wh' },
      '1-0:2.8.0': { value: 0, unit: 'Wh' },
      '1-0:3.8.0': { value: 35883243, unit: 'varh' },
      '1-0:4.8.0': { value: 2143101, unit: 'varh' },
      '0-0:1.0.0': { value: '2022-10-16T21:00:10' },
    });
  });

  it('lists 2 and 3 of the 1-phase MA105 (9 and 14 values)', () => {
    const l2 = decodeOne(capture('elwiz-no-kaifa-ma105h2e-list2'));
    expect(l2.readings).toEqual({
      '0-0:96.1.0': { value: '6970631403151871' },
      '0-0:96.1.7': { value: 'MA105H2E' },
      '1-0:1.7.0': { value: 1347, unit: 'W' },
      '1-0:2.7.0': { value: 0, unit: 'W' },
      '1-0:3.7.0': { value: 0, unit: 'var' },
      '1-0:4.7.0': { value: 330, unit: 'var' },
      '1-0:31.7.0': { value: 6.005, unit: 'A' },
      '1-0:32.7.0': { value: 235, unit: 'V' },
      '0-0:1.0.0': { value: '2022-10-12T17:45:10' },
    });
    const l3 = decodeOne(capture('elwiz-no-kaifa-ma105h2e-list3'));
    expect(l3.readings).toMatchObject({
      '1-0:31.7.0': { value: 7.931, unit: 'A' },
      '1-0:32.7.0': { value: 234, unit: 'V' },
      '1-0:1.8.0': { value: 96513956, unit: 'Wh' },
      '1-0:4.8.0': { value: 9686786, unit: 'varh' },
    });
  });

  it('reads a list only when the list id is exactly KFM_001', () => {
    // the real list-2 push with the list id changed to "KFM_002": same shape, not the same list
    const v = capture('elwiz-no-kaifa-ma304h3e-list2');
    const frame = streamOf(v);
    const info = frame.subarray(9, frame.length - 3); // after flag, format(2), dst(2), src, ctrl, HCS(2); before FCS, flag
    const at = Buffer.from(info).indexOf(Buffer.from('KFM_001'));
    expect(at).toBeGreaterThan(0);
    const changed = Uint8Array.from(info);
    changed[at + 6] = 0x32;
    const [record] = decodeCapture(encodeHdlcFrame(changed), { key: null, authKey: null, framing: 'auto' });
    expect(record).toEqual({ ok: false, error: expect.objectContaining({ code: 'LAYOUT_UNKNOWN' }) });
  });
});

describe('Kaifa KFM_001 with OBIS codes (Sweden)', () => {
  it('scales the tagged but unscaled list like the positional one (toreamun/amshan tests/test_kaifa.py se_list)', () => {
    // NOTIFICATION_BODY_SE_LIST of toreamun/amshan (commit 3571bed437e4ab2b03c4e76464467e0ad2f7fb52), as a bare
    // data-notification 0F 40000000 00 <body>; the test there states 6.781 A, 232.2 V, 2816 W, 4786979 Wh.
    const body =
      '022409060100000281ff09074b464d5f30303109060000600100ff09103733343037333430373334303733343009060000600107ff09074d41333034483409060100010700ff' +
      '0600000b0009060100020700ff060000000009060100030700ff060000000009060100040700ff0600000042090601001f0700ff0600001a7d09060100330700ff06000003' +
      '1609060100470700ff06000017ed09060100200700ff060000091209060100340700ff06000008fc09060100480700ff06000008f109060000010000ff090c07e509160311' +
      '231effffc40009060100010800ff0600490b2309060100020800ff060000000009060100030800ff060000667409060100040800ff060008d3e0';
    const [record] = decodeCapture(hexBytes('0f4000000000' + body), { key: null, authKey: null, framing: 'auto' });
    expect(record!.ok).toBe(true);
    if (!record!.ok) return;
    expect(record!.time).toBe('2021-09-22T17:35:30+01:00');
    expect(record!.readings).toMatchObject({
      '0-0:96.1.0': { value: '7340734073407340' },
      '1-0:1.7.0': { value: 2816, unit: 'W' },
      '1-0:4.7.0': { value: 66, unit: 'var' },
      '1-0:31.7.0': { value: 6.781, unit: 'A' },
      '1-0:51.7.0': { value: 0.79, unit: 'A' },
      '1-0:71.7.0': { value: 6.125, unit: 'A' },
      '1-0:32.7.0': { value: 232.2, unit: 'V' },
      '1-0:52.7.0': { value: 230, unit: 'V' },
      '1-0:72.7.0': { value: 228.9, unit: 'V' },
      '1-0:1.8.0': { value: 4786979, unit: 'Wh' },
      '1-0:4.8.0': { value: 578528, unit: 'varh' },
    });
  });
});

describe('Kamstrup Kamstrup_V0001 (values without scaler or unit)', () => {
  it('Norway list 2: 1-1 codes published as 1-0 codes, current 0.01 A, voltage 1 V', () => {
    const r = decodeOne(capture('amsreader-no-kamstrup-list2'));
    expect(r.meter.id).toBe('5706567277656672');
    expect(r.readings).toEqual({
      '0-0:96.1.0': { value: '5706567277656672' },
      '0-0:96.1.7': { value: '6841131BN243101040' },
      '1-0:1.7.0': { value: 3825, unit: 'W' },
      '1-0:2.7.0': { value: 0, unit: 'W' },
      '1-0:3.7.0': { value: 0, unit: 'var' },
      '1-0:4.7.0': { value: 387, unit: 'var' },
      '1-0:31.7.0': { value: 1.06, unit: 'A' },
      '1-0:51.7.0': { value: 9.95, unit: 'A' },
      '1-0:71.7.0': { value: 6.01, unit: 'A' },
      '1-0:32.7.0': { value: 242, unit: 'V' },
      '1-0:52.7.0': { value: 240, unit: 'V' },
      '1-0:72.7.0': { value: 242, unit: 'V' },
      '0-0:1.0.0': { value: '2024-10-30T17:32:00' },
    });
  });

  it('Norway list 3: energies in 10 Wh units, the body clock (0-1:1.0.0) as the meter clock', () => {
    const r = decodeOne(capture('amsreader-no-kamstrup-list3'));
    expect(r.time).toBe('2021-11-25T23:00:55');
    expect(r.readings).toMatchObject({
      '1-0:1.8.0': { value: 85823280, unit: 'Wh' },
      '1-0:2.8.0': { value: 4540830, unit: 'Wh' },
      '1-0:3.8.0': { value: 153270, unit: 'varh' },
      '1-0:4.8.0': { value: 14774380, unit: 'varh' },
    });
    expect(Object.keys(r.readings).filter((k) => k.startsWith('1-1:') || k.startsWith('0-1:'))).toEqual([]);
  });

  it('Danish Omnipower: every source value comes out under the 1-0 code, times the convention scaler', () => {
    const v = capture('dlmsparser-dk-kamstrup-omnipower') as Vector & { source_values: Record<string, { value: number | string }> };
    const r = decodeOne(v);
    const kamstrup = LIST_CONVENTIONS.find((c) => c.listId === 'Kamstrup_V0001')!;
    const source = referenceReadings(v.source_values);
    // the source (dlms_parser tests/expected/hdlc_kamstrup_omnipower.h) states 32 values: a loop over none asserts nothing
    expect(Object.keys(source)).toHaveLength(32);
    let checked = 0;
    for (const [code, { value }] of Object.entries(source)) {
      checked++;
      const renamed = kamstrup.rename[code];
      if (renamed) {
        expect(r.readings[renamed], code).toEqual({ value: String(value) });
        continue;
      }
      const cde = code.slice('1-1:'.length);
      const q = kamstrup.quantities[cde]!;
      expect(q, code).toBeDefined();
      const expected = (value as number) * 10 ** q.scalers[0]!;
      const reading = r.readings[`1-0:${cde}`]!;
      expect(reading.value as number, code).toBeCloseTo(expected, 9);
      expect(reading.unit, code).toBe(q.unit ?? undefined);
    }
    expect(checked).toBe(32);
    expect(r.readings).toMatchObject({
      '1-0:1.8.0': { value: 63074980, unit: 'Wh' },
      '1-0:31.7.0': { value: 0.57, unit: 'A' },
      '1-0:33.7.0': { value: 0.31 },
      '0-0:96.1.0': { value: '12343400' },
    });
  });

  it('reads five-digit voltages of reconfigured meters in 0.01 V (amsreader-firmware Bornholm log)', () => {
    // Decrypted APDU as printed by the AMS reader (frames/KamstrupOmnipower_Bornholm_DK_5digitVoltage_9sep25.log),
    // fed as a bare data-notification: U L1-L3 = 0x56B7, 0x572A, 0x5731
    const apdu =
      '0F000000000C07E90909020E0B00FF80000002190A0E4B616D73747275705F563030303109060101000005FF0A10353730363536373238303436333939310906010160' +
      '0101FF0A1236383431313338424E32343331303130313009060101010700FF060000025109060101020700FF060000000009060101030700FF060000001B0906010104' +
      '0700FF06000000AA090601011F0700FF06000000FC09060101330700FF060000001409060101470700FF060000002409060101200700FF1256B70906010134070' +
      '0FF12572A09060101480700FF125731';
    const [record] = decodeCapture(hexBytes(apdu), { key: null, authKey: null, framing: 'auto' });
    expect(record!.ok).toBe(true);
    if (!record!.ok) return;
    expect(record!.readings).toMatchObject({
      '1-0:32.7.0': { value: 221.99, unit: 'V' },
      '1-0:52.7.0': { value: 223.14, unit: 'V' },
      '1-0:72.7.0': { value: 223.21, unit: 'V' },
      '1-0:31.7.0': { value: 2.52, unit: 'A' },
      '1-0:1.7.0': { value: 593, unit: 'W' },
    });
  });

  it('leaves a voltage out rather than publish one that fits neither resolution', () => {
    const out = applyListConvention(
      { readings: { '1-1:32.7.0': { value: 5 }, '1-1:52.7.0': { value: 0 }, '1-1:72.7.0': { value: 230 } }, time: null, layout: 'obis' },
      'Kamstrup_V0001',
    );
    expect(out.readings).toEqual({ '1-0:52.7.0': { value: 0, unit: 'V' }, '1-0:72.7.0': { value: 230, unit: 'V' } });
  });

  it('touches neither other lists nor readings that carry their own unit', () => {
    const input = { readings: { '1-1:31.7.0': { value: 57 }, '1-0:31.7.0': { value: 5.7, unit: 'A' } }, time: null, layout: 'obis' };
    expect(applyListConvention(input, 'AIDON_V0001')).toBe(input);
    expect(applyListConvention(input, null)).toBe(input);
    expect(applyListConvention({ ...input, readings: { '1-1:31.7.0': { value: 5.7, unit: 'A' } } }, 'Kamstrup_V0001').readings).toEqual({
      '1-0:31.7.0': { value: 5.7, unit: 'A' },
    });
  });
});

describe('Aidon AIDON_V0001 (self-describing)', () => {
  it('Norway hourly list: scaler/unit structures applied, clock with day-of-week 0 accepted', () => {
    const r = decodeOne(capture('amsreader-no-aidon-list3'));
    expect(r.meter.id).toBe('7359992890497997');
    expect(r.readings).toMatchObject({
      '1-0:1.7.0': { value: 4027, unit: 'W' },
      '1-0:71.7.0': { value: 16.8, unit: 'A' },
      '1-0:52.7.0': { value: 233.4, unit: 'V' },
      '1-0:1.8.0': { value: 109552250, unit: 'Wh' },
      '1-0:4.8.0': { value: 15319720, unit: 'varh' },
      '0-0:1.0.0': { value: '2025-12-14T16:00:00+00:00' },
    });
  });
});
