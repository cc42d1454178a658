/**
 * What the pipeline tells its observers: bytes received, one judged result per decode result (accepted, rejected
 * by the judge, or failed), source status and AMIS link changes, its start, stop and heartbeat. Observers
 * (outputs, monitor, store) import these types from here; the pipeline imports none of them.
 *
 * Events are method calls with their data as arguments, not event objects: a push costs no allocation beyond the
 * accepted push itself. Observers are called in the order they subscribed, synchronously; an exception in one
 * reaches the pipeline's caller (the source's data handler logs it as PIPELINE_FAILURE, and the watchdog sees a
 * pipeline whose chunks never complete), so the observers after it miss that one event.
 */
import type { DecodeResult, MeterIdentity } from '../decoder/types.js';
import type { AmisLinkView } from '../framing/mbus/AmisLink.js';
import type { GuardRejection } from '../judge/guards.js';
import type { DerivedValues } from '../readings/normalise.js';
import type { Readings } from '../readings/readings.js';
import type { SourceStatus } from '../transport/types.js';

/** A push that passed decoding and the judge: safe to publish. */
export interface AcceptedPush {
  readonly meter: MeterIdentity;
  /** Meter clock (ISO 8601) or null. */
  readonly time: string | null;
  /** OBIS `A-B:C.D.E` → value/unit, as decoded (energy in Wh, power in W …). */
  readonly readings: Readings;
  /** Net power and the powers and counters it comes from, computed once in the readings layer: consumers never re-derive. */
  readonly derived: DerivedValues;
  /** When the last byte of the push arrived. */
  readonly receivedAt: Date;
}

/** A decode result that carries a push (the judge saw it). */
export type DecodedResult = Extract<DecodeResult, { ok: true }>;
/** A decode result that failed in a layer (framing, crypto, dlms, layout …) or bytes discarded between frames. */
export type FailedResult = Extract<DecodeResult, { ok: false }>;
/** The judge's verdict on a push it dropped: code, English detail (log), parameters (panel). */
export type Rejection = GuardRejection;

/**
 * An observer of one pipeline. Every method is optional: an output implements `accepted` only. `at` is the
 * pipeline's clock (ms), the same clock the judge used.
 */
export interface PipelineListener {
  /** The pipeline started its source. */
  started?(at: number): void;
  /** The pipeline is stopping (shutdown): the source closing after this is no problem to report. */
  stopping?(): void;
  /** A chunk of `count` bytes arrived (after the AMIS acknowledgement went out, before decoding). */
  bytesReceived?(count: number, at: number): void;
  /** A decoded push passed the judge. MQTT subscribes first: Home Assistant does not wait for the panel. */
  accepted?(push: AcceptedPush, result: DecodedResult): void;
  /** A decoded push the judge dropped: nothing of it may be published. */
  rejected?(result: DecodedResult, rejection: Rejection, at: number): void;
  /** Decoding failed in a layer, or bytes between frames were discarded (`result.trace.discarded`). */
  failed?(result: FailedResult, at: number): void;
  /** The source's status changed (opening, open, closed, error; settings confirmed). */
  sourceStatusChanged?(status: SourceStatus, at: number): void;
  /** The AMIS link (Netz OÖ) changed state or a diagnostic counter; `settings` are the source's line settings. */
  amisLinkChanged?(view: AmisLinkView, settings: string | null, at: number): void;
  /** The pipeline's heartbeat (every 250 ms, after an idle flush): time-based transitions are noticed here. */
  tick?(now: number): void;
}
