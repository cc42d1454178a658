/**
 * The consumers of the one A-XDR walker: the tree (frame inspector), the flat leaves (hot path), the outline
 * (`decode --explain`), the type signature (LAYOUT_UNKNOWN) and the compact-descriptor measure; plus OBIS text.
 */
import { describe, expect, it } from 'vitest';
import { compactBodyEnd } from '../../src/dlms/axdr/compactDescriptors.js';
import { AxdrInvalid, AxdrTruncated, axdrCodeOf } from '../../src/dlms/axdr/cursor.js';
import { decodeValue, OctetString, type DlmsValue } from '../../src/dlms/axdr/decode.js';
import { collectLeaves, Leaves, SCALER_UNIT } from '../../src/dlms/axdr/leaves.js';
import { outlineAxdr } from '../../src/dlms/axdr/outline.js';
import { Reader } from '../../src/dlms/axdr/Reader.js';
import { typeSignature } from '../../src/dlms/axdr/signature.js';
import { formatObis, isValueObis, normaliseObis, ObisTexts } from '../../src/dlms/obis.js';
import { A, CLOCK, E, I16, I8, N, OBIS, obisBytes, S, scalerUnit, U16, U32, U8, Vs, type Bytes } from '../decoder/axdrBuild.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const bytes = (b: Bytes) => Uint8Array.from(b);

/** Netz NÖ-like body: clock, two OBIS triples, meter number. */
const BODY = S(CLOCK, OBIS('1-0:1.8.0'), U32(12937), scalerUnit(0, 30), OBIS('1-0:32.7.0'), U16(2301), scalerUnit(-1, 35), Vs('181220000009'));

describe('tree (decode.ts)', () => {
  it('decodes every type into its value, octet strings as ranges of the buffer', () => {
    const b = hex('02 0A 03 01 0F FE 10 FF38 11 C8 16 1E 14 FFFFFFFFFFFFFFFF 15 FFFFFFFFFFFFFFFF 17 40200000 0A 02 4142 04 03 A0');
    const r = new Reader(b);
    const tree = decodeValue(r);
    expect(r.pos).toBe(b.length);
    expect(tree.type).toBe('structure');
    const items = (tree as { items: DlmsValue[] }).items;
    expect(items.map((v) => ('value' in v ? v.value : v.type))).toEqual([true, -2, -200, 200, 30, -1n, 2n ** 64n - 1n, 2.5, 'AB', 'bit-string']);
    expect(items[9]).toMatchObject({ type: 'bit-string', bits: 3 });
    const octets = decodeValue(new Reader(bytes(OBIS('1-0:1.8.0'))));
    expect(octets).toBeInstanceOf(OctetString);
    expect([...(octets as OctetString).bytes]).toEqual(obisBytes('1-0:1.8.0'));
    const clock = decodeValue(new Reader(hex('19 07E5091B01092F0F00FF8880')));
    expect(clock).toMatchObject({ type: 'date-time' });
  });

  it('throws AxdrTruncated when bytes are missing and AxdrInvalid (a RangeError) with a code otherwise', () => {
    expect(() => decodeValue(new Reader(hex('02 02 11 01')))).toThrow(AxdrTruncated);
    const unknown = (() => {
      try {
        decodeValue(new Reader(hex('02 01 EE')));
      } catch (e) {
        return e;
      }
    })();
    expect(unknown).toBeInstanceOf(RangeError);
    expect(unknown).toBeInstanceOf(AxdrInvalid);
    expect(axdrCodeOf(unknown)).toBe('AXDR_UNKNOWN_TAG');
    expect(axdrCodeOf(new Error('other'))).toBe('AXDR_INVALID');
    // an element count beyond the bytes is refused before anything is allocated for it
    expect(() => decodeValue(new Reader(hex('01 83 FFFFFF 00')))).toThrow(AxdrTruncated);
  });
});

describe('leaves (leaves.ts)', () => {
  it('flattens nested structures, recognises {scaler, unit} and keeps each leaf’s range', () => {
    const b = bytes(BODY);
    const leaves = new Leaves();
    expect(collectLeaves(b, 0, b.length, leaves)).toBe(b.length);
    const tags = Array.from(leaves.tag.subarray(0, leaves.count));
    expect(tags).toEqual([0x09, 0x09, 0x06, SCALER_UNIT, 0x09, 0x12, SCALER_UNIT, 0x0a]);
    expect(leaves.num[2]).toBe(12937);
    // {scaler, unit}: num = scaler, start = unit enum
    expect([leaves.num[3], leaves.start[3]]).toEqual([0, 30]);
    expect([leaves.num[6], leaves.start[6]]).toEqual([-1, 35]);
    expect(leaves.num[5]).toBe(2301);
    // the clock's 12 bytes start after `02 08 09 0C`
    expect([leaves.start[0], leaves.end[0]]).toEqual([4, 16]);
    expect(Buffer.from(b.subarray(leaves.start[7]!, leaves.end[7]!)).toString('latin1')).toBe('181220000009');
  });

  it('a structure of two that is not {int8, enum} is walked as leaves', () => {
    const b = bytes(S(S(I16(-5), E(30)), S(I8(1), U8(2))));
    const leaves = new Leaves();
    collectLeaves(b, 0, b.length, leaves);
    expect(Array.from(leaves.tag.subarray(0, leaves.count))).toEqual([0x10, 0x16, 0x0f, 0x11]);
    expect(Array.from(leaves.num.subarray(0, leaves.count))).toEqual([-5, 30, 1, 2]);
  });

  it('grows beyond 64 leaves and starts afresh after reset', () => {
    const b = bytes(A(...Array.from({ length: 100 }, (_, i) => U16(i))));
    const leaves = new Leaves();
    collectLeaves(b, 0, b.length, leaves);
    expect(leaves.count).toBe(100);
    expect(leaves.num[99]).toBe(99);
    leaves.reset();
    const one = bytes(U8(4));
    collectLeaves(one, 0, 2, leaves);
    expect([leaves.count, leaves.num[0]]).toEqual([1, 4]);
  });

  it('throws the fault of the walk with its code', () => {
    const leaves = new Leaves();
    expect(() => collectLeaves(hex('02 02 11 01'), 0, 4, leaves)).toThrow(AxdrTruncated);
    try {
      collectLeaves(hex('02 02 11 01 EE'), 0, 5, leaves);
      expect.unreachable();
    } catch (e) {
      expect(axdrCodeOf(e)).toBe('AXDR_UNKNOWN_TAG');
      expect((e as Error).message).toBe('unknown A-XDR tag 0xee at offset 4');
    }
  });
});

describe('outline (outline.ts)', () => {
  it('lines with offsets and depths; clocks and OBIS codes in words', () => {
    const lines = outlineAxdr(bytes(BODY), 0);
    expect(lines.map((l) => [l.offset, l.depth])).toEqual([
      [0, 0],
      [2, 1],
      [16, 1],
      [24, 1],
      [29, 1],
      [31, 2],
      [33, 2],
      [35, 1],
      [43, 1],
      [46, 1],
      [48, 2],
      [50, 2],
      [52, 1],
    ]);
    expect(lines[1]!.text).toBe('octet-string(12) 07E5091B01092F0F00FF8880 = 2021-09-27T09:47:15+02:00');
    expect(lines[2]!.text).toBe('octet-string(6) 0100010800FF = OBIS 1-0:1.8.0');
    expect(lines[3]!.text).toBe('uint32 12937');
    expect(lines[10]!.text).toBe('int8 -1');
    expect(lines[12]!.text).toBe('visible-string(12) 313831323230303030303039 "181220000009"');
  });

  it('shows what there is of a structure announcing more elements than bytes, then says why it stops', () => {
    const lines = outlineAxdr(hex('02 05 11 07 12 0001'), 0);
    expect(lines.map((l) => l.text)).toEqual(['structure(5)', 'uint8 7', 'uint16 1', '(stops: value missing at offset 7)']);
  });
});

describe('type signature (signature.ts)', () => {
  it('types and lengths only, repeats collapsed', () => {
    expect(typeSignature(bytes(BODY), 0)).toBe('S(O12,O6,U32,S(I8,E),O6,U16,S(I8,E),V12)');
    expect(typeSignature(bytes(A(U16(1), U16(2), U16(3))), 0)).toBe('A(3×U16)');
    expect(typeSignature(bytes([...N(), ...U8(1)]), 0, 1)).toBe('N');
  });

  it('writes the fault into the signature where the bytes stop parsing', () => {
    expect(typeSignature(hex('02 03 11 01 02 02 12 0001 EE'), 0)).toBe('S(U8,S(U16,?@9))');
    expect(typeSignature(hex('02 02 11 01 09 08 0102'), 0)).toBe('S(U8,?@4)');
    expect(typeSignature(hex('11 01 FF'), 0)).toBe('U8,?@2');
  });
});

describe('compact descriptor bodies (compactDescriptors.ts)', () => {
  // 02 02 16 ee 01 N, then N × 02 02 <class u16> <OBIS 6> <attribute u8> <value>
  const compact = hex('02 02 16 00 01 02  02 02 0003 0100010800FF 02 06 00003039  02 02 0001 00002A0000FF 02 0A 02 4142');

  it('measures the body the plain walk cannot read', () => {
    expect(compactBodyEnd(compact, 0, compact.length)).toBe(compact.length);
  });

  it('says -1 when the shape does not hold and throws AxdrTruncated when it holds but ends early', () => {
    expect(compactBodyEnd(bytes(BODY), 0, BODY.length)).toBe(-1);
    const bad = compact.slice();
    bad[17] = 0xee; // the first value's tag
    expect(compactBodyEnd(bad, 0, bad.length)).toBe(-1);
    expect(() => compactBodyEnd(compact, 0, compact.length - 1)).toThrow(AxdrTruncated);
  });
});

describe('OBIS text (obis.ts)', () => {
  it('formats and normalises; F = 255 omitted', () => {
    expect(formatObis(Uint8Array.from(obisBytes('1-0:32.7.0')))).toBe('1-0:32.7.0');
    expect(formatObis(hex('0000010000 05'))).toBe('0-0:1.0.0*5');
    expect(normaliseObis('1.0.1.8.0.255')).toBe('1-0:1.8.0');
    expect(normaliseObis('1-0:1.8.0*3')).toBe('1-0:1.8.0*3');
    expect(() => normaliseObis('nope')).toThrow(TypeError);
  });

  it('recognises value codes, not push-setup codes', () => {
    expect(isValueObis(hex('0100010800FF'))).toBe(true);
    expect(isValueObis(hex('0000190900FF'))).toBe(false);
    expect(isValueObis(hex('0200010800FF'))).toBe(false);
    expect(isValueObis(hex('0100010800'))).toBe(false);
  });

  it('the cache of one decoder gives the same text as the pure form, for many codes', () => {
    const texts = new ObisTexts();
    for (let round = 0; round < 2; round++) {
      for (let e = 0; e < 40; e++) {
        const code = hex(`01000108${e.toString(16).padStart(2, '0')}FF`);
        expect(texts.format(code)).toBe(formatObis(code));
      }
    }
  });
});
