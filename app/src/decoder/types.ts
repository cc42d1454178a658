/** Results of decoding one push, with the intermediate stages kept for diagnostics. */
import type { GloCiphered } from '../dlms/apdu/gloCiphering.js';
import type { DerivedValues } from '../readings/normalise.js';
import type { Readings } from '../readings/readings.js';
import type { TagStatus } from '../dlms/security/decrypt.js';
import type { Discarded, LinkFrame } from '../framing/types.js';
import type { MeterError } from '../shared/errors.js';

export interface MeterIdentity {
  /** Meter number (0-0:96.1.0, or the DSMR equipment id), null when the push carries none. */
  readonly id: string | null;
  /** System title in hex (encrypted pushes), null otherwise. */
  readonly systemTitle: string | null;
  /** Manufacturer FLAG id from the system title, e.g. KFM (Kaifa), SAG (Sagemcom), LGZ (Landis+Gyr). */
  readonly manufacturer: string | null;
  /** The manufacturer's name for that id (manufacturers.ts), set once by the decoder; the id itself when unknown. */
  readonly manufacturerName: string | null;
}

export interface DecodedPush {
  readonly meter: MeterIdentity;
  /** Meter clock, ISO 8601 (with offset when the meter states one). */
  readonly time: string | null;
  /** In the product's units (readings/units.ts), checked against readings/quantities.ts. */
  readonly readings: Readings;
  /** Net power and the powers it comes from, computed once in the readings layer (readings/normalise.ts). */
  readonly derived: DerivedValues;
  /** `obis`, `self-describing`, `compact-descriptors`, `dsmr` or a positional layout id. */
  readonly layout: string;
  /** Why that strategy was chosen (for `decode --explain`), e.g. `14 capture objects, 14 values`. */
  readonly reason: string;
}

/** What each stage saw; filled as far as decoding got. Views into the frames' bytes, no copies. */
export interface PushTrace {
  readonly frames: readonly LinkFrame[];
  readonly discarded: Discarded | null;
  readonly apdu: Uint8Array | null;
  readonly cipher: GloCiphered | null;
  readonly tag: TagStatus;
  /** The decrypted (or plain) data-notification or DSMR telegram. */
  readonly plaintext: Uint8Array | null;
}

export type DecodeResult =
  | { readonly ok: true; readonly push: DecodedPush; readonly trace: PushTrace }
  | { readonly ok: false; readonly error: MeterError; readonly trace: PushTrace };
