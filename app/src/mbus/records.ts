/**
 * Data records of the M-Bus application layer (EN 13757-3 §6): DIB (DIF + DIFEs) | VIB (VIF + VIFEs) | data.
 *
 * DIF: bit 7 extension, bit 6 storage number LSB, bits 5..4 function, bits 3..0 data field coding
 * (length below). DIFE: bit 7 extension, bit 6 subunit, bits 5..4 tariff, bits 3..0 storage number.
 * VIF/VIFE: bit 7 = another VIFE follows (also after `FB`/`FD`, the first/second extension tables, and
 * `FF`, manufacturer specific). `2F` between records is a fill byte. The walk only uses these rules, never fixed
 * offsets; what a record *means* comes from a table keyed by its DIB and VIB (amisRecords.ts).
 */
import { MeterError, type DetailId, type ParamsArg } from '../shared/errors.js';
import { toHex } from '../shared/hex.js';
import { FILLER } from './mode5.js';

/** Data field coding (DIF bits 3..0) → how the data is stored. */
export type DataCoding =
  | { readonly type: 'none' }
  | { readonly type: 'int'; readonly length: number }
  | { readonly type: 'real32' }
  | { readonly type: 'bcd'; readonly length: number }
  | { readonly type: 'variable' }
  | { readonly type: 'special' };

/** EN 13757-3 Table 4: data field codes. */
const CODINGS: readonly DataCoding[] = [
  { type: 'none' },
  { type: 'int', length: 1 },
  { type: 'int', length: 2 },
  { type: 'int', length: 3 },
  { type: 'int', length: 4 },
  { type: 'real32' },
  { type: 'int', length: 6 },
  { type: 'int', length: 8 },
  { type: 'none' }, // selection for readout
  { type: 'bcd', length: 1 },
  { type: 'bcd', length: 2 },
  { type: 'bcd', length: 3 },
  { type: 'bcd', length: 4 },
  { type: 'variable' },
  { type: 'bcd', length: 6 },
  { type: 'special' },
];

export interface DataRecord {
  /** Offset of the DIF in the plaintext. */
  readonly at: number;
  /** DIB and VIB as upper-case hex, e.g. `8410FB8273`: the key of the meaning table. */
  readonly header: string;
  readonly dif: number;
  readonly coding: DataCoding;
  readonly dataAt: number;
  readonly dataLength: number;
}

const MAX_EXTENSIONS = 10; // EN 13757-3: at most 10 DIFEs and 10 VIFEs

function fail<D extends DetailId<'MBUS_RECORD_INVALID'>>(detailId: D, ...params: ParamsArg<'MBUS_RECORD_INVALID', D>): never {
  throw new MeterError('MBUS_RECORD_INVALID', detailId, ...params);
}

/**
 * Walks the records in [start, end). Fill bytes (`2F`) are skipped. Stops at `0F`/`1F` (manufacturer-specific
 * data to the end). Throws MBUS_RECORD_INVALID when a record runs past the end or uses a coding whose length
 * is not known.
 */
export function walkRecords(b: Uint8Array, start: number, end: number): DataRecord[] {
  const records: DataRecord[] = [];
  let i = start;
  while (i < end) {
    const dif = b[i]!;
    if (dif === FILLER) {
      i++;
      continue;
    }
    if (dif === 0x0f || dif === 0x1f) break;
    const at = i++;
    let ext = dif & 0x80;
    for (let n = 0; ext; n++) {
      if (i >= end) fail('dife_past_end', { at });
      if (n >= MAX_EXTENSIONS) fail('too_many_difes', { at, max: MAX_EXTENSIONS });
      ext = b[i++]! & 0x80;
    }
    if (i >= end) fail('no_vif', { at });
    const vif = b[i++]!;
    if ((vif & 0x7f) === 0x7c) fail('plain_text_vif', { at });
    ext = vif & 0x80;
    for (let n = 0; ext; n++) {
      if (i >= end) fail('vife_past_end', { at });
      if (n >= MAX_EXTENSIONS) fail('too_many_vifes', { at, max: MAX_EXTENSIONS });
      ext = b[i++]! & 0x80;
    }
    const coding = CODINGS[dif & 0x0f]!;
    let dataLength: number;
    switch (coding.type) {
      case 'none':
        dataLength = 0;
        break;
      case 'int':
      case 'bcd':
        dataLength = coding.length;
        break;
      case 'real32':
        dataLength = 4;
        break;
      case 'variable': {
        if (i >= end) fail('no_length', { at });
        const lvar = b[i++]!;
        if (lvar > 0xbf) fail('variable_length', { at, length: lvar.toString(16) });
        dataLength = lvar;
        break;
      }
      case 'special':
        fail('special_dif', { at, dif: dif.toString(16) });
    }
    if (i + dataLength > end) fail('data_past_end', { at, header: toHex(b, at, i), length: dataLength, left: end - i });
    records.push({ at, header: toHex(b, at, i), dif, coding, dataAt: i, dataLength });
    i += dataLength;
  }
  return records;
}

/** Little-endian integer of `length` bytes (≤ 8), unsigned or two's complement. Exact up to 2^53. */
export function readInt(b: Uint8Array, at: number, length: number, signed: boolean): number {
  let value = 0n;
  for (let k = length - 1; k >= 0; k--) value = (value << 8n) | BigInt(b[at + k]!);
  if (signed && length > 0 && b[at + length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MeterError('MBUS_RECORD_INVALID', 'integer_too_large', { at });
  }
  return Number(value);
}

/** Packed BCD, least significant byte first (EN 13757-3 type A); a top nibble F means negative. */
export function readBcd(b: Uint8Array, at: number, length: number): number {
  let value = 0;
  let negative = false;
  for (let k = length - 1; k >= 0; k--) {
    let hi = b[at + k]! >> 4;
    const lo = b[at + k]! & 0x0f;
    if (k === length - 1 && hi === 0x0f) {
      negative = true;
      hi = 0;
    }
    if (hi > 9 || lo > 9) throw new MeterError('MBUS_RECORD_INVALID', 'bcd_digit', { at });
    value = value * 100 + hi * 10 + lo;
  }
  return negative ? -value : value;
}
