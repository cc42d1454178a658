/**
 * M-Bus long frame matcher (EN 13757-2 §5.4, as used by the Austrian RJ12 customer interfaces):
 *
 *   68 L L 68 | C A CI STSAP DTSAP <DLMS bytes> | CS 16
 *
 * L counts C..last user byte; CS = sum(C..last user byte) mod 256. The CI byte of DLMS-over-M-Bus
 * (EN 13757-3 / IEC 62056-7-3 wired M-Bus) carries no data header: bits 7..5 = 0, bit 4 = FIN
 * (last segment), bits 3..0 = segment number.
 *
 * CI `5B` / `72` (EN 13757-7 long transport header, Netz OÖ AMIS spec §2.4.2.3) carries an M-Bus application
 * layer instead: 12 header bytes, then (encrypted) DIF/VIF records. Such a frame is one whole message.
 */
import { mbusChecksum } from '../../shared/crc.js';
import { CI_LONG_HEADER, parseLongHeader } from './transportHeader.js';
import type { FrameField, LinkFrame, MatchResult } from '../types.js';

export const MBUS_START = 0x68;
const MBUS_STOP = 0x16;
/** C, A, CI, STSAP, DTSAP: the fixed bytes counted by L before the DLMS payload. */
const MBUS_FIXED = 5;

/**
 * Real L for the L field seen on the wire.
 * Sagemcom T210-D/S210 firmware before V0450 (Netz NÖ) sends `68 01 01 68` for a 257-byte body: the
 * length 0x101 wrapped to 0x01 (protocol.md §2). An L below 6 cannot carry a DLMS segment, so it is
 * read as L + 256; the checksum then decides.
 */
function realLength(l: number): number {
  return l <= MBUS_FIXED ? l + 256 : l;
}

export function matchMbus(buf: Uint8Array, start: number, end: number): MatchResult {
  if (end - start < 4) return { kind: 'need', total: 4 };
  const l = buf[start + 1]!;
  if (buf[start + 2] !== l || buf[start + 3] !== MBUS_START) return { kind: 'invalid', reason: 'noise' };
  const length = realLength(l);
  const total = length + 6;
  if (end - start < total) return { kind: 'need', total };
  const csAt = start + 4 + length;
  if (buf[csAt + 1] !== MBUS_STOP || mbusChecksum(buf, start + 4, csAt) !== buf[csAt]) {
    return { kind: 'invalid', reason: 'checksum' };
  }
  const ci = buf[start + 6]!;
  if (ci > 0x1f && !(CI_LONG_HEADER.has(ci) && length >= 3 + 12)) return { kind: 'invalid', reason: 'unsupported' };
  return { kind: 'frame', length: total };
}

/** The frame object for a whole, valid frame (`bytes` as matched). */
export function buildMbusFrame(bytes: Uint8Array): LinkFrame {
  const length = realLength(bytes[1]!);
  const ci = bytes[6]!;
  if (CI_LONG_HEADER.has(ci)) {
    // C A CI, then the long header and records up to the checksum
    return { type: 'frame', framing: 'mbus', bytes, payloadStart: 7, payloadEnd: 4 + length, segment: 0, final: true };
  }
  const segment = ci & 0x0f;
  const final = (ci & 0x10) !== 0;
  return {
    type: 'frame',
    framing: 'mbus',
    bytes,
    payloadStart: 4 + MBUS_FIXED,
    payloadEnd: 4 + length,
    segment,
    final,
  };
}

/** True for a frame that carries an M-Bus application layer (long header) rather than DLMS segments. */
export function isMbusApplicationFrame(frame: LinkFrame): boolean {
  return frame.framing === 'mbus' && CI_LONG_HEADER.has(frame.bytes[6]!);
}

/** True for an application frame whose configuration word announces encryption (security mode ≠ 0). */
export function isEncryptedMbusFrame(frame: LinkFrame): boolean {
  return isMbusApplicationFrame(frame) && frame.bytes.length >= 19 && ((frame.bytes[18]! & 0x1f) !== 0);
}

/** Header fields of a long-header frame (AMIS): link bytes, transport header, encrypted records. */
function describeLongHeaderFrame(bytes: Uint8Array, length: number): FrameField[] {
  const h = parseLongHeader(bytes, 7);
  const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
  return [
    { start: 0, length: 1, label: 'start' },
    { start: 1, length: 2, label: 'L', value: `${length} bytes` },
    { start: 3, length: 1, label: 'start' },
    { start: 4, length: 1, label: 'C', value: `${hex(bytes[4]!)}${(bytes[4]! & 0x4f) === 0x43 ? ' SND_UD' : ''}` },
    { start: 5, length: 1, label: 'A', value: `${hex(bytes[5]!)} (primary address ${bytes[5]})` },
    { start: 6, length: 1, label: 'CI', value: `${hex(bytes[6]!)}: long transport header` },
    { start: 7, length: 4, label: 'ID', value: h.id },
    { start: 11, length: 2, label: 'manufacturer', value: h.manufacturer },
    { start: 13, length: 1, label: 'version', value: String(h.version) },
    { start: 14, length: 1, label: 'medium', value: hex(h.medium) },
    { start: 15, length: 1, label: 'access number', value: String(h.accessNumber) },
    { start: 16, length: 1, label: 'status', value: hex(h.status) },
    { start: 17, length: 2, label: 'configuration', value: `security mode ${h.mode}, ${h.encryptedBlocks} encrypted blocks` },
    { start: 19, length: 4 + length - 19, label: h.mode ? 'encrypted data records' : 'data records' },
    { start: 4 + length, length: 1, label: 'checksum' },
    { start: 5 + length, length: 1, label: 'stop' },
  ];
}

/** Annotated fields of an M-Bus frame, for the frame inspector. */
export function describeMbusFrame(bytes: Uint8Array): FrameField[] {
  const l = bytes[1]!;
  const length = realLength(l);
  const ci = bytes[6]!;
  if (CI_LONG_HEADER.has(ci)) return describeLongHeaderFrame(bytes, length);
  const segment = ci & 0x0f;
  const final = (ci & 0x10) !== 0;
  return [
    { start: 0, length: 1, label: 'start' },
    {
      start: 1,
      length: 2,
      label: 'L',
      value: l === length ? `${l} bytes` : `${l} on the wire, ${length} real (Sagemcom length wrap)`,
    },
    { start: 3, length: 1, label: 'start' },
    { start: 4, length: 1, label: 'C', value: `0x${bytes[4]!.toString(16).padStart(2, '0')}` },
    { start: 5, length: 1, label: 'A', value: `0x${bytes[5]!.toString(16).padStart(2, '0')}` },
    { start: 6, length: 1, label: 'CI', value: `segment ${segment}${final ? ', FIN' : ''}` },
    { start: 7, length: 1, label: 'STSAP' },
    { start: 8, length: 1, label: 'DTSAP' },
    { start: 4 + MBUS_FIXED, length: length - MBUS_FIXED, label: 'DLMS data' },
    { start: 4 + length, length: 1, label: 'checksum' },
    { start: 5 + length, length: 1, label: 'stop' },
  ];
}
