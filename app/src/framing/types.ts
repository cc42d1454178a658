/** Output of the sans-IO framers: a valid link frame, or bytes that were skipped. */

/** `dsmr`: DSMR P1 text telegrams (`/…!CRC`), one telegram per frame. */
export type Framing = 'mbus' | 'hdlc' | 'raw' | 'dsmr';

/** One link-layer frame, checksums verified. `bytes` is the whole frame as on the wire. */
export interface LinkFrame {
  readonly type: 'frame';
  readonly framing: Framing;
  readonly bytes: Uint8Array;
  /** Offset of the link payload inside `bytes` (after M-Bus CI/TSAPs, HDLC header; raw: 0). */
  readonly payloadStart: number;
  /** End (exclusive) of the link payload inside `bytes`. */
  readonly payloadEnd: number;
  /** M-Bus: segment number (CI bits 0..3). HDLC: 0. */
  readonly segment: number;
  /** True when this frame ends a message (M-Bus CI FIN bit; HDLC segmentation bit clear; raw, dsmr: always). */
  readonly final: boolean;
}

/** Bytes that were skipped while hunting for the next frame. */
export interface Discarded {
  readonly type: 'discarded';
  readonly bytes: Uint8Array;
  /** Why: plain noise, or at least one frame candidate whose checksum failed or that was cut short. */
  readonly reason: 'noise' | 'checksum' | 'truncated' | 'unsupported';
}

export type FrameEvent = LinkFrame | Discarded;

/** A labelled byte range inside a frame or APDU (offsets relative to the start of that buffer). */
export interface FrameField {
  readonly start: number;
  readonly length: number;
  readonly label: string;
  /** Decoded meaning, e.g. "L = 250", "FIN, segment 1". */
  readonly value?: string;
}

/**
 * Result of trying to recognise a frame that starts at a given offset (pure matcher over a buffer).
 * - `frame`: a whole valid frame of `length` bytes;
 * - `need`: could still be a frame, more bytes needed (at least `total` bytes from the start);
 * - `invalid`: not a frame here; `reason` says whether a plausible header failed its checksum, or a frame
 *   that had started was cut off (a DSMR telegram interrupted by the next `/`).
 */
export type MatchResult =
  | { readonly kind: 'frame'; readonly length: number }
  | { readonly kind: 'need'; readonly total: number }
  | { readonly kind: 'invalid'; readonly reason: 'noise' | 'checksum' | 'unsupported' | 'truncated' };
