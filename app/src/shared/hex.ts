/** Hex helpers. Input hex may contain whitespace; output is upper case without separators. */

const HEX_DIGITS = '0123456789ABCDEF';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!);

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) out += BYTE_TO_HEX[bytes[i]!];
  return out;
}

/** Parses hex text, ignoring whitespace. Throws a TypeError on any other character or an odd digit count. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new TypeError('hex text has an odd number of digits');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new TypeError('hex text contains a character that is not a hex digit');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** True when the whole text is hex digits and whitespace (at least one digit). */
export function looksLikeHexText(bytes: Uint8Array): boolean {
  let digits = 0;
  for (const b of bytes) {
    const isHex = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
    const isSpace = b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
    if (isHex) digits++;
    else if (!isSpace) return false;
  }
  return digits > 0 && digits % 2 === 0;
}

/**
 * Normalises a key as users paste it: strips `0x` prefixes, spaces, colons, commas and dashes.
 * Returns 16 bytes, or null when what is left is not exactly 32 hex digits.
 */
export function parseKey(text: string): Uint8Array | null {
  const clean = text.trim().replace(/0x/gi, '').replace(/[\s,:;-]+/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(clean)) return null;
  return fromHex(clean);
}
