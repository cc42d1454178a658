/**
 * DSMR P1 text telegrams (NEN-EN-IEC 62056-21 mode D data, DSMR 2.2 … 5.0.2 §6.2, Fluvius e-MUCS,
 * Luxembourg Smarty, Hungarian and Swedish P1 ports):
 *
 *   /XXX5<identification> CR LF
 *   CR LF
 *   <data lines: A-B:C.D.E(value)(value)… CR LF>
 *   !<CRC> CR LF
 *
 * `XXX` is the manufacturer FLAG id. The CRC (DSMR 4.0 and later) is CRC-16/ARC over `/`…`!` written as
 * 4 hex digits; the framer only delimits the telegram, the parser (readings/dsmr.ts) checks the CRC, so a
 * mismatch is reported as DSMR_CRC. DSMR 2.2 and 3.0 telegrams end in a bare `!`: without a checksum they
 * are accepted only when every line has the strict DSMR syntax (`isStrictDsmrTelegram`).
 *
 * A telegram is printable ASCII plus CR/LF, so a `/` inside a binary M-Bus or HDLC frame is rejected at the
 * first non-text byte and never hides a checksummed frame.
 */
import type { FrameField, LinkFrame, MatchResult } from '../types.js';

export const DSMR_START = 0x2f; // '/'
const BANG = 0x21; // '!'
const CR = 0x0d;
const LF = 0x0a;
/** Longest telegram accepted (DSMR 5 allows 1024 data characters per line; real telegrams are 0.5–2 kB). */
export const MAX_TELEGRAM = 4096;
/** Hex digits after `!`: 4, or fewer from meters that drop leading zeros (dsmr_parser TELEGRAM_UNPADDED_CRC). */
const MAX_CRC_DIGITS = 4;

const isText = (b: number) => b >= 0x20 && b <= 0x7e;
const isLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

/** Strict syntax for telegrams without a CRC: identification line, empty line, data lines. */
const STRICT_HEADER = /^\/[A-Za-z]{3}[0-9A-Za-z][\x21-\x7e][\x20-\x7e]*$/;
const STRICT_GROUP = String.raw`\([0-9A-Za-z.*:\-]*\)`;
const STRICT_DATA_LINE = new RegExp(String.raw`^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}(?:${STRICT_GROUP})+$`);
/** DSMR 2.2 / 3.0 put the gas value of `0-n:24.3.0` on the next line: `(00001.001)`. */
const STRICT_CONTINUATION = new RegExp(String.raw`^(?:${STRICT_GROUP})+$`);

/** Whether the text between `/` and `!` (exclusive) has the strict DSMR line syntax. */
export function isStrictDsmrTelegram(text: string): boolean {
  const lines = text.split(/\r?\n/);
  // the identification line, an empty line, at least one data line, and the line break before '!'
  if (lines.length < 4 || lines.at(-1) !== '' || lines[1] !== '') return false;
  if (!STRICT_HEADER.test(lines[0]!)) return false;
  let data = 0;
  for (let i = 2; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (STRICT_DATA_LINE.test(line)) data++;
    else if (!(data > 0 && STRICT_CONTINUATION.test(line))) return false;
  }
  return data > 0;
}

const latin1 = new TextDecoder('latin1');

/**
 * Recognises a telegram starting at `start` (a `/`). Decides from the bytes alone: `need` while the end
 * line has not arrived, `frame` up to and including the line break after `!CRC`, `invalid` for anything
 * that is not telegram text (noise), a telegram cut off by the next `/` or longer than MAX_TELEGRAM
 * (truncated), or a CRC-less telegram that fails the strict syntax (noise).
 */
export function matchDsmr(buf: Uint8Array, start: number, end: number, checked = 0, endOfStream = false): MatchResult {
  const limit = Math.min(end, start + MAX_TELEGRAM);
  // identification: '/' + three letters (FLAG id) + the baud rate character
  for (let i = start + 1; i < start + 4; i++) {
    if (i >= limit) return { kind: 'need', total: i - start + 1 };
    if (!isLetter(buf[i]!)) return { kind: 'invalid', reason: 'noise' };
  }
  // bytes before `checked` were text without '!' or '/' when this candidate last waited for more
  let i = start + Math.max(4, checked);
  let bang = -1;
  for (; i < limit; i++) {
    const b = buf[i]!;
    if (b === BANG) {
      bang = i;
      break;
    }
    if (b === DSMR_START) return { kind: 'invalid', reason: 'truncated' };
    if (!isText(b) && b !== CR && b !== LF) return { kind: 'invalid', reason: 'noise' };
  }
  if (bang < 0) {
    if (limit - start >= MAX_TELEGRAM) return { kind: 'invalid', reason: 'truncated' };
    return { kind: 'need', total: end - start + 1 };
  }
  // '!' + up to 4 hex digits + CR LF (or LF)
  let j = bang + 1;
  while (j < limit && j - bang - 1 < MAX_CRC_DIGITS && isHex(buf[j]!)) j++;
  if (j < limit && buf[j] === CR) j++;
  let length: number;
  if (j >= limit) {
    if (limit - start >= MAX_TELEGRAM) return { kind: 'invalid', reason: 'truncated' };
    // a capture file may end right after the CRC, without the final line break
    if (!(endOfStream && limit === end)) return { kind: 'need', total: j - start + 1 };
    length = j - start;
  } else {
    if (buf[j] !== LF) return { kind: 'invalid', reason: 'noise' };
    length = j + 1 - start;
  }
  if (bang + 1 === start + length || buf[bang + 1] === CR || buf[bang + 1] === LF) {
    // no CRC (DSMR 2.2 / 3.0): only the strict line syntax vouches for these bytes
    if (!isStrictDsmrTelegram(latin1.decode(buf.subarray(start, bang)))) return { kind: 'invalid', reason: 'noise' };
  }
  return { kind: 'frame', length };
}

/**
 * How many bytes of a candidate that returned `need` with `available` bytes need not be checked again: all
 * but the last `!` + 4 CRC digits + CR, which may be the start of the end line.
 */
export const dsmrResumePoint = (available: number): number => Math.max(0, available - (MAX_CRC_DIGITS + 2));

/** The frame object for a whole telegram: one frame is one message, the payload is the whole text. */
export function buildDsmrFrame(bytes: Uint8Array): LinkFrame {
  return { type: 'frame', framing: 'dsmr', bytes, payloadStart: 0, payloadEnd: bytes.length, segment: 0, final: true };
}

/** Identification line, data lines and the `!CRC` end line of a telegram, for the frame inspector. */
export function describeDsmrFrame(bytes: Uint8Array): FrameField[] {
  const headerEnd = bytes.indexOf(LF);
  const bang = bytes.lastIndexOf(BANG);
  if (headerEnd < 0 || bang < headerEnd) return [{ start: 0, length: bytes.length, label: 'DSMR telegram' }];
  let crcDigits = 0;
  while (bang + 1 + crcDigits < bytes.length && isHex(bytes[bang + 1 + crcDigits]!)) crcDigits++;
  return [
    { start: 0, length: headerEnd + 1, label: 'identification', value: latin1.decode(bytes.subarray(1, headerEnd)).trim() },
    { start: headerEnd + 1, length: bang - headerEnd - 1, label: 'data lines' },
    {
      start: bang,
      length: bytes.length - bang,
      label: 'end line',
      value: crcDigits > 0 ? `CRC ${latin1.decode(bytes.subarray(bang + 1, bang + 1 + crcDigits))}` : 'no CRC (DSMR 2.2 / 3)',
    },
  ];
}
