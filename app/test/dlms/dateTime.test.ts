/** COSEM date-time (IEC 62056-6-2 §4.1.6.1, 12 bytes): fields, not-specified values, deviation, DST, invalid values. */
import { describe, expect, it } from 'vitest';
import { DateTimeMemo, dateTimeIso, offsetText, parseDateTime } from '../../src/dlms/axdr/dateTime.js';

/** year(2) month day dow hour minute second hundredths deviation(2) status */
function dt(fields: { year?: number; month?: number; day?: number; dow?: number; hour?: number; minute?: number; second?: number; hundredths?: number; deviation?: number; status?: number } = {}): Uint8Array {
  const f = { year: 2026, month: 11, day: 24, dow: 2, hour: 9, minute: 5, second: 7, hundredths: 0, deviation: -60, status: 0, ...fields };
  const dev = f.deviation & 0xffff;
  return Uint8Array.from([f.year >> 8, f.year & 0xff, f.month, f.day, f.dow, f.hour, f.minute, f.second, f.hundredths, dev >> 8, dev & 0xff, f.status]);
}

describe('parseDateTime', () => {
  it('reads every field; deviation −60 (local = UTC + 1 h) is written +01:00', () => {
    expect(parseDateTime(dt())).toEqual({
      year: 2026,
      month: 11,
      day: 24,
      hour: 9,
      minute: 5,
      second: 7,
      offsetMinutes: 60,
      dst: false,
      iso: '2026-11-24T09:05:07+01:00',
    });
  });

  it('summer time: deviation −120 and the DST bit of the clock status', () => {
    const summer = parseDateTime(dt({ month: 7, deviation: -120, status: 0x80 }))!;
    expect([summer.iso, summer.dst, summer.offsetMinutes]).toEqual(['2026-07-24T09:05:07+02:00', true, 120]);
    // status 0xFF is "not specified", not "every bit set"
    expect(parseDateTime(dt({ status: 0xff }))!.dst).toBe(false);
  });

  it('deviations west of UTC and of odd minutes', () => {
    expect(parseDateTime(dt({ deviation: 300 }))!.iso).toBe('2026-11-24T09:05:07-05:00');
    expect(parseDateTime(dt({ deviation: -330 }))!.iso).toBe('2026-11-24T09:05:07+05:30');
    expect(parseDateTime(dt({ deviation: 0 }))!.iso).toBe('2026-11-24T09:05:07+00:00');
    expect(offsetText(-45)).toBe('-00:45');
  });

  it('not-specified fields: deviation 0x8000 gives a time without offset; day of week and hundredths 0xFF are fine', () => {
    const local = parseDateTime(dt({ deviation: 0x8000 }))!;
    expect([local.iso, local.offsetMinutes]).toEqual(['2026-11-24T09:05:07', null]);
    expect(parseDateTime(dt({ dow: 0xff, hundredths: 0xff }))!.iso).toBe('2026-11-24T09:05:07+01:00');
    // Aidon sends day of week 0 (amsreader-firmware issue #1119)
    expect(parseDateTime(dt({ dow: 0 }))).not.toBeNull();
  });

  it('rejects what is not a plausible, fully specified time', () => {
    const invalid = [
      dt({ year: 0xffff }),
      dt({ year: 1999 }),
      dt({ month: 0 }),
      dt({ month: 13 }),
      dt({ month: 0xff }),
      dt({ day: 0 }),
      dt({ day: 32 }),
      dt({ hour: 24 }),
      dt({ minute: 60 }),
      dt({ second: 60 }),
      dt({ dow: 8 }),
      dt({ hundredths: 100 }),
      dt({ deviation: 841 }),
      dt({ deviation: -841 }),
    ];
    for (const bytes of invalid) expect(parseDateTime(bytes), Buffer.from(bytes).toString('hex')).toBeNull();
    expect(parseDateTime(dt().subarray(0, 11))).toBeNull();
  });

  it('reads at an offset inside a larger buffer', () => {
    const b = Uint8Array.from([0xaa, 0xbb, ...dt({ second: 59 })]);
    expect(dateTimeIso(b, 2)).toBe('2026-11-24T09:05:59+01:00');
    expect(dateTimeIso(b, 1)).toBeNull();
  });
});

describe('DateTimeMemo (one per decoder)', () => {
  it('gives the same text as the pure form, for a changing clock and offset', () => {
    const memo = new DateTimeMemo();
    const clocks = [dt(), dt(), dt({ second: 8 }), dt({ deviation: -120, status: 0x80 }), dt({ deviation: 0x8000 }), dt({ month: 13 }), dt()];
    for (const c of clocks) expect(memo.iso(c)).toBe(dateTimeIso(c));
  });

  it('a remembered clock is not returned for other bytes, and an invalid one is never remembered', () => {
    const memo = new DateTimeMemo();
    expect(memo.iso(dt({ hour: 1 }))).toBe('2026-11-24T01:05:07+01:00');
    expect(memo.iso(dt({ hour: 24 }))).toBeNull();
    expect(memo.iso(dt({ hour: 2 }))).toBe('2026-11-24T02:05:07+01:00');
    const other = new DateTimeMemo();
    expect(other.iso(dt({ hour: 3 }))).toBe('2026-11-24T03:05:07+01:00');
    // the first memo is untouched by the second
    expect(memo.iso(dt({ hour: 2 }))).toBe('2026-11-24T02:05:07+01:00');
  });
});
