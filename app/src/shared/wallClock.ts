/** A calendar date and time of day as a meter states them (COSEM date-time, M-Bus CP48), before any offset. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}
