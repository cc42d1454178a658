/**
 * COSEM date-time (IEC 62056-6-2 §4.1.6.1, Blue Book "date-time", 12 bytes):
 *
 *   year(u16) month day day-of-week hour minute second hundredths deviation(i16) clock-status
 *
 * 0xFF (0xFFFF for the year) means "not specified". deviation is in minutes, local time to UTC, so the
 * offset to write after the time is −deviation (all Austrian captures: FF88 = −120 → +02:00 in summer);
 * 0x8000 means "not specified" and the time is written without an offset. Clock status bit 7 = DST.
 */

export interface DlmsDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Minutes east of UTC, or null when the meter does not state it. */
  readonly offsetMinutes: number | null;
  readonly dst: boolean;
  /** ISO 8601: `2021-09-27T09:47:15+02:00`, or without offset when unspecified. */
  readonly iso: string;
}

/** "00" … "99": the two-digit fields of an ISO time, without a function call per field. */
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const two = (n: number) => TWO[n] ?? String(n);
const offsetText = new Map<number, string>();

function offsetOf(minutes: number): string {
  let text = offsetText.get(minutes);
  if (text === undefined) {
    const abs = Math.abs(minutes);
    text = `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
    offsetText.set(minutes, text);
  }
  return text;
}

/** Parses 12 bytes at `at`; returns null unless every field is a plausible, fully specified value. */
export function parseDateTime(b: Uint8Array, at = 0): DlmsDateTime | null {
  if (at + 12 > b.length) return null;
  const year = (b[at]! << 8) | b[at + 1]!;
  const month = b[at + 2]!;
  const day = b[at + 3]!;
  const dow = b[at + 4]!;
  const hour = b[at + 5]!;
  const minute = b[at + 6]!;
  const second = b[at + 7]!;
  const hundredths = b[at + 8]!;
  const deviationRaw = (b[at + 9]! << 8) | b[at + 10]!;
  const status = b[at + 11]!;
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  // 1..7, 0xFF unspecified; Norwegian Aidon meters send 0 (UtilitechAS/amsreader-firmware issue #1119 pushes)
  if (dow !== 0xff && dow > 7) return null;
  if (hundredths !== 0xff && hundredths > 99) return null;
  let offsetMinutes: number | null = null;
  if (deviationRaw !== 0x8000) {
    const deviation = deviationRaw > 0x7fff ? deviationRaw - 0x10000 : deviationRaw;
    if (deviation < -840 || deviation > 840) return null;
    offsetMinutes = -deviation;
  }
  const dst = status !== 0xff && (status & 0x80) !== 0;
  let iso = year + '-' + TWO[month] + '-' + TWO[day] + 'T' + TWO[hour] + ':' + TWO[minute] + ':' + TWO[second];
  if (offsetMinutes !== null) iso += offsetOf(offsetMinutes);
  return { year, month, day, hour, minute, second, offsetMinutes, dst, iso };
}

/** The last date-time bytes and their ISO text: a push carries the same clock in its header and body. */
const lastIso = { bytes: new Uint8Array(12), iso: null as string | null };

/** ISO text of a plausible date-time at `at`, or null (memoised for the repeated clock of one push). */
export function dateTimeIso(b: Uint8Array, at = 0): string | null {
  const last = lastIso.bytes;
  if (lastIso.iso !== null) {
    let same = true;
    for (let i = 0; i < 12; i++) {
      if (last[i] !== b[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return lastIso.iso;
  }
  const dt = parseDateTime(b, at);
  if (!dt) return null;
  for (let i = 0; i < 12; i++) last[i] = b[at + i]!;
  lastIso.iso = dt.iso;
  return dt.iso;
}
