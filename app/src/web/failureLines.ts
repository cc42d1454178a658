/**
 * The log discipline for failed answers (5xx): one line per change of state, not per request. A panel polls its
 * routes, so a route that fails (a backend bug: an answer that does not match its schema, an exception) would
 * otherwise log an error line every few seconds. Per route (method and path):
 * - the first failure is logged at error, with its code and cause;
 * - while it repeats, a summary at most every `SUMMARY_EVERY_MS` (10 min; the decode problems' interval);
 * - the first good answer after it logs the recovery once.
 * Every single failure is still logged at debug.
 */
import { SUMMARY_EVERY_MS } from '../monitor/problemLog.js';

/** Failing routes remembered at most. */
const MAX_ROUTES = 64;

interface Failing {
  readonly since: number;
  total: number;
  /** Failures since the last line at error. */
  sinceLine: number;
  lastLineAt: number;
}

/** What to log for one failed answer. */
export type FailureLine =
  | { readonly kind: 'first' }
  | { readonly kind: 'summary'; readonly repeats: number; readonly ms: number }
  | { readonly kind: 'repeat' };

export class FailureLines {
  private readonly failing = new Map<string, Failing>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly summaryEveryMs = SUMMARY_EVERY_MS,
  ) {}

  /** A request to `route` failed (5xx). */
  failed(route: string): FailureLine {
    const now = this.now();
    const f = this.failing.get(route);
    if (!f) {
      // bounded: the oldest failing route is forgotten first (routes are a fixed set; this is a safety net)
      if (this.failing.size >= MAX_ROUTES) this.failing.delete(this.failing.keys().next().value!);
      this.failing.set(route, { since: now, total: 1, sinceLine: 0, lastLineAt: now });
      return { kind: 'first' };
    }
    f.total++;
    f.sinceLine++;
    if (now - f.lastLineAt < this.summaryEveryMs) return { kind: 'repeat' };
    const line = { kind: 'summary', repeats: f.sinceLine, ms: now - f.lastLineAt } as const;
    f.sinceLine = 0;
    f.lastLineAt = now;
    return line;
  }

  /** A request to `route` was answered (not 5xx): the failures it ends, or null when it was not failing. */
  answered(route: string): { readonly failures: number; readonly ms: number } | null {
    const f = this.failing.get(route);
    if (!f) return null;
    this.failing.delete(route);
    return { failures: f.total, ms: this.now() - f.since };
  }
}
