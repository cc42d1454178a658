/**
 * One error type for the whole decode path, with stable codes grouped by layer.
 *
 * Codes are part of the public contract: the CLI prints them, the panel shows them, counters are keyed
 * by them and users quote them in bug reports. Never rename a code; add new ones.
 */

/** The layer a failure belongs to, in the order a push passes through them. */
export type ErrorStage = 'framing' | 'crypto' | 'structure' | 'layout';

interface CodeInfo {
  readonly stage: ErrorStage;
  /** Plain-language likely cause, written for a user looking at the panel or the log. */
  readonly hint: string;
}

/** Catalogue of error codes: stage and the likely cause a user should check. */
export const ERROR_CODES = {
  // --- framing: bytes on the wire do not form valid link frames -------------------------------------
  FRAME_NOISE: {
    stage: 'framing',
    hint: 'bytes that belong to no frame: check baud rate and parity, or the converter type (M-Bus slave for RJ12, IR head for the optical port)',
  },
  FRAME_CHECKSUM: {
    stage: 'framing',
    hint: 'checksum errors: check baud rate and parity, and the wiring (RJ12 pins 3/4)',
  },
  FRAME_TRUNCATED: {
    stage: 'framing',
    hint: 'a frame stopped before its end: loose contact, or the converter dropped bytes',
  },
  FRAME_SEGMENT: {
    stage: 'framing',
    hint: 'a segment of a multi-frame push is missing or out of order: bytes were lost on the line',
  },
  FRAME_UNSUPPORTED: {
    stage: 'framing',
    hint: 'a valid frame that carries no DLMS data (e.g. a plain M-Bus telegram): this meter or port is not supported yet',
  },
  AMIS_HEAD_SILENT: {
    stage: 'framing',
    hint: 'only search frames, no data: the IR head does not transmit our acknowledgement (check the IR head\'s TX wiring and its position on the meter, terminal cover closed)',
  },
  AMIS_ECHO: {
    stage: 'framing',
    hint: 'the IR head echoes our own acknowledgements (E5) back: they are ignored, but a head without echo is more reliable',
  },
  AMIS_PARITY: {
    stage: 'framing',
    hint: 'parity errors: AMIS meters (Netz Oberösterreich) use 9600 baud 8E1 (set serial_settings to 9600_8E1 or auto)',
  },
  // --- crypto: the cipher header, the key or the authentication tag ---------------------------------
  CRYPTO_HEADER: {
    stage: 'crypto',
    hint: 'the ciphering header is inconsistent (length, system title or security byte): a corrupted push',
  },
  CRYPTO_NO_KEY: {
    stage: 'crypto',
    hint: 'the push is encrypted but no key is configured: enter the key your grid operator sent',
  },
  CRYPTO_UNSUPPORTED: {
    stage: 'crypto',
    hint: 'this security suite or compression is not supported',
  },
  CRYPTO_AUTH_FAILED: {
    stage: 'crypto',
    hint: 'authentication tag does not verify: the authentication key (or the key) is wrong',
  },
  CRYPTO_WRONG_KEY: {
    stage: 'crypto',
    hint: 'plaintext invalid: the key is probably wrong',
  },
  // --- structure: the (decrypted) APDU does not parse ----------------------------------------------
  APDU_UNKNOWN: {
    stage: 'structure',
    hint: 'the push starts with an APDU type this reader does not know',
  },
  APDU_BLOCK: {
    stage: 'structure',
    hint: 'a general-block-transfer block is missing or out of order',
  },
  AXDR_INVALID: {
    stage: 'structure',
    hint: 'the data does not parse as DLMS A-XDR: a corrupted push or an unsupported meter',
  },
  AXDR_UNKNOWN_TAG: {
    stage: 'structure',
    hint: 'a value has a type tag that DLMS does not define: a corrupted push, a wrong key, or an unsupported meter',
  },
  AXDR_TRUNCATED: {
    stage: 'structure',
    hint: 'a value, or the length it announces, runs past the end of the data: bytes were lost on the line, or the key is wrong',
  },
  AXDR_TOO_DEEP: {
    stage: 'structure',
    hint: 'structures are nested deeper than any meter sends them (16 levels): a corrupted push or a wrong key',
  },
  DATETIME_INVALID: {
    stage: 'structure',
    hint: 'the meter clock value is not a plausible date and time',
  },
  DSMR_CRC: {
    stage: 'structure',
    hint: 'the DSMR telegram checksum does not match: a corrupted push, or the key is wrong',
  },
  DSMR_SYNTAX: {
    stage: 'structure',
    hint: 'the DSMR telegram does not parse',
  },
  MBUS_RECORD_INVALID: {
    stage: 'structure',
    hint: 'the M-Bus data records (DIF/VIF) do not parse: a corrupted frame or an unsupported meter',
  },
  // --- layout: parsed fine, but no known way to turn it into readings --------------------------------
  LAYOUT_UNKNOWN: {
    stage: 'layout',
    hint: 'unknown payload layout: please share a capture (Frames tab, download) and the structure signature so it can be supported',
  },
  VALUE_IMPLAUSIBLE: {
    stage: 'layout',
    hint: 'a decoded value is physically impossible for its quantity (e.g. 900 V): a corrupted push or a misread layout, so nothing was published; if it repeats, please share a capture',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The single error class of the decode path. `code` is stable, `message` names the likely cause. */
export class MeterError extends Error {
  override readonly name = 'MeterError';
  readonly stage: ErrorStage;

  constructor(
    readonly code: ErrorCode,
    /** What exactly was wrong (byte offsets, values). Never contains key material. */
    readonly detail: string,
    /**
     * LAYOUT_UNKNOWN: the compact A-XDR type signature of the body (no values, see dlms/axdr/signature.ts),
     * for the user to paste into a bug report.
     */
    readonly signature?: string,
  ) {
    super(`${code}: ${ERROR_CODES[code].hint} (${detail})`);
    this.stage = ERROR_CODES[code].stage;
  }

  /** The user-facing likely cause, without the technical detail. */
  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }
}

export function isMeterError(e: unknown): e is MeterError {
  return e instanceof MeterError;
}

/** One-line payload assertion for pure parsers (zwave-js `validatePayload` style). */
export function assertPayload(condition: boolean, code: ErrorCode, detail: string): asserts condition {
  if (!condition) throw new MeterError(code, detail);
}

/** Serialisable error record, as printed by the CLI and sent to the panel. */
export interface ErrorRecord {
  readonly stage: ErrorStage;
  readonly code: ErrorCode;
  readonly message: string;
  /** LAYOUT_UNKNOWN: type signature of the push body (no values), e.g. `S(O12,11×(O6,U32,S(I8,E)),O12)`. */
  readonly signature?: string;
}

export function toErrorRecord(e: MeterError): ErrorRecord {
  const record = { stage: e.stage, code: e.code, message: e.message };
  return e.signature === undefined ? record : { ...record, signature: e.signature };
}
