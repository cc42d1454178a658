/** Readings: the decoded values of one push, keyed by OBIS code. */

export interface Reading {
  readonly value: number | string;
  /** DLMS unit symbol; absent for counts, text, timestamps, the power factor and pushes without units. */
  readonly unit?: string;
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
  /** How the payload was read: `obis` (tagged), a positional layout id, or `dsmr`. */
  readonly layout: string;
}
