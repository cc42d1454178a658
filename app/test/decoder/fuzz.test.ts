/**
 * Property test: at least 100 000 random and mutated streams through framing → readings.
 * No exception escapes, nothing hangs, the buffer stays bounded, and a valid push after garbage is decoded.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { isStrictDsmrTelegram } from '../../src/framing/dsmr/dsmrTelegram.js';
import { keyOf, ownCaptures, referenceReadings, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

/** DSMR P1 text telegrams (own captures): plain, with CRC, and one DSMR 2.2 without CRC. */
const dsmrTelegrams = ownCaptures().filter((v) => v.framing === 'dsmr');
const vectors = sharedVectors();
const linkFramed = vectors.filter((v) => v.framing !== 'raw');
const MAX_BUFFERED = 4096 + 512;

/** Byte-level mutations of real pushes: flips, drops, duplicates, truncations, splices. */
const mutatedPush = mutationsOf(vectors);
function mutationsOf(pool: Vector[]) {
  return fc
  .record({
    vector: fc.constantFrom(...pool),
    edits: fc.array(
      fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'drop', 'dup', 'cut', 'insert'), byte: fc.integer({ min: 0, max: 255 }) }),
      { maxLength: 4 },
    ),
  })
  .map(({ vector, edits }) => {
    let bytes = Array.from(streamOf(vector));
    for (const e of edits) {
      if (bytes.length === 0) break;
      const at = e.at % bytes.length;
      if (e.kind === 'flip') bytes[at] = bytes[at]! ^ (e.byte || 1);
      else if (e.kind === 'drop') bytes.splice(at, 1);
      else if (e.kind === 'dup') bytes.splice(at, 0, bytes[at]!);
      else if (e.kind === 'cut') bytes = bytes.slice(0, at);
      else bytes.splice(at, 0, e.byte);
    }
    return Uint8Array.from(bytes);
  });
}

const randomBytes = fc.uint8Array({ maxLength: 600 });
const garbage = fc.array(fc.oneof(randomBytes, mutatedPush), { maxLength: 4 }).map((parts) => Uint8Array.from(Buffer.concat(parts)));

function feed(decoder: StreamDecoder, bytes: Uint8Array, chunk: number) {
  const results = [];
  for (let at = 0; at < bytes.length; at += chunk) {
    results.push(...decoder.push(bytes.subarray(at, at + chunk)));
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED);
  }
  return results;
}

describe('decoder under random and mutated input', () => {
  // Each test is one synchronous loop; between tests the worker must reach the event loop's poll phase, or the
  // answers to its reports to vitest wait behind the next loop until their 60 s RPC timeout fires
  // ("Timeout calling onTaskUpdate").
  afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

  // 80 000 streams in eight parts of 10 000: one synchronous fast-check run of a minute starves the test worker's
  // channel to vitest ("Timeout calling onTaskUpdate") on a loaded machine; the parts are the same work with seams.
  let decodedSomething = 0;
  for (let part = 0; part < 8; part++) {
    it(`never throws and stays bounded (80 000 streams, part ${part + 1} of 8)`, () => {
      fc.assert(
        fc.property(garbage, fc.constantFrom(...vectors), fc.integer({ min: 1, max: 300 }), (bytes, keyFrom, chunk) => {
          const decoder = new StreamDecoder({ key: keyOf(keyFrom.key), authKey: keyOf(keyFrom.auth_key) });
          const results = [...feed(decoder, bytes, chunk), ...decoder.flush()];
          for (const r of results) {
            if (r.ok) {
              decodedSomething++;
              // whatever decodes must be a real push: numbers finite, energy registers non-negative
              for (const [obis, reading] of Object.entries(r.push.readings)) {
                if (typeof reading.value === 'number') expect(Number.isFinite(reading.value), obis).toBe(true);
              }
            } else {
              expect(r.error.code).toMatch(/^[A-Z_]+$/);
            }
          }
        }),
        { numRuns: 10_000, seed: 20261124 + part },
      );
    });
  }

  it('the 80 000 random streams included some that decoded (the mutations keep real pushes)', () => {
    expect(decodedSomething).toBeGreaterThan(0);
  });

  for (let part = 0; part < 4; part++) {
  it(`decodes a valid push that follows garbage (20 000 streams, part ${part + 1} of 4)`, () => {
    fc.assert(
      fc.property(garbage, fc.constantFrom(...linkFramed), fc.integer({ min: 1, max: 300 }), (junk, v, chunk) => {
        const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
        const results = [...feed(decoder, junk, chunk), ...feed(decoder, streamOf(v), chunk), ...decoder.flush()];
        const last = results.filter((r) => r.ok).at(-1);
        expect(last, 'no push decoded after the garbage').toBeDefined();
        expect(last!.ok && last!.push.readings).toEqual(referenceReadings(v.decoded!));
      }),
      { numRuns: 5_000, seed: 424242 + part },
    );
  });
  }

  it('DSMR text telegrams: a changed one is believed only with its CRC or the strict CRC-less syntax; the next whole one decodes (6 000 streams)', () => {
    const mutatedTelegram = mutationsOf(dsmrTelegrams);
    fc.assert(
      fc.property(fc.array(fc.oneof(mutatedTelegram, randomBytes), { maxLength: 3 }), fc.constantFrom(...dsmrTelegrams), fc.integer({ min: 1, max: 300 }), (parts, v, chunk) => {
        const junk = Uint8Array.from(Buffer.concat(parts));
        const decoder = new StreamDecoder();
        const results = [...feed(decoder, junk, chunk), ...feed(decoder, streamOf(v), chunk), ...decoder.flush()];
        for (const r of results) {
          if (!r.ok) continue;
          const telegram = Buffer.from(r.trace.plaintext!).toString('latin1');
          // a changed telegram is believed only when its CRC vouches for it, or (DSMR 2.2/3, no CRC: a changed
          // digit cannot be detected there) when every line still has the strict syntax
          const original = dsmrTelegrams.some((d) => Buffer.from(streamOf(d)).toString('latin1') === telegram);
          if (original || /![0-9A-Fa-f]{1,4}\r?\n$/.test(telegram)) continue;
          expect(isStrictDsmrTelegram(telegram.slice(0, telegram.lastIndexOf('!'))), telegram).toBe(true);
        }
        const last = results.filter((r) => r.ok).at(-1);
        expect(last, 'the whole telegram after the junk was not decoded').toBeDefined();
        expect(last!.ok && last!.push.readings).toMatchObject(referenceReadings(v.expected!));
      }),
      { numRuns: 6_000, seed: 20261203 },
    );
  });

  it('gives the same records whatever the chunking, for mixed text telegrams, link frames and garbage (3 000 streams)', () => {
    const all = [...vectors, ...dsmrTelegrams];
    const part = fc.oneof(fc.constantFrom(...all).map(streamOf), mutationsOf(all), fc.uint8Array({ maxLength: 200 }));
    const noe = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 20 }), (parts, sizes) => {
        const bytes = Uint8Array.from(Buffer.concat(parts));
        const options = { key: keyOf(noe.key), authKey: null, framing: 'auto' } as const;
        const whole = decodeCapture(bytes, options);
        expect(decodeCapture(bytes, { ...options, chunkSizes: sizes })).toEqual(whole);
        expect(decodeCapture(bytes, { ...options, chunkSizes: [1] })).toEqual(whole);
      }),
      { numRuns: 3_000, seed: 20261203 },
    );
  });
});
