/**
 * BER definite length (X.690 §8.1.3), as A-XDR (IEC 62056-6-2 §4.1.3) and the DLMS APDUs (IEC 62056-5-3)
 * write it: one byte < 0x80, or 0x81..0x83 followed by that many big-endian length bytes. The one length
 * decoder of the project: framers (bare APDUs), the APDU parsers and the A-XDR cursor all read lengths here.
 */

/** The bytes end before the length does. */
export const BER_NEED_MORE = -1;
/** A length form this reader does not accept (0x80 indefinite, or more than 3 length bytes). */
export const BER_UNSUPPORTED = -2;

/** Longest length field: the first byte and up to 3 length bytes (lengths below 16 MiB). */
const MAX_LENGTH_BYTES = 3;

/**
 * Reads the length at `pos` (bytes before `end` only). Returns `length * 8 + fieldSize` (fieldSize 1..4, one
 * number and no tuple per call: see `berValue` / `berSize`), or BER_NEED_MORE / BER_UNSUPPORTED.
 */
export function readBerLength(b: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return BER_NEED_MORE;
  const first = b[pos]!;
  if (first < 0x80) return first * 8 + 1;
  const count = first & 0x7f;
  if (count === 0 || count > MAX_LENGTH_BYTES) return BER_UNSUPPORTED;
  if (pos + 1 + count > end) return BER_NEED_MORE;
  let n = 0;
  for (let i = 1; i <= count; i++) n = n * 256 + b[pos + i]!;
  return n * 8 + 1 + count;
}

/** The length decoded by readBerLength (its result must be ≥ 0). */
export const berValue = (packed: number): number => packed >>> 3;

/** Bytes the length field takes (its result must be ≥ 0). */
export const berSize = (packed: number): number => packed & 7;

/** Encodes a length (for the encoders of the simulator and tests). */
export function encodeBerLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  return [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
}
