/**
 * Property tests for "never a wrong number":
 * (a) no random or mutated stream (real captures and vectors, random bytes) ever yields ok:true with a value
 *     outside the physical range of its quantity (checked here with an independent oracle, not quantities.ts);
 * (b) random A-XDR bodies that match no strategy never decode: LAYOUT_UNKNOWN (with a bounded signature) or
 *     another error code, never ok:true.
 * Runs are bounded to a few seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { POSITIONAL_LAYOUTS } from '../../src/readings/layouts.js';
import { keyOf, ownCaptures, sharedVectors, streamOf } from '../support/vectors.js';
import { encodeHdlcFrame } from '../../src/framing/hdlc/hdlcEncode.js';
import { A, decodePlain, descriptor, I16, I32, I8, N, notification, O, OBIS, S, scalerUnit, U16, U32, U8, Vs, type Bytes } from './axdrBuild.js';

const all = [...sharedVectors(), ...ownCaptures()];

/** Independent oracle: electricity codes (A = 1) by C and D, wide physical limits in canonical units. */
function outOfRange(obis: string, value: number | string, unit: string | undefined, unscaled: boolean): boolean {
  const m = /^1-\d+:(\d+)\.(\d+)\.\d+/.exec(obis);
  if (!m) return false;
  const c = Number(m[1]);
  const d = Number(m[2]);
  if (typeof value !== 'number') return c >= 1 && c <= 80 && (d === 7 || d === 8);
  if (!Number.isFinite(value)) return true;
  const factor = unit === '%' ? 0.01 : unit?.startsWith('k') ? 1000 : unit?.startsWith('M') ? 1e6 : 1;
  const v = value * factor;
  const base = ((c - 1) % 20) + 1;
  if (d === 8 && c <= 80 && base !== 16) return v < 0;
  if (unscaled || d !== 7 || c > 80) return false;
  if (base === 12) return v < 0 || v > 500; // voltage
  if (base === 11) return Math.abs(v) > 1000; // current
  if (base === 13) return Math.abs(v) > 1; // power factor
  if (base === 14) return v !== 0 && (v < 45 || v > 65); // frequency
  return Math.abs(v) > 1_000_000; // powers
}

function assertNoBogus(results: DecodeResult[]): number {
  let ok = 0;
  for (const r of results) {
    if (!r.ok) continue;
    ok++;
    for (const [obis, reading] of Object.entries(r.push.readings)) {
      // expect() only on failure: it is slow in a loop of thousands of runs
      if (outOfRange(obis, reading.value, reading.unit, reading.unscaled === true) || (reading.unscaled && reading.unit !== undefined)) {
        expect.fail(`ok:true with ${obis} = ${reading.value} ${reading.unit ?? ''}${reading.unscaled ? ' (unscaled)' : ''}`);
      }
    }
  }
  return ok;
}

const mutated = fc
  .record({
    vector: fc.constantFrom(...all),
    edits: fc.array(
      fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'drop', 'dup', 'insert'), byte: fc.integer({ min: 0, max: 255 }) }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ vector, edits }) => {
    const bytes = Array.from(streamOf(vector));
    for (const e of edits) {
      const at = e.at % bytes.length;
      if (e.kind === 'flip') bytes[at] = bytes[at]! ^ (e.byte || 1);
      else if (e.kind === 'drop') bytes.splice(at, 1);
      else if (e.kind === 'dup') bytes.splice(at, 0, bytes[at]!);
      else bytes.splice(at, 0, e.byte);
    }
    return { vector, bytes: Uint8Array.from(bytes) };
  });

describe('(a) no stream yields ok:true with an impossible value', () => {
  it('mutated real captures and vectors (3 000 streams)', () => {
    let decoded = 0;
    fc.assert(
      fc.property(mutated, ({ vector, bytes }) => {
        const decoder = new StreamDecoder({ key: keyOf(vector.key), authKey: keyOf(vector.auth_key) });
        decoded += assertNoBogus([...decoder.push(bytes), ...decoder.flush()]);
      }),
      { numRuns: 3000, seed: 4502026 },
    );
    // checksums reject most mutations; some (unframed and plaintext captures) still decode
    expect(decoded).toBeGreaterThan(10);
  });

  it('mutated decrypted data-notifications of every capture (4 000 plaintexts)', () => {
    const plaintexts: Uint8Array[] = [];
    for (const v of all) {
      const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
      for (const r of [...decoder.push(streamOf(v)), ...decoder.flush()]) {
        if (r.ok && r.trace.plaintext?.[0] === 0x0f) plaintexts.push(Uint8Array.from(r.trace.plaintext));
      }
    }
    expect(plaintexts.length).toBeGreaterThan(15);
    let decoded = 0;
    const flips = fc.array(fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.constantFrom(...plaintexts), flips, (plain, edits) => {
        const bytes = plain.slice();
        for (const e of edits) bytes[e.at % bytes.length]! ^= e.mask;
        decoded += assertNoBogus([decodePlain(bytes)]);
      }),
      { numRuns: 4000, seed: 31337 },
    );
    expect(decoded).toBeGreaterThan(500);
  });

  it('random bytes and random bare data-notifications (3 000 streams)', () => {
    const randomNotification = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((body) => Uint8Array.from([0x0f, 0, 0, 0, 1, 0, ...body]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), randomNotification), (bytes) => {
        const decoder = new StreamDecoder({});
        assertNoBogus([...decoder.push(bytes), ...decoder.flush()]);
      }),
      { numRuns: 3000, seed: 77 },
    );
  });
});

/** Electricity codes of every quantity kind (per phase too) and a few non-quantities. */
const CODES = ['1-0:1.8.0', '1-0:2.8.1', '1-0:3.8.0', '1-0:1.7.0', '1-0:21.7.0', '1-0:4.7.0', '1-0:9.7.0', '1-0:31.7.0', '1-0:32.7.0', '1-0:52.7.0', '1-0:13.7.0', '1-0:14.7.0', '1-1:1.8.0', '0-0:96.1.0', '1-0:0.0.1'];
/** Units: W, VA, var, Wh, varh, A, V, Hz, none, and a few that fit nothing here. */
const UNITS = [27, 28, 29, 30, 32, 33, 35, 44, 255, 9, 13, 56];
const numberLeaf = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map(U32),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map(I32),
  fc.integer({ min: 0, max: 0xffff }).map(U16),
  fc.integer({ min: -0x8000, max: 0x7fff }).map(I16),
);
const triple = fc
  .record({ code: fc.constantFrom(...CODES), value: numberLeaf, scaler: fc.integer({ min: -4, max: 4 }), unit: fc.constantFrom(...UNITS), withScaler: fc.boolean() })
  .map(({ code, value, scaler, unit, withScaler }) => [...OBIS(code), ...value, ...(withScaler ? scalerUnit(scaler, unit) : [])]);
const selfDescribingPush = fc
  .array(fc.record({ code: fc.constantFrom(...CODES), value: numberLeaf, scaler: fc.integer({ min: -4, max: 4 }), unit: fc.constantFrom(...UNITS), withScaler: fc.boolean() }), { minLength: 1, maxLength: 8 })
  .map((objects) => {
    const list = [descriptor(40, '0-0:25.9.0', 2)];
    const values: Bytes[] = [];
    for (const o of objects) {
      list.push(descriptor(3, o.code, 2));
      values.push(o.value);
      if (o.withScaler) {
        list.push(descriptor(3, o.code, 3));
        values.push(scalerUnit(o.scaler, o.unit));
      }
    }
    return S(A(...list), ...values);
  });
/** A body in HDLC frames with LLC, as an HDLC meter sends it (valid checksums). */
const inHdlc = (body: Bytes): Uint8Array => encodeHdlcFrame(Uint8Array.from([0xe6, 0xe7, 0x00, ...notification(body)]));

describe('(a) random frames with real OBIS codes, random values and random scalers', () => {
  it('never yield ok:true with an impossible value (3 000 tagged and self-describing pushes)', () => {
    let decoded = 0;
    let rejected = 0;
    const body = fc.oneof(
      fc.array(triple, { minLength: 1, maxLength: 8 }).map((triples) => S(...triples.map((t) => t))),
      fc.array(triple, { minLength: 1, maxLength: 8 }).map((triples) => S(...triples.map((t) => S(t)))),
      selfDescribingPush,
    );
    fc.assert(
      fc.property(body, (b) => {
        const decoder = new StreamDecoder({});
        const results = [...decoder.push(inHdlc(b)), ...decoder.flush()];
        decoded += assertNoBogus(results);
        rejected += results.filter((r) => !r.ok && r.error.code === 'VALUE_IMPLAUSIBLE').length;
      }),
      { numRuns: 3000, seed: 1203 },
    );
    // both outcomes happen: the property is exercised, and implausible values are really produced and caught
    expect(decoded).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(300);
  });
});

/**
 * Random A-XDR trees of random typed leaves. Octet strings are never 6 bytes (no OBIS code) nor 12 bytes
 * (no clock), so neither the tagged nor the self-describing strategy can apply; a positional layout could
 * in principle, and the assertion allows exactly that (a known layout id with plausible values).
 */
const leaf: fc.Arbitrary<Bytes> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map(U32),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map(I32),
  fc.integer({ min: 0, max: 0xffff }).map(U16),
  fc.integer({ min: -0x8000, max: 0x7fff }).map(I16),
  fc.integer({ min: 0, max: 255 }).map(U8),
  fc.integer({ min: -128, max: 127 }).map(I8),
  fc.integer({ min: 0, max: 255 }).map((v) => [0x16, v]),
  fc.constant(N()),
  fc
    .uint8Array({ maxLength: 20 })
    .filter((b) => b.length !== 6 && b.length !== 12)
    .map((b) => O(Array.from(b))),
  fc.string({ maxLength: 10 }).map((s) => Vs(s.replace(/[^\x20-\x7e]/g, 'x'))),
);
const { tree } = fc.letrec<{ tree: Bytes }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 6 }).map((items) => S(...items)),
    fc.array(tie('tree'), { maxLength: 6 }).map((items) => A(...items)),
  ),
}));
const positionalIds = new Set(POSITIONAL_LAYOUTS.map((l) => l.id));

describe('(b) random A-XDR structures that match no strategy never decode', () => {
  it('LAYOUT_UNKNOWN (with a bounded signature) or another error, never ok (2 500 bodies)', () => {
    let unknown = 0;
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 8 }), (items) => {
        const r = decodePlain(notification(S(...items)));
        if (r.ok) {
          expect(positionalIds.has(r.push.layout), `decoded as ${r.push.layout}`).toBe(true);
          assertNoBogus([r]);
          return;
        }
        expect(['LAYOUT_UNKNOWN', 'AXDR_INVALID', 'DATETIME_INVALID', 'VALUE_IMPLAUSIBLE']).toContain(r.error.code);
        if (r.error.code === 'LAYOUT_UNKNOWN') {
          unknown++;
          expect(r.error.signature).toBeDefined();
          expect(r.error.signature!.length).toBeLessThanOrEqual(400);
          expect(r.error.signature).not.toMatch(/\d{3,}/); // types and counts only, no values
        }
      }),
      { numRuns: 2500, seed: 20261203 },
    );
    expect(unknown).toBeGreaterThan(500);
  });

  it('random capture-object lists with a wrong number of values are LAYOUT_UNKNOWN', () => {
    const descriptorArb = fc
      .record({ cls: fc.constantFrom(1, 3, 4, 8), c: fc.integer({ min: 1, max: 80 }), d: fc.constantFrom(7, 8), attr: fc.integer({ min: 2, max: 3 }) })
      .map(({ cls, c, d, attr }) => S(U16(cls), O([1, 0, c, d, 0, 255]), I8(attr), U16(0)));
    fc.assert(
      fc.property(fc.array(descriptorArb, { minLength: 1, maxLength: 10 }), fc.array(leaf, { maxLength: 12 }), (list, values) => {
        fc.pre(values.length !== list.length);
        const r = decodePlain(notification(S(A(...list), ...values)));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('LAYOUT_UNKNOWN');
      }),
      { numRuns: 1500, seed: 9 },
    );
  });
});
