/**
 * Flat A-XDR leaves for the decode hot path: a consumer of the one A-XDR walker (cursor.ts) that records every
 * leaf value in reusable typed arrays (no object per value), with nested structures flattened and
 * `{int8 scaler, enum unit}` structures recognised on the way (protocol.md §5: "flatten nested structures and
 * then pair …"). The tree form (`decode.ts`) is built only for the frame inspector.
 */
import { DateTimeMemo } from './dateTime.js';
import type { DlmsType } from './decode.js';
import { AxdrCursor, faultError, TYPE_NAME } from './cursor.js';
import { ObisTexts } from '../obis.js';
import { TAG } from './tags.js';

/**
 * DLMS type of each data tag, for positional layouts: the cursor's type names (leaves are never arrays or
 * structures, so only the value types are ever looked up).
 */
export const TYPE_OF_TAG = TYPE_NAME as Readonly<Record<number, DlmsType>>;

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

/**
 * Leaves of one body. For numbers `num` holds the value; for byte and text values `start`/`end` is their range
 * in `bytes`; for SCALER_UNIT `num` is the scaler and `start` the unit enum.
 *
 * Also the scratch and memo of one decoder (one meter): StreamDecoder owns one, so two decoders never share
 * state; nothing in dlms/ keeps state at module level.
 */
export class Leaves {
  count = 0;
  tag = new Uint8Array(64);
  num = new Float64Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** OBIS codes and texts of the previous pushes (see LeafMemo). */
  readonly obisMemo = new SixByteMemo();
  readonly textMemo = new LeafMemo();
  /** OBIS texts by their bytes, whatever the leaf index (self-describing pushes, memo misses). */
  readonly obisTexts = new ObisTexts();
  /** The ISO text of the last clock: a push carries the same clock in its header and its body. */
  readonly clocks = new DateTimeMemo();
  /** The walker collectLeaves reuses. */
  readonly cursor = new AxdrCursor();

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

/**
 * Walks one A-XDR value at `pos` with the leaves' cursor, appending its leaves to `out`; returns the position
 * after it. Throws AxdrTruncated when the bytes end early and AxdrInvalid (a RangeError) for anything
 * malformed, as the tree does.
 */
export function collectLeaves(b: Uint8Array, pos: number, end: number, out: Leaves): number {
  const c = out.cursor.reset(b, pos, end);
  while (c.next()) {
    const tag = c.tag;
    if (tag === TAG.structure || tag === TAG.array) {
      // {int8 scaler, enum unit}: 02 02 0F ss 16 uu
      const at = c.start;
      if (tag === TAG.structure && c.count === 2 && at + 4 <= end && b[at] === TAG.int8 && b[at + 2] === TAG.enum) {
        out.push(SCALER_UNIT, (b[at + 1]! << 24) >> 24, b[at + 3]!, 0);
        c.skipElements(4);
      }
      continue;
    }
    out.push(tag, c.num, c.start, c.stop);
  }
  if (c.fault !== null) throw faultError(c);
  return c.pos;
}
