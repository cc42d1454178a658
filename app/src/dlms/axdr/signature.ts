/**
 * Compact type signature of an A-XDR value: its shape without any value, short enough to paste into a bug
 * report (the `signature` of a LAYOUT_UNKNOWN error). Built only on the failure path, on the one A-XDR
 * walker (cursor.ts); a fault is written into the signature, never thrown.
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
import { AxdrCursor } from './cursor.js';
import { TAG } from './tags.js';

export const MAX_SIGNATURE_LENGTH = 400;

const CODE: Readonly<Record<number, string>> = {
  [TAG.null]: 'N',
  [TAG.boolean]: 'BOOL',
  [TAG.int32]: 'I32',
  [TAG.uint32]: 'U32',
  [TAG.bcd]: 'BCD',
  [TAG.int8]: 'I8',
  [TAG.int16]: 'I16',
  [TAG.uint8]: 'U8',
  [TAG.uint16]: 'U16',
  [TAG.int64]: 'I64',
  [TAG.uint64]: 'U64',
  [TAG.enum]: 'E',
  [TAG.float32]: 'F32',
  [TAG.float64]: 'F64',
  [TAG.dateTime]: 'DT',
  [TAG.date]: 'DATE',
  [TAG.time]: 'TIME',
  [TAG.octetString]: 'O',
  [TAG.visibleString]: 'V',
  [TAG.utf8String]: 'UTF',
  [TAG.bitString]: 'BIT',
};

/**
 * Signature of the next value of the walk; at a fault `?@offset` (and the walk stays stopped, so every open
 * structure closes with what it had so far).
 */
function signatureOf(c: AxdrCursor): string {
  if (!c.next()) return `?@${c.faultAt}`;
  const tag = c.tag;
  if (tag !== TAG.array && tag !== TAG.structure) {
    const code = CODE[tag]!;
    if (tag === TAG.bitString) return `${code}${c.count}`;
    return tag === TAG.octetString || tag === TAG.visibleString || tag === TAG.utf8String ? `${code}${c.stop - c.start}` : code;
  }
  const items: string[] = [];
  const count = c.count;
  for (let i = 0; i < count; i++) {
    items.push(signatureOf(c));
    if (c.fault !== null) break;
  }
  return `${tag === TAG.array ? 'A' : 'S'}(${collapse(items)})`;
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
  const c = new AxdrCursor().reset(b, start, end);
  let text = signatureOf(c);
  if (c.fault === null && c.pos < end) text += `,?@${c.pos}`;
  return text.length > MAX_SIGNATURE_LENGTH ? `${text.slice(0, MAX_SIGNATURE_LENGTH - 1)}…` : text;
}
