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

/** Frame counters whose keystream is made in one AES call when the meter counts up by one. */
const KEYSTREAM_AHEAD = 64;
/** Plaintext slab size: many pushes per allocation. */
const SLAB_BYTES = 16 * 1024;

export type TagStatus = 'none' | 'verified' | 'not-verified';

export interface Decrypted {
  readonly plaintext: Uint8Array;
  readonly tag: TagStatus;
}

/**
 * Holds one key pair for a stream. The CTR keystream comes from one long-lived AES-ECB cipher (counter
 * blocks encrypted in a single call, see `ctr`), which avoids a key schedule per push.
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
    if (sc & 0x80) throw new MeterError('CRYPTO_UNSUPPORTED', 'compression', { sc: sc.toString(16) });
    const suite = sc & 0x0f;
    if (suite > 1) throw new MeterError('CRYPTO_UNSUPPORTED', 'suite', { suite, sc: sc.toString(16) });
    if (!isEncrypted(sc)) {
      const body = apdu.subarray(c.cipherStart, c.cipherEnd);
      // authentication only: the information is in the clear
      if (c.tag && this.authKey && this.key) {
        this.gcm(apdu, c, new Uint8Array(0), Buffer.concat([apdu.subarray(c.scAt, c.scAt + 1), this.authKey, body]));
        return { plaintext: body, tag: 'verified' };
      }
      return { plaintext: body, tag: c.tag ? 'not-verified' : 'none' };
    }
    if (!this.key || !this.ecb) throw new MeterError('CRYPTO_NO_KEY', 'dlms');
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

  /**
   * CTR keystream, computed ahead. A meter counts its frame counter up by one per push, and one AES call for
   * 64 pushes costs little more than one for a single push (node:crypto's per-call overhead is about ten
   * times the AES work for a 300-byte push, measured with `node bench/decodeThroughput.mjs`; 64 instead of 16
   * counters per call: about 2 % more pushes/s, 20 kB of keystream for a 300-byte push). So when the
   * counter went up by one since the last push, the keystream of the next KEYSTREAM_AHEAD counters is made
   * in one call; a counter outside it (a skip, a restart, another title or a longer push) gets its own.
   */
  private stream = new Int32Array(0);
  /** First frame counter in `stream`, how many it holds, and the blocks per counter. */
  private streamFirst = 0;
  private streamCount = 0;
  private streamBlocks = 0;
  private readonly streamTitle = new Uint8Array(8);
  private lastCounter = -1;
  /** Counter blocks for KEYSTREAM_AHEAD counters: rebuilt when the title or the push length changes. */
  private counters = new Uint8Array(0);
  /** Plaintexts are cut from this slab, 16-byte aligned, so the keystream is XORed a word at a time. */
  private slab = new Uint8Array(0);
  private slab32 = new Int32Array(0);
  private slabAt = 0;

  /** AES-CTR from counter 2: keystream block i = AES(IV ‖ BE32(2 + i)); IV = system title ‖ frame counter. */
  private ctr(apdu: Uint8Array, titleAt: number, frameCounter: number, start: number, end: number): Uint8Array {
    const n = end - start;
    const blocks = Math.ceil(n / 16);
    const ahead = (frameCounter - this.streamFirst) >>> 0;
    if (!(ahead < this.streamCount && blocks <= this.streamBlocks && sameTitle(this.streamTitle, apdu, titleAt))) {
      const count = frameCounter === ((this.lastCounter + 1) >>> 0) ? KEYSTREAM_AHEAD : 1;
      this.fillStream(apdu, titleAt, frameCounter, count, blocks);
    }
    this.lastCounter = frameCounter;
    // the ciphertext is copied into a fresh, aligned piece of the slab and XORed there in 32-bit words (XOR is
    // bytewise, so the words' byte order does not matter); the plaintext stays with the push, the slab moves on
    const size = blocks * 16;
    if (this.slabAt + size > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB_BYTES, size));
      this.slab32 = new Int32Array(this.slab.buffer);
      this.slabAt = 0;
    }
    const at = this.slabAt;
    this.slabAt += size;
    const out = this.slab.subarray(at, at + n);
    out.set(apdu.subarray(start, end));
    const words = (n + 3) >> 2;
    const stream = this.stream;
    const from = ((frameCounter - this.streamFirst) >>> 0) * this.streamBlocks * 4;
    const slab32 = this.slab32;
    const to = at >> 2;
    for (let i = 0; i < words; i++) slab32[to + i]! ^= stream[from + i]!;
    return out;
  }

  private fillStream(apdu: Uint8Array, titleAt: number, first: number, count: number, blocks: number): void {
    const bytes = KEYSTREAM_AHEAD * blocks * 16;
    if (this.counters.length !== bytes || !sameTitle(this.streamTitle, apdu, titleAt)) {
      for (let i = 0; i < 8; i++) this.streamTitle[i] = apdu[titleAt + i]!;
      const counters = (this.counters = new Uint8Array(bytes));
      for (let at = 0, block = 0; at < bytes; at += 16, block = (block + 1) % blocks) {
        counters.set(this.streamTitle, at);
        const number = block + 2;
        counters[at + 12] = number >>> 24;
        counters[at + 13] = number >>> 16;
        counters[at + 14] = number >>> 8;
        counters[at + 15] = number;
      }
    }
    const counters = this.counters;
    for (let k = 0, at = 8; k < count; k++) {
      const fc = (first + k) >>> 0;
      for (let block = 0; block < blocks; block++, at += 16) {
        counters[at] = fc >>> 24;
        counters[at + 1] = fc >>> 16;
        counters[at + 2] = fc >>> 8;
        counters[at + 3] = fc;
      }
    }
    const out = this.ecb!.update(count === KEYSTREAM_AHEAD ? counters : counters.subarray(0, blocks * 16));
    // node:crypto hands out a buffer of its own (offset 0), so a word view on it is aligned
    this.stream = out.byteOffset % 4 === 0 ? new Int32Array(out.buffer, out.byteOffset, out.length >> 2) : new Int32Array(Uint8Array.from(out).buffer);
    this.streamFirst = first;
    this.streamCount = count;
    this.streamBlocks = blocks;
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
      throw new MeterError('CRYPTO_AUTH_FAILED', 'tag_mismatch');
    }
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  }
}

function sameTitle(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[at + i]) return false;
  return true;
}
