/**
 * Bare APDUs without a link layer (protocol.md §6: the Energienetze Steiermark Sagemcom T210-D-R P1 port
 * sends `DB 08 <system title> 82 01 F2 30 …` directly; unencrypted meters may send a bare `0F …`).
 * Without a checksum the only framing evidence is the APDU's own length (general-glo-ciphering) or a
 * complete A-XDR parse (data-notification), so raw framing is tried only until a link layer is seen.
 */
import { AxdrTruncated } from '../../dlms/axdr/Reader.js';
import { DATA_NOTIFICATION, measureDataNotification } from '../../dlms/apdu/dataNotification.js';
import { GENERAL_GLO_CIPHERING } from '../../dlms/apdu/gloCiphering.js';
import type { FrameField, LinkFrame, MatchResult } from '../types.js';

/** Longest bare APDU accepted (the Steiermark T210-D-R push is 511 bytes). */
export const MAX_RAW_APDU = 4096;

export const isRawStart = (b: number) => b === GENERAL_GLO_CIPHERING || b === DATA_NOTIFICATION;

export function matchRaw(buf: Uint8Array, start: number, end: number): MatchResult {
  return buf[start] === GENERAL_GLO_CIPHERING ? matchGlo(buf, start, end) : matchNotification(buf, start, end);
}

function matchGlo(buf: Uint8Array, start: number, end: number): MatchResult {
  // DB 08 <8 bytes system title> <BER length> SC FC(4) …
  if (end - start < 12) return { kind: 'need', total: 12 };
  if (buf[start + 1] !== 0x08) return { kind: 'invalid', reason: 'noise' };
  let at = start + 10;
  const first = buf[at++]!;
  let length: number;
  if (first < 0x80) length = first;
  else if (first === 0x81) length = buf[at++]!;
  else if (first === 0x82) {
    if (end - start < 14) return { kind: 'need', total: 14 };
    length = (buf[at]! << 8) | buf[at + 1]!;
    at += 2;
  } else return { kind: 'invalid', reason: 'noise' };
  // the buffer is reused: bytes at or after `end` are stale, never read them
  if (at >= end) return { kind: 'need', total: at - start + 1 };
  const sc = buf[at]!;
  // E bit set, no compression, suite 0..1; SC + FC + at least one byte
  if ((sc & 0x20) === 0 || (sc & 0x80) !== 0 || (sc & 0x0f) > 1 || length < 6) return { kind: 'invalid', reason: 'noise' };
  const total = at - start + length;
  if (total > MAX_RAW_APDU) return { kind: 'invalid', reason: 'noise' };
  if (end - start < total) return { kind: 'need', total };
  return { kind: 'frame', length: total };
}

function matchNotification(buf: Uint8Array, start: number, end: number): MatchResult {
  try {
    const length = measureDataNotification(buf, start, Math.min(end, start + MAX_RAW_APDU));
    return { kind: 'frame', length };
  } catch (e) {
    if (e instanceof AxdrTruncated && end - start < MAX_RAW_APDU) return { kind: 'need', total: end - start + 1 };
    return { kind: 'invalid', reason: 'noise' };
  }
}

/** The frame object for a bare APDU. */
export function buildRawFrame(bytes: Uint8Array): LinkFrame {
  return {
    type: 'frame',
    framing: 'raw',
    bytes,
    payloadStart: 0,
    payloadEnd: bytes.length,
    segment: 0,
    final: true,
  };
}

export function describeRawFrame(bytes: Uint8Array): FrameField[] {
  const label = bytes[0] === GENERAL_GLO_CIPHERING ? 'general-glo-ciphering APDU' : 'data-notification APDU';
  return [{ start: 0, length: bytes.length, label }];
}
