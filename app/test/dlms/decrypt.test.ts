/**
 * The decryptor computes the CTR keystream of the next frame counters ahead (decrypt.ts `ctr`). Every
 * plaintext must equal the one the reference encoder (node's own aes-128-ctr) encrypted, whatever the
 * sequence of counters, titles and lengths, and a plaintext handed out must never change afterwards.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
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
    run(Array.from({ length: 300 }, (_, i) => ({ title: titleA, counter: 1000 + i, length: 243 })));
  });

  it('decrypts skips, restarts, a title change and pushes of other lengths', () => {
    const steps: Step[] = [
      { title: titleA, counter: 5, length: 100 },
      { title: titleA, counter: 6, length: 100 },
      { title: titleA, counter: 7, length: 100 },
      { title: titleA, counter: 9, length: 100 }, // inside the batch, one counter skipped
      { title: titleA, counter: 40, length: 100 }, // further inside the batch (64 counters ahead)
      { title: titleA, counter: 100, length: 100 }, // beyond the batch
      { title: titleA, counter: 101, length: 300 }, // longer than the batch holds
      { title: titleA, counter: 102, length: 17 }, // shorter
      { title: titleB, counter: 103, length: 100 }, // another meter, same counter sequence
      { title: titleA, counter: 104, length: 100 },
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

describe('Decryptor: security control, GCM tag, missing keys', () => {
  const authKey = Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex');
  const plaintext = Buffer.from('0F0000000100020209060100010800FF06000030390A0431323334', 'hex');

  /** general-glo-ciphering with SC 0x30 (GCM, AAD = SC ‖ AK) or 0x10 (authentication only), tag 12 bytes. */
  function gcmApdu(sc: number, counter: number, ak = authKey): Buffer {
    const iv = Buffer.concat([titleA, Buffer.from([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff])]);
    const cipher = createCipheriv('aes-128-gcm', key, iv, { authTagLength: 12 });
    const encrypted = (sc & 0x20) !== 0;
    cipher.setAAD(encrypted ? Buffer.concat([Buffer.from([sc]), ak]) : Buffer.concat([Buffer.from([sc]), ak, plaintext]));
    const body = encrypted ? Buffer.concat([cipher.update(plaintext), cipher.final()]) : (cipher.final(), plaintext);
    const tag = cipher.getAuthTag();
    const rest = Buffer.concat([Buffer.from([sc]), iv.subarray(8), body, tag]);
    return Buffer.concat([Buffer.from([0xdb, 0x08]), titleA, Buffer.from(rest.length < 0x80 ? [rest.length] : [0x81, rest.length]), rest]);
  }

  const decrypt = (d: Decryptor, apdu: Uint8Array) => d.decrypt(apdu, parseGloCiphering(apdu));
  const codeOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return undefined;
  };

  it('SC 0x30 with the authentication key: the tag is verified', () => {
    const out = decrypt(new Decryptor(key, authKey), gcmApdu(0x30, 7));
    expect(Buffer.from(out.plaintext).equals(plaintext)).toBe(true);
    expect(out.tag).toBe('verified');
  });

  it('SC 0x30 without the authentication key: decrypted by CTR, tag present but not verified', () => {
    const out = decrypt(new Decryptor(key), gcmApdu(0x30, 8));
    expect(Buffer.from(out.plaintext).equals(plaintext)).toBe(true);
    expect(out.tag).toBe('not-verified');
  });

  it('a wrong authentication key or a changed ciphertext: CRYPTO_AUTH_FAILED', () => {
    expect(codeOf(() => decrypt(new Decryptor(key, Buffer.alloc(16)), gcmApdu(0x30, 9)))).toBe('CRYPTO_AUTH_FAILED');
    const changed = gcmApdu(0x30, 10);
    changed[20]! ^= 1;
    expect(codeOf(() => decrypt(new Decryptor(key, authKey), changed))).toBe('CRYPTO_AUTH_FAILED');
  });

  it('authentication only (SC 0x10): the data is in the clear, the tag verified', () => {
    const out = decrypt(new Decryptor(key, authKey), gcmApdu(0x10, 11));
    expect(Buffer.from(out.plaintext).equals(plaintext)).toBe(true);
    expect(out.tag).toBe('verified');
    expect(decrypt(new Decryptor(null), gcmApdu(0x10, 12)).tag).toBe('not-verified');
  });

  it('CRYPTO_NO_KEY without a key, CRYPTO_UNSUPPORTED for compression or another suite', () => {
    const apdu = encodeGloCiphering(plaintext, key, titleA, 1);
    expect(codeOf(() => decrypt(new Decryptor(null), apdu))).toBe('CRYPTO_NO_KEY');
    expect(new Decryptor(null).hasKey).toBe(false);
    for (const sc of [0xa0, 0x22]) {
      const other = encodeGloCiphering(plaintext, key, titleA, 1, sc);
      expect(codeOf(() => decrypt(new Decryptor(key), other)), `SC ${sc.toString(16)}`).toBe('CRYPTO_UNSUPPORTED');
    }
  });
});
