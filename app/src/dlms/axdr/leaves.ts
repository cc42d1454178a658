/**
 * Flat A-XDR walk for the decode hot path: one pass over the notification body that records every leaf value
 * in reusable typed arrays (no object per value), with nested structures flattened and `{int8 scaler, enum unit}`
 * structures recognised on the way (protocol.md §5: "flatten nested structures and then pair …").
 * The tree form (`decode.ts`) is built only for the frame inspector.
 */
import { TAG, type DlmsType } from './decode.js';
import { AxdrTruncated } from './Reader.js';

/** DLMS type of each data tag, for positional layouts. */
export const TYPE_OF_TAG: Readonly<Record<number, DlmsType>> = {
  [TAG.null]: 'null',
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

/**
 * Strings made from leaf bytes in an earlier push, by leaf index: a meter repeats its OBIS codes and its meter
 * number in every push, so the string is made once and found again by comparing a few bytes.
 */
export class LeafMemo {
  private static readonly MAX_INDEX = 256;
  private readonly bytes: (Uint8Array | undefined)[] = [];
  private readonly texts: (string | null)[] = [];

  /** The string remembered for leaf `i` if its bytes are `b[start, end)` again, else undefined. */
  get(i: number, b: Uint8Array, start: number, end: number): string | null | undefined {
    const known = this.bytes[i];
    if (known === undefined || known.length !== end - start) return undefined;
    for (let k = 0; k < known.length; k++) if (known[k] !== b[start + k]) return undefined;
    return this.texts[i];
  }

  set(i: number, b: Uint8Array, start: number, end: number, text: string | null): void {
    if (i >= LeafMemo.MAX_INDEX || end - start > 64) return;
    this.bytes[i] = b.slice(start, end);
    this.texts[i] = text;
  }
}

/** Like LeafMemo for 6-byte values (OBIS codes): the bytes kept as two numbers, compared in two steps. */
export class SixByteMemo {
  private static readonly MAX_INDEX = 256;
  private readonly high = new Int32Array(SixByteMemo.MAX_INDEX);
  private readonly low = new Int32Array(SixByteMemo.MAX_INDEX).fill(-1);
  private readonly texts: string[] = [];

  get(i: number, b: Uint8Array, at: number): string | undefined {
    if (i >= SixByteMemo.MAX_INDEX) return undefined;
    if (this.low[i] !== ((b[at + 4]! << 8) | b[at + 5]!)) return undefined;
    if (this.high[i] !== ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)) return undefined;
    return this.texts[i];
  }

  set(i: number, b: Uint8Array, at: number, text: string): void {
    if (i >= SixByteMemo.MAX_INDEX) return;
    this.high[i] = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    this.low[i] = (b[at + 4]! << 8) | b[at + 5]!;
    this.texts[i] = text;
  }
}

/** Pseudo tag of a recognised {scaler, unit} structure. */
export const SCALER_UNIT = 0xff;
const MAX_DEPTH = 16;

/**
 * Leaves of one body. For numbers `num` holds the value; for byte and text values `start`/`end` is their range
 * in `bytes`; for SCALER_UNIT `num` is the scaler and `start` the unit enum.
 */
export class Leaves {
  count = 0;
  tag = new Uint8Array(64);
  num = new Float64Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** OBIS codes and texts of the previous pushes (see LeafMemo). */
  readonly obisMemo = new SixByteMemo();
  /** Remaining element counts of the arrays/structures open while walking (collectLeaves). */
  readonly openCounts = new Int32Array(MAX_DEPTH);
  readonly textMemo = new LeafMemo();

  private grow(): void {
    const n = this.tag.length * 2;
    const tag = new Uint8Array(n);
    tag.set(this.tag);
    const num = new Float64Array(n);
    num.set(this.num);
    const start = new Int32Array(n);
    start.set(this.start);
    const end = new Int32Array(n);
    end.set(this.end);
    this.tag = tag;
    this.num = num;
    this.start = start;
    this.end = end;
  }

  push(tag: number, num: number, start: number, end: number): void {
    if (this.count === this.tag.length) this.grow();
    const i = this.count++;
    this.tag[i] = tag;
    this.num[i] = num;
    this.start[i] = start;
    this.end[i] = end;
  }

  /** Length of a byte/text leaf. */
  length(i: number): number {
    return this.end[i]! - this.start[i]!;
  }

  reset(): void {
    this.count = 0;
  }
}

function need(pos: number, n: number, end: number): void {
  if (pos + n > end) throw new AxdrTruncated(`need ${n} bytes at offset ${pos}, ${end - pos} left`);
}

/** Position after the last length read by `length()` (a module variable: no tuple per value). */
let afterLength = 0;

/** Reads a BER length at `pos`; the position after it is left in `afterLength`. */
function length(b: Uint8Array, pos: number, end: number): number {
  need(pos, 1, end);
  const first = b[pos]!;
  if (first < 0x80) {
    afterLength = pos + 1;
    return first;
  }
  const count = first & 0x7f;
  if (count === 0 || count > 3) throw new RangeError(`unsupported length form 0x${first.toString(16)}`);
  need(pos + 1, count, end);
  let n = 0;
  for (let i = 1; i <= count; i++) n = n * 256 + b[pos + i]!;
  afterLength = pos + 1 + count;
  return n;
}

/**
 * Walks one A-XDR value at `pos`, appending its leaves to `out`; returns the position after it.
 * Throws AxdrTruncated when the bytes end early and RangeError for anything malformed (as decodeValue does).
 * A loop with an explicit stack of open arrays/structures (their remaining element counts), not recursion: one
 * function call per push instead of one per value.
 */
export function collectLeaves(b: Uint8Array, pos: number, end: number, out: Leaves): number {
  const open = out.openCounts;
  let depth = 0;
  let remaining = 1; // values still to read at the current level: the one top value
  for (;;) {
    while (remaining === 0) {
      if (depth === 0) return pos;
      remaining = open[--depth]!;
    }
    remaining--;
    need(pos, 1, end);
    const tag = b[pos++]!;
    switch (tag) {
      case TAG.null:
        out.push(tag, 0, pos, pos);
        continue;
      case TAG.array:
      case TAG.structure: {
        if (depth >= MAX_DEPTH) throw new RangeError(`nesting deeper than ${MAX_DEPTH}`);
        const count = length(b, pos, end);
        pos = afterLength;
        if (count > end - pos) throw new AxdrTruncated(`${count} elements announced, ${end - pos} bytes left`);
        // {int8 scaler, enum unit}: 02 02 0F ss 16 uu
        if (tag === TAG.structure && count === 2 && pos + 4 <= end && b[pos] === TAG.int8 && b[pos + 2] === TAG.enum) {
          out.push(SCALER_UNIT, (b[pos + 1]! << 24) >> 24, b[pos + 3]!, 0);
          pos += 4;
          continue;
        }
        open[depth++] = remaining;
        remaining = count;
        continue;
      }
      case TAG.boolean:
      case TAG.uint8:
      case TAG.enum:
        need(pos, 1, end);
        out.push(tag, b[pos]!, pos, pos + 1);
        pos += 1;
        continue;
      case TAG.int8:
      case TAG.bcd:
        need(pos, 1, end);
        out.push(tag, (b[pos]! << 24) >> 24, pos, pos + 1);
        pos += 1;
        continue;
      case TAG.int16:
        need(pos, 2, end);
        out.push(tag, (((b[pos]! << 8) | b[pos + 1]!) << 16) >> 16, pos, pos + 2);
        pos += 2;
        continue;
      case TAG.uint16:
        need(pos, 2, end);
        out.push(tag, (b[pos]! << 8) | b[pos + 1]!, pos, pos + 2);
        pos += 2;
        continue;
      case TAG.int32:
      case TAG.uint32: {
        need(pos, 4, end);
        const v = (b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!;
        out.push(tag, tag === TAG.int32 ? v : v >>> 0, pos, pos + 4);
        pos += 4;
        continue;
      }
      case TAG.int64:
      case TAG.uint64: {
        need(pos, 8, end);
        const hi = ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
        const lo = ((b[pos + 4]! << 24) | (b[pos + 5]! << 16) | (b[pos + 6]! << 8) | b[pos + 7]!) >>> 0;
        const v = tag === TAG.int64 && hi & 0x80000000 ? -((0xffffffff - hi) * 2 ** 32 + (0x100000000 - lo)) : hi * 2 ** 32 + lo;
        out.push(tag, v, pos, pos + 8);
        pos += 8;
        continue;
      }
      case TAG.float32:
      case TAG.float64: {
        const n = tag === TAG.float32 ? 4 : 8;
        need(pos, n, end);
        const view = new DataView(b.buffer, b.byteOffset + pos, n);
        out.push(tag, n === 4 ? view.getFloat32(0) : view.getFloat64(0), pos, pos + n);
        pos += n;
        continue;
      }
      case TAG.octetString:
      case TAG.visibleString:
      case TAG.utf8String: {
        const n = length(b, pos, end);
        pos = afterLength;
        need(pos, n, end);
        out.push(tag, 0, pos, pos + n);
        pos += n;
        continue;
      }
      case TAG.bitString: {
        const bits = length(b, pos, end);
        pos = afterLength;
        const n = Math.ceil(bits / 8);
        need(pos, n, end);
        out.push(tag, bits, pos, pos + n);
        pos += n;
        continue;
      }
      case TAG.dateTime:
      case TAG.date:
      case TAG.time: {
        const n = tag === TAG.dateTime ? 12 : tag === TAG.date ? 5 : 4;
        need(pos, n, end);
        out.push(tag, 0, pos, pos + n);
        pos += n;
        continue;
      }
      default:
        throw new RangeError(`unknown A-XDR type tag 0x${tag.toString(16).padStart(2, '0')} at offset ${pos - 1}`);
    }
  }
}
