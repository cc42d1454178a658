/**
 * The energy history store (app/src/store/HistoryStore.ts) with an injected clock and a real temporary
 * directory: bucketing across hour, day and DST boundaries, gaps, never negative, restarts (clean and torn),
 * damaged records, retention and compaction. Pure unit tests apart from the files.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { HISTORY_FILE, HistoryStore, type HistorySample, type HistoryView } from '../../src/store/HistoryStore.js';
import { LocalDays } from '../../src/store/localDays.js';
import { RECORD_BYTES } from '../../src/store/recordLog.js';

const H = 3_600_000;
const METER = '100042424242';

let dir: string;
let now: number;
let lines: string[];

const log = () => createLogger({ level: 'debug', sink: { write: (l) => lines.push(l.trimEnd()) } });
const open = (extra: Partial<ConstructorParameters<typeof HistoryStore>[0]> = {}) =>
  new HistoryStore({ dir, log: log(), timeZone: 'Europe/Vienna', clock: () => now, ...extra });
const sample = (t: number, importWh: number | null, exportWh: number | null = 0, netW: number | null = null, identity = METER): HistorySample => ({
  t,
  identity,
  importWh,
  exportWh,
  netW,
});
/** Feeds a sample and moves the clock there. */
const feed = (store: HistoryStore, s: HistorySample) => {
  now = s.t;
  store.add(s);
};
const hourOf = (v: HistoryView, iso: string) => v.hours.find((h) => h.t === Date.parse(iso));
const dayOf = (v: HistoryView, date: string) => v.days.find((d) => d.date === date);
const allHours = (store: HistoryStore) => store.view({ hours: 62 * 24 }).hours;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smr-history-'));
  now = Date.parse('2026-12-03T08:00:00Z');
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hourly and daily buckets', () => {
  it('splits a step across an hour boundary by time (the counter interpolated at the boundary)', () => {
    const s = open();
    feed(s, sample(Date.parse('2026-12-03T09:59:30Z'), 1000, 500));
    feed(s, sample(Date.parse('2026-12-03T10:00:30Z'), 1060, 520));
    feed(s, sample(Date.parse('2026-12-03T10:30:00Z'), 1100, 520));
    const v = s.view();
    expect(hourOf(v, '2026-12-03T09:00:00Z')).toMatchObject({ importWh: 30, exportWh: 10 });
    expect(hourOf(v, '2026-12-03T10:00:00Z')).toMatchObject({ importWh: 70, exportWh: 10 });
    expect(hourOf(v, '2026-12-03T08:00:00Z')).toMatchObject({ importWh: null, exportWh: null });
    expect(dayOf(v, '2026-12-03')).toMatchObject({ importWh: 100, exportWh: 20 });
  });

  it('gives every hour of a gap its share when the next push arrives', () => {
    const s = open();
    feed(s, sample(Date.parse('2026-12-03T10:30:00Z'), 5000));
    feed(s, sample(Date.parse('2026-12-03T13:30:00Z'), 5300));
    const v = s.view();
    expect([10, 11, 12, 13].map((h) => hourOf(v, `2026-12-03T${h}:00:00Z`)?.importWh)).toEqual([50, 100, 100, 50]);
  });

  it('cuts days at local midnight (Europe/Vienna), not at UTC midnight', () => {
    const s = open();
    // 22:30Z = 23:30 CET on 3 Dec; 23:30Z = 00:30 CET on 4 Dec
    feed(s, sample(Date.parse('2026-12-03T22:30:00Z'), 0));
    feed(s, sample(Date.parse('2026-12-03T23:30:00Z'), 1000));
    const v = s.view({ days: 3 });
    expect(v.days.map((d) => [d.date, d.importWh])).toEqual([
      ['2026-12-02', null],
      ['2026-12-03', 500],
      ['2026-12-04', 500],
    ]);
  });

  it('a DST change day has 23 or 25 hours of energy: 1 kW all day gives 23 and 25 kWh', () => {
    const s = open();
    // a push every 10 minutes at exactly 1 kW from 27 March to 27 October 2026, Vienna
    const from = Date.parse('2026-03-27T12:00:00Z');
    const to = Date.parse('2026-10-27T12:00:00Z');
    for (let t = from; t <= to; t += 600_000) feed(s, sample(t, (t - from) / 3600));
    const v = s.view({ days: 62 });
    expect(dayOf(v, '2026-10-24')?.importWh).toBeCloseTo(24_000, 6);
    expect(dayOf(v, '2026-10-25')?.importWh).toBeCloseTo(25_000, 6);
    expect(dayOf(v, '2026-10-26')?.importWh).toBeCloseTo(24_000, 6);
    // March is beyond the 62 days kept; a store holding March only shows the short day
    const march = new HistoryStore({ dir: null, log: log(), timeZone: 'Europe/Vienna', clock: () => now });
    for (let t = from; t <= Date.parse('2026-03-31T00:00:00Z'); t += 600_000) {
      now = t;
      march.add(sample(t, (t - from) / 3600));
    }
    const m = march.view({ days: 4 });
    expect(m.days.map((d) => [d.date, Math.round(d.importWh ?? -1)])).toEqual([
      ['2026-03-28', 24_000],
      ['2026-03-29', 23_000],
      ['2026-03-30', 24_000],
      ['2026-03-31', 2_000], // until 00:00Z = 02:00 CEST
    ]);
  });

  it('LocalDays: Vienna midnights around the DST changes', () => {
    const d = new LocalDays('Europe/Vienna');
    expect(d.dayOf(Date.parse('2026-03-29T12:00:00Z'))).toEqual({ key: 20260329, start: Date.parse('2026-03-28T23:00:00Z'), end: Date.parse('2026-03-29T22:00:00Z') });
    expect(d.dayOf(Date.parse('2026-10-25T12:00:00Z'))).toEqual({ key: 20261025, start: Date.parse('2026-10-24T22:00:00Z'), end: Date.parse('2026-10-25T23:00:00Z') });
  });

  it('two pushes with the same receive time (decoded from one chunk) book their step at that instant', () => {
    const s = open();
    const t0 = Date.parse('2026-12-03T09:59:00Z');
    feed(s, sample(t0, 1000));
    feed(s, sample(t0 + 60_000, 1010));
    feed(s, sample(t0 + 60_000, 1012));
    feed(s, sample(t0 + 120_000, 1020));
    const v = s.view();
    expect(hourOf(v, '2026-12-03T09:00:00Z')?.importWh).toBe(10);
    expect(hourOf(v, '2026-12-03T10:00:00Z')?.importWh).toBe(10);
    expect(lines.filter((l) => l.includes('new series'))).toEqual([]);
    s.close();
    expect(open().view()).toEqual(v);
  });

  it('LocalDays: every instant of a year lies in its day, also where the clocks jump over midnight', () => {
    for (const zone of ['Europe/Vienna', 'America/Santiago', 'America/Havana', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      const d = new LocalDays(zone);
      let previous: { key: number; end: number } | null = null;
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 30 * 60_000) {
        const day = d.dayOf(t);
        expect(day.start <= t && t < day.end, `${zone} ${new Date(t).toISOString()}`).toBe(true);
        if (previous && previous.key !== day.key) expect(day.start, `${zone}: days follow each other`).toBe(previous.end);
        previous = day;
      }
    }
    // Santiago skips 00:00 on 6 Sep 2026 (UTC−4 → UTC−3): the day begins at 01:00 local = 04:00Z
    expect(new LocalDays('America/Santiago').dayOf(Date.parse('2026-09-06T12:00:00Z')).start).toBe(Date.parse('2026-09-06T04:00:00Z'));
  });

  it('never negative: a falling counter, another meter or a clock step back start a new series and book nothing', () => {
    const s = open();
    const t0 = Date.parse('2026-12-03T09:00:00Z');
    feed(s, sample(t0, 10_000));
    feed(s, sample(t0 + 60_000, 10_050));
    feed(s, sample(t0 + 120_000, 2_000)); // fell: meter exchanged (the guard lets a new meter number through)
    feed(s, sample(t0 + 180_000, 2_030));
    feed(s, sample(t0 + 240_000, 90_000, 0, null, 'ANOTHER-METER')); // higher counter, but another meter
    feed(s, sample(t0 + 300_000, 90_010, 0, null, 'ANOTHER-METER'));
    feed(s, sample(t0 + 200_000, 90_020, 0, null, 'ANOTHER-METER')); // clock stepped back
    feed(s, sample(t0 + 360_000, 90_040, 0, null, 'ANOTHER-METER'));
    const h = hourOf(s.view(), '2026-12-03T09:00:00Z');
    expect(h?.importWh).toBe(50 + 30 + 10 + 20);
    expect(lines.filter((l) => l.includes('new series'))).toHaveLength(3);
    for (const x of allHours(s)) expect(x.importWh ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('a rise the connection cannot deliver (checked against the stored counter after a restart) is not booked', () => {
    const t0 = Date.parse('2026-12-03T09:00:00Z');
    let s = open({ maxPowerW: 3 * 230 * 25 });
    feed(s, sample(t0, 10_000));
    feed(s, sample(t0 + 60_000, 10_100));
    s.close();
    s = open({ maxPowerW: 3 * 230 * 25 });
    // first push after the restart: the guard has no baseline and accepts it; 10 min cannot bring 1 MWh
    feed(s, sample(t0 + 660_000, 1_010_100));
    feed(s, sample(t0 + 720_000, 1_010_150));
    expect(hourOf(s.view(), '2026-12-03T09:00:00Z')?.importWh).toBe(150);
    expect(lines.some((l) => l.includes('more than the connection allows'))).toBe(true);
  });
});

describe('power curve', () => {
  it('keeps the 1-minute mean of the net power, with gaps as null', () => {
    const s = open();
    const m0 = Date.parse('2026-12-03T09:00:00Z');
    feed(s, sample(m0 + 1000, 100, 0, 300));
    feed(s, sample(m0 + 30_000, 101, 0, 500));
    feed(s, sample(m0 + 60_000, 102, 0, -200)); // next minute: export
    feed(s, sample(m0 + 180_000, 103, 0, 1000));
    const v = s.view({ powerMinutes: 4 });
    expect(v.powerStart).toBe(m0);
    expect(v.powerW).toEqual([400, -200, null, 1000]);
  });
});

describe('restarts', () => {
  /** Pushes every 7 s over 3 hours with varying power, crossing hours, starting at `t0`. */
  function drive(s: HistoryStore, t0: number, n: number, wh0 = 1_000_000): number {
    let wh = wh0;
    for (let i = 0; i < n; i++) {
      const t = t0 + i * 7000;
      const w = 500 + 400 * Math.sin(i / 50);
      wh += (w * 7) / 3600;
      feed(s, sample(t, Math.floor(wh), 1000, w));
    }
    return wh;
  }

  it('after a clean stop the reloaded store shows exactly what the running one showed', () => {
    const s = open();
    drive(s, Date.parse('2026-12-03T07:40:00Z'), 1500);
    const before = s.view();
    s.close();
    const again = open();
    expect(again.view()).toEqual(before);
    expect(before.hours.filter((h) => h.importWh !== null)).toHaveLength(4);
    expect(before.powerW.filter((w) => w !== null).length).toBeGreaterThan(170);
  });

  it('after a crash (no close) the energy comes back with the next push; only unwritten power minutes are missing', () => {
    const t0 = Date.parse('2026-12-03T07:40:00Z');
    const whole = open({ dir: null });
    const crashed = open();
    drive(whole, t0, 1000);
    const wh = drive(crashed, t0, 1000); // the process dies here: no close(), only what was appended is in the file
    const reopened = open();
    const next = sample(t0 + 1000 * 7000 + 30_000, Math.floor(wh) + 4, 1000, 400);
    feed(whole, next);
    feed(reopened, next);
    const sum = (v: HistoryView) => v.hours.reduce((a, h) => a + (h.importWh ?? 0), 0);
    expect(sum(reopened.view())).toBeCloseTo(sum(whole.view()), 3);
    // the hours before the crash's last written sample are exact
    expect(hourOf(reopened.view(), '2026-12-03T08:00:00Z')).toEqual(hourOf(whole.view(), '2026-12-03T08:00:00Z'));
    const minutes = (v: HistoryView) => v.powerW.filter((w) => w !== null).length;
    expect(minutes(reopened.view())).toBeGreaterThanOrEqual(minutes(whole.view()) - 1);
  });

  it('a torn last record (interrupted write) is detected, skipped and cut off; appending continues', () => {
    const s = open();
    drive(s, Date.parse('2026-12-03T07:40:00Z'), 800);
    s.close();
    const file = join(dir, HISTORY_FILE);
    const good = statSync(file).size;
    expect(good % RECORD_BYTES).toBe(0);
    const before = open().view();
    // half a record, as a power loss in the middle of a write leaves it
    appendFileSync(file, readFileSync(file).subarray(good - RECORD_BYTES, good - RECORD_BYTES / 2));
    const torn = open();
    expect(torn.view()).toEqual(before);
    expect(statSync(file).size).toBe(good);
    expect(lines.some((l) => l.includes('incomplete last record (18 bytes'))).toBe(true);
    drive(torn, Date.parse('2026-12-03T09:20:00Z'), 100, 2_000_000);
    torn.close();
    expect(statSync(file).size % RECORD_BYTES).toBe(0);
    expect(open().view().skippedRecords).toBe(0);
  });

  it('zeros after the last record (allocated, never written) are cut off too; a damaged record inside is skipped', () => {
    const s = open();
    drive(s, Date.parse('2026-12-03T07:40:00Z'), 800);
    s.close();
    const file = join(dir, HISTORY_FILE);
    const bytes = readFileSync(file);
    const size = bytes.length;
    // flip one bit in the 10th record's value, and append 100 zero bytes
    bytes[9 * RECORD_BYTES + 20]! ^= 0x01;
    writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(100)]));
    const damaged = open();
    expect(damaged.view().skippedRecords).toBe(1);
    expect(statSync(file).size).toBe(size);
    expect(lines.some((l) => l.includes('1 damaged records'))).toBe(true);
    for (const h of allHours(damaged)) expect(h.importWh ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('a failed write (the data folder vanished before a compaction) keeps the history in memory, by code', () => {
    const sub = join(dir, 'meter');
    const s = open({ dir: sub, compactGrowth: 4 * RECORD_BYTES });
    const t0 = Date.parse('2026-12-03T09:00:00Z');
    feed(s, sample(t0, 100, 0, 100));
    rmSync(sub, { recursive: true });
    for (let i = 1; i <= 10; i++) feed(s, sample(t0 + i * 61_000, 100 + i * 10, 0, 100));
    expect(s.view()).toMatchObject({ storage: 'failed', problem: 'HISTORY_WRITE_FAILED' });
    expect(hourOf(s.view(), '2026-12-03T09:00:00Z')?.importWh).toBe(100);
    expect(lines.filter((l) => l.includes('cannot write the history file (ENOENT)'))).toHaveLength(1);
  });

  it('an unreadable data directory leaves the history in memory and says so by code', () => {
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const s = open({ dir: join(dir, 'not-a-dir') });
    feed(s, sample(Date.parse('2026-12-03T09:00:00Z'), 100));
    feed(s, sample(Date.parse('2026-12-03T09:01:00Z'), 200));
    expect(s.view()).toMatchObject({ storage: 'failed', problem: 'HISTORY_READ_FAILED' });
    expect(hourOf(s.view(), '2026-12-03T09:00:00Z')?.importWh).toBe(100);
  });
});

describe('retention and compaction', () => {
  it('70 days of pushes: 62 days of hours and days, 48 h of power, file bounded, reload identical', () => {
    const s = open({ compactGrowth: 64 * 1024 });
    const t0 = Date.parse('2026-09-24T00:00:00Z');
    let wh = 0;
    let max = 0;
    for (let t = t0; t < t0 + 70 * 24 * H; t += 45_000) {
      wh += (400 * 45) / 3600;
      feed(s, sample(t, Math.round(wh), 0, 400));
      max = Math.max(max, s.fileSize);
    }
    const v = s.view({ hours: 70 * 24, days: 70, powerMinutes: 72 * 60 });
    const hoursWithData = v.hours.filter((h) => h.importWh !== null).length;
    expect(hoursWithData).toBeLessThanOrEqual(62 * 24 + 1);
    expect(hoursWithData).toBeGreaterThanOrEqual(62 * 24 - 1);
    expect(v.days.filter((d) => d.importWh !== null).length).toBeLessThanOrEqual(62);
    expect(v.powerW.filter((w) => w !== null).length).toBeLessThanOrEqual(48 * 60 + 1);
    // a full day at 400 W: 9.6 kWh
    expect(v.days.at(-2)?.importWh).toBeCloseTo(9600, 0);
    // hours (62 × 24) + days + minutes (48 × 60) as records, plus at most the growth before compaction
    expect(max).toBeLessThan((62 * 24 + 62 + 48 * 60 + 10) * RECORD_BYTES + 64 * 1024 + 4096);
    expect(lines.filter((l) => l.includes('ERROR'))).toEqual([]);
    s.close();
    expect(open().view({ hours: 70 * 24, days: 70, powerMinutes: 72 * 60 })).toEqual(v);
  });
});
