/**
 * HDLC frame matcher (IEC 62056-46 §6.4, frame format type 3):
 *
 *   7E | A<S><len:11> | dst addr | src addr | control | HCS | information | FCS | 7E
 *
 * The 11-bit length counts everything between the flags. Addresses are 1–4 bytes each; the byte with
 * LSB = 1 ends an address. HCS and FCS are CRC-16/X-25, least significant byte first. S (bit 11 of the
 * format field) marks a segment that continues in the next frame. Consecutive frames may share a flag.
 */
import { crc16x25 } from '../../shared/crc.js';
import type { FrameField, LinkFrame, MatchResult } from '../types.js';

export const HDLC_FLAG = 0x7e;

function addressLength(buf: Uint8Array, at: number, end: number): number | 'need' | 'invalid' {
  for (let i = 0; i < 4; i++) {
    if (at + i >= end) return 'need';
    if (buf[at + i]! & 1) return i + 1;
  }
  return 'invalid';
}

export function matchHdlc(buf: Uint8Array, start: number, end: number): MatchResult {
  if (end - start < 3) return { kind: 'need', total: 3 };
  const format = buf[start + 1]!;
  if (format >> 4 !== 0xa) return { kind: 'invalid', reason: 'noise' };
  const length = ((format & 0x07) << 8) | buf[start + 2]!;
  const total = length + 2;
  const dst = addressLength(buf, start + 3, end);
  if (dst === 'invalid') return { kind: 'invalid', reason: 'noise' };
  if (dst === 'need') return { kind: 'need', total: end - start + 1 };
  const src = addressLength(buf, start + 3 + dst, end);
  if (src === 'invalid') return { kind: 'invalid', reason: 'noise' };
  if (src === 'need') return { kind: 'need', total: end - start + 1 };
  const controlAt = start + 3 + dst + src;
  const headerEnd = controlAt + 1; // first byte after the control field
  // format(2) + addresses + control + HCS(2) + FCS(2) must fit in the length
  if (headerEnd + 4 - (start + 1) > length) return { kind: 'invalid', reason: 'noise' };
  if (end < headerEnd + 2) return { kind: 'need', total: headerEnd + 2 - start };
  const hcs = buf[headerEnd]! | (buf[headerEnd + 1]! << 8);
  if (crc16x25(buf, start + 1, headerEnd) !== hcs) return { kind: 'invalid', reason: 'noise' };
  if (end - start < total) return { kind: 'need', total };
  if (buf[start + total - 1] !== HDLC_FLAG) return { kind: 'invalid', reason: 'checksum' };
  const fcsAt = start + total - 3;
  const fcs = buf[fcsAt]! | (buf[fcsAt + 1]! << 8);
  if (crc16x25(buf, start + 1, fcsAt) !== fcs) return { kind: 'invalid', reason: 'checksum' };
  if (fcsAt <= headerEnd + 2) return { kind: 'invalid', reason: 'unsupported' };
  return { kind: 'frame', length: total };
}

/** Offsets of a whole, valid frame's parts (addresses are 1–4 bytes). */
function layoutOf(bytes: Uint8Array): { dst: number; src: number; infoStart: number; infoEnd: number } {
  const dst = addressLength(bytes, 3, bytes.length) as number;
  const src = addressLength(bytes, 3 + dst, bytes.length) as number;
  return { dst, src, infoStart: 3 + dst + src + 1 + 2, infoEnd: bytes.length - 3 };
}

/** The frame object for a whole, valid frame (`bytes` as matched, both flags included). */
export function buildHdlcFrame(bytes: Uint8Array): LinkFrame {
  const { infoStart, infoEnd } = layoutOf(bytes);
  return {
    type: 'frame',
    framing: 'hdlc',
    bytes,
    payloadStart: infoStart,
    payloadEnd: infoEnd,
    segment: 0,
    final: (bytes[1]! & 0x08) === 0,
  };
}

/** Annotated fields of an HDLC frame, for the frame inspector. */
export function describeHdlcFrame(bytes: Uint8Array): FrameField[] {
  const { dst, src, infoStart, infoEnd } = layoutOf(bytes);
  const segmented = (bytes[1]! & 0x08) !== 0;
  const length = ((bytes[1]! & 0x07) << 8) | bytes[2]!;
  return [
    { start: 0, length: 1, label: 'flag' },
    { start: 1, length: 2, label: 'format', value: `length ${length}${segmented ? ', segmented' : ''}` },
    { start: 3, length: dst, label: 'destination address' },
    { start: 3 + dst, length: src, label: 'source address' },
    { start: 3 + dst + src, length: 1, label: 'control' },
    { start: 4 + dst + src, length: 2, label: 'HCS' },
    { start: infoStart, length: infoEnd - infoStart, label: 'information' },
    { start: infoEnd, length: 2, label: 'FCS' },
    { start: infoEnd + 2, length: 1, label: 'flag' },
  ];
}
