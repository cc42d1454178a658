/**
 * Log discipline for repeated failures (one line per state change, not per push):
 * - the first failure of a code is logged once at warning, with its layer, code and likely cause;
 * - while it persists, a summary ("CRYPTO_WRONG_KEY: 120 pushes rejected in the last 10 min") at most every
 *   `summaryEveryMs`;
 * - the next accepted push logs the recovery once at info.
 * Every single failure is still logged at debug by the pipeline.
 */
import type { Logger } from '../shared/logger.js';

/** Summaries of a persisting failure at most this often (10 min). */
export const SUMMARY_EVERY_MS = 600_000;

interface ActiveProblem {
  readonly layer: string;
  readonly since: number;
  total: number;
  /** Failures since the last line about this code. */
  sinceLine: number;
  lastLineAt: number;
}

export class ProblemLog {
  private readonly active = new Map<string, ActiveProblem>();

  constructor(
    private readonly log: Logger,
    private readonly summaryEveryMs = SUMMARY_EVERY_MS,
  ) {}

  /** Codes failing now (for tests and the status). */
  get activeCodes(): string[] {
    return [...this.active.keys()];
  }

  /** One failed push: `message` names the likely cause (MeterError.message or the guard detail). */
  failure(layer: string, code: string, message: string, now: number): void {
    const problem = this.active.get(code);
    if (!problem) {
      this.active.set(code, { layer, since: now, total: 1, sinceLine: 0, lastLineAt: now });
      this.log.child(layer).warning(message.startsWith(code) ? message : `${code}: ${message}`);
      return;
    }
    problem.total++;
    problem.sinceLine++;
    this.summarise(now);
  }

  /** A push was accepted: every active problem is over. */
  recovered(now: number): void {
    if (this.active.size === 0) return;
    for (const [code, p] of this.active) {
      this.log.child(p.layer).info(`${code}: recovered, pushes are accepted again (${p.total} ${unit(p.layer, p.total)} failed over ${duration(now - p.since)})`);
    }
    this.active.clear();
  }

  /** Summary lines for problems that persist (called on failures and by the pipeline's timer). */
  summarise(now: number): void {
    for (const [code, p] of this.active) {
      if (p.sinceLine === 0 || now - p.lastLineAt < this.summaryEveryMs) continue;
      this.log.child(p.layer).warning(`${code}: ${p.sinceLine} ${unit(p.layer, p.sinceLine)} rejected in the last ${duration(now - p.lastLineAt)} (failing since ${new Date(p.since).toISOString()})`);
      p.sinceLine = 0;
      p.lastLineAt = now;
    }
  }
}

/** Framing failures are about frames (no push was assembled), the others about pushes. */
function unit(layer: string, n: number): string {
  const word = layer === 'framing' ? 'frame' : 'push';
  return n === 1 ? word : `${word}${layer === 'framing' ? 's' : 'es'}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.round(min / 60)} h`;
}
