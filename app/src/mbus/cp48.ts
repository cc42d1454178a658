/**
 * M-Bus date and time type I (CP48, EN 13757-3 Annex A), as the Netz OÖ AMIS meters send it (record `06 6D`):
 *
 *   b0: bits 5..0 second, bit 6 summer time (AMIS; see below)
 *   b1: bits 5..0 minute, bit 7 time invalid
 *   b2: bits 4..0 hour, bits 7..5 day of week (1 = Monday)
 *   b3: bits 4..0 day, bits 7..5 year bits 2..0
 *   b4: bits 3..0 month, bits 7..4 year bits 6..3       (year = 2000 + 7-bit value)
 *   b5: bits 5..0 week of the year
 *
 * The time is local wall-clock time. Summer time: in every public AMIS capture b0 bit 6 is set in summer and
 * clear in winter (Netz OÖ spec example 2014-07-01: `5F` for second 31; mgerhard74/amis_smartmeter_reader
 * src/Utils.cpp reads `tm_isdst` from it), so it is read as the summer-time flag. AMIS meters are in Upper
 * Austria: the offset is +02:00 with the flag, +01:00 without.
 */
import type { WallClock } from '../shared/wallClock.js';

export interface Cp48 extends WallClock {
  readonly dayOfWeek: number;
  readonly week: number;
  readonly summerTime: boolean;
  readonly invalid: boolean;
}

export function parseCp48(b: Uint8Array, at: number): Cp48 {
  const b0 = b[at]!;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  const b3 = b[at + 3]!;
  const b4 = b[at + 4]!;
  const b5 = b[at + 5]!;
  return {
    second: b0 & 0x3f,
    summerTime: (b0 & 0x40) !== 0,
    minute: b1 & 0x3f,
    invalid: (b1 & 0x80) !== 0,
    hour: b2 & 0x1f,
    dayOfWeek: b2 >> 5,
    day: b3 & 0x1f,
    month: b4 & 0x0f,
    year: 2000 + (((b3 & 0xe0) >> 5) | ((b4 & 0xf0) >> 1)),
    week: b5 & 0x3f,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * ISO 8601 with the Central European offset (+02:00 in summer time, +01:00 otherwise), or null when the meter
 * marks the time invalid or a field is out of range (the clock is then left out, never guessed).
 */
export function cp48Iso(t: Cp48): string | null {
  if (t.invalid) return null;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59 || t.second > 59) return null;
  const daysInMonth = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
  if (t.day > daysInMonth) return null;
  return `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.summerTime ? '+02:00' : '+01:00'}`;
}

/** Encodes a wall-clock time as CP48 (simulator and tests). `at` gives the local fields (read as UTC fields). */
export function encodeCp48(local: Date, summerTime: boolean): Uint8Array {
  const year = local.getUTCFullYear() - 2000;
  const dayOfWeek = ((local.getUTCDay() + 6) % 7) + 1;
  const week = isoWeek(local);
  return Uint8Array.from([
    local.getUTCSeconds() | (summerTime ? 0x40 : 0),
    local.getUTCMinutes(),
    local.getUTCHours() | (dayOfWeek << 5),
    local.getUTCDate() | ((year & 0x07) << 5),
    (local.getUTCMonth() + 1) | ((year & 0x78) << 1),
    week,
  ]);
}

function isoWeek(d: Date): number {
  // the Thursday of the same ISO week decides the year; weeks count from that year's first Thursday
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  thursday.setUTCDate(thursday.getUTCDate() - ((thursday.getUTCDay() + 6) % 7) + 3);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7);
}
