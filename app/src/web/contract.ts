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

export interface ErrorDto {
  readonly stage: ErrorStageDto;
  /** Stable code, e.g. FRAME_CHECKSUM, CRYPTO_WRONG_KEY. */
  readonly code: string;
  /** English message naming the likely cause. */
  readonly message: string;
  /** The technical detail alone (the message's part in parentheses), for panels that translate the hint. */
  readonly detail?: string;
  /** LAYOUT_UNKNOWN: the push body's A-XDR type signature (no values), for bug reports. */
  readonly signature?: string;
}

/** A labelled byte range in a hex block. */
export interface HexFieldDto {
  readonly start: number;
  readonly length: number;
  readonly label: string;
  readonly value?: string;
  readonly kind: 'header' | 'title' | 'security' | 'counter' | 'ciphertext' | 'tag' | 'payload' | 'checksum' | 'flag';
}

/** One annotated byte buffer: a link frame, the APDU, or the decrypted plaintext. */
export interface HexBlockDto {
  readonly title: string;
  readonly hex: string;
  readonly fields: readonly HexFieldDto[];
}

/** A node of the decrypted A-XDR tree with OBIS names and scaled values. */
export interface TreeNodeDto {
  /** A-XDR type, e.g. "structure(35)", "uint32", "octet-string(6)". */
  readonly type: string;
  /** Raw value as text, e.g. "12937", "0100010800FF". */
  readonly raw?: string;
  /** For OBIS codes and the values they label: "1-0:1.8.0". */
  readonly obis?: string;
  /** Registry key of the quantity (see ReadingDto.key). */
  readonly key?: string;
  /** Scaled value with unit, e.g. "12.937 kWh" or "233.7 V". */
  readonly scaled?: string;
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

/** One push as kept in the ring buffer for the frame inspector. */
export interface FrameRecordDto {
  readonly id: number;
  /** ISO time the last byte of the push arrived. */
  readonly at: string;
  readonly ok: boolean;
  readonly framing: 'mbus' | 'hdlc' | 'raw' | 'dsmr' | null;
  readonly stages: readonly StageDto[];
  readonly error: ErrorDto | null;
  readonly blocks: readonly HexBlockDto[];
  readonly tree: TreeNodeDto | null;
  readonly security: SecurityDto | null;
  readonly readings: readonly ReadingDto[];
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
  /** Short English detail, e.g. "/dev/ttyUSB0 open", "12 pushes, 0 failed". */
  readonly detail: string;
  /** Stable hint id for translation (e.g. no_bytes, no_frames, wrong_key, mqtt_auth), or null when fine. */
  readonly hintId: string | null;
  /** English hint text for that id. */
  readonly hint: string | null;
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
  /** Error code behind it (error catalogue, guard code, serial hint id) or null. */
  readonly code: string | null;
  /** English text as published to Home Assistant (`none` when ok); the panel translates by id. */
  readonly problem: string;
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

export interface SnapshotDto {
  readonly version: string;
  readonly live: LiveDto;
  readonly health: HealthDto;
  /** Most recent first. */
  readonly frames: readonly FrameRecordDto[];
  /** Oldest first, last hour. */
  readonly history: readonly HistoryPointDto[];
}

/** Messages on the live WebSocket (`ws` relative to the panel URL). At most one `push`/`frame` per push. */
export type LiveMessage =
  | { readonly type: 'snapshot'; readonly snapshot: SnapshotDto }
  | {
      readonly type: 'push';
      readonly live: LiveDto;
      readonly frame: FrameRecordDto;
      readonly point: HistoryPointDto | null;
      readonly health: HealthDto;
    }
  | { readonly type: 'frame'; readonly frame: FrameRecordDto; readonly health: HealthDto }
  | { readonly type: 'health'; readonly health: HealthDto };

/**
 * Result of trying a key on the last captured push (users.md pain point 1: "test key against the last
 * captured frame"). Never contains the key.
 */
export interface KeyTestDto {
  /** False when no push has been captured yet (nothing to test against). */
  readonly tested: boolean;
  readonly ok: boolean;
  /** The failing stage and code, null when the key works or nothing was tested. */
  readonly error: ErrorDto | null;
  /** English summary, e.g. "the key decrypts the last push: 13 values". */
  readonly message: string;
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

/** What the web layer needs from the runtime (implemented by the state store; faked in route unit tests). */
export interface LiveSource {
  snapshot(): SnapshotDto;
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
