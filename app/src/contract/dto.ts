/**
 * Data transfer objects between the backend and the panel (ui/). Display-ready: the panel does no decoding.
 * The panel imports this file's types (type-only) so both sides agree at compile time.
 *
 * Nothing here may ever carry key material: keys stay in the config object and the decryptor.
 */

/** Decode stages of one push, in order, as shown as pass/fail chips in the frame inspector. */
export type StageId = 'bytes' | 'frames' | 'checksum' | 'decryption' | 'structure' | 'readings';
export type StageStatus = 'pass' | 'fail' | 'skip';

export interface StageDto {
  readonly id: StageId;
  readonly status: StageStatus;
}

export type ErrorStageDto = 'framing' | 'crypto' | 'structure' | 'layout';

/**
 * Message parameters: numbers, identifiers (OBIS codes, error codes, device paths) and ISO times. Never a sentence:
 * the panel turns code + params into text in the user's language (ui/src/i18n).
 */
export type ParamsDto = Readonly<Record<string, string | number>>;

/** A translatable message: a stable code (catalogue in the panel's i18n) and its parameters. */
export interface MessageDto {
  readonly code: string;
  readonly params?: ParamsDto;
}

export interface ErrorDto {
  readonly stage: ErrorStageDto;
  /** Stable code (shared/errors.ts ERROR_CODES or a guard code), e.g. FRAME_CHECKSUM, CRYPTO_WRONG_KEY. */
  readonly code: string;
  /** What exactly was wrong: guard rejections (obis, values, unit, seconds), decode failures (byte offsets, hex values). */
  readonly params?: ParamsDto;
  /**
   * Decode failures: the situation id within the code (shared/errorCatalogue.ts `messages`, e.g. length_mismatch),
   * shown with the params as the technical detail for bug reports, folded away; the user-facing sentence is the
   * code's translation.
   */
  readonly detail?: string;
  /** LAYOUT_UNKNOWN: the push body's A-XDR type signature (no values), for bug reports. */
  readonly signature?: string;
}

/** A labelled byte range in a hex block. */
export interface HexFieldDto {
  readonly start: number;
  readonly length: number;
  /** Field name: a spec abbreviation (C, CI, HCS …) or a code the panel translates (system_title, frame_counter …). */
  readonly label: string;
  /** Technical value (hex, number, ISO time), not translated. */
  readonly value?: string;
  /** Translatable parts of the value (security control bits, date-time state), rendered by the panel. */
  readonly params?: ParamsDto;
  readonly kind: 'header' | 'title' | 'security' | 'counter' | 'ciphertext' | 'tag' | 'payload' | 'checksum' | 'flag';
}

/** One annotated byte buffer: a link frame, the APDU, or the decrypted plaintext. */
export interface HexBlockDto {
  /** block_mbus {index,count}, block_hdlc, block_dsmr, block_raw, block_skipped {bytes,reason}, block_apdu, block_apdu_ciphered, block_plaintext, block_plaintext_invalid. */
  readonly title: MessageDto;
  readonly hex: string;
  readonly fields: readonly HexFieldDto[];
  /** The block is the output of a failed step (decryption with a wrong key): shown as failed, never as decrypted data. */
  readonly failed?: true;
}

/** A node of the decrypted A-XDR tree with OBIS names and scaled values. */
export interface TreeNodeDto {
  /** A-XDR type, e.g. "structure(35)", "uint32", "octet-string(6)". */
  readonly type: string;
  /** Raw value as text: hex of octet strings (with printable text), 64-bit integers, e.g. "0100010800FF". */
  readonly raw?: string;
  /** Raw value of a number type (formatted by the panel in the user's language). */
  readonly num?: number;
  /** For OBIS codes and the values they label: "1-0:1.8.0". */
  readonly obis?: string;
  /** Registry key of the quantity (see ReadingDto.key). */
  readonly key?: string;
  /** Scaled value of the reading this node holds (with `unit`), e.g. 12937 with Wh, 233.7 with V. */
  readonly value?: number | string;
  readonly unit?: string | null;
  /** A date-time octet string: the meter clock it encodes (ISO 8601). */
  readonly time?: string;
  readonly children?: readonly TreeNodeDto[];
}

export interface SecurityDto {
  readonly systemTitle: string;
  /** Manufacturer from the system title (KFM Kaifa, SAG Sagemcom, LGZ Landis+Gyr, ISK Iskraemeco …). */
  readonly manufacturer: string | null;
  readonly securityControl: number;
  readonly frameCounter: number;
  readonly tag: 'none' | 'verified' | 'not-verified';
}

export interface ReadingDto {
  /** OBIS code `A-B:C.D.E` (`*F` appended when F ≠ 255). */
  readonly obis: string;
  /** Stable quantity key from the OBIS registry (e.g. energy_import, voltage_l1), or null when unknown. */
  readonly key: string | null;
  readonly value: number | string;
  /** DLMS unit symbol (Wh, W, varh, var, V, A, Hz …) or null for counts, text and the power factor. */
  readonly unit: string | null;
  /** A raw register value without its scaler (see the backend's Reading.unscaled): shown as a number only. */
  readonly unscaled?: true;
}

/** One push as listed in the frame inspector (live stream and snapshot): small, no bytes. */
export interface FrameSummaryDto {
  readonly id: number;
  /** ISO time the last byte of the push arrived. */
  readonly at: string;
  readonly ok: boolean;
  readonly framing: 'mbus' | 'hdlc' | 'raw' | 'dsmr' | null;
  readonly stages: readonly StageDto[];
  readonly error: ErrorDto | null;
  /** Bytes of the push as received. */
  readonly size: number;
}

/** One push with everything the inspector shows when it is opened (GET api/frames/:id). */
export interface FrameRecordDto extends FrameSummaryDto {
  readonly blocks: readonly HexBlockDto[];
  readonly tree: TreeNodeDto | null;
  readonly security: SecurityDto | null;
  readonly readings: readonly ReadingDto[];
  /** The raw bytes of the push as received (hex), for copying and a one-push capture. Never contains a key. */
  readonly raw: string;
}

export interface MeterDto {
  readonly id: string | null;
  readonly systemTitle: string | null;
  readonly manufacturer: string | null;
}

export interface LiveDto {
  readonly meter: MeterDto | null;
  /** Meter clock of the latest push (ISO 8601). */
  readonly meterTime: string | null;
  /** ISO time the latest decoded push arrived, null before the first one. */
  readonly receivedAt: string | null;
  readonly readings: readonly ReadingDto[];
  /** Signed net active power in W: import − export. */
  readonly netPowerW: number | null;
}

export type LayerId = 'serial' | 'bytes' | 'framing' | 'decryption' | 'mqtt' | 'discovery';
export type LayerStatus = 'ok' | 'warn' | 'error' | 'off';

export interface HealthLayerDto {
  readonly id: LayerId;
  readonly status: LayerStatus;
  /** What the layer sees, as a code + params (health.ts LAYER_MESSAGES), e.g. {code:'no_byte_for', params:{seconds:20}}. */
  readonly detail: MessageDto;
  /** Stable hint id for the likely cause (health.ts HINT_IDS, e.g. no_bytes, wrong_key, mqtt_auth), or null when fine. */
  readonly hintId: string | null;
  /** The adapter's own technical detail (device path, broker address, OS error), untranslated; absent when none. */
  readonly technical?: string;
}

/** The reader status (health.ts READER_STATUSES): the same id as the Home Assistant status entity. */
export type ReaderStatusId =
  | 'starting'
  | 'ok'
  | 'no_source'
  | 'port_missing'
  | 'port_busy'
  | 'port_error'
  | 'no_data'
  | 'serial_settings'
  | 'line_errors'
  | 'unsupported_data'
  | 'no_key'
  | 'wrong_key'
  | 'auth_failed'
  | 'unknown_layout'
  | 'implausible_values'
  | 'broker'
  | 'head_not_transmitting';

export interface ReaderStatusDto {
  readonly id: ReaderStatusId;
  /** Layer of the problem: reader, serial, bytes, framing, crypto, structure, layout, guard, mqtt. */
  readonly layer: string;
  /** Error code behind it (error catalogue, guard code, MQTT_* state) or null. */
  readonly code: string | null;
  /** When this status began (ISO 8601). */
  readonly since: string;
}

export interface HealthDto {
  readonly startedAt: string;
  readonly source: string;
  readonly status: ReaderStatusDto;
  readonly layers: readonly HealthLayerDto[];
  readonly counters: {
    readonly bytes: number;
    readonly frames: number;
    readonly pushes: number;
    readonly decoded: number;
    readonly failed: number;
    /** Failures by error code since start. */
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly lastError: (ErrorDto & { readonly at: string }) | null;
  readonly detected: {
    readonly framing: string | null;
    readonly serialSettings: string | null;
    /** True once a frame with a valid checksum (or a decoded push) proved the serial settings. */
    readonly serialSettingsConfirmed: boolean;
    readonly profile: string | null;
  };
}

export interface HistoryPointDto {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly importW: number;
  readonly exportW: number;
}

/** At most this many history points go into a snapshot (older points are averaged into buckets). */
export const SNAPSHOT_HISTORY_POINTS = 120;

export interface SnapshotDto {
  readonly version: string;
  readonly live: LiveDto;
  readonly health: HealthDto;
  /** Most recent first; summaries only (details: GET api/frames/:id). */
  readonly frames: readonly FrameSummaryDto[];
  /** Oldest first, last hour, at most SNAPSHOT_HISTORY_POINTS (bucket means). */
  readonly history: readonly HistoryPointDto[];
}

/** The values of a push that changed since the previous one (same meter, same OBIS codes). */
export interface LiveDeltaDto {
  readonly meterTime: string | null;
  readonly receivedAt: string | null;
  readonly netPowerW: number | null;
  /** Readings whose value changed; the others keep their last value. */
  readonly readings: readonly ReadingDto[];
}

/**
 * Messages on the live WebSocket (`ws` relative to the panel URL): one `snapshot` on connect, then small messages.
 * A push carries its frame summary, the changed values (`delta`, or the whole `live` when the meter or its set of
 * OBIS codes changed), the history point, the counters, and the health view only when it changed.
 */
export type LiveMessage =
  | { readonly type: 'snapshot'; readonly snapshot: SnapshotDto }
  | {
      readonly type: 'push';
      readonly frame: FrameSummaryDto;
      readonly live?: LiveDto;
      readonly delta?: LiveDeltaDto;
      readonly point: HistoryPointDto | null;
      readonly counters: HealthDto['counters'];
      readonly health?: HealthDto;
    }
  | { readonly type: 'frame'; readonly frame: FrameSummaryDto; readonly counters: HealthDto['counters']; readonly health?: HealthDto }
  | { readonly type: 'health'; readonly health: HealthDto };

/**
 * Result of trying a key on the last captured push (users.md pain point 1: "test key against the last
 * captured frame"). Never contains the key.
 */
export interface KeyTestDto {
  /** False when no push has been captured yet (nothing to test against). */
  readonly tested: boolean;
  readonly ok: boolean;
  /** The failing layer (stage) and code, null when the key works or nothing was tested. */
  readonly error: ErrorDto | null;
  /** Number of values the push decodes to with this key. */
  readonly values: number;
  readonly meterId: string | null;
  readonly meterTime: string | null;
}

/** One meter of the add-on, for the panel's meter switcher and overview (GET api/meters). */
export interface MeterSummaryDto {
  /** Slug of the meter's name; `?meter=<id>` on every API route and the WebSocket selects this meter. */
  readonly id: string;
  /** The name from the options (the meter of the top-level options is called `Meter`). */
  readonly name: string;
  /** Its reader status id and code (the panel translates them). */
  readonly status: ReaderStatusId;
  readonly code: string | null;
  /** Signed net active power of its latest push in W (import − export), null before the first one. */
  readonly powerW: number | null;
  /** ISO time its latest decoded push arrived, null before the first one. */
  readonly receivedAt: string | null;
}

/** GET api/meters: every meter, the default (first) one first. */
export interface MetersDto {
  readonly meters: readonly MeterSummaryDto[];
}

/** Codes of 4xx answers of the API (body `{ error, code, params? }`). */
export const API_ERROR_CODES = ['KEY_FORMAT', 'REQUEST_INVALID', 'FRAME_GONE', 'NOT_FOUND', 'METER_UNKNOWN', 'HISTORY_NOT_KEPT'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** What the web layer needs from the runtime (implemented by the state store; faked in route unit tests). */
export interface LiveSource {
  snapshot(): SnapshotDto;
  /** One push of the ring buffer with its details, or null when it was evicted (or never existed). */
  frame(id: number): FrameRecordDto | null;
  /** Subscribes to live messages; returns the unsubscribe function. */
  subscribe(listener: (message: LiveMessage) => void): () => void;
  /** The last N raw pushes as hex text, one push per line, `#` comment lines first; contains no key. */
  capture(): string;
  /** Decodes the last captured push again with the given keys; nothing is stored. */
  testKey(key: Uint8Array, authKey: Uint8Array | null): KeyTestDto;
}

/** A configured meter as the web layer sees it: id, name and its own live source. */
export interface MeterLiveSource {
  readonly id: string;
  readonly name: string;
  readonly source: LiveSource;
  /** This meter's energy history (GET api/history?meter=…); absent when not kept. */
  readonly history?: HistorySource;
}

/** Where the energy history is kept: a file under the data directory, memory only (no data directory), or memory after a file error. */
export type HistoryStorageDto = 'file' | 'memory' | 'failed';
/** Code of a history file problem (the panel translates it), null when none. */
export type HistoryProblemDto = 'HISTORY_READ_FAILED' | 'HISTORY_WRITE_FAILED' | null;

/** Energy of one hour (UTC hour starting at `t`, epoch ms) in Wh; null where nothing was recorded. */
export interface HistoryHourDto {
  readonly t: number;
  readonly importWh: number | null;
  readonly exportWh: number | null;
}

/** Energy of one local day (`YYYY-MM-DD` in the add-on's time zone) in Wh; null where nothing was recorded. */
export interface HistoryDayDto {
  readonly date: string;
  readonly importWh: number | null;
  readonly exportWh: number | null;
}

/**
 * GET api/history: hourly and daily import/export energy from the accepted counters and the net power curve
 * (1-minute means, import − export), as kept by the history store. Numbers and codes only.
 */
export interface HistoryDto {
  readonly storage: HistoryStorageDto;
  readonly problem: HistoryProblemDto;
  /** Damaged records skipped when the file was loaded (0 normally). */
  readonly skippedRecords: number;
  /** IANA zone in which the days are cut. */
  readonly timeZone: string;
  /** Server time of the answer, epoch ms. */
  readonly now: number;
  /** Oldest first, the current hour last. */
  readonly hours: readonly HistoryHourDto[];
  /** Oldest first, today last. */
  readonly days: readonly HistoryDayDto[];
  /** Start of the first power minute, epoch ms; value i belongs to the minute `powerStart + i × powerStepMs`. */
  readonly powerStart: number;
  readonly powerStepMs: number;
  /** Mean net power per minute in W (negative: export), null where no push arrived. */
  readonly powerW: readonly (number | null)[];
}

/** What the history route needs (the history store; a fake in route unit tests). */
export interface HistorySource {
  view(options: { hours: number; days: number; powerMinutes: number }): Omit<HistoryDto, 'powerStepMs'>;
}
