/**
 * The one A-XDR walker (IEC 62056-6-2 §4.1.5 "Data", Green Book tag numbers). Every reader of A-XDR is built
 * on it: the tree of the frame inspector (decode.ts), the flat leaves of the hot path (leaves.ts), the outline
 * of `decode --explain` (outline.ts) and the type signature of LAYOUT_UNKNOWN (signature.ts).
 *
 * A cursor reports one value per `next()`, depth first, as fields (no object per value): its tag, the offset
 * of its tag byte, its content range, its depth, its element count (arrays, structures) and, for numbers, its
 * value. It stops after the one value it was started on. Failures are data, not exceptions: `next()` returns
 * false and `fault` says what went wrong where; throwing consumers turn it into an exception (`throwFault`).
 */
import { BER_NEED_MORE, berSize, berValue, readBerLength } from '../../shared/ber.js';
import { MAX_DEPTH, TAG } from './tags.js';

/** Why a walk stopped early (error codes in shared/errors.ts). */
export type AxdrFaultCode = 'AXDR_TRUNCATED' | 'AXDR_UNKNOWN_TAG' | 'AXDR_TOO_DEEP' | 'AXDR_INVALID';

/** Type names as the outline and error texts write them. */
export const TYPE_NAME: Readonly<Record<number, string>> = {
  [TAG.null]: 'null',
  [TAG.array]: 'array',
  [TAG.structure]: 'structure',
  [TAG.boolean]: 'boolean',
  [TAG.bitString]: 'bit-string',
  [TAG.int32]: 'int32',
  [TAG.uint32]: 'uint32',
  [TAG.octetString]: 'octet-string',
  [TAG.visibleString]: 'visible-string',
  [TAG.utf8String]: 'utf8-string',
  [TAG.bcd]: 'bcd',
  [TAG.int8]: 'int8',
  [TAG.int16]: 'int16',
  [TAG.uint8]: 'uint8',
  [TAG.uint16]: 'uint16',
  [TAG.int64]: 'int64',
  [TAG.uint64]: 'uint64',
  [TAG.enum]: 'enum',
  [TAG.float32]: 'float32',
  [TAG.float64]: 'float64',
  [TAG.dateTime]: 'date-time',
  [TAG.date]: 'date',
  [TAG.time]: 'time',
};

const EMPTY = new Uint8Array(0);

/**
 * How `next` reads a tag: FIXED (content of SIZE bytes), SHORT_STRING (a length byte first), CONTAINER (an
 * element count first), SLOW (bit-string, unknown tags: `general`).
 */
const SLOW = 0;
const FIXED = 1;
const SHORT_STRING = 2;
const CONTAINER = 3;
const KIND = new Uint8Array(256);
const SIZE = new Uint8Array(256);
for (const [tag, size] of [
  [TAG.null, 0],
  [TAG.boolean, 1],
  [TAG.int32, 4],
  [TAG.uint32, 4],
  [TAG.bcd, 1],
  [TAG.int8, 1],
  [TAG.int16, 2],
  [TAG.uint8, 1],
  [TAG.uint16, 2],
  [TAG.int64, 8],
  [TAG.uint64, 8],
  [TAG.enum, 1],
  [TAG.float32, 4],
  [TAG.float64, 8],
  [TAG.dateTime, 12],
  [TAG.date, 5],
  [TAG.time, 4],
] as const) {
  KIND[tag] = FIXED;
  SIZE[tag] = size;
}
for (const tag of [TAG.octetString, TAG.visibleString, TAG.utf8String]) KIND[tag] = SHORT_STRING;
KIND[TAG.array] = CONTAINER;
/** Content bytes of a fixed-size value with this tag (numbers, boolean, enum, date-time, date, time; 0 for others). */
export function fixedSize(tag: number): number {
  return SIZE[tag]!;
}
/** Signed integer tags, and half the range of an n-byte integer. */
const SIGNED = new Uint8Array(256);
for (const tag of [TAG.int8, TAG.bcd, TAG.int16, TAG.int32]) SIGNED[tag] = 1;
const HALF = [0, 0x80, 0x8000, 0x800000, 0x80000000];
KIND[TAG.structure] = CONTAINER;

/**
 * The number of the fixed-size value with tag `tag` whose content starts at `at` (the bytes are known to be
 * there): what the cursor reports as `num` (int64/uint64 as the nearest double; date-time, date, time: 0).
 * Also read directly by the repeated-shape path of the readings (readings/repeatedShape.ts).
 */
export function numberAt(b: Uint8Array, tag: number, at: number): number {
  switch (tag) {
    case TAG.boolean:
    case TAG.uint8:
    case TAG.enum:
      return b[at]!;
    case TAG.int8:
    case TAG.bcd:
      return (b[at]! << 24) >> 24;
    case TAG.int16:
      return (((b[at]! << 8) | b[at + 1]!) << 16) >> 16;
    case TAG.uint16:
      return (b[at]! << 8) | b[at + 1]!;
    case TAG.int32:
      return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    case TAG.uint32:
      return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    case TAG.int64:
    case TAG.uint64: {
      const hi = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
      const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
      return tag === TAG.int64 && hi & 0x80000000 ? -((0xffffffff - hi) * 2 ** 32 + (0x100000000 - lo)) : hi * 2 ** 32 + lo;
    }
    case TAG.float32:
      return new DataView(b.buffer, b.byteOffset + at, 4).getFloat32(0); // big-endian (the DataView default)
    case TAG.float64:
      return new DataView(b.buffer, b.byteOffset + at, 8).getFloat64(0);
    default:
      return 0; // null, date-time, date, time
  }
}

export class AxdrCursor {
  bytes: Uint8Array = EMPTY;
  /** Position of the next value's tag byte. */
  pos = 0;
  end = 0;

  // --- the current value --------------------------------------------------------------------------------
  tag = -1;
  /** Offset of the tag byte. */
  at = 0;
  /** Content range: the value's bytes (strings, numbers, date-times); for arrays/structures the first element. */
  start = 0;
  stop = 0;
  /** 0 for the value started on, 1 for its elements, … */
  depth = 0;
  /** Elements of an array/structure; bits of a bit-string; 0 otherwise. */
  count = 0;
  /**
   * Numbers: the value (int64/uint64 as the nearest double: read the bytes for the exact one); boolean, enum:
   * the byte; bit-string: the bit count; 0 otherwise.
   */
  num = 0;

  // --- why it stopped -----------------------------------------------------------------------------------
  fault: AxdrFaultCode | null = null;
  /** Offset of the tag byte of the value that failed. */
  faultAt = 0;
  faultText = '';

  /** Elements still to read in each open array/structure (the innermost in `remaining`). */
  private readonly open = new Int32Array(MAX_DEPTH + 1);
  private level = 0;
  private remaining = 0;
  /**
   * Whether an array/structure announcing more elements than bytes are left fails at once (the default: more
   * bytes are needed, no walk into them) or is walked as far as it goes (the outline shows what is there).
   */
  strictCounts = true;

  /** Starts a walk over the one value at `pos` (bytes before `end` only). */
  reset(bytes: Uint8Array, pos: number, end = bytes.length): this {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.level = 0;
    this.remaining = 1;
    this.tag = -1;
    this.fault = null;
    this.strictCounts = true;
    return this;
  }

  /** The value started on is complete (not at a fault). */
  get done(): boolean {
    return this.fault === null && this.remaining === 0 && this.level === 0;
  }

  /**
   * The elements of the current array/structure take exactly `byteLength` bytes and are not to be reported
   * (the leaves' {scaler, unit} pair, read from the bytes by the caller).
   */
  skipElements(byteLength: number): void {
    this.pos += byteLength;
    this.remaining = 0;
  }

  /** Moves to the next value; false when the value started on is complete or at a fault. */
  next(): boolean {
    while (this.remaining === 0) {
      if (this.level === 0) return false;
      this.remaining = this.open[--this.level]!;
    }
    // the common values (numbers, clocks, strings and structures shorter than 128 bytes or elements) here,
    // small enough to be inlined into the consumers' loops; everything else (and every failure) in `general`,
    // which gives the same result
    const b = this.bytes;
    const end = this.end;
    const pos = this.pos;
    const tag = pos < end ? b[pos]! : -1;
    const kind = tag >= 0 ? KIND[tag]! : SLOW;
    let start = pos + 1;
    let n: number;
    if (kind === FIXED) n = SIZE[tag]!;
    else if (kind === SLOW || start >= end || b[start]! >= 0x80) return this.general();
    else n = b[start++]!; // string length or element count (each element takes at least one byte)
    if (start + n > end || (kind === CONTAINER && this.level >= MAX_DEPTH)) return this.general();
    this.remaining--;
    this.tag = tag;
    this.at = pos;
    this.depth = this.level;
    this.start = start;
    if (kind === CONTAINER) {
      this.count = n;
      this.num = 0;
      this.stop = this.pos = start;
      if (n > 0) {
        this.open[this.level++] = this.remaining;
        this.remaining = n;
      }
    } else {
      this.count = 0;
      let num = 0;
      if (kind === FIXED && n > 0) {
        if (n <= 4 && tag !== TAG.float32 && tag !== TAG.time) {
          // integers up to 32 bits, big-endian
          for (let i = 0; i < n; i++) num = num * 256 + b[start + i]!;
          if (SIGNED[tag] === 1 && num >= HALF[n]!) num -= 2 * HALF[n]!;
        } else num = numberAt(b, tag, start);
      }
      this.num = num;
      this.stop = this.pos = start + n;
    }
    return true;
  }

  /** Every value and every failure (`next` takes the common values' shortcut). */
  private general(): boolean {
    const b = this.bytes;
    const end = this.end;
    let pos = this.pos;
    if (pos >= end) return this.stop_('AXDR_TRUNCATED', pos, `value missing at offset ${pos}`);
    this.remaining--;
    const tag = b[pos]!;
    this.tag = tag;
    this.at = pos;
    this.depth = this.level;
    this.count = 0;
    this.num = 0;
    pos++;
    let n: number; // content bytes
    switch (tag) {
      case TAG.array:
      case TAG.structure: {
        if (this.level >= MAX_DEPTH) return this.stop_('AXDR_TOO_DEEP', this.at, `nesting deeper than ${MAX_DEPTH} at offset ${this.at}`);
        const packed = readBerLength(b, pos, end);
        if (packed < 0) return this.lengthFault(packed, pos);
        pos += berSize(packed);
        const count = berValue(packed);
        // every element takes at least one byte: a count beyond what is left cannot be complete
        if (count > end - pos && this.strictCounts) {
          return this.stop_('AXDR_TRUNCATED', this.at, `${TYPE_NAME[tag]} at offset ${this.at} announces ${count} elements, ${end - pos} bytes left`);
        }
        this.count = count;
        this.start = this.stop = this.pos = pos;
        if (count > 0) {
          this.open[this.level++] = this.remaining;
          this.remaining = count;
        }
        return true;
      }
      case TAG.null:
      case TAG.boolean:
      case TAG.uint8:
      case TAG.enum:
      case TAG.int8:
      case TAG.bcd:
      case TAG.int16:
      case TAG.uint16:
      case TAG.int32:
      case TAG.uint32:
      case TAG.int64:
      case TAG.uint64:
      case TAG.float32:
      case TAG.float64:
      case TAG.dateTime:
      case TAG.date:
      case TAG.time:
        n = SIZE[tag]!;
        if (pos + n > end) return this.short(tag, n);
        this.num = numberAt(b, tag, pos);
        break;
      case TAG.octetString:
      case TAG.visibleString:
      case TAG.utf8String:
      case TAG.bitString: {
        const packed = readBerLength(b, pos, end);
        if (packed < 0) return this.lengthFault(packed, pos);
        pos += berSize(packed);
        const length = berValue(packed);
        if (tag === TAG.bitString) {
          this.count = this.num = length;
          n = Math.ceil(length / 8);
        } else n = length;
        if (pos + n > end) {
          return this.stop_('AXDR_TRUNCATED', this.at, `${TYPE_NAME[tag]} at offset ${this.at} announces ${n} bytes, ${end - pos} left`);
        }
        break;
      }
      default:
        return this.stop_('AXDR_UNKNOWN_TAG', this.at, `unknown A-XDR tag 0x${tag.toString(16).padStart(2, '0')} at offset ${this.at}`);
    }
    this.start = pos;
    this.stop = this.pos = pos + n;
    return true;
  }

  private short(tag: number, n: number): false {
    return this.stop_('AXDR_TRUNCATED', this.at, `${TYPE_NAME[tag]} at offset ${this.at} needs ${n} bytes, ${this.end - this.at - 1} left`);
  }

  private lengthFault(packed: number, at: number): false {
    if (packed === BER_NEED_MORE) return this.stop_('AXDR_TRUNCATED', this.at, `length missing at offset ${at}`);
    return this.stop_('AXDR_INVALID', this.at, `unsupported length form 0x${this.bytes[at]!.toString(16)} at offset ${at}`);
  }

  private stop_(code: AxdrFaultCode, at: number, text: string): false {
    this.fault = code;
    this.faultAt = at;
    this.faultText = text;
    this.remaining = 0;
    this.level = 0;
    return false;
  }
}

/** Thrown when the data ends before the value does; framers use it to wait for more bytes. */
export class AxdrTruncated extends Error {
  override readonly name = 'AxdrTruncated';
  readonly code = 'AXDR_TRUNCATED';
}

/** Any other A-XDR failure (a RangeError: the value is malformed, more bytes will not help). */
export class AxdrInvalid extends RangeError {
  override readonly name = 'AxdrInvalid';
  constructor(
    readonly code: Exclude<AxdrFaultCode, 'AXDR_TRUNCATED'>,
    message: string,
  ) {
    super(message);
  }
}

/** The cursor's fault as an exception, for the consumers that throw (tree, leaves). */
export function faultError(c: AxdrCursor): AxdrTruncated | AxdrInvalid {
  if (c.fault === 'AXDR_TRUNCATED') return new AxdrTruncated(c.faultText);
  return new AxdrInvalid(c.fault ?? 'AXDR_INVALID', c.faultText);
}

/** The error code of an A-XDR exception (AXDR_INVALID for anything else). */
export function axdrCodeOf(e: unknown): AxdrFaultCode {
  return e instanceof AxdrTruncated || e instanceof AxdrInvalid ? e.code : 'AXDR_INVALID';
}

/**
 * Walks the one value at `pos` without keeping anything: the position after it, or the cursor's fault
 * (`c.fault`) and -1. For measuring (framers of bare APDUs, compact descriptor bodies).
 */
export function skipValue(c: AxdrCursor, b: Uint8Array, pos: number, end: number): number {
  c.reset(b, pos, end);
  while (c.next());
  return c.fault === null ? c.pos : -1;
}
