/**
 * Decryption of general-glo-ciphering payloads with node:crypto (Green Book §9.2.7, protocol.md §3).
 *
 * - IV (12 bytes) = system title (8) ‖ frame counter (4, big endian).
 * - SC without the A bit (0x20, 0x21: Netz NÖ, Wiener Netze, TINETZ …): GCM without a tag is AES-CTR whose
 *   counter starts at IV ‖ 00000002 (J0 = IV ‖ 00000001 is used only for the tag).
 * - SC with the A bit (0x30): a 12-byte tag follows; with an authentication key it is verified by GCM with
 *   AAD = SC ‖ AK. Without one the data is decrypted by CTR and the result is "tag present, not verified".
 */
import { createCipheriv, createDecipheriv, type Cipheriv } from 'node:crypto';
import { MeterError } from '../../shared/errors.js';
import { isAuthenticated, isEncrypted, type GloCiphered } from '../apdu/gloCiphering.js';

export type TagStatus = 'none' | 'verified' | 'not-verified';

export interface Decrypted {
  readonly plaintext: Uint8Array;
  readonly tag: TagStatus;
}

/**
 * Holds one key pair for a stream. The CTR keystream comes from one long-lived AES-ECB cipher (counter
 * blocks encrypted in a single call), which avoids a key schedule per push.
 */
export class Decryptor {
  private readonly ecb: Cipheriv | null;

  constructor(
    private readonly key: Uint8Array | null,
    private readonly authKey: Uint8Array | null = null,
  ) {
    if (key) {
      this.ecb = createCipheriv('aes-128-ecb', key, null);
      this.ecb.setAutoPadding(false);
    } else {
      this.ecb = null;
    }
  }

  get hasKey(): boolean {
    return this.key !== null;
  }

  decrypt(apdu: Uint8Array, c: GloCiphered): Decrypted {
    const sc = c.securityControl;
    if (sc & 0x80) throw new MeterError('CRYPTO_UNSUPPORTED', `compression requested (SC 0x${sc.toString(16)})`);
    const suite = sc & 0x0f;
    if (suite > 1) throw new MeterError('CRYPTO_UNSUPPORTED', `security suite ${suite} (SC 0x${sc.toString(16)})`);
    if (!isEncrypted(sc)) {
      const body = apdu.subarray(c.cipherStart, c.cipherEnd);
      // authentication only: the information is in the clear
      if (c.tag && this.authKey && this.key) {
        this.gcm(apdu, c, new Uint8Array(0), Buffer.concat([apdu.subarray(c.scAt, c.scAt + 1), this.authKey, body]));
        return { plaintext: body, tag: 'verified' };
      }
      return { plaintext: body, tag: c.tag ? 'not-verified' : 'none' };
    }
    if (!this.key || !this.ecb) throw new MeterError('CRYPTO_NO_KEY', 'encrypted push, no key configured');
    if (isAuthenticated(sc) && c.tag && this.authKey) {
      const aad = Buffer.concat([apdu.subarray(c.scAt, c.scAt + 1), this.authKey]);
      return { plaintext: this.gcm(apdu, c, apdu.subarray(c.cipherStart, c.cipherEnd), aad), tag: 'verified' };
    }
    return { plaintext: this.ctr(apdu, c.titleAt, c.frameCounter, c.cipherStart, c.cipherEnd), tag: c.tag ? 'not-verified' : 'none' };
  }

  private iv(systemTitle: Uint8Array, frameCounter: number): Buffer {
    const iv = Buffer.allocUnsafe(12);
    iv.set(systemTitle, 0);
    iv.writeUInt32BE(frameCounter, 8);
    return iv;
  }

  /** Counter blocks, reused between pushes: rebuilt only when the system title or the push length changes. */
  private counters = new Uint8Array(0);
  private countersTitle = new Uint8Array(8);

  /** AES-CTR from counter 2: keystream block i = AES(IV ‖ BE32(2 + i)). */
  private ctr(apdu: Uint8Array, titleAt: number, frameCounter: number, start: number, end: number): Uint8Array {
    const n = end - start;
    const length = Math.ceil(n / 16) * 16;
    let counters = this.counters;
    if (counters.length !== length || !sameTitle(this.countersTitle, apdu, titleAt)) {
      counters = this.counters = new Uint8Array(length);
      for (let i = 0; i < 8; i++) this.countersTitle[i] = apdu[titleAt + i]!;
      for (let at = 0, block = 2; at < length; at += 16, block++) {
        counters.set(this.countersTitle, at);
        counters[at + 12] = block >>> 24;
        counters[at + 13] = block >>> 16;
        counters[at + 14] = block >>> 8;
        counters[at + 15] = block;
      }
    }
    const fc0 = frameCounter >>> 24;
    const fc1 = (frameCounter >>> 16) & 0xff;
    const fc2 = (frameCounter >>> 8) & 0xff;
    const fc3 = frameCounter & 0xff;
    for (let at = 8; at < length; at += 16) {
      counters[at] = fc0;
      counters[at + 1] = fc1;
      counters[at + 2] = fc2;
      counters[at + 3] = fc3;
    }
    // the keystream buffer is fresh for every call: XOR the ciphertext into it and hand it out
    const out = this.ecb!.update(counters);
    for (let i = 0; i < n; i++) out[i] = out[i]! ^ apdu[start + i]!;
    return new Uint8Array(out.buffer, out.byteOffset, n);
  }

  private gcm(apdu: Uint8Array, c: GloCiphered, body: Uint8Array, aad: Uint8Array): Uint8Array {
    const decipher = createDecipheriv('aes-128-gcm', this.key!, this.iv(c.systemTitle, c.frameCounter), {
      authTagLength: 12,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(c.tag!);
    const plain = decipher.update(body);
    try {
      decipher.final();
    } catch {
      throw new MeterError('CRYPTO_AUTH_FAILED', 'GCM tag mismatch (AAD = SC ‖ authentication key)');
    }
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  }
}

function sameTitle(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[at + i]) return false;
  return true;
}
