/**
 * Bare APDUs without a link layer (protocol.md §6: the Energienetze Steiermark Sagemcom T210-D-R P1 port
 * sends `DB 08 <system title> 82 01 F2 30 …` directly; unencrypted meters may send a bare `0F …`).
 * Without a checksum the only framing evidence is the APDU's own length (general-glo-ciphering) or a
 * complete A-XDR parse (data-notification), so raw framing is tried only until a link layer is seen.
 *
 * The A-XDR parse belongs to dlms (a higher layer): the decoder hands it in as a `NotificationMeasure`
 * (dlms/apdu/dataNotification.ts `notificationLength`). Without one, only general-glo-ciphering is framed.
 */
import { BER_NEED_MORE, berSize, berValue, readBerLength } from '../../shared/ber.js';
import type { FrameField, LinkFrame, MatchResult } from '../types.js';

/** APDU tags (IEC 62056-5-3 §8): general-glo-ciphering and data-notification. */
export const GENERAL_GLO_CIPHERING = 0xdb;
export const DATA_NOTIFICATION = 0x0f;

/**
 * Length of a complete data-notification at `start` (bytes before `end` only), or
 * MEASURE_NEED_MORE / MEASURE_INVALID.
 */
export type NotificationMeasure = (buf: Uint8Array, start: number, end: number) => number;
export const MEASURE_NEED_MORE = -1;
export const MEASURE_INVALID = -2;

type Matcher = (buf: Uint8Array, start: number, end: number) => MatchResult;

/** Longest bare APDU accepted (the Steiermark T210-D-R push is 511 bytes). */
export const MAX_RAW_APDU = 4096;

export const isRawStart = (b: number) => b === GENERAL_GLO_CIPHERING || b === DATA_NOTIFICATION;

/** The matcher of bare APDUs; data-notifications are measured by `measure` (none: not framed). */
export function rawMatcher(measure: NotificationMeasure | null): Matcher {
  return (buf, start, end) =>
    buf[start] === GENERAL_GLO_CIPHERING ? matchGlo(buf, start, end) : measure ? matchNotification(measure, buf, start, end) : NOISE;
}

const NOISE: MatchResult = { kind: 'invalid', reason: 'noise' };

function matchGlo(buf: Uint8Array, start: number, end: number): MatchResult {
  // DB 08 <8 bytes system title> <BER length> SC FC(4) …
  if (end - start < 12) return { kind: 'need', total: 12 };
  if (buf[start + 1] !== 0x08) return { kind: 'invalid', reason: 'noise' };
  const packed = readBerLength(buf, start + 10, end);
  if (packed === BER_NEED_MORE) return { kind: 'need', total: 14 };
  // lengths up to 0x82 (65535 bytes): a longer form is no push
  if (packed < 0 || berSize(packed) > 3) return { kind: 'invalid', reason: 'noise' };
  const length = berValue(packed);
  const at = start + 10 + berSize(packed);
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

function matchNotification(measure: NotificationMeasure, buf: Uint8Array, start: number, end: number): MatchResult {
  const length = measure(buf, start, Math.min(end, start + MAX_RAW_APDU));
  if (length >= 0) return { kind: 'frame', length };
  if (length === MEASURE_NEED_MORE && end - start < MAX_RAW_APDU) return { kind: 'need', total: end - start + 1 };
  return NOISE;
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
