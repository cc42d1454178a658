/**
 * Golden tests for pushes that carry their own capture-object list (L+G E450/E570) or compact untagged
 * descriptors (Sagemcom XT211), against the values their public sources state, plus the shapes around them
 * that must never decode.
 */
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodedPush, DecodeResult } from '../../src/decoder/types.js';
import { toFrameRecord } from '../../src/monitor/frameRecord.js';
import { toErrorRecord } from '../../src/shared/errors.js';
import type { TreeNodeDto } from '../../src/contract/dto.js';
import { keyOf, ownCaptures, streamOf, type Vector } from '../support/vectors.js';
import { A, CLOCK, decodePlain, descriptor, notification, O, OBIS, S, scalerUnit, U16, U32, Vs } from './axdrBuild.js';

const captures = new Map(ownCaptures().map((v) => [v.name, v]));

function decodeAll(v: Vector): DecodeResult[] {
  const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
  return [...decoder.push(streamOf(v)), ...decoder.flush()];
}

function push(name: string): DecodedPush {
  const results = decodeAll(captures.get(name)!);
  expect(results).toHaveLength(1);
  const r = results[0]!;
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.push;
}

const numbers = (p: DecodedPush) => Object.entries(p.readings).filter(([, r]) => typeof r.value === 'number');

describe('L+G E450 self-describing push (Swiss VSE 2026 configuration)', () => {
  const p = push('scs-ch-lg-e450-vse2026');

  it('maps every value to its capture object, as the source states', () => {
    expect(p.layout).toBe('self-describing');
    expect(p.reason).toMatch(/^17 capture objects \(the first is the list itself\), 16 values/);
    expect(p.meter.id).toBe('LGZ1030653520967');
    expect(p.time).toBe('2026-05-04T11:39:21');
    expect(p.readings['1-0:1.7.0']).toEqual({ value: 28, unscaled: true });
    expect(p.readings['1-1:1.8.0']).toEqual({ value: 482939, unscaled: true });
    expect(p.readings['1-1:4.8.0']).toEqual({ value: 344697, unscaled: true });
    expect(p.readings['1-0:32.7.0']).toEqual({ value: 236, unscaled: true });
    expect(p.readings['1-0:72.7.0']).toEqual({ value: 0, unscaled: true });
    expect(p.readings['0-0:96.1.1']).toEqual({ value: '1909113' });
  });

  it('keeps the raw register value: the source states 0.09 A after its own ×0.01 table, the push carries 9', () => {
    expect(p.readings['1-0:31.7.0']).toEqual({ value: 9, unscaled: true });
    expect((p.readings['1-0:31.7.0']!.value as number) / 100).toBe(0.09);
    expect((p.readings['1-0:51.7.0']!.value as number) / 100).toBe(0.08);
  });

  it('publishes no unit for any unscaled value and no push-setup entry', () => {
    for (const [obis, r] of numbers(p)) expect(r.unit, obis).toBeUndefined();
    expect(Object.keys(p.readings).some((k) => k.includes(':25.9.0'))).toBe(false);
  });
});

describe('L+G E450 self-describing push (older configuration): the bug that published the attribute index', () => {
  const p = push('scs-ch-lg-e450-selfdescribing');

  it('no reading is the attribute index 2 of its descriptor', () => {
    const values = numbers(p).map(([, r]) => r.value);
    expect(values.length).toBe(11); // the source counts 11 register data points
    expect(values.filter((v) => v === 2)).toEqual([]);
    expect(p.readings['1-0:13.7.0']).toEqual({ value: 941, unscaled: true });
  });

  it('takes the meter id and clock the source states', () => {
    expect(p.meter.id).toBe('LGZ1030655933512');
    expect(p.time).toBe('2021-07-06T14:58:18');
    expect(p.readings['0-0:1.0.0']).toEqual({ value: '2021-07-06T14:58:18' });
  });
});

describe('L+G E450 self-describing push (Cyprus)', () => {
  const p = push('esphome-cy-lg-e450-selfdescribing');

  it('maps tariff registers to their own codes: the totals equal the sum of the tariffs', () => {
    expect(p.layout).toBe('self-describing');
    expect(p.meter.id).toBe('LGZ1020782546371');
    const raw = (obis: string) => p.readings[obis]!.value as number;
    expect(raw('1-0:1.8.0')).toBe(raw('1-0:1.8.1') + raw('1-0:1.8.2'));
    expect(raw('1-0:2.8.0')).toBe(raw('1-0:2.8.1') + raw('1-0:2.8.2'));
    expect(p.readings['0-0:96.14.0']).toEqual({ value: 'RATE2' });
    expect(p.readings['0-0:96.3.10']).toEqual({ value: 1 });
  });
});

describe('L+G E570 self-describing pushes', () => {
  it('decrypts and maps an encrypted push (key published with the capture)', () => {
    const p = push('scs-ch-lg-e570-encrypted');
    expect(p.meter).toEqual({ id: 'LGZ1030769231253', systemTitle: '4C475A6774206295', manufacturer: 'LGZ', manufacturerName: 'Landis+Gyr' });
    expect(p.layout).toBe('self-describing');
    expect(p.readings['1-1:1.8.0']).toEqual({ value: 862055, unscaled: true });
    expect(p.readings['1-0:13.7.0']).toEqual({ value: 1000, unscaled: true });
    expect(numbers(p).map(([, r]) => r.value)).not.toContain(2);
  });

  it('shows why no default scaler is guessed: 1-0:1.7.0 is 258874 (0.01 W) at about 12 A', () => {
    const p = push('scs-ch-lg-e570-vse2026-load');
    expect(p.readings['1-0:1.7.0']).toEqual({ value: 258874, unscaled: true });
    expect(p.readings['1-0:31.7.0']).toEqual({ value: 400, unscaled: true });
    expect(p.readings['1-1:1.8.0']).toEqual({ value: 2607383, unscaled: true });
  });
});

describe('Sagemcom XT211 compact descriptors (Czech RS-485)', () => {
  const p = push('dlmsparser-cz-sagemcom-xt211');

  it('reads the untagged descriptors and the values the source states', () => {
    expect(p.layout).toBe('compact-descriptors');
    expect(p.reason).toMatch(/^22 untagged descriptors with values/);
    expect(p.meter.id).toBe('5100005149');
    expect(p.readings['0-0:96.14.0']).toEqual({ value: 'T2' });
    expect(p.readings['0-0:96.3.10']).toEqual({ value: 1 });
    expect(p.readings['1-0:1.7.0']).toEqual({ value: 1956, unscaled: true });
    expect(p.readings['1-0:41.7.0']).toEqual({ value: 1703, unscaled: true });
    expect(p.readings['1-0:1.8.0']).toEqual({ value: 4913794, unscaled: true });
    expect(p.readings['1-0:2.8.0']).toEqual({ value: 52, unscaled: true });
  });

  it('is measured by raw framing even though its descriptors are no A-XDR', () => {
    const v = captures.get('dlmsparser-cz-sagemcom-xt211')!;
    const twice = new StreamDecoder({});
    const bytes = Buffer.concat([Buffer.from(streamOf(v)), Buffer.from(streamOf(v))]);
    const results = [...twice.push(bytes), ...twice.flush()];
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  });
});

describe('self-describing shapes built from the Blue Book definition', () => {
  const list = (...d: number[][]) => A(descriptor(40, '0-0:25.9.0', 2), ...d);

  it('applies the scaler and unit when the push captures attribute 3 too', () => {
    const body = S(
      list(descriptor(8, '0-0:1.0.0', 2), descriptor(3, '1-0:32.7.0', 2), descriptor(3, '1-0:32.7.0', 3)),
      CLOCK,
      U16(2337),
      scalerUnit(-1, 35),
    );
    const r = decodePlain(notification(body));
    expect(r.ok && r.push.readings['1-0:32.7.0']).toEqual({ value: 233.7, unit: 'V' });
    expect(r.ok && r.push.time).toBe('2021-09-27T09:47:15+02:00');
  });

  it('accepts a list without the push setup, values following it (M = K + 1)', () => {
    const body = S(A(descriptor(3, '1-0:1.8.0', 2), descriptor(1, '0-0:96.1.0', 2)), U32(1234), Vs('12345678'));
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.push.readings['1-0:1.8.0']).toEqual({ value: 1234, unscaled: true });
    expect(r.push.meter.id).toBe('12345678');
    expect(r.push.reason).toMatch(/^2 capture objects, 2 values/);
  });

  it('rejects a push whose value count does not match its capture objects (LAYOUT_UNKNOWN with a signature)', () => {
    const body = S(list(descriptor(3, '1-0:1.8.0', 2), descriptor(3, '1-0:2.8.0', 2)), U32(1));
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('LAYOUT_UNKNOWN');
    expect(r.error.detail).toMatch(/3 capture objects but 1 values/);
    expect(r.error.signature).toBe('S(A(3×S(U16,O6,I8,U16)),U32)');
    // the CLI record and the panel carry it next to the message
    expect(toErrorRecord(r.error)).toEqual({ stage: 'layout', code: 'LAYOUT_UNKNOWN', message: r.error.message, signature: r.error.signature });
  });

  it('rejects a value that is a structure instead of a leaf', () => {
    const body = S(list(descriptor(3, '1-0:1.8.0', 2)), S(U32(1), U32(2)));
    const r = decodePlain(notification(body));
    expect(!r.ok && r.error.code).toBe('LAYOUT_UNKNOWN');
  });

  it('rejects a scaler attribute that is no {scaler, unit} structure, with the signature', () => {
    const body = S(list(descriptor(3, '1-0:1.8.0', 2), descriptor(3, '1-0:1.8.0', 3)), U32(1), U32(2));
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('LAYOUT_UNKNOWN');
    expect(r.error.signature).toBe('S(A(3×S(U16,O6,I8,U16)),2×U32)');
  });

  it('rejects a clock capture object whose value is no date-time', () => {
    const body = S(list(descriptor(8, '0-0:1.0.0', 2)), U32(5));
    const r = decodePlain(notification(body));
    expect(!r.ok && r.error.code).toBe('DATETIME_INVALID');
  });

  it('does not publish one element of an array attribute (data index ≠ 0)', () => {
    const body = S(list(descriptor(3, '1-0:1.8.0', 2), descriptor(3, '1-0:2.8.0', 2, 1)), U32(7), U32(9));
    const r = decodePlain(notification(body));
    expect(r.ok && Object.keys(r.push.readings)).toEqual(['1-0:1.8.0']);
  });
});

describe('the OBIS-tagged strategy pairs only consistent shapes', () => {
  it('capture-object descriptors without the list shape are LAYOUT_UNKNOWN, never the attribute index', () => {
    // descriptors nested one level deeper than a self-describing push: the tagged strategy used to pair 1-0:1.8.0 with 2
    const body = S(S(descriptor(3, '1-0:1.8.0', 2), descriptor(3, '1-0:2.8.0', 2)), U32(5), U32(6));
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('LAYOUT_UNKNOWN');
    expect(r.error.signature).toBe('S(S(2×S(U16,O6,I8,U16)),2×U32)');
  });

  it('an OBIS code followed by a structure is LAYOUT_UNKNOWN', () => {
    const r = decodePlain(notification(S(OBIS('1-0:1.8.0'), S(U32(5), U32(6)))));
    expect(!r.ok && r.error.code).toBe('LAYOUT_UNKNOWN');
  });

  it('a number without an OBIS code next to tagged values is LAYOUT_UNKNOWN', () => {
    const r = decodePlain(notification(S(OBIS('1-0:1.8.0'), U32(5), U32(99))));
    expect(!r.ok && r.error.code).toBe('LAYOUT_UNKNOWN');
  });

  it('still reads flat and nested triples', () => {
    const flat = decodePlain(notification(S(CLOCK, OBIS('1-0:1.8.0'), U32(12937), scalerUnit(0, 30), O([0x31, 0x32, 0x33]))));
    expect(flat.ok && flat.push.readings['1-0:1.8.0']).toEqual({ value: 12937, unit: 'Wh' });
    const nested = decodePlain(notification(S(S(OBIS('1-0:32.7.0'), U16(2337), scalerUnit(-1, 35)))));
    expect(nested.ok && nested.push.readings['1-0:32.7.0']).toEqual({ value: 233.7, unit: 'V' });
  });
});

describe('VALUE_IMPLAUSIBLE: an impossible number rejects the whole push', () => {
  it('names the OBIS code and the value', () => {
    const body = S(OBIS('1-0:1.8.0'), U32(5), scalerUnit(0, 30), OBIS('1-0:32.7.0'), U16(9000), scalerUnit(-1, 35));
    const r = decodePlain(notification(body));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALUE_IMPLAUSIBLE');
    expect(r.error.stage).toBe('layout');
    expect(r.error.detail).toContain('1-0:32.7.0 = 900 V');
  });

  it('a power factor above 1 and a negative energy register are rejected; an unscaled energy only when negative', () => {
    const pf = decodePlain(notification(S(OBIS('1-0:13.7.0'), U16(1500), scalerUnit(-3, 255))));
    expect(!pf.ok && pf.error.code).toBe('VALUE_IMPLAUSIBLE');
    const negative = decodePlain(notification(S(A(descriptor(3, '1-0:1.8.0', 2)), [0x05, 0xff, 0xff, 0xff, 0xfe])));
    expect(!negative.ok && negative.error.code).toBe('VALUE_IMPLAUSIBLE');
    const bigUnscaled = decodePlain(notification(S(A(descriptor(3, '1-0:32.7.0', 2)), U32(2_000_000))));
    expect(bigUnscaled.ok).toBe(true);
  });
});

describe('the panel gets unscaled values as plain numbers', () => {
  it('frame record: no quantity key or unit for unscaled readings, no descriptor attribute labelled as a value', () => {
    const [result] = decodeAll(captures.get('scs-ch-lg-e450-vse2026')!);
    const record = toFrameRecord({ id: 1, at: new Date(0), result: result!, rejected: null }, (obis) => (obis === '1-0:31.7.0' ? 'current_l1' : null));
    expect(record.readings.find((r) => r.obis === '1-0:31.7.0')).toEqual({ obis: '1-0:31.7.0', key: null, value: 9, unit: null, unscaled: true });
    const labelled: string[] = [];
    const walk = (n: TreeNodeDto) => {
      if (n.obis && n.type === 'int8') labelled.push(n.obis);
      n.children?.forEach(walk);
    };
    walk(record.tree!);
    expect(labelled).toEqual([]);
  });
});

