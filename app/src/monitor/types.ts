/**
 * What the monitor gives the outputs (Diagnostics: the Home Assistant diagnostic entities) and what it takes from
 * them (MqttStatus: the MQTT layer of the health view). Outputs import these from here; the monitor imports nothing
 * from outputs/.
 */

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

export type MqttState = 'off' | 'connecting' | 'connected' | 'auth_failed' | 'unreachable' | 'error';

/** The MQTT connection as the health view shows it (reported by the MQTT output). */
export interface MqttStatus {
  readonly state: MqttState;
  /** English detail for the log and the panel, naming the likely fix. */
  readonly detail: string;
  readonly since: Date;
  /** When discovery was last published (null: never, or discovery off). */
  readonly discoveryAt: Date | null;
}
