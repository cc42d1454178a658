/**
 * What the watchdog (monitor/liveness.ts) may ask a pipeline: is it still doing its work? Declared here, with the
 * pipeline, so the pipeline imports nothing from the monitor that watches it.
 */

/** Stable codes of a pipeline's liveness problems (never rename; add new ones). */
export const PIPELINE_LIVENESS_CODES = ['PIPELINE_STOPPED', 'PIPELINE_STALLED', 'SOURCE_STOPPED'] as const;
export type PipelineLivenessCode = (typeof PIPELINE_LIVENESS_CODES)[number];

export interface PipelineLivenessProblem {
  readonly code: PipelineLivenessCode;
  /** English detail for the log and the HTTP answer. */
  readonly detail: string;
}

/** Anything long-lived that can say whether it still works (each pipeline). */
export interface LivenessProbe {
  /** Null while it works (the probe reads its own clock). */
  liveness(): PipelineLivenessProblem | null;
}
