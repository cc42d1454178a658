/** Builds A-XDR bytes for tests (IEC 62056-6-2 tags), and plain data-notifications around them. */
import { decodeApdu } from '../../src/decoder/decodeApdu.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { Decryptor } from '../../src/dlms/security/decrypt.js';

export type Bytes = number[];

function ber(n: number): Bytes {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

export const S = (...items: Bytes[]): Bytes => [0x02, ...ber(items.length), ...items.flat()];
export const A = (...items: Bytes[]): Bytes => [0x01, ...ber(items.length), ...items.flat()];
export const O = (bytes: Bytes): Bytes => [0x09, ...ber(bytes.length), ...bytes];
export const Vs = (text: string): Bytes => [0x0a, ...ber(text.length), ...Buffer.from(text, 'latin1')];
export const N = (): Bytes => [0x00];
export const I8 = (v: number): Bytes => [0x0f, v & 0xff];
export const U8 = (v: number): Bytes => [0x11, v & 0xff];
export const I16 = (v: number): Bytes => [0x10, (v >> 8) & 0xff, v & 0xff];
export const U16 = (v: number): Bytes => [0x12, (v >> 8) & 0xff, v & 0xff];
export const U32 = (v: number): Bytes => [0x06, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const I32 = (v: number): Bytes => [0x05, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const E = (v: number): Bytes => [0x16, v & 0xff];

/** `1-0:32.7.0` → its 6 bytes (F = 255). */
export function obisBytes(code: string): Bytes {
  const m = /^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)$/.exec(code);
  if (!m) throw new TypeError(code);
  return [...m.slice(1, 6).map(Number), 255];
}
export const OBIS = (code: string): Bytes => O(obisBytes(code));
export const scalerUnit = (scaler: number, unit: number): Bytes => S(I8(scaler), E(unit));
/** 2021-09-27 09:47:15, deviation −120, DST: a valid COSEM date-time octet string. */
export const CLOCK: Bytes = O([0x07, 0xe5, 0x09, 0x1b, 0x01, 0x09, 0x2f, 0x0f, 0x00, 0xff, 0x88, 0x80]);

/** capture_object_definition {class-id, logical name, attribute index, data index} (Blue Book, push setup). */
export const descriptor = (classId: number, code: string, attribute: number, dataIndex = 0): Bytes =>
  S(U16(classId), OBIS(code), I8(attribute), U16(dataIndex));

/** Plain data-notification: 0F, invoke id, no date-time, body. */
export const notification = (body: Bytes): Uint8Array => Uint8Array.from([0x0f, 0x00, 0x00, 0x00, 0x01, 0x00, ...body]);

export const decodePlain = (apdu: Uint8Array): DecodeResult => decodeApdu(apdu, new Decryptor(null, null), []);
