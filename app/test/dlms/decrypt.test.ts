/**
 * The decryptor computes the CTR keystream of the next frame counters ahead (decrypt.ts `ctr`). Every
 * plaintext must equal the one the reference encoder (node's own aes-128-ctr) encrypted, whatever the
 * sequence of counters, titles and lengths, and a plaintext handed out must never change afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseGloCiphering } from '../../src/dlms/apdu/gloCiphering.js';
import { encodeGloCiphering } from '../../src/dlms/apdu/gloCipheringEncode.js';
import { Decryptor } from '../../src/dlms/security/decrypt.js';

const key = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
const titleA = Buffer.from('4B464D6750000009', 'hex');
const titleB = Buffer.from('5341475900000001', 'hex');

interface Step {
  readonly title: Buffer;
  readonly counter: number;
  readonly length: number;
}

function run(steps: readonly Step[]): void {
  const decryptor = new Decryptor(key);
  const handedOut: { plaintext: Uint8Array; expected: Buffer }[] = [];
  for (const step of steps) {
    const expected = randomBytes(step.length);
    const apdu = encodeGloCiphering(expected, key, step.title, step.counter);
    const { plaintext, tag } = decryptor.decrypt(apdu, parseGloCiphering(apdu));
    expect(tag).toBe('none');
    expect(Buffer.from(plaintext).equals(expected), `counter ${step.counter}, ${step.length} bytes`).toBe(true);
    handedOut.push({ plaintext, expected });
  }
  // earlier plaintexts are untouched by later pushes (they share a slab)
  for (const { plaintext, expected } of handedOut) expect(Buffer.from(plaintext).equals(expected)).toBe(true);
}

describe('Decryptor: keystream computed ahead', () => {
  it('decrypts a meter counting up by one, across many keystream batches', () => {
    run(Array.from({ length: 100 }, (_, i) => ({ title: titleA, counter: 1000 + i, length: 243 })));
  });

  it('decrypts skips, restarts, a title change and pushes of other lengths', () => {
    const steps: Step[] = [
      { title: titleA, counter: 5, length: 100 },
      { title: titleA, counter: 6, length: 100 },
      { title: titleA, counter: 7, length: 100 },
      { title: titleA, counter: 9, length: 100 }, // inside the batch, one counter skipped
      { title: titleA, counter: 40, length: 100 }, // beyond the batch
      { title: titleA, counter: 41, length: 300 }, // longer than the batch holds
      { title: titleA, counter: 42, length: 17 }, // shorter
      { title: titleB, counter: 43, length: 100 }, // another meter, same counter sequence
      { title: titleA, counter: 44, length: 100 },
      { title: titleA, counter: 3, length: 100 }, // meter restarted: counter went back
      { title: titleA, counter: 4, length: 4000 }, // a push of 250 blocks (block numbers beyond one byte)
    ];
    run(steps);
  });

  it('decrypts across the frame counter wrap-around', () => {
    run([0xfffffffe, 0xffffffff, 0, 1, 2].map((counter) => ({ title: titleA, counter, length: 64 })));
  });

  it('fills more than one slab without corrupting earlier plaintexts', () => {
    run(Array.from({ length: 200 }, (_, i) => ({ title: titleA, counter: i, length: 1 + ((i * 97) % 600) })));
  });
});
