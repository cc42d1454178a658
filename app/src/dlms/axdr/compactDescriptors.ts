/**
 * Byte length of a compact-descriptor notification body (Sagemcom XT211 on Czech RS-485 interfaces, see
 * readings/selfDescribing.ts for the layout): `02 02 16 ee 01 N` then N × `02 02 <class u16> <OBIS 6>
 * <attribute u8> <A-XDR value>`. The descriptors carry no type tags, so a plain A-XDR walk fails on them;
 * raw framing (bare `0F …` APDUs) measures such a body with this instead.
 */
import { AxdrCursor, AxdrTruncated, skipValue } from './cursor.js';
import { Reader } from './Reader.js';
import { TAG } from './tags.js';

/** Bytes before each value: 02 02, class-id (2), logical name (6), attribute (1). */
export const COMPACT_DESCRIPTOR_LENGTH = 11;

/**
 * Position after the compact body at `pos`, or -1 when the bytes do not have that shape.
 * Throws AxdrTruncated when the shape holds so far but the bytes end early.
 */
export function compactBodyEnd(b: Uint8Array, pos: number, end: number, cursor = new AxdrCursor()): number {
  const r = new Reader(b, pos, end);
  if (r.u8() !== TAG.structure || r.u8() !== 2 || r.u8() !== TAG.enum) return -1;
  r.u8();
  if (r.u8() !== TAG.array) return -1;
  const count = r.length();
  if (count === 0) return -1;
  for (let k = 0; k < count; k++) {
    if (r.u8() !== TAG.structure || r.u8() !== 2) return -1;
    const classId = r.u16();
    r.skip(6);
    const attribute = r.u8();
    if (classId === 0 || classId > 0xff || attribute === 0 || attribute > 32) return -1;
    const after = skipValue(cursor, b, r.pos, end);
    if (after < 0) {
      if (cursor.fault === 'AXDR_TRUNCATED') throw new AxdrTruncated(cursor.faultText);
      return -1;
    }
    r.pos = after;
  }
  return r.pos;
}
