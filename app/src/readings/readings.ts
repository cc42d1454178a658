/** Readings: the decoded values of one push, keyed by OBIS code. */

export interface Reading {
  readonly value: number | string;
  /**
   * Unit symbol in the product's convention (units.ts; for quantities the canonical unit of quantities.ts, set by
   * normalise.ts); absent for counts, text, timestamps, the power factor and pushes without units (then a
   * quantity's value is in its canonical unit).
   */
  readonly unit?: string;
  /**
   * `true` when the meter sent a register value without its scaler and unit (self-describing pushes capture
   * attribute 2 of a register, not attribute 3) and no public source states the meter's default scaler: the
   * value is the raw register content, e.g. 9 for 0.09 A. Never given a unit, never a Home Assistant sensor
   * with a unit or device class, and only the "finite, energy not negative" checks apply to it.
   */
  readonly unscaled?: true;
  /**
   * When the value was captured, if not at the push's clock (ISO 8601): DSMR M-Bus channel values (gas,
   * water, heat: `0-n:24.2.1(YYMMDDhhmmssW)(…*m3)`) and maxima (`1-0:1.6.0`) carry their own timestamp.
   */
  readonly time?: string;
}

/** OBIS code (`A-B:C.D.E`) → reading, in the order the push carries them. */
export type Readings = Record<string, Reading>;

export interface ExtractedReadings {
  readonly readings: Readings;
  /** Meter clock (ISO 8601) from the body, else from the notification header; null when neither. */
  readonly time: string | null;
  /**
   * How the payload was read: `obis` (tagged), `self-describing` (capture-object list in the push),
   * `compact-descriptors` (untagged descriptor + value pairs), a positional layout id, or `dsmr`.
   */
  readonly layout: string;
  /** Why this strategy was chosen, for `decode --explain`: e.g. `14 capture objects, 14 values`. */
  readonly reason?: string;
  /** OBIS-tagged strategy: how many values came with their own {scaler, unit}. */
  readonly scalerUnits?: number;
  /**
   * The extractor checked every reading of a physical quantity against quantities.ts and brought it to its
   * canonical unit already (hot path): normalise.ts checkAndNormalise is not needed.
   */
  readonly plausibilityChecked?: true;
}
