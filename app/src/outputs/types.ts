/**
 * The outputs' own types. Outputs publish what others produce: accepted pushes (pipeline/events.ts) and the
 * monitor's diagnostics (monitor/types.ts); main.ts subscribes each meter's output to both.
 */
import type { Diagnostics } from '../monitor/types.js';
import type { AcceptedPush } from '../pipeline/events.js';

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

/** One meter's output (the MQTT publisher and its per-meter channels; a fake in unit tests). */
export interface PushSink {
  /** An accepted push (the pipeline's `accepted` event). */
  publishPush(push: AcceptedPush): void;
  /** The meter's diagnostics, when they changed or as a backstop (the monitor's `onDiagnostics`). */
  publishDiagnostics(diagnostics: Diagnostics): void;
}
