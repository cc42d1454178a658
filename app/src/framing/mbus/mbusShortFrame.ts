/**
 * M-Bus link control without data (EN 13757-2 §5.2): the short frame `10 C A CS 16` (CS = C + A mod 256) and the
 * single-character acknowledgement `E5`. The Netz OÖ AMIS meter searches for its reader with the short frame
 * SND_NKE `10 40 F0 30 16` (C = 0x40, A = 240) and expects `E5` back (AMIS spec §2.2.2, §2.3.7).
 */

export const MBUS_SHORT_START = 0x10;
export const MBUS_SHORT_LENGTH = 5;
export const MBUS_STOP = 0x16;
export const MBUS_ACK = 0xe5;
/** C field of SND_NKE (link reset). */
export const C_SND_NKE = 0x40;

/** `frame` for a valid short frame at `at`, `need` when it may still become one, `invalid` otherwise. */
export function matchMbusShort(buf: Uint8Array, at: number, end: number): 'frame' | 'need' | 'invalid' {
  const available = end - at;
  if (buf[at] !== MBUS_SHORT_START) return 'invalid';
  if (available >= 4 && ((buf[at + 1]! + buf[at + 2]!) & 0xff) !== buf[at + 3]) return 'invalid';
  if (available >= 5 && buf[at + 4] !== MBUS_STOP) return 'invalid';
  return available >= MBUS_SHORT_LENGTH ? 'frame' : 'need';
}
