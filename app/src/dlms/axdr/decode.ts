/**
 * A-XDR decoding of COSEM data (IEC 62056-6-2 §4.1.5 "Data", Green Book tag numbers).
 * Pure: bytes in, a `DlmsValue` tree out; throws `AxdrTruncated` when bytes run out and `RangeError`
 * for anything that is not valid A-XDR.
 */
import { AxdrTruncated, Reader } from './Reader.js';

export type DlmsValue =
  | { readonly type: 'null' }
  | { readonly type: 'array' | 'structure'; readonly items: DlmsValue[] }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'bit-string'; readonly bits: number; readonly bytes: Uint8Array }
  | {
      readonly type: 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'enum' | 'bcd';
      readonly value: number;
    }
  | { readonly type: 'int64' | 'uint64'; readonly value: bigint }
  | { readonly type: 'float32' | 'float64'; readonly value: number }
  | OctetString
  | { readonly type: 'visible-string' | 'utf8-string'; readonly value: string }
  | { readonly type: 'date-time' | 'date' | 'time'; readonly bytes: Uint8Array };

export type DlmsType = DlmsValue['type'];

/**
 * An octet string as a range of the decoded buffer. `bytes` makes the view on demand: hot paths (OBIS codes,
 * date-times, meter numbers) read `data[start…end)` directly, which saves a typed-array view per value.
 */
export class OctetString {
  readonly type = 'octet-string' as const;
  constructor(
    readonly data: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  get length(): number {
    return this.end - this.start;
  }

  get bytes(): Uint8Array {
    return this.data.subarray(this.start, this.end);
  }
}

/** Data tags (Green Book, "Data" CHOICE). */
export const TAG = {
  null: 0x00,
  array: 0x01,
  structure: 0x02,
  boolean: 0x03,
  bitString: 0x04,
  int32: 0x05,
  uint32: 0x06,
  octetString: 0x09,
  visibleString: 0x0a,
  utf8String: 0x0c,
  bcd: 0x0d,
  int8: 0x0f,
  int16: 0x10,
  uint8: 0x11,
  uint16: 0x12,
  int64: 0x14,
  uint64: 0x15,
  enum: 0x16,
  float32: 0x17,
  float64: 0x18,
  dateTime: 0x19,
  date: 0x1a,
  time: 0x1b,
} as const;

const MAX_DEPTH = 16;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

export { AxdrTruncated };

/** Decodes one value at the reader's position. */
export function decodeValue(r: Reader, depth = 0): DlmsValue {
  const tag = r.u8();
  switch (tag) {
    case TAG.null:
      return NULL_VALUE;
    case TAG.array:
    case TAG.structure: {
      if (depth >= MAX_DEPTH) throw new RangeError(`nesting deeper than ${MAX_DEPTH}`);
      const count = r.length();
      // every element takes at least one byte: a count beyond what is left cannot be valid
      if (count > r.remaining) throw new AxdrTruncated(`${count} elements announced, ${r.remaining} bytes left`);
      const items: DlmsValue[] = new Array(count);
      for (let i = 0; i < count; i++) items[i] = decodeValue(r, depth + 1);
      return { type: tag === TAG.array ? 'array' : 'structure', items };
    }
    case TAG.boolean:
      return { type: 'boolean', value: r.u8() !== 0 };
    case TAG.bitString: {
      const bits = r.length();
      return { type: 'bit-string', bits, bytes: r.take(Math.ceil(bits / 8)) };
    }
    case TAG.int32:
      return { type: 'int32', value: r.u32() | 0 };
    case TAG.uint32:
      return { type: 'uint32', value: r.u32() };
    case TAG.octetString: {
      const length = r.length();
      const start = r.pos;
      r.skip(length);
      return new OctetString(r.bytes, start, start + length);
    }
    case TAG.visibleString:
      return { type: 'visible-string', value: latin1.decode(r.take(r.length())) };
    case TAG.utf8String:
      return { type: 'utf8-string', value: utf8.decode(r.take(r.length())) };
    case TAG.bcd:
      return { type: 'bcd', value: (r.u8() << 24) >> 24 };
    case TAG.int8:
      return { type: 'int8', value: (r.u8() << 24) >> 24 };
    case TAG.int16:
      return { type: 'int16', value: (r.u16() << 16) >> 16 };
    case TAG.uint8:
      return { type: 'uint8', value: r.u8() };
    case TAG.uint16:
      return { type: 'uint16', value: r.u16() };
    case TAG.int64:
    case TAG.uint64: {
      const hi = r.u32();
      const lo = r.u32();
      let v = (BigInt(hi) << 32n) | BigInt(lo);
      if (tag === TAG.int64) v = BigInt.asIntN(64, v);
      return { type: tag === TAG.int64 ? 'int64' : 'uint64', value: v };
    }
    case TAG.enum:
      return { type: 'enum', value: r.u8() };
    case TAG.float32: {
      const b = r.take(4);
      return { type: 'float32', value: new DataView(b.buffer, b.byteOffset, 4).getFloat32(0) };
    }
    case TAG.float64: {
      const b = r.take(8);
      return { type: 'float64', value: new DataView(b.buffer, b.byteOffset, 8).getFloat64(0) };
    }
    case TAG.dateTime:
      return { type: 'date-time', bytes: r.take(12) };
    case TAG.date:
      return { type: 'date', bytes: r.take(5) };
    case TAG.time:
      return { type: 'time', bytes: r.take(4) };
    default:
      throw new RangeError(`unknown A-XDR type tag 0x${tag.toString(16).padStart(2, '0')} at offset ${r.pos - 1}`);
  }
}

const NULL_VALUE: DlmsValue = { type: 'null' };
