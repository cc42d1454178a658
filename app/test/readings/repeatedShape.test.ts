/**
 * The repeated-shape path (src/readings/repeatedShape.ts): after one OBIS-tagged push read the full way, a push
 * of the same shape is read by its values only. It must give exactly what the full way gives, for every push:
 * a decoder with the path and one without it (`new DecodeContext(false)`) are fed the same pushes and compared.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeContext, decodeApdu } from '../../src/decoder/decodeApdu.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { Decryptor } from '../../src/dlms/security/decrypt.js';
import { encodeNetzNoePlaintext, encodeNetzNoePush, type NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';
import { keyOf, ownCaptures, sharedVectors, streamOf } from '../support/vectors.js';
import { E, I16, I32, I8, N, notification, O, OBIS, S, scalerUnit, U16, U32, U8, Vs, type Bytes } from '../decoder/axdrBuild.js';

const noKeys = new Decryptor(null, null);

/** What a result says: the whole push, or the error's code, detail and parameters (not the trace's byte views). */
const said = (r: DecodeResult) =>
  r.ok ? { ok: true, push: r.push } : { ok: false, code: r.error.code, detailId: r.error.detailId, params: r.error.params, signature: r.error.signature };

/** Two decode contexts fed the same pushes: one replays shapes, one reads every push the full way. */
class BothWays {
  readonly replaying = new DecodeContext();
  readonly full = new DecodeContext(false);

  /** Decodes one push both ways; the replaying result when both say the same. */
  decode(apdu: Uint8Array): DecodeResult {
    const replayed = decodeApdu(apdu, noKeys, [], this.replaying);
    const full = decodeApdu(apdu, noKeys, [], this.full);
    const a = said(replayed);
    const b = said(full);
    // toEqual only on a difference: it is slow in a loop of thousands of runs
    if (JSON.stringify(a) !== JSON.stringify(b)) expect(a).toEqual(b);
    return replayed;
  }

  get replayed(): number {
    return this.replaying.readings.shape.replayed;
  }
}

const start = Date.UTC(2026, 10, 24, 8, 0, 0);
function netzNoeValues(i: number, over: Partial<NetzNoeValues> = {}): NetzNoeValues {
  return {
    time: new Date(start + i * 5000),
    utcOffsetMinutes: 60,
    energyImportWh: 12_937 + i,
    energyExportWh: 4_000,
    powerImportW: 300 + i,
    powerExportW: 0,
    voltage: [230.1, 231, 229.5],
    current: [1.2, 0.8, 0.5],
    powerFactor: 0.95,
    meterNumber: '181220000009',
    ...over,
  };
}

/** Decrypted data-notifications of every capture (real pushes of every OBIS-tagged and other family). */
function capturePlaintexts(): Uint8Array[] {
  const plaintexts: Uint8Array[] = [];
  for (const v of [...sharedVectors(), ...ownCaptures()]) {
    const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
    for (const r of [...decoder.push(streamOf(v)), ...decoder.flush()]) {
      if (r.ok && r.trace.plaintext?.[0] === 0x0f) plaintexts.push(Uint8Array.from(r.trace.plaintext));
    }
  }
  return plaintexts;
}

describe('repeated shape: the values of a known shape only', () => {
  it('replays every Netz NÖ push after the first and gives the full way’s readings', () => {
    const both = new BothWays();
    for (let i = 0; i < 50; i++) {
      const r = both.decode(encodeNetzNoePlaintext(netzNoeValues(i), i));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.push.readings['1-0:1.8.0']).toEqual({ value: 12_937 + i, unit: 'Wh' });
    }
    expect(both.replayed).toBe(49);
    expect(both.full.readings.shape.replayed).toBe(0);
  });

  it('goes the full way for a value out of range, a clock that does not parse and a changed shape', () => {
    const both = new BothWays();
    both.decode(encodeNetzNoePlaintext(netzNoeValues(0), 0));
    // 900 V is no voltage of a customer interface: the full way rejects the push, the replay does not hide it
    const high = both.decode(encodeNetzNoePlaintext(netzNoeValues(1, { voltage: [900, 231, 229.5] }), 1));
    expect(high.ok ? null : high.error.code).toBe('VALUE_IMPLAUSIBLE');
    // month 13 in the body's clock (offset 6 + 2 + 2 in the notification: tag, invoke id, header clock, structure)
    const push = encodeNetzNoePlaintext(netzNoeValues(2), 2);
    const badClock = push.slice();
    badClock[5 + 13 + 2 + 2 + 2] = 13;
    expect(badClock[5 + 13 + 2 + 2 + 2 - 2]).toBe(0x07); // the year's high byte before it: the right offset
    both.decode(badClock);
    // another meter number (same length): a text is part of the shape
    const other = both.decode(encodeNetzNoePlaintext(netzNoeValues(3, { meterNumber: '181220000010' }), 3));
    expect(other.ok && other.push.readings['0-0:96.1.0']).toEqual({ value: '181220000010' });
    // none of these three was replayed; the next ordinary push is (the shape of the last one read the full way)
    expect(both.replayed).toBe(0);
    const next = both.decode(encodeNetzNoePlaintext(netzNoeValues(4, { meterNumber: '181220000010' }), 4));
    expect(next.ok).toBe(true);
    expect(both.replayed).toBe(1);
  });

  it('a decoder told not to replay reads every push the full way', () => {
    const key = Uint8Array.from(Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'));
    const title = Uint8Array.from(Buffer.from('4B464D6750000009', 'hex'));
    const stream = Buffer.concat(Array.from({ length: 5 }, (_, i) => encodeNetzNoePush(netzNoeValues(i), key, title, i + 1)));
    const replaying = new StreamDecoder({ key });
    const full = new StreamDecoder({ key, replayShapes: false });
    expect(replaying.push(stream).map(said)).toEqual(full.push(stream).map(said));
  });

  it('random Netz NÖ values, in range or not, give the same result both ways (2 000 pushes)', () => {
    const both = new BothWays();
    // mostly plausible values (the replay's path), sometimes anything the register can hold (the full way's)
    const mostly = (min: number, max: number, limit: number) =>
      fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: limit }), weight: 1 });
    const values = fc.record({
      energy: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      power: mostly(0, 1_000_000, 2 ** 32 - 1),
      voltage: mostly(0, 5000, 0xffff),
      current: mostly(0, 100_000, 0xffff),
      powerFactor: mostly(0, 1000, 0xffff),
      second: fc.integer({ min: 0, max: 86_400 * 400 }),
    });
    fc.assert(
      fc.property(values, (v) => {
        const push = encodeNetzNoePlaintext(
          netzNoeValues(0, {
            time: new Date(start + v.second * 1000),
            energyImportWh: v.energy,
            powerImportW: v.power,
            voltage: [v.voltage / 10, 230, 230],
            current: [v.current / 100, 1, 1],
            powerFactor: v.powerFactor / 1000,
          }),
          v.second,
        );
        both.decode(push);
      }),
      { numRuns: 2000, seed: 20261203 },
    );
    // most pushes are on the ordinary path: the comparison covered the replay, not only the fallback
    expect(both.replayed).toBeGreaterThan(1000);
  });

  it('mutated real pushes of every capture, each after the unmutated one, give the same result both ways (4 000 runs)', () => {
    const plaintexts = capturePlaintexts();
    expect(plaintexts.length).toBeGreaterThan(15);
    const both = new BothWays();
    let ok = 0;
    let mutatedReplayed = 0;
    const flips = fc.array(fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.constantFrom(...plaintexts), fc.array(flips, { minLength: 1, maxLength: 4 }), (plain, pushes) => {
        for (const edits of pushes) {
          both.decode(plain); // learns its shape, or replays it
          const bytes = plain.slice();
          for (const e of edits) bytes[e.at % bytes.length]! ^= e.mask;
          const before = both.replayed;
          if (both.decode(bytes).ok) ok++;
          mutatedReplayed += both.replayed - before;
        }
      }),
      { numRuns: 4000, seed: 4032026 },
    );
    expect(ok).toBeGreaterThan(1000);
    // a flip in a value of an OBIS-tagged push keeps the shape: these were compared on the replay's path
    expect(mutatedReplayed).toBeGreaterThan(150);
  });

  it('random OBIS-tagged shapes, each sent again with new random values, give the same result both ways (1 500 shapes)', () => {
    const both = new BothWays();
    let sent = 0;
    fc.assert(
      fc.property(shape, fc.array(fc.array(word, { minLength: 64, maxLength: 64 }), { minLength: 2, maxLength: 6 }), (spec, pushes) => {
        for (const words of pushes) {
          both.decode(notification(bodyOf(spec, words)));
          sent++;
        }
      }),
      { numRuns: 1500, seed: 31122026 },
    );
    // many pushes after the first of a shape were read by their values only, so both ways were compared there
    expect(sent).toBeGreaterThan(5000);
    expect(both.replayed).toBeGreaterThan(600);
  });
});

/** A random number for a value: mostly small (a plausible reading), sometimes any 32 bits. */
const word = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 0xffffffff }), weight: 1 });

const VALUE_KINDS = ['u32', 'i32', 'u16', 'i16', 'u8', 'i8', 'enum', 'bool', 'f32', 'f64', 'u64', 'i64', 'clock', 'text', 'null'] as const;
type ValueKind = (typeof VALUE_KINDS)[number];
const CODES = ['1-0:1.8.0', '1-0:2.8.0', '1-0:1.7.0', '1-0:2.7.0', '1-0:32.7.0', '1-0:31.7.0', '1-0:13.7.0', '1-0:14.7.0', '1-0:3.8.0', '0-0:1.0.0', '0-0:96.1.0', '1-0:0.2.129', '0-0:42.0.0', '1-0:1.8.0'];
/** W, Wh, var, varh, A, V, Hz, none, and units that fit no quantity here. */
const UNITS = [27, 30, 29, 32, 33, 35, 44, 255, 9, 13];

const item = fc.record({
  code: fc.constantFrom(...CODES),
  kind: fc.constantFrom(...VALUE_KINDS),
  scaler: fc.integer({ min: -3, max: 3 }),
  unit: fc.constantFrom(...UNITS),
  withScaler: fc.boolean(),
  nested: fc.boolean(),
  text: fc.string({ minLength: 1, maxLength: 16 }).map((t) => t.replace(/[^\x20-\x7e]/g, 'x')),
});
const shape = fc.record({
  items: fc.array(item, { minLength: 1, maxLength: 10 }),
  clockFirst: fc.boolean(),
  numberLast: fc.option(fc.constantFrom('181220000009', 'KFM_001', 'LGZ1030655933512'), { nil: null }),
});
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

function be(n: number, bytes: number, w: number): number[] {
  return Array.from({ length: bytes }, (_, i) => (i < bytes - 4 ? (w >>> (8 * (i % 4))) & 0xff : (n >>> (8 * (bytes - 1 - i))) & 0xff));
}

/** A COSEM date-time from a random word: mostly valid, sometimes a month 13, an hour 24 or no offset. */
function clockOf(w: number): Bytes {
  const month = 1 + (w % 13);
  const hour = (w >>> 4) % 25;
  const deviation = w % 17 === 0 ? 0x8000 : (-60 >>> 0) & 0xffff;
  return O([0x07, 0xea, month, 1 + ((w >>> 8) % 28), 0xff, hour, (w >>> 12) % 60, (w >>> 18) % 60, 0xff, deviation >> 8, deviation & 0xff, w & 1 ? 0x80 : 0x00]);
}

function valueOf(kind: ValueKind, w: number, w2: number, text: string): Bytes {
  switch (kind) {
    case 'u32':
      return U32(w);
    case 'i32':
      return I32(w | 0);
    case 'u16':
      return U16(w & 0xffff);
    case 'i16':
      return I16((w << 16) >> 16);
    case 'u8':
      return U8(w);
    case 'i8':
      return I8(w);
    case 'enum':
      return E(w);
    case 'bool':
      return [0x03, w % 3 === 2 ? 0x05 : w & 1];
    case 'f32':
      return [0x17, ...Buffer.from(new Float32Array([w / 7]).buffer).reverse()];
    case 'f64':
      return [0x18, ...Buffer.from(new Float64Array([w2 % 2 ? w / 3 : Number.NaN]).buffer).reverse()];
    case 'u64':
      return [0x15, ...be(w, 8, w2 % 4)];
    case 'i64':
      return [0x14, ...be(w, 8, w2 % 3 === 0 ? 0xffffffff : 0)];
    case 'clock':
      return clockOf(w);
    case 'text':
      return w2 % 11 === 0 ? Vs(text.slice(1) + 'x') : Vs(text); // sometimes another text: the shape changed
    case 'null':
      return N();
  }
}

/** The body of one push of `spec`, its values taken from `words`. */
function bodyOf(spec: Shape, words: number[]): Bytes {
  const items: Bytes[] = [];
  let k = 0;
  const next = () => words[k++ % words.length]!;
  if (spec.clockFirst) items.push(clockOf(next()));
  for (const it of spec.items) {
    // the values of a triple: flat in the body (Netz NÖ) or in a structure of their own (TINETZ, Salzburg)
    const triple = [OBIS(it.code), valueOf(it.kind, next(), next(), it.text), ...(it.withScaler ? [scalerUnit(it.scaler, it.unit)] : [])];
    if (it.nested) items.push(S(...triple));
    else items.push(...triple);
  }
  if (spec.numberLast !== null) items.push(O(Array.from(Buffer.from(spec.numberLast, 'latin1'))));
  return S(...items);
}
