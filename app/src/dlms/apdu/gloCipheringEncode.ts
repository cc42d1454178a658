/**
 * Builds an encrypted general-glo-ciphering APDU (SC 0x20: encryption only, no tag), as Netz NÖ meters send
 * it. AES-CTR from counter 2 is GCM without the tag (protocol.md §3). Used by the meter simulator and tests.
 */
import { createCipheriv } from 'node:crypto';
import { encodeBerLength } from '../../shared/ber.js';

export function encodeGloCiphering(
  plaintext: Uint8Array,
  key: Uint8Array,
  systemTitle: Uint8Array,
  frameCounter: number,
  securityControl = 0x20,
): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.set(systemTitle, 0);
  iv.writeUInt32BE(frameCounter >>> 0, 8);
  iv.writeUInt32BE(2, 12);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const fc = [(frameCounter >>> 24) & 0xff, (frameCounter >>> 16) & 0xff, (frameCounter >>> 8) & 0xff, frameCounter & 0xff];
  return Uint8Array.from([0xdb, 0x08, ...systemTitle, ...encodeBerLength(5 + ciphertext.length), securityControl, ...fc, ...ciphertext]);
}
