/**
 * Property test: at least 100 000 random and mutated streams through framing → readings.
 * No exception escapes, nothing hangs, the buffer stays bounded, and a valid push after garbage is decoded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { keyOf, referenceReadings, sharedVectors, streamOf } from '../support/vectors.js';

const vectors = sharedVectors();
const linkFramed = vectors.filter((v) => v.framing !== 'raw');
const MAX_BUFFERED = 4096 + 512;

/** Byte-level mutations of real pushes: flips, drops, duplicates, truncations, splices. */
const mutatedPush = fc
  .record({
    vector: fc.constantFrom(...vectors),
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
  it('never throws and stays bounded (80 000 streams)', () => {
    let decodedSomething = 0;
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
      { numRuns: 80_000, seed: 20261124 },
    );
    expect(decodedSomething).toBeGreaterThan(0);
  });

  it('decodes a valid push that follows garbage (20 000 streams)', () => {
    fc.assert(
      fc.property(garbage, fc.constantFrom(...linkFramed), fc.integer({ min: 1, max: 300 }), (junk, v, chunk) => {
        const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
        const results = [...feed(decoder, junk, chunk), ...feed(decoder, streamOf(v), chunk), ...decoder.flush()];
        const last = results.filter((r) => r.ok).at(-1);
        expect(last, 'no push decoded after the garbage').toBeDefined();
        expect(last!.ok && last!.push.readings).toEqual(referenceReadings(v.decoded!));
      }),
      { numRuns: 20_000, seed: 424242 },
    );
  });
});
