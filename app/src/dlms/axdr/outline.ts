/**
 * A-XDR outline for bug reports (`decode --explain`): one line per value with its byte offset, type and
 * decoded text, indented by nesting depth. Tags per the Green Book "Data" CHOICE (decode.ts `TAG`).
 * Pure and tolerant: it never throws; where the bytes stop making sense it says so in the last line.
 */
import { TAG } from './decode.js';
import { parseDateTime } from './dateTime.js';
import { formatObis, isValueObis } from '../obis.js';
import { toHex } from '../../shared/hex.js';

export interface OutlineLine {
  /** Offset of the value's tag byte in the buffer. */
  readonly offset: number;
  readonly depth: number;
  readonly text: string;
}

const MAX_DEPTH = 16;
const FIXED: Readonly<Record<number, readonly [string, number]>> = {
  [TAG.boolean]: ['boolean', 1],
  [TAG.int8]: ['int8', 1],
  [TAG.uint8]: ['uint8', 1],
  [TAG.enum]: ['enum', 1],
  [TAG.bcd]: ['bcd', 1],
  [TAG.int16]: ['int16', 2],
  [TAG.uint16]: ['uint16', 2],
  [TAG.int32]: ['int32', 4],
  [TAG.uint32]: ['uint32', 4],
  [TAG.float32]: ['float32', 4],
  [TAG.int64]: ['int64', 8],
  [TAG.uint64]: ['uint64', 8],
  [TAG.float64]: ['float64', 8],
  [TAG.dateTime]: ['date-time', 12],
  [TAG.date]: ['date', 5],
  [TAG.time]: ['time', 4],
};

class OutlineStop extends Error {}

function readNumber(b: Uint8Array, tag: number, at: number): string {
  const view = new DataView(b.buffer, b.byteOffset + at);
  switch (tag) {
    case TAG.boolean:
      return b[at] ? 'true' : 'false';
    case TAG.int8:
    case TAG.bcd:
      return String(view.getInt8(0));
    case TAG.uint8:
    case TAG.enum:
      return String(b[at]);
    case TAG.int16:
      return String(view.getInt16(0));
    case TAG.uint16:
      return String(view.getUint16(0));
    case TAG.int32:
      return String(view.getInt32(0));
    case TAG.uint32:
      return String(view.getUint32(0));
    case TAG.float32:
      return String(view.getFloat32(0));
    case TAG.int64:
      return view.getBigInt64(0).toString();
    case TAG.uint64:
      return view.getBigUint64(0).toString();
    case TAG.float64:
      return String(view.getFloat64(0));
    case TAG.dateTime:
      return `${toHex(b, at, at + 12)}${describeClock(b, at)}`;
    default:
      return toHex(b, at, at + (FIXED[tag]?.[1] ?? 0));
  }
}

function describeClock(b: Uint8Array, at: number): string {
  const dt = parseDateTime(b, at);
  return dt ? ` = ${dt.iso}` : ' (not a plausible date-time)';
}

function describeOctets(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 6 && isValueObis(b, start, n)) return ` = OBIS ${formatObis(b, start)}`;
  if (n === 12 && parseDateTime(b, start)) return describeClock(b, start);
  let printable = n > 0;
  for (let i = start; i < end && printable; i++) printable = b[i]! >= 0x20 && b[i]! <= 0x7e;
  return printable ? ` "${Buffer.from(b.subarray(start, end)).toString('latin1')}"` : '';
}

/**
 * Outlines the A-XDR value at `start` (and, if bytes remain before `end`, says how many).
 * At most `maxLines` lines; the rest is summarised in one line.
 */
export function outlineAxdr(b: Uint8Array, start: number, end = b.length, maxLines = 400): OutlineLine[] {
  const lines: OutlineLine[] = [];
  let truncatedAt = -1;
  const add = (offset: number, depth: number, text: string) => {
    if (lines.length < maxLines) lines.push({ offset, depth, text });
    else if (truncatedAt < 0) truncatedAt = offset;
  };
  const length = (pos: number): [number, number] => {
    if (pos >= end) throw new OutlineStop(`length byte missing at offset ${pos}`);
    const first = b[pos]!;
    if (first < 0x80) return [first, pos + 1];
    const count = first & 0x7f;
    if (count === 0 || count > 3 || pos + 1 + count > end) throw new OutlineStop(`bad length 0x${first.toString(16)} at offset ${pos}`);
    let n = 0;
    for (let i = 1; i <= count; i++) n = n * 256 + b[pos + i]!;
    return [n, pos + 1 + count];
  };
  const walk = (pos: number, depth: number): number => {
    if (pos >= end) throw new OutlineStop(`value missing at offset ${pos}`);
    const tag = b[pos]!;
    if (tag === TAG.array || tag === TAG.structure) {
      if (depth >= MAX_DEPTH) throw new OutlineStop(`nesting deeper than ${MAX_DEPTH} at offset ${pos}`);
      const [count, at] = length(pos + 1);
      add(pos, depth, `${tag === TAG.array ? 'array' : 'structure'}(${count})`);
      let p = at;
      for (let i = 0; i < count; i++) p = walk(p, depth + 1);
      return p;
    }
    if (tag === TAG.null) {
      add(pos, depth, 'null');
      return pos + 1;
    }
    const fixed = FIXED[tag];
    if (fixed) {
      const [name, n] = fixed;
      if (pos + 1 + n > end) throw new OutlineStop(`${name} at offset ${pos} needs ${n} bytes, ${end - pos - 1} left`);
      add(pos, depth, `${name} ${readNumber(b, tag, pos + 1)}`);
      return pos + 1 + n;
    }
    if (tag === TAG.octetString || tag === TAG.visibleString || tag === TAG.utf8String || tag === TAG.bitString) {
      const [n, at] = length(pos + 1);
      const bytes = tag === TAG.bitString ? Math.ceil(n / 8) : n;
      if (at + bytes > end) throw new OutlineStop(`string at offset ${pos} announces ${bytes} bytes, ${end - at} left`);
      const name = tag === TAG.octetString ? 'octet-string' : tag === TAG.visibleString ? 'visible-string' : tag === TAG.utf8String ? 'utf8-string' : 'bit-string';
      const text = tag === TAG.bitString ? '' : describeOctets(b, at, at + bytes);
      add(pos, depth, `${name}(${n}) ${toHex(b, at, at + bytes)}${text}`);
      return at + bytes;
    }
    throw new OutlineStop(`unknown A-XDR tag 0x${tag.toString(16).padStart(2, '0')} at offset ${pos}`);
  };
  try {
    const after = walk(start, 0);
    if (after < end) add(after, 0, `(${end - after} bytes after the value)`);
  } catch (e) {
    if (!(e instanceof OutlineStop)) throw e;
    add(Math.min(end, b.length), 0, `(stops: ${e.message})`);
  }
  if (truncatedAt >= 0) lines.push({ offset: truncatedAt, depth: 0, text: `(… more values from offset ${truncatedAt}, not shown)` });
  return lines;
}
