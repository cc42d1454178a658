/**
 * Liveness for the Supervisor's watchdog (config.yaml `watchdog:`) and the Docker HEALTHCHECK: is the process still
 * doing its work? Not: is the meter sending. A silent meter, a missing converter or an unreachable broker are states
 * the add-on reports and recovers from by itself; a restart would not help. What a restart does help:
 * - the event loop is blocked (nothing runs: no decoding, no MQTT, no panel), measured by a heartbeat timer's lag;
 * - a pipeline's own timer stopped (the pipeline was stopped without a shutdown, or its tick throws every time);
 * - a pipeline stopped processing what its source delivers (every chunk throws before it is handled);
 * - a source that reopens by itself (serial, tcp) stopped retrying: its status stuck at `error` (its retry loop died,
 *   e.g. an exception in its own callback, which main.ts logs and survives).
 *
 * The Supervisor (supervisor/misc/tasks.py `_watchdog_app_application`, apps/app.py `watchdog_application`) calls the
 * URL every 120 s with a 10 s timeout and restarts the add-on after two failed checks in a row; any status < 300 passes.
 * A fully blocked event loop cannot answer at all (timeout = failed); a loop that was blocked recently answers 503 for
 * `holdMs`, so a loop that keeps blocking is seen even when a check happens to fall between two blocks.
 */

import { PIPELINE_LIVENESS_CODES } from '../pipeline/liveness.js';
import { renderDetail, type CodeOfLayer, type DetailId, type ParamsArg } from '../shared/errors.js';

/**
 * Stable codes of the watchdog answer (never rename; add new ones): the event loop's and the pipelines', all of the
 * catalogue's `pipeline` layer (shared/errorCatalogue.ts).
 */
export const LIVENESS_CODES = ['EVENT_LOOP_BLOCKED', ...PIPELINE_LIVENESS_CODES] as const satisfies readonly CodeOfLayer<'pipeline'>[];
export type LivenessCode = (typeof LIVENESS_CODES)[number];

export interface LivenessProblem {
  readonly code: LivenessCode;
  /** English detail for the log and the HTTP answer, rendered from the catalogue. */
  readonly detail: string;
}

/** A liveness problem with its English detail from the catalogue (built only when something is wrong). */
export function livenessProblem<C extends LivenessCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): LivenessProblem {
  return { code, detail: renderDetail(code, detailId, ...params) };
}

/** Anything long-lived that can say whether it still works: each pipeline (its LivenessProbe, pipeline/liveness.ts). */
export interface WatchedProbe {
  /** Null while it works (the probe reads its own clock). */
  liveness(): LivenessProblem | null;
}

export interface WatchdogTimings {
  /** Heartbeat period in ms (default 1000). */
  readonly intervalMs: number;
  /** A heartbeat later than this (ms) means the event loop was blocked (default 5000: far above any GC pause). */
  readonly blockedMs: number;
  /** How long (ms) the answer stays failing after a block ended (default 60 000). */
  readonly holdMs: number;
}

export const DEFAULT_WATCHDOG_TIMINGS: WatchdogTimings = { intervalMs: 1000, blockedMs: 5000, holdMs: 60_000 };

/**
 * Timings from the environment (`SMR_WATCHDOG_INTERVAL_MS`, `SMR_WATCHDOG_BLOCKED_MS`, `SMR_WATCHDOG_HOLD_MS`), for
 * tests and unusual hosts; anything missing or not a positive number keeps its default.
 */
export function watchdogTimingsFromEnv(env: NodeJS.ProcessEnv): WatchdogTimings {
  const read = (name: string, fallback: number) => {
    const n = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  const d = DEFAULT_WATCHDOG_TIMINGS;
  return {
    intervalMs: read('SMR_WATCHDOG_INTERVAL_MS', d.intervalMs),
    blockedMs: read('SMR_WATCHDOG_BLOCKED_MS', d.blockedMs),
    holdMs: read('SMR_WATCHDOG_HOLD_MS', d.holdMs),
  };
}

export interface WatchdogVerdict {
  readonly ok: boolean;
  readonly problems: readonly LivenessProblem[];
}

/** The longest heartbeat gap seen recently and when it ended. */
interface Block {
  readonly ms: number;
  readonly endedAt: number;
}

export class Watchdog {
  private readonly probes: WatchedProbe[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastBeatAt: number;
  private lastBlock: Block | null = null;

  constructor(
    private readonly timings: WatchdogTimings = DEFAULT_WATCHDOG_TIMINGS,
    /** Monotonic clock in ms (wall-clock jumps must not look like a blocked loop). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.lastBeatAt = clock();
  }

  /** Adds a probe (a pipeline); its problems make the verdict fail. */
  watch(probe: WatchedProbe): void {
    this.probes.push(probe);
  }

  start(): void {
    this.lastBeatAt = this.clock();
    this.timer = setInterval(() => this.beat(), this.timings.intervalMs);
    this.timer.unref(); // never keeps the process alive on shutdown
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One heartbeat: a gap longer than `blockedMs` since the previous one is a block (public for unit tests). */
  beat(): void {
    const now = this.clock();
    const gap = now - this.lastBeatAt;
    if (gap > this.timings.blockedMs) this.lastBlock = { ms: gap, endedAt: now };
    this.lastBeatAt = now;
  }

  /** Failing while the loop is blocked (as seen by a request served before the heartbeat), for `holdMs` after a block, or while a probe fails. */
  verdict(): WatchdogVerdict {
    const now = this.clock();
    const problems: LivenessProblem[] = [];
    const sinceBeat = now - this.lastBeatAt;
    if (this.timer && sinceBeat > this.timings.blockedMs) {
      problems.push(livenessProblem('EVENT_LOOP_BLOCKED', 'blocked_now', { ms: Math.round(sinceBeat) }));
    } else if (this.lastBlock && now - this.lastBlock.endedAt < this.timings.holdMs) {
      const ago = Math.round((now - this.lastBlock.endedAt) / 1000);
      problems.push(livenessProblem('EVENT_LOOP_BLOCKED', 'blocked_recently', { ms: Math.round(this.lastBlock.ms), ago }));
    }
    for (const probe of this.probes) {
      const problem = probe.liveness();
      if (problem) problems.push(problem);
    }
    return { ok: problems.length === 0, problems };
  }
}
