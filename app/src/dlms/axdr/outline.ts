/**
 * A-XDR outline for bug reports (`decode --explain`): one line per value with its byte offset, type and
 * decoded text, indented by nesting depth. Tags per the Green Book "Data" CHOICE (decode.ts `TAG`).
 * A consumer of the one A-XDR walker (cursor.ts). Pure and tolerant: it never throws; where the bytes stop
 * making sense it says so in the last line (the cursor's fault, as data).
 */
import { AxdrCursor, TYPE_NAME } from './cursor.js';
import { parseDateTime } from './dateTime.js';
import { TAG } from './tags.js';
import { formatObis, isValueObis } from '../obis.js';
import { toHex } from '../../shared/hex.js';

export interface OutlineLine {
  /** Offset of the value's tag byte in the buffer. */
  readonly offset: number;
  readonly depth: number;
  readonly text: string;
}

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
      return toHex(b, at, at + (tag === TAG.date ? 5 : 4));
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
  const c = new AxdrCursor().reset(b, start, end);
  c.strictCounts = false;
  while (c.next()) add(c.at, c.depth, describe(c));
  if (c.fault !== null) add(Math.min(end, b.length), 0, `(stops: ${c.faultText})`);
  else if (c.pos < end) add(c.pos, 0, `(${end - c.pos} bytes after the value)`);
  if (truncatedAt >= 0) lines.push({ offset: truncatedAt, depth: 0, text: `(… more values from offset ${truncatedAt}, not shown)` });
  return lines;
}

function describe(c: AxdrCursor): string {
  const b = c.bytes;
  const tag = c.tag;
  const name = TYPE_NAME[tag]!;
  switch (tag) {
    case TAG.array:
    case TAG.structure:
      return `${name}(${c.count})`;
    case TAG.null:
      return name;
    case TAG.octetString:
    case TAG.visibleString:
    case TAG.utf8String:
      return `${name}(${c.stop - c.start}) ${toHex(b, c.start, c.stop)}${describeOctets(b, c.start, c.stop)}`;
    case TAG.bitString:
      return `${name}(${c.count}) ${toHex(b, c.start, c.stop)}`;
    default:
      return `${name} ${readNumber(b, tag, c.start)}`;
  }
}
