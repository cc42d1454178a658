/**
 * Golden tests: every shared vector (and every own capture) through the `decode` command's code path,
 * whole, byte by byte and in random chunk sizes, must give exactly the reference readings.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture, type DecodeOptions } from '../../src/cli/decodeCommand.js';
import type { PushRecord } from '../../src/decoder/records.js';
import { normaliseObis } from '../../src/dlms/obis.js';
import { keyOf, ownCaptures, referenceReadings, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const vectors = [...sharedVectors(), ...ownCaptures()];

/**
 * Own captures whose source publishes the frame only (no decoded values, plaintext, clock or layout): the golden
 * test can compare them only with this decoder's reference decode (`decoded_by_helper`), so each is checked by a
 * test that derives its values independently, named here.
 */
/** Notes that say the stated plaintext is this project's own decryption, not the source's. */
const HELPER_PLAINTEXT = /expected_plaintext is the helper's (own )?decryption/;

const FRAME_ONLY: Record<string, string> = {
  'amisreader-netzooe-amis-2022': 'amis.test.ts: the 2F 2F verification bytes and the next frame one second later',
  'amsreader-no-kamstrup-list2': 'nordicHan.test.ts: every value from the bytes and the Kamstrup HAN-NVE resolutions',
  'amsreader-no-kamstrup-list3': 'nordicHan.test.ts: the energies in 10 Wh units (Kamstrup HAN-NVE)',
  'elwiz-no-kaifa-ma105h2e-list2': 'nordicHan.test.ts: every value from the bytes and the Kaifa KFM_001 resolutions',
  'elwiz-no-kaifa-ma105h2e-list3': 'nordicHan.test.ts: currents, voltage and energies from the Kaifa KFM_001 resolutions',
  'esphome-cy-lg-e450-selfdescribing': 'selfDescribing.test.ts: the register totals agree (1.8.0 = 1.8.1 + 1.8.2, 2.8.0 = 2.8.1 + 2.8.2)',
  'unidentified-netznoe-sagemcom-t210d-lwrap':
    'none beyond decoded_by_helper: a self-describing push (OBIS, scaler and unit in the frame); StreamFramer.test.ts checks its length wrap',
};

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

      if (v.expected_clock_stated) {
        it('carries the meter clock its source states', () => {
          // e.g. "2015-06-20 23:36:03 local time (…)": the source's wall-clock time, without an offset
          const [, date, time] = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(v.expected_clock_stated!) ?? [];
          expect(date, 'expected_clock_stated starts with YYYY-MM-DD HH:MM:SS').toBeDefined();
          const record = whole[0] as Extract<PushRecord, { ok: true }>;
          expect(record.time?.slice(0, 19)).toBe(`${date}T${time}`);
        });
      }

      if (v.positional) {
        it('publishes every code of the positional list its source states, in the unit it states', () => {
          const record = whole[0] as Extract<PushRecord, { ok: true }>;
          expect(v.positional!.length).toBeGreaterThan(0);
          for (const [code, , unit] of v.positional!) {
            if (code === null) continue; // a position without an OBIS code (clock, list id): not published
            const reading = record.readings[normaliseObis(code)];
            expect(reading, code).toBeDefined();
            if (unit) expect(reading!.unit, code).toBe(unit);
          }
        });
      }

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

  it('every own capture states something its golden tests assert, or says that its source publishes only the frame', () => {
    for (const v of ownCaptures()) {
      const stated =
        Object.keys(v.expected ?? {}).length +
        Object.keys(v.source_values ?? {}).length +
        (v.expected_plaintext && !HELPER_PLAINTEXT.test(v.notes ?? '') ? 1 : 0) +
        (v.expected_clock_stated ? 1 : 0) +
        (v.positional?.filter(([code]) => code !== null).length ?? 0);
      if (FRAME_ONLY[v.name]) {
        expect(stated, `${v.name} is listed as frame-only but states values: assert them instead`).toBe(0);
      } else {
        expect(stated, `${v.name}: its source states no value, plaintext, clock or layout; list it in FRAME_ONLY with the test that checks it`).toBeGreaterThan(0);
      }
    }
  });

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
    const withPlaintext = vectors.filter((x) => x.expected_plaintext && x.key);
    expect(withPlaintext.length).toBeGreaterThanOrEqual(19); // a loop over none would assert nothing
    for (const v of withPlaintext) {
      const decoder = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
      const [result] = [...decoder.push(streamOf(v)), ...decoder.flush()];
      expect(Buffer.from(result!.trace.plaintext!).toString('hex').toUpperCase(), v.name).toBe(v.expected_plaintext!.toUpperCase());
    }
  });
});
