/**
 * The long transport-layer header of an M-Bus application frame (EN 13757-7 §7.5.2, OMS Vol. 2 §7.2.2), as sent
 * after CI `5B` ("CMD to device, 12 byte header", Netz OÖ AMIS spec §2.4.2.3) or `72` (RSP_UD with long header):
 *
 *   ID (4, LSB first) | manufacturer (2, LSB first) | version | medium | access number | status | config (2, LSB first)
 *
 * The configuration word of security mode 5 (AES-128-CBC): bits 12..8 = mode, bits 7..4 = N, the number of
 * encrypted 16-byte blocks that follow the header (AMIS: `50 05` → 0x0550, mode 5, N = 5).
 */
import { MeterError } from '../../shared/errors.js';
import { toHex } from '../../shared/hex.js';

/** CI values followed by the 12-byte long header. */
export const CI_LONG_HEADER = new Set([0x5b, 0x72]);
export const LONG_HEADER_LENGTH = 12;

export interface LongHeader {
  /** The 8 bytes of the secondary address as on the wire: ID (4), manufacturer (2), version, medium. */
  readonly address: Uint8Array;
  /** Identification number as printed (BCD, most significant digit first), e.g. `00000000`. */
  readonly id: string;
  /** Manufacturer code as three letters (EN 13757-3 §5.4: 5 bits per letter, 'A' = 1), e.g. `SAM`. */
  readonly manufacturer: string;
  readonly version: number;
  readonly medium: number;
  readonly accessNumber: number;
  readonly status: number;
  readonly configuration: number;
  /** Security mode (configuration bits 12..8); 0 = not encrypted, 5 = AES-128-CBC with a static key. */
  readonly mode: number;
  /** Encrypted 16-byte blocks after the header (configuration bits 7..4). */
  readonly encryptedBlocks: number;
}

/** Three letters of a 15-bit manufacturer code (EN 13757-3 §5.4). */
export function manufacturerLetters(code: number): string {
  return String.fromCharCode(((code >> 10) & 0x1f) + 64, ((code >> 5) & 0x1f) + 64, (code & 0x1f) + 64);
}

/** Parses the long header at `at` (right after the CI byte). Throws MeterError CRYPTO_HEADER when cut short. */
export function parseLongHeader(bytes: Uint8Array, at: number): LongHeader {
  if (bytes.length - at < LONG_HEADER_LENGTH) throw new MeterError('CRYPTO_HEADER', 'transport_header_short', { left: bytes.length - at });
  const id = toHex(Uint8Array.from([bytes[at + 3]!, bytes[at + 2]!, bytes[at + 1]!, bytes[at]!]));
  const manufacturerCode = bytes[at + 4]! | (bytes[at + 5]! << 8);
  const configuration = bytes[at + 10]! | (bytes[at + 11]! << 8);
  return {
    address: bytes.slice(at, at + 8),
    id,
    manufacturer: manufacturerLetters(manufacturerCode),
    version: bytes[at + 6]!,
    medium: bytes[at + 7]!,
    accessNumber: bytes[at + 8]!,
    status: bytes[at + 9]!,
    configuration,
    mode: (configuration >> 8) & 0x1f,
    encryptedBlocks: (configuration >> 4) & 0x0f,
  };
}
