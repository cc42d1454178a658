/**
 * general-glo-ciphering APDU (IEC 62056-5-3 §8.2, Green Book §9.2.7.2.4, tag 0xDB):
 *
 *   DB | system-title (length 08 + 8 bytes) | length (BER) | SC | frame counter (u32) | ciphertext [| tag(12)]
 *
 * SC (security control, Green Book §9.2.7.2.2): bits 0–3 security suite, bit 4 A (authenticated),
 * bit 5 E (encrypted), bit 6 key set, bit 7 compression. The length counts SC + FC + ciphertext (+ tag).
 */
import { MeterError } from '../../shared/errors.js';
import { Reader } from '../axdr/Reader.js';

export const GENERAL_GLO_CIPHERING = 0xdb;
export const GCM_TAG_LENGTH = 12;

/** A parsed ciphering header: offsets into the APDU; the views are made only when asked for. */
export class GloCiphered {
  constructor(
    /** The APDU the offsets refer to. */
    readonly apdu: Uint8Array,
    readonly securityControl: number,
    readonly frameCounter: number,
    /** Offset of the SC byte in the APDU (the AAD starts here). */
    readonly scAt: number,
    /** Offset of the ciphertext in the APDU. */
    readonly cipherStart: number,
    /** End of the ciphertext (the tag, if any, follows). */
    readonly cipherEnd: number,
  ) {}

  /** Offset of the 8-byte system title in the APDU. */
  get titleAt(): number {
    return 2;
  }

  get systemTitle(): Uint8Array {
    return this.apdu.subarray(2, 10);
  }

  /** The 12-byte GCM tag when SC has the A bit, else null. */
  get tag(): Uint8Array | null {
    return this.cipherEnd < this.apdu.length ? this.apdu.subarray(this.cipherEnd) : null;
  }
}

export const isAuthenticated = (sc: number) => (sc & 0x10) !== 0;
export const isEncrypted = (sc: number) => (sc & 0x20) !== 0;

/** Parses the ciphering header of a complete APDU (start must be 0: offsets are APDU offsets). */
export function parseGloCiphering(apdu: Uint8Array, start = 0, end = apdu.length): GloCiphered {
  try {
    const r = new Reader(apdu, start, end);
    r.u8();
    const titleLength = r.u8();
    if (titleLength !== 8) throw new MeterError('CRYPTO_HEADER', 'title_length', { bytes: titleLength });
    r.skip(8);
    const length = r.length();
    const scAt = r.pos;
    if (length !== end - scAt) {
      throw new MeterError('CRYPTO_HEADER', 'length_mismatch', { announced: length, present: end - scAt });
    }
    const securityControl = r.u8();
    const frameCounter = r.u32();
    const tagLength = isAuthenticated(securityControl) ? GCM_TAG_LENGTH : 0;
    const cipherStart = r.pos;
    const cipherEnd = end - tagLength;
    if (cipherEnd <= cipherStart) throw new MeterError('CRYPTO_HEADER', 'no_ciphertext');
    return new GloCiphered(apdu, securityControl, frameCounter, scAt, cipherStart, cipherEnd);
  } catch (e) {
    if (e instanceof MeterError) throw e;
    throw new MeterError('CRYPTO_HEADER', 'cut_short', { cause: (e as Error).message });
  }
}
