/**
 * A-XDR decoding of COSEM data (IEC 62056-6-2 §4.1.5 "Data", Green Book tag numbers) into a tree, built on
 * the one A-XDR walker (cursor.ts). Pure: bytes in, a `DlmsValue` tree out.
 */
import { AxdrCursor, AxdrTruncated, faultError, TYPE_NAME } from './cursor.js';
import type { Reader } from './Reader.js';
import { TAG } from './tags.js';

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

export { TAG };

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

export { AxdrTruncated };

/**
 * Decodes one value at the reader's position into a tree (the frame inspector's view; the hot path reads
 * leaves.ts instead). Throws AxdrTruncated when the bytes end early and AxdrInvalid (a RangeError) for
 * anything that is not valid A-XDR.
 */
export function decodeValue(r: Reader, cursor = new AxdrCursor()): DlmsValue {
  const c = cursor.reset(r.bytes, r.pos, r.end);
  const value = treeOf(c);
  r.pos = c.pos;
  return value;
}

function treeOf(c: AxdrCursor): DlmsValue {
  if (!c.next()) throw faultError(c);
  const tag = c.tag;
  const b = c.bytes;
  switch (tag) {
    case TAG.null:
      return NULL_VALUE;
    case TAG.array:
    case TAG.structure: {
      // the cursor checked that the count fits the bytes left: no allocation beyond them
      const count = c.count;
      const items: DlmsValue[] = new Array(count);
      for (let i = 0; i < count; i++) items[i] = treeOf(c);
      return { type: tag === TAG.array ? 'array' : 'structure', items };
    }
    case TAG.boolean:
      return { type: 'boolean', value: c.num !== 0 };
    case TAG.bitString:
      return { type: 'bit-string', bits: c.count, bytes: b.subarray(c.start, c.stop) };
    case TAG.int32:
    case TAG.uint32:
    case TAG.bcd:
    case TAG.int8:
    case TAG.int16:
    case TAG.uint8:
    case TAG.uint16:
    case TAG.enum:
      return { type: TYPE_NAME[tag] as 'int32', value: c.num };
    case TAG.int64:
    case TAG.uint64: {
      const view = new DataView(b.buffer, b.byteOffset + c.start, 8);
      return tag === TAG.int64 ? { type: 'int64', value: view.getBigInt64(0) } : { type: 'uint64', value: view.getBigUint64(0) };
    }
    case TAG.float32:
    case TAG.float64:
      return { type: tag === TAG.float32 ? 'float32' : 'float64', value: c.num };
    case TAG.octetString:
      return new OctetString(b, c.start, c.stop);
    case TAG.visibleString:
      return { type: 'visible-string', value: latin1.decode(b.subarray(c.start, c.stop)) };
    case TAG.utf8String:
      return { type: 'utf8-string', value: utf8.decode(b.subarray(c.start, c.stop)) };
    default:
      // date-time, date, time: the cursor knows no other tags
      return { type: TYPE_NAME[tag] as 'date-time', bytes: b.subarray(c.start, c.stop) };
  }
}

const NULL_VALUE: DlmsValue = { type: 'null' };
