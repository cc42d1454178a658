/**
 * Golden tests: every shared vector (and every own capture) through the `decode` command's code path,
 * whole, byte by byte and in random chunk sizes, must give exactly the reference readings.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture, type DecodeOptions } from '../../src/cli/decodeCommand.js';
import type { PushRecord } from '../../src/decoder/records.js';
import { keyOf, ownCaptures, referenceReadings, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const vectors = [...sharedVectors(), ...ownCaptures()];

function options(v: Vector, chunkSizes?: number[]): DecodeOptions {
  return { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: 'auto', ...(chunkSizes ? { chunkSizes } : {}) };
}

/** Deterministic pseudo-random chunk sizes (1..64), so a failure can be reproduced. */
function randomSizes(seed: number, n = 200): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 64) + 1;
  });
}

describe('shared test vectors', () => {
  it('are all present (the suite must not pass on an empty folder)', () => {
    expect(sharedVectors().length).toBeGreaterThanOrEqual(9);
  });

  for (const v of vectors) {
    describe(v.name, () => {
      const whole = decodeCapture(streamOf(v), options(v));

      it('decodes to exactly one push with every reference value', () => {
        expect(whole).toHaveLength(1);
        const record = whole[0]!;
        expect(record.ok, JSON.stringify(record)).toBe(true);
        if (!record.ok) return;
        if (v.decoded) {
          expect(record.readings).toEqual(referenceReadings(v.decoded));
        } else {
          // own captures: every reference value must be there; the clock and meter number may be added
          const reference = referenceReadings(v.decoded_by_helper ?? v.expected ?? {});
          expect(Object.keys(reference).length).toBeGreaterThan(0);
          for (const [obis, value] of Object.entries(reference)) expect(record.readings[obis], obis).toEqual(value);
        }
        if (v.expected) {
          const stated = referenceReadings(v.expected);
          for (const [obis, value] of Object.entries(stated)) expect(record.readings[obis]).toEqual(value);
        }
      });

      it('reports the meter number and clock as readings and in the record', () => {
        const record = whole[0] as Extract<PushRecord, { ok: true }>;
        const reference = referenceReadings(v.decoded ?? v.decoded_by_helper ?? v.expected ?? {});
        if (v.decoded || reference['0-0:1.0.0']) expect(record.time).toBe(reference['0-0:1.0.0']?.value ?? null);
        if (v.decoded || reference['0-0:96.1.0']) expect(record.meter.id).toBe(reference['0-0:96.1.0']?.value ?? null);
      });

      it(`decodes the same with its framing (${v.framing}) forced instead of detected`, () => {
        expect(decodeCapture(streamOf(v), { ...options(v), framing: v.framing })).toEqual(whole);
      });

      it('gives identical output byte by byte and in random chunks', () => {
        expect(decodeCapture(streamOf(v), options(v, [1]))).toEqual(whole);
        for (const seed of [1, 7, 42, 1234]) {
          expect(decodeCapture(streamOf(v), options(v, randomSizes(seed)))).toEqual(whole);
        }
      });

      if (v.key) {
        it('yields no readings and an error record with a code under a wrong key', () => {
          const wrong = keyOf(v.key)!.slice();
          wrong[0]! ^= 0x01;
          wrong[15]! ^= 0x80;
          const records = decodeCapture(streamOf(v), { key: wrong, authKey: keyOf(v.auth_key), framing: 'auto' });
          expect(records.length).toBeGreaterThan(0);
          for (const r of records) {
            expect(r.ok).toBe(false);
            if (!r.ok) expect(r.error.code).toMatch(/^CRYPTO_(WRONG_KEY|AUTH_FAILED)$/);
          }
        });
      }
    });
  }

  it('names the wrong key as the likely cause for untagged pushes', () => {
    const v = sharedVectors().find((x) => x.name === 'netznoe-doc-kaifa')!;
    const records = decodeCapture(streamOf(v), { key: new Uint8Array(16), authKey: null, framing: 'auto' });
    expect(records).toEqual([
      { ok: false, error: expect.objectContaining({ stage: 'crypto', code: 'CRYPTO_WRONG_KEY', message: expect.stringContaining('key is probably wrong') }) },
    ]);
  });

  it('verifies the GCM tag when an authentication key is given and rejects a wrong one', () => {
    const v = sharedVectors().find((x) => x.name === 'dlmsparser-steiermark-lg-e450')!;
    const wrongAuth = keyOf(v.auth_key)!.slice();
    wrongAuth[3]! ^= 0xff;
    const records = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: wrongAuth, framing: 'auto' });
    expect(records).toEqual([{ ok: false, error: expect.objectContaining({ code: 'CRYPTO_AUTH_FAILED' }) }]);
  });

  it('decrypts a tagged push without the authentication key (tag not verified)', () => {
    const v = sharedVectors().find((x) => x.name === 'dlmsparser-steiermark-lg-e450')!;
    const records = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: null, framing: 'auto' });
    expect(records).toHaveLength(1);
    expect(records[0]!.ok).toBe(true);
  });

  it('matches the published plaintext byte for byte where the source states it', async () => {
    const { StreamDecoder } = await import('../../src/decoder/StreamDecoder.js');
    for (const v of vectors.filter((x) => x.expected_plaintext && x.key)) {
      const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
      const [result] = [...decoder.push(streamOf(v)), ...decoder.flush()];
      expect(Buffer.from(result!.trace.plaintext!).toString('hex').toUpperCase(), v.name).toBe(v.expected_plaintext!.toUpperCase());
    }
  });
});
