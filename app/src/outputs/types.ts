/** What the pipeline hands to the outputs (MQTT, Home Assistant discovery). */
import type { MeterIdentity } from '../decoder/types.js';
import type { DerivedValues } from '../readings/normalise.js';
import type { Readings } from '../readings/readings.js';

/** A push that passed decoding and the plausibility guards: safe to publish. */
export interface AcceptedPush {
  readonly meter: MeterIdentity;
  /** Meter clock (ISO 8601) or null. */
  readonly time: string | null;
  /** OBIS `A-B:C.D.E` → value/unit, as decoded (energy in Wh, power in W …). */
  readonly readings: Readings;
  /** Net power and the powers it comes from, computed once in the readings layer: consumers never re-derive. */
  readonly derived: DerivedValues;
  /** When the last byte of the push arrived. */
  readonly receivedAt: Date;
}

/** Diagnostics published next to the readings (Home Assistant diagnostic entities). */
export interface Diagnostics {
  /** Reader status id (health.ts READER_STATUSES): the Home Assistant status entity. */
  readonly status: string;
  /** Layer and code behind the status (null code when ok/starting). */
  readonly statusLayer: string;
  readonly statusCode: string | null;
  /** English text of the current problem with its likely cause; `none` when ok. */
  readonly problem: string;
  readonly statusSince: Date;
  /** Stable link status id: ok, no_bytes, no_frames, checksum, wrong_key, no_key, layout, port_error … */
  readonly linkStatus: string;
  /** Failed pushes (any layer) since start. */
  readonly decodeErrors: number;
  /** Pushes dropped by the plausibility guards since start. */
  readonly rejectedPushes: number;
  readonly lastPushAt: Date | null;
}

export interface MqttSettings {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /** Base of our own topics, e.g. `smartmeter`. */
  readonly baseTopic: string;
  readonly discovery: boolean;
  readonly discoveryPrefix: string;
  /** Where the settings came from, for messages: `supervisor` (MQTT service) or `options`. */
  readonly origin: 'supervisor' | 'options';
}

export type MqttState = 'off' | 'connecting' | 'connected' | 'auth_failed' | 'unreachable' | 'error';

export interface MqttStatus {
  readonly state: MqttState;
  /** English detail for the log and the panel, naming the likely fix. */
  readonly detail: string;
  readonly since: Date;
  /** When discovery was last published (null: never, or discovery off). */
  readonly discoveryAt: Date | null;
}

/** Where accepted pushes and diagnostics go (the MQTT publisher; a fake in unit tests). */
export interface PushSink {
  publishPush(push: AcceptedPush): void;
  publishDiagnostics(diagnostics: Diagnostics): void;
}
