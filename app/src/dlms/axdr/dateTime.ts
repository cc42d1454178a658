/**
 * COSEM date-time (IEC 62056-6-2 §4.1.6.1, Blue Book "date-time", 12 bytes):
 *
 *   year(u16) month day day-of-week hour minute second hundredths deviation(i16) clock-status
 *
 * 0xFF (0xFFFF for the year) means "not specified". deviation is in minutes, local time to UTC, so the
 * offset to write after the time is −deviation (all Austrian captures: FF88 = −120 → +02:00 in summer);
 * 0x8000 means "not specified" and the time is written without an offset. Clock status bit 7 = DST.
 */
import type { WallClock } from '../../shared/wallClock.js';

export interface DlmsDateTime extends WallClock {
  /** Minutes east of UTC, or null when the meter does not state it. */
  readonly offsetMinutes: number | null;
  readonly dst: boolean;
  /** ISO 8601: `2021-09-27T09:47:15+02:00`, or without offset when unspecified. */
  readonly iso: string;
}

/** "00" … "99": the two-digit fields of an ISO time, without a function call per field. */
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const two = (n: number) => TWO[n] ?? String(n);

/** `+02:00` for 120 minutes east of UTC. */
export function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** Sentinels of `offsetAt`. */
const NO_OFFSET = 0x8000;
const INVALID = -0x8000;

/**
 * Checks the 12 bytes at `at`: INVALID unless every field is a plausible, fully specified value; else the
 * offset in minutes east of UTC, or NO_OFFSET when the meter does not state it.
 */
function offsetAt(b: Uint8Array, at: number): number {
  if (at < 0 || at + 12 > b.length) return INVALID;
  const year = (b[at]! << 8) | b[at + 1]!;
  const month = b[at + 2]!;
  const day = b[at + 3]!;
  const dow = b[at + 4]!;
  const hundredths = b[at + 8]!;
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31) return INVALID;
  if (b[at + 5]! > 23 || b[at + 6]! > 59 || b[at + 7]! > 59) return INVALID;
  // 1..7, 0xFF unspecified; Norwegian Aidon meters send 0 (UtilitechAS/amsreader-firmware issue #1119 pushes)
  if (dow !== 0xff && dow > 7) return INVALID;
  if (hundredths !== 0xff && hundredths > 99) return INVALID;
  const deviationRaw = (b[at + 9]! << 8) | b[at + 10]!;
  if (deviationRaw === 0x8000) return NO_OFFSET;
  const deviation = deviationRaw > 0x7fff ? deviationRaw - 0x10000 : deviationRaw;
  if (deviation < -840 || deviation > 840) return INVALID;
  return -deviation;
}

/** ISO text without the offset of checked bytes. */
function localText(b: Uint8Array, at: number): string {
  const year = (b[at]! << 8) | b[at + 1]!;
  return year + '-' + TWO[b[at + 2]!] + '-' + TWO[b[at + 3]!] + 'T' + TWO[b[at + 5]!] + ':' + TWO[b[at + 6]!] + ':' + TWO[b[at + 7]!];
}

/** Parses 12 bytes at `at`; returns null unless every field is a plausible, fully specified value. */
export function parseDateTime(b: Uint8Array, at = 0): DlmsDateTime | null {
  const offset = offsetAt(b, at);
  if (offset === INVALID) return null;
  const offsetMinutes = offset === NO_OFFSET ? null : offset;
  const status = b[at + 11]!;
  const dst = status !== 0xff && (status & 0x80) !== 0;
  let iso = localText(b, at);
  if (offsetMinutes !== null) iso += offsetText(offsetMinutes);
  return {
    year: (b[at]! << 8) | b[at + 1]!,
    month: b[at + 2]!,
    day: b[at + 3]!,
    hour: b[at + 5]!,
    minute: b[at + 6]!,
    second: b[at + 7]!,
    offsetMinutes,
    dst,
    iso,
  };
}

/** ISO text of a plausible date-time at `at`, or null (the pure form of DateTimeMemo.iso). */
export function dateTimeIso(b: Uint8Array, at = 0): string | null {
  return parseDateTime(b, at)?.iso ?? null;
}

/**
 * The last date-time bytes and their ISO text, and the last offset text: a push carries the same clock in its
 * header and body, and a meter keeps its offset for half a year. One per decoder (held by Leaves).
 */
export class DateTimeMemo {
  private readonly bytes = new Uint8Array(12);
  private text: string | null = null;
  private offsetMinutes = NO_OFFSET;
  private offsetText = '';

  /** ISO text of a plausible date-time at `at`, or null. */
  iso(b: Uint8Array, at = 0): string | null {
    const last = this.bytes;
    if (this.text !== null && at + 12 <= b.length) {
      let same = true;
      for (let i = 0; i < 12; i++) {
        if (last[i] !== b[at + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.text;
    }
    const offset = offsetAt(b, at);
    if (offset === INVALID) return null;
    let text = localText(b, at);
    if (offset !== NO_OFFSET) {
      if (offset !== this.offsetMinutes) {
        this.offsetMinutes = offset;
        this.offsetText = offsetText(offset);
      }
      text += this.offsetText;
    }
    for (let i = 0; i < 12; i++) last[i] = b[at + i]!;
    this.text = text;
    return text;
  }
}
