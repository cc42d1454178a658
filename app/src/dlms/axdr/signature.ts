/**
 * Compact type signature of an A-XDR value: its shape without any value, short enough to paste into a bug
 * report (the `signature` of a LAYOUT_UNKNOWN error). Built only on the failure path.
 *
 * Notation:
 *   S(a,b,…)  structure          A(a,b,…)  array
 *   O6        octet-string of 6 bytes (an OBIS code), O12 (a date-time), O<n>
 *   V<n>      visible-string     UTF<n>   utf8-string     BIT<n>  bit-string of n bits
 *   I8 I16 I32 I64 / U8 U16 U32 U64  integers   E enum   F32 F64 floats   BCD   BOOL   N null
 *   DT date-time  DATE  TIME
 *   12×(…)    the same element (or run of up to 4 elements) repeated 12 times
 *   ?@40      bytes that do not parse as A-XDR from offset 40 on
 * The text is cut at MAX_LENGTH characters with `…`.
 */
import { TAG } from './decode.js';

export const MAX_SIGNATURE_LENGTH = 400;
const MAX_DEPTH = 16;

const FIXED: Readonly<Record<number, [string, number]>> = {
  [TAG.null]: ['N', 0],
  [TAG.boolean]: ['BOOL', 1],
  [TAG.int32]: ['I32', 4],
  [TAG.uint32]: ['U32', 4],
  [TAG.bcd]: ['BCD', 1],
  [TAG.int8]: ['I8', 1],
  [TAG.int16]: ['I16', 2],
  [TAG.uint8]: ['U8', 1],
  [TAG.uint16]: ['U16', 2],
  [TAG.int64]: ['I64', 8],
  [TAG.uint64]: ['U64', 8],
  [TAG.enum]: ['E', 1],
  [TAG.float32]: ['F32', 4],
  [TAG.float64]: ['F64', 8],
  [TAG.dateTime]: ['DT', 12],
  [TAG.date]: ['DATE', 5],
  [TAG.time]: ['TIME', 4],
};

class Unparsable extends Error {
  constructor(readonly at: number) {
    super(`unparsable at ${at}`);
  }
}

/** A structure cut short by unparsable bytes: its signature so far. */
class PartialSignature extends Unparsable {
  constructor(
    readonly text: string,
    at: number,
  ) {
    super(at);
  }
}

function berLength(b: Uint8Array, pos: number, end: number): [number, number] {
  if (pos >= end) throw new Unparsable(pos);
  const first = b[pos]!;
  if (first < 0x80) return [first, pos + 1];
  const count = first & 0x7f;
  if (count === 0 || count > 3 || pos + 1 + count > end) throw new Unparsable(pos);
  let n = 0;
  for (let i = 1; i <= count; i++) n = n * 256 + b[pos + i]!;
  return [n, pos + 1 + count];
}

/** Signature of the value at `pos` and the position after it. */
function walk(b: Uint8Array, pos: number, end: number, depth: number, out: { pos: number }): string {
  if (pos >= end) throw new Unparsable(pos);
  const tag = b[pos]!;
  const fixed = FIXED[tag];
  if (fixed) {
    if (pos + 1 + fixed[1] > end) throw new Unparsable(pos);
    out.pos = pos + 1 + fixed[1];
    return fixed[0];
  }
  switch (tag) {
    case TAG.array:
    case TAG.structure: {
      if (depth >= MAX_DEPTH) throw new Unparsable(pos);
      const [count, after] = berLength(b, pos + 1, end);
      if (count > end - after) throw new Unparsable(pos);
      const items: string[] = [];
      let at = after;
      try {
        for (let i = 0; i < count; i++) {
          items.push(walk(b, at, end, depth + 1, out));
          at = out.pos;
        }
      } catch (e) {
        if (!(e instanceof Unparsable)) throw e;
        items.push(e instanceof PartialSignature ? e.text : `?@${e.at}`);
        throw new PartialSignature(`${tag === TAG.array ? 'A' : 'S'}(${collapse(items)})`, e.at);
      }
      out.pos = at;
      return `${tag === TAG.array ? 'A' : 'S'}(${collapse(items)})`;
    }
    case TAG.octetString:
    case TAG.visibleString:
    case TAG.utf8String: {
      const [n, after] = berLength(b, pos + 1, end);
      if (after + n > end) throw new Unparsable(pos);
      out.pos = after + n;
      return `${tag === TAG.octetString ? 'O' : tag === TAG.visibleString ? 'V' : 'UTF'}${n}`;
    }
    case TAG.bitString: {
      const [bits, after] = berLength(b, pos + 1, end);
      const n = Math.ceil(bits / 8);
      if (after + n > end) throw new Unparsable(pos);
      out.pos = after + n;
      return `BIT${bits}`;
    }
    default:
      throw new Unparsable(pos);
  }
}

/** Collapses repeated elements and repeated runs of up to 4 elements: `a,a,a` → `3×a`, `a,b,a,b` → `2×(a,b)`. */
export function collapse(items: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < items.length) {
    let bestK = 1;
    let bestRepeats = 1;
    for (let k = 1; k <= 4 && i + 2 * k <= items.length; k++) {
      let repeats = 1;
      while (i + (repeats + 1) * k <= items.length && sameRun(items, i, i + repeats * k, k)) repeats++;
      if (repeats >= 2 && repeats * k > bestRepeats * bestK) {
        bestK = k;
        bestRepeats = repeats;
      }
    }
    if (bestRepeats >= 2) {
      const run = items.slice(i, i + bestK).join(',');
      parts.push(bestK === 1 ? `${bestRepeats}×${run}` : `${bestRepeats}×(${run})`);
      i += bestRepeats * bestK;
    } else {
      parts.push(items[i]!);
      i++;
    }
  }
  return parts.join(',');
}

function sameRun(items: readonly string[], a: number, b: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (items[a + j] !== items[b + j]) return false;
  return true;
}

/** The signature of the A-XDR value at `start` (e.g. a notification body); see the module doc. */
export function typeSignature(b: Uint8Array, start: number, end = b.length): string {
  const out = { pos: start };
  let text: string;
  try {
    text = walk(b, start, end, 0, out);
    if (out.pos < end) text += `,?@${out.pos}`;
  } catch (e) {
    if (e instanceof PartialSignature) text = e.text;
    else if (e instanceof Unparsable) text = `?@${e.at}`;
    else throw e;
  }
  return text.length > MAX_SIGNATURE_LENGTH ? `${text.slice(0, MAX_SIGNATURE_LENGTH - 1)}…` : text;
}
