/**
 * The one A-XDR walker (dlms/axdr/cursor.ts) and the one BER length decoder (shared/ber.ts): what every
 * A-XDR consumer (tree, leaves, outline, signature) and the APDU parsers stand on.
 */
import { describe, expect, it } from 'vitest';
import { AxdrCursor, skipValue } from '../../src/dlms/axdr/cursor.js';
import { BER_NEED_MORE, BER_UNSUPPORTED, berSize, berValue, encodeBerLength, readBerLength } from '../../src/shared/ber.js';
import { A, CLOCK, E, I16, I32, I8, N, O, OBIS, S, scalerUnit, U16, U32, U8, Vs, type Bytes } from '../decoder/axdrBuild.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

interface Token {
  tag: number;
  at: number;
  start: number;
  stop: number;
  depth: number;
  count: number;
  num: number;
}

function walk(bytes: Uint8Array | Bytes, start = 0): { tokens: Token[]; c: AxdrCursor } {
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const c = new AxdrCursor().reset(b, start);
  const tokens: Token[] = [];
  while (c.next()) tokens.push({ tag: c.tag, at: c.at, start: c.start, stop: c.stop, depth: c.depth, count: c.count, num: c.num });
  return { tokens, c };
}

describe('BER length (shared/ber.ts)', () => {
  it('reads the short form and 1–3 length bytes, with the size of the field', () => {
    const cases: [string, number, number][] = [
      ['00', 0, 1],
      ['7F', 127, 1],
      ['81 80', 128, 2],
      ['81 FF', 255, 2],
      ['82 01 F2', 498, 3],
      ['83 01 00 00', 65536, 4],
    ];
    for (const [text, value, size] of cases) {
      const packed = readBerLength(hex(text), 0, hex(text).length);
      expect([berValue(packed), berSize(packed)], text).toEqual([value, size]);
    }
  });

  it('says when bytes are missing and when the form is not supported', () => {
    expect(readBerLength(hex(''), 0, 0)).toBe(BER_NEED_MORE);
    expect(readBerLength(hex('82 01'), 0, 2)).toBe(BER_NEED_MORE);
    // `end` bounds the read even when the buffer holds more (a reused framer buffer)
    expect(readBerLength(hex('82 01 F2'), 0, 2)).toBe(BER_NEED_MORE);
    expect(readBerLength(hex('80'), 0, 1)).toBe(BER_UNSUPPORTED);
    expect(readBerLength(hex('84 00 00 00 01'), 0, 5)).toBe(BER_UNSUPPORTED);
  });

  it('encodes what it decodes', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 498, 65535, 65536, 1_000_000]) {
      const field = Uint8Array.from(encodeBerLength(n));
      const packed = readBerLength(field, 0, field.length);
      expect([berValue(packed), berSize(packed)]).toEqual([n, field.length]);
    }
  });
});

describe('AxdrCursor', () => {
  it('reports every value depth first with its tag offset, content range, depth and count', () => {
    // structure{ OBIS 1-0:1.8.0, uint32 1234, {int8 0, enum 30}, array[uint8 7, null] }
    const body = S(OBIS('1-0:1.8.0'), U32(1234), scalerUnit(0, 30), A(U8(7), N()));
    const { tokens, c } = walk(body);
    expect(tokens).toEqual([
      { tag: 0x02, at: 0, start: 2, stop: 2, depth: 0, count: 4, num: 0 },
      { tag: 0x09, at: 2, start: 4, stop: 10, depth: 1, count: 0, num: 0 },
      { tag: 0x06, at: 10, start: 11, stop: 15, depth: 1, count: 0, num: 1234 },
      { tag: 0x02, at: 15, start: 17, stop: 17, depth: 1, count: 2, num: 0 },
      { tag: 0x0f, at: 17, start: 18, stop: 19, depth: 2, count: 0, num: 0 },
      { tag: 0x16, at: 19, start: 20, stop: 21, depth: 2, count: 0, num: 30 },
      { tag: 0x01, at: 21, start: 23, stop: 23, depth: 1, count: 2, num: 0 },
      { tag: 0x11, at: 23, start: 24, stop: 25, depth: 2, count: 0, num: 7 },
      { tag: 0x00, at: 25, start: 26, stop: 26, depth: 2, count: 0, num: 0 },
    ]);
    expect(c.done).toBe(true);
    expect(c.fault).toBeNull();
    expect(c.pos).toBe(body.length);
  });

  it('decodes numbers with their sign and width', () => {
    const values = walk(S(I8(-3), I16(-2), U16(65535), I32(-5), U32(0xfffffffe))).tokens.slice(1).map((t) => t.num);
    expect(values).toEqual([-3, -2, 65535, -5, 0xfffffffe]);
    const wide = walk(hex('02 04 14 FFFFFFFFFFFFFFFE 15 0000000100000002 17 3FC00000 18 C004000000000000'));
    expect(wide.tokens.slice(1).map((t) => t.num)).toEqual([-2, 2 ** 32 + 2, 1.5, -2.5]);
    expect(walk(hex('04 0C ABC0')).tokens[0]).toMatchObject({ tag: 0x04, count: 12, num: 12, start: 2, stop: 4 });
  });

  it('the short path and the general path give the same values (long length forms take the general one)', () => {
    // structure{ visible-string "AB", array[uint16 7] } with short and with 0x81 lengths
    const short = walk(hex('02 02 0A 02 4142 01 01 12 0007')).tokens;
    const long = walk(hex('02 81 02 0A 81 02 4142 01 81 01 12 0007')).tokens;
    const shape = (t: Token) => [t.tag, t.depth, t.count, t.num, t.stop - t.start];
    expect(long.map(shape)).toEqual(short.map(shape));
    expect(short.map((t) => t.num)).toEqual([0, 0, 0, 7]);
    // time, date and date-time carry no number; a deep structure past the short path's depth still fails the same way
    expect(walk(hex('1B 0A0B0C0D')).tokens[0]).toMatchObject({ num: 0, start: 1, stop: 5 });
    expect(walk(hex('1A 07EA0B18FF')).tokens[0]).toMatchObject({ num: 0, stop: 6 });
  });

  it('stops after the one value it was started on, leaving the rest', () => {
    const { tokens, c } = walk([...U16(5), ...U8(1)]);
    expect(tokens).toHaveLength(1);
    expect(c.done).toBe(true);
    expect(c.pos).toBe(3);
  });

  it('reads long lengths (0x81, 0x82) for strings and element counts', () => {
    const text = 'x'.repeat(200);
    const { tokens } = walk(S(Vs(text)));
    expect(tokens[1]).toMatchObject({ tag: 0x0a, at: 2, start: 5, stop: 205 });
    const many = A(...Array.from({ length: 300 }, () => N()));
    const walked = walk(many);
    expect(walked.tokens[0]).toMatchObject({ count: 300, start: 4 });
    expect(walked.tokens).toHaveLength(301);
  });

  it('gives failures as data: unknown tag, truncation, nesting, length form, each with where', () => {
    const unknown = walk(hex('02 02 11 01 EE'));
    expect([unknown.c.fault, unknown.c.faultAt, unknown.c.faultText]).toEqual(['AXDR_UNKNOWN_TAG', 4, 'unknown A-XDR tag 0xee at offset 4']);
    expect(unknown.tokens).toHaveLength(2);

    const shortNumber = walk(hex('02 02 06 00000001 12 00'));
    expect([shortNumber.c.fault, shortNumber.c.faultAt, shortNumber.c.faultText]).toEqual(['AXDR_TRUNCATED', 7, 'uint16 at offset 7 needs 2 bytes, 1 left']);

    const shortString = walk(hex('09 06 0100'));
    expect([shortString.c.fault, shortString.c.faultAt]).toEqual(['AXDR_TRUNCATED', 0]);

    const missing = walk(hex('02 02 11 01'));
    expect([missing.c.fault, missing.c.faultText]).toEqual(['AXDR_TRUNCATED', 'value missing at offset 4']);

    const tooMany = walk(hex('01 10 11 01'));
    expect([tooMany.c.fault, tooMany.c.faultAt, tooMany.tokens.length]).toEqual(['AXDR_TRUNCATED', 0, 0]);

    const deep = walk(Uint8Array.from([...Array.from({ length: 17 }, () => [0x02, 0x01]).flat(), 0x00]));
    expect([deep.c.fault, deep.c.faultAt, deep.tokens.length]).toEqual(['AXDR_TOO_DEEP', 32, 16]);

    const form = walk(hex('09 80 00'));
    expect(form.c.fault).toBe('AXDR_INVALID');
    expect(form.c.done).toBe(false);
  });

  it('walks an over-long count as far as it goes when asked to (the outline)', () => {
    const c = new AxdrCursor().reset(hex('01 10 11 01'), 0);
    c.strictCounts = false;
    const tags: number[] = [];
    while (c.next()) tags.push(c.tag);
    expect(tags).toEqual([0x01, 0x11]);
    expect([c.fault, c.faultText]).toEqual(['AXDR_TRUNCATED', 'value missing at offset 4']);
  });

  it('can skip the elements of a structure whose bytes the caller read itself', () => {
    const b = Uint8Array.from(S(scalerUnit(-1, 35), U8(9)));
    const c = new AxdrCursor().reset(b, 0);
    c.next(); // outer
    c.next(); // {scaler, unit}
    c.skipElements(4);
    expect(c.next()).toBe(true);
    expect([c.tag, c.num, c.depth]).toEqual([0x11, 9, 1]);
    expect(c.next()).toBe(false);
    expect(c.done).toBe(true);
  });

  it('is reusable: a reset starts a fresh walk after a fault', () => {
    const c = new AxdrCursor();
    expect(skipValue(c, hex('EE'), 0, 1)).toBe(-1);
    expect(c.fault).toBe('AXDR_UNKNOWN_TAG');
    const clock = Uint8Array.from(CLOCK);
    expect(skipValue(c, clock, 0, clock.length)).toBe(14);
    expect(c.fault).toBeNull();
    expect(skipValue(c, Uint8Array.from([...E(1), 0xff]), 0, 3)).toBe(2);
    expect(skipValue(c, Uint8Array.from(O([1, 2, 3])), 0, 4)).toBe(-1);
    expect(c.fault).toBe('AXDR_TRUNCATED');
  });
});
