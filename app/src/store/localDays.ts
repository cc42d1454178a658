/**
 * Calendar days in a time zone (IANA name, e.g. Europe/Vienna), for the daily energy figures: a day runs from
 * local midnight to local midnight, 23 or 25 hours long on DST change days. Pure; uses only Intl.
 */

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Start of the UTC hour containing `t` (hourly buckets are UTC hours: no DST ambiguity, no repeated 02:00). */
export const hourStart = (t: number): number => Math.floor(t / HOUR_MS) * HOUR_MS;

/** A local day: `key` yyyymmdd (e.g. 20261203), `start` ≤ t < `end` in epoch ms. */
export interface LocalDay {
  readonly key: number;
  readonly start: number;
  readonly end: number;
}

/** The process's time zone (the add-on gets TZ from the Supervisor), or UTC when there is none. */
export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** True when this runtime knows the zone (Intl throws RangeError for unknown names). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** yyyymmdd → "YYYY-MM-DD". */
export function dayKeyToIso(key: number): string {
  const y = Math.floor(key / 10_000);
  const m = Math.floor(key / 100) % 100;
  const d = key % 100;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export class LocalDays {
  private readonly parts: Intl.DateTimeFormat;
  /** The last day looked up: nearly every push falls into the same day, and Intl is the slow part. */
  private cached: LocalDay | null = null;

  constructor(readonly timeZone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The local day containing `t`. */
  dayOf(t: number): LocalDay {
    const c = this.cached;
    if (c && t >= c.start && t < c.end) return c;
    const { y, m, d } = this.fields(t);
    const start = this.midnight(y, m, d);
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    const end = this.midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
    const key = y * 10_000 + m * 100 + d;
    // never expected; a day that does not contain t would stall the callers' loops, so fall back to its hour
    if (!(start <= t && t < end)) return { key, start: hourStart(t), end: hourStart(t) + HOUR_MS };
    const day = { key, start, end };
    this.cached = day;
    return day;
  }

  /** yyyymmdd of the day `days` days before the local day of `t` (1: yesterday). */
  dayKeyBefore(t: number, days: number): number {
    const { y, m, d } = this.fields(t);
    const date = new Date(Date.UTC(y, m - 1, d - days));
    return date.getUTCFullYear() * 10_000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
  }

  /** Local offset from UTC at instant `t`, in ms (e.g. +3 600 000 for CET). */
  offsetAt(t: number): number {
    const f = this.fields(t);
    const asUtc = Date.UTC(f.y, f.m - 1, f.d, f.h, f.min, f.s);
    return asUtc - Math.floor(t / 1000) * 1000;
  }

  /**
   * The first instant of local day y-m-d as epoch ms: 00:00 with the offset in force before or after a DST change
   * near it, the earliest that falls on that date. Where the clocks jump over midnight (America/Santiago,
   * America/Havana) the day begins at the jump, at 01:00.
   */
  private midnight(y: number, m: number, d: number): number {
    const wall = Date.UTC(y, m - 1, d);
    const candidates = [wall - this.offsetAt(wall - DAY_MS), wall - this.offsetAt(wall), wall - this.offsetAt(wall + DAY_MS)].sort((a, b) => a - b);
    for (const c of candidates) {
      const f = this.fields(c);
      if (f.y === y && f.m === m && f.d === d) return c;
    }
    return candidates[candidates.length - 1]!;
  }

  private fields(t: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
    const out = { y: 0, m: 0, d: 0, h: 0, min: 0, s: 0 };
    for (const p of this.parts.formatToParts(t)) {
      if (p.type === 'year') out.y = Number(p.value);
      else if (p.type === 'month') out.m = Number(p.value);
      else if (p.type === 'day') out.d = Number(p.value);
      else if (p.type === 'hour') out.h = Number(p.value);
      else if (p.type === 'minute') out.min = Number(p.value);
      else if (p.type === 'second') out.s = Number(p.value);
    }
    return out;
  }
}
