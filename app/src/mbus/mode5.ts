/**
 * OMS security mode 5 (OMS Vol. 2 §9.2.4; Netz OÖ AMIS spec §2.4.2.5–2.4.2.7): AES-128-CBC without padding over
 * N × 16 bytes, with
 *
 *   IV = manufacturer (2) ‖ ID (4) ‖ version ‖ medium ‖ access number × 8     (all as on the wire)
 *
 * (spec example: `2D 4C 00 00 00 00 01 0E 0D 0D 0D 0D 0D 0D 0D 0D` for access number 0x0D). The plaintext starts
 * with the verification bytes `2F 2F`; anything else means the key is wrong (or the frame corrupted, which the
 * link checksum already excludes).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MeterError } from '../shared/errors.js';
import type { LongHeader } from '../framing/mbus/transportHeader.js';

export const MODE_5 = 5;
/** OMS verification / fill byte. */
export const FILLER = 0x2f;

/** The 16-byte IV of mode 5 for a long header. */
export function mode5Iv(h: LongHeader): Uint8Array {
  const a = h.address;
  const iv = new Uint8Array(16);
  iv.set([a[4]!, a[5]!, a[0]!, a[1]!, a[2]!, a[3]!, a[6]!, a[7]!]);
  iv.fill(h.accessNumber, 8);
  return iv;
}

/**
 * Decrypts the N blocks of a mode-5 payload and checks the `2F 2F` verification bytes.
 * Throws CRYPTO_NO_KEY, CRYPTO_UNSUPPORTED (another mode), CRYPTO_HEADER (fewer bytes than N blocks) or
 * CRYPTO_WRONG_KEY (no `2F 2F` after decryption). Returns the plaintext followed by any unencrypted tail.
 */
export function decryptMode5(header: LongHeader, payload: Uint8Array, key: Uint8Array | null): Uint8Array {
  if (header.mode === 0) return payload;
  if (header.mode !== MODE_5) throw new MeterError('CRYPTO_UNSUPPORTED', 'mbus_mode', { mode: header.mode });
  const length = header.encryptedBlocks * 16;
  if (length === 0 || length > payload.length) {
    throw new MeterError('CRYPTO_HEADER', 'blocks_mismatch', { blocks: header.encryptedBlocks, bytes: payload.length });
  }
  if (!key) throw new MeterError('CRYPTO_NO_KEY', 'mbus_mode5');
  const decipher = createDecipheriv('aes-128-cbc', key, mode5Iv(header));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(payload.subarray(0, length)), decipher.final(), payload.subarray(length)]);
  if (plain[0] !== FILLER || plain[1] !== FILLER) {
    throw new MeterError('CRYPTO_WRONG_KEY', 'mbus_check');
  }
  return plain;
}

/** Encrypts a plaintext of N × 16 bytes (simulator and tests). */
export function encryptMode5(header: LongHeader, plaintext: Uint8Array, key: Uint8Array): Uint8Array {
  if (plaintext.length % 16 !== 0) throw new RangeError('mode 5 plaintext must be a multiple of 16 bytes');
  const cipher = createCipheriv('aes-128-cbc', key, mode5Iv(header));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}
