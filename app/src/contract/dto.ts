/**
 * Data transfer objects between the backend and the panel (ui/), each declared once as a TypeBox schema (JSON
 * Schema at run time) with its TypeScript type derived from it: `export const XDto = Type.Object(…)` and
 * `export type XDto = Dto<typeof XDto>` share the name. The web layer uses the schemas for request validation,
 * response serialisation and response validation (web/responseValidation.ts); the panel imports the types only
 * (ui/src/api/contract.ts, `export type *`), so nothing of this file or of TypeBox is bundled.
 *
 * Display-ready: the panel does no decoding. fast-json-stringify serialises only the properties listed here, so a
 * field set on a DTO object but missing in its schema never leaves the process.
 *
 * Rank 0 (shared with the panel): imports nothing of the app. Nothing here may ever carry key material: keys stay
 * in the config object and the decryptor.
 */
import { Type, type Static, type TSchema } from 'typebox';

/** The type of a DTO: its schema's static type, read-only all the way down (DTOs are values, never edited). */
export type Dto<S extends TSchema> = DeepReadonly<Static<S>>;
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

// Building blocks. `type: [x, 'null']` rather than `anyOf` where the value is a primitive: fast-json-stringify
// serialises it without trying each branch.
const Str = Type.String();
const Int = Type.Integer();
const Num = Type.Number();
const Bool = Type.Boolean();
const StrOrNull = Type.Unsafe<string | null>({ type: ['string', 'null'] });
const NumOrNull = Type.Unsafe<number | null>({ type: ['number', 'null'] });
const NumOrStr = Type.Unsafe<number | string>({ type: ['number', 'string'] });
/** One of a fixed list of strings. */
const oneOf = <const V extends readonly string[]>(values: V) => Type.Unsafe<V[number]>({ type: 'string', enum: [...values] });
/** One of a fixed list of strings, or null. */
const oneOfOrNull = <const V extends readonly string[]>(values: V) => Type.Unsafe<V[number] | null>({ type: ['string', 'null'], enum: [...values, null] });
const orNull = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);

/** Decode stages of one push, in order, as shown as pass/fail chips in the frame inspector. */
export const STAGE_IDS = ['bytes', 'frames', 'checksum', 'decryption', 'structure', 'readings'] as const;
export const StageId = oneOf(STAGE_IDS);
export type StageId = Static<typeof StageId>;
export const StageStatus = oneOf(['pass', 'fail', 'skip']);
export type StageStatus = Static<typeof StageStatus>;

export const StageDto = Type.Object({ id: StageId, status: StageStatus });
export type StageDto = Dto<typeof StageDto>;

export const ErrorStageDto = oneOf(['framing', 'crypto', 'structure', 'layout']);
export type ErrorStageDto = Static<typeof ErrorStageDto>;

/**
 * Message parameters: numbers, identifiers (OBIS codes, error codes, device paths) and ISO times. Never a sentence:
 * the panel turns code + params into text in the user's language (ui/src/i18n).
 */
export const ParamsDto = Type.Record(Type.String(), NumOrStr);
export type ParamsDto = Dto<typeof ParamsDto>;

/** A translatable message: a stable code (catalogue in the panel's i18n) and its parameters. */
export const MessageDto = Type.Object({ code: Str, params: Type.Optional(ParamsDto) });
export type MessageDto = Dto<typeof MessageDto>;

const errorProperties = {
  stage: ErrorStageDto,
  /** Stable code (shared/errors.ts ERROR_CODES or a guard code), e.g. FRAME_CHECKSUM, CRYPTO_WRONG_KEY. */
  code: Str,
  /** What exactly was wrong: guard rejections (obis, values, unit, seconds), decode failures (byte offsets, hex values). */
  params: Type.Optional(ParamsDto),
  /**
   * Decode failures: the situation id within the code (shared/errorCatalogue.ts `messages`, e.g. length_mismatch),
   * shown with the params as the technical detail for bug reports, folded away; the user-facing sentence is the
   * code's translation.
   */
  detail: Type.Optional(Str),
  /** LAYOUT_UNKNOWN: the push body's A-XDR type signature (no values), for bug reports. */
  signature: Type.Optional(Str),
};
export const ErrorDto = Type.Object(errorProperties);
export type ErrorDto = Dto<typeof ErrorDto>;

/** A labelled byte range in a hex block. */
export const HexFieldDto = Type.Object({
  start: Int,
  length: Int,
  /** Field name: a spec abbreviation (C, CI, HCS …) or a code the panel translates (system_title, frame_counter …). */
  label: Str,
  /** Technical value (hex, number, ISO time), not translated. */
  value: Type.Optional(Str),
  /** Translatable parts of the value (security control bits, date-time state), rendered by the panel. */
  params: Type.Optional(ParamsDto),
  kind: oneOf(['header', 'title', 'security', 'counter', 'ciphertext', 'tag', 'payload', 'checksum', 'flag']),
});
export type HexFieldDto = Dto<typeof HexFieldDto>;

/** One annotated byte buffer: a link frame, the APDU, or the decrypted plaintext. */
export const HexBlockDto = Type.Object({
  /** block_mbus {index,count}, block_hdlc, block_dsmr, block_raw, block_skipped {bytes,reason}, block_apdu, block_apdu_ciphered, block_plaintext, block_plaintext_invalid. */
  title: MessageDto,
  hex: Str,
  fields: Type.Array(HexFieldDto),
  /** The block is the output of a failed step (decryption with a wrong key): shown as failed, never as decrypted data. */
  failed: Type.Optional(Type.Literal(true)),
});
export type HexBlockDto = Dto<typeof HexBlockDto>;

/** A node of the decrypted A-XDR tree with OBIS names and scaled values. */
export const TreeNodeDto = Type.Cyclic(
  {
    TreeNodeDto: Type.Object({
      /** A-XDR type, e.g. "structure(35)", "uint32", "octet-string(6)". */
      type: Str,
      /** Raw value as text: hex of octet strings (with printable text), 64-bit integers, e.g. "0100010800FF". */
      raw: Type.Optional(Str),
      /** Raw value of a number type (formatted by the panel in the user's language). */
      num: Type.Optional(Num),
      /** For OBIS codes and the values they label: "1-0:1.8.0". */
      obis: Type.Optional(Str),
      /** Registry key of the quantity (see ReadingDto.key). */
      key: Type.Optional(Str),
      /** Scaled value of the reading this node holds (with `unit`), e.g. 12937 with Wh, 233.7 with V. */
      value: Type.Optional(NumOrStr),
      unit: Type.Optional(StrOrNull),
      /** A date-time octet string: the meter clock it encodes (ISO 8601). */
      time: Type.Optional(Str),
      children: Type.Optional(Type.Array(Type.Ref('TreeNodeDto'))),
    }),
  },
  'TreeNodeDto',
);
export type TreeNodeDto = Dto<typeof TreeNodeDto>;

export const SecurityDto = Type.Object({
  systemTitle: Str,
  /** Manufacturer from the system title (KFM Kaifa, SAG Sagemcom, LGZ Landis+Gyr, ISK Iskraemeco …). */
  manufacturer: StrOrNull,
  securityControl: Int,
  frameCounter: Int,
  tag: oneOf(['none', 'verified', 'not-verified']),
});
export type SecurityDto = Dto<typeof SecurityDto>;

export const ReadingDto = Type.Object({
  /** OBIS code `A-B:C.D.E` (`*F` appended when F ≠ 255). */
  obis: Str,
  /** Stable quantity key from the OBIS registry (e.g. energy_import, voltage_l1), or null when unknown. */
  key: StrOrNull,
  value: NumOrStr,
  /** DLMS unit symbol (Wh, W, varh, var, V, A, Hz …) or null for counts, text and the power factor. */
  unit: StrOrNull,
  /** A raw register value without its scaler (see the backend's Reading.unscaled): shown as a number only. */
  unscaled: Type.Optional(Type.Literal(true)),
});
export type ReadingDto = Dto<typeof ReadingDto>;

const frameSummaryProperties = {
  id: Int,
  /** ISO time the last byte of the push arrived. */
  at: Str,
  ok: Bool,
  framing: oneOfOrNull(['mbus', 'hdlc', 'raw', 'dsmr']),
  stages: Type.Array(StageDto),
  error: orNull(ErrorDto),
  /** Bytes of the push as received. */
  size: Int,
};
/** One push as listed in the frame inspector (live stream and snapshot): small, no bytes. */
export const FrameSummaryDto = Type.Object(frameSummaryProperties);
export type FrameSummaryDto = Dto<typeof FrameSummaryDto>;

/** One push with everything the inspector shows when it is opened (GET api/frames/:id). */
export const FrameRecordDto = Type.Object({
  ...frameSummaryProperties,
  blocks: Type.Array(HexBlockDto),
  tree: orNull(TreeNodeDto),
  security: orNull(SecurityDto),
  readings: Type.Array(ReadingDto),
  /** The raw bytes of the push as received (hex), for copying and a one-push capture. Never contains a key. */
  raw: Str,
});
export type FrameRecordDto = Dto<typeof FrameRecordDto>;

/** Path parameter of GET api/frames/:id: the push number (digits only). */
export const FrameParamsDto = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,12}$' }) });
export type FrameParamsDto = Dto<typeof FrameParamsDto>;

export const MeterDto = Type.Object({ id: StrOrNull, systemTitle: StrOrNull, manufacturer: StrOrNull });
export type MeterDto = Dto<typeof MeterDto>;

export const LiveDto = Type.Object({
  meter: orNull(MeterDto),
  /** Meter clock of the latest push (ISO 8601). */
  meterTime: StrOrNull,
  /** ISO time the latest decoded push arrived, null before the first one. */
  receivedAt: StrOrNull,
  readings: Type.Array(ReadingDto),
  /** Signed net active power in W: import − export. */
  netPowerW: NumOrNull,
});
export type LiveDto = Dto<typeof LiveDto>;

export const LayerId = oneOf(['serial', 'bytes', 'framing', 'decryption', 'mqtt', 'discovery']);
export type LayerId = Static<typeof LayerId>;
export const LayerStatus = oneOf(['ok', 'warn', 'error', 'off']);
export type LayerStatus = Static<typeof LayerStatus>;

export const HealthLayerDto = Type.Object({
  id: LayerId,
  status: LayerStatus,
  /** What the layer sees, as a code + params (health.ts LAYER_MESSAGES), e.g. {code:'no_byte_for', params:{seconds:20}}. */
  detail: MessageDto,
  /** Stable hint id for the likely cause (health.ts HINT_IDS, e.g. no_bytes, wrong_key, mqtt_auth), or null when fine. */
  hintId: StrOrNull,
  /** The adapter's own technical detail (device path, broker address, OS error), untranslated; absent when none. */
  technical: Type.Optional(Str),
});
export type HealthLayerDto = Dto<typeof HealthLayerDto>;

/**
 * The reader status: ONE stable id for "what is wrong right now", the same id as the Home Assistant status entity
 * (monitor/health.ts decides it). Ordered as a push travels: port → bytes → frames → decryption → decoding →
 * plausibility → broker. Never rename a value (automations compare against it); add new ones at the end.
 */
export const READER_STATUSES = [
  'starting',
  'ok',
  'no_source',
  'port_missing',
  'port_busy',
  'port_error',
  'no_data',
  'serial_settings',
  'line_errors',
  'unsupported_data',
  'no_key',
  'wrong_key',
  'auth_failed',
  'unknown_layout',
  'implausible_values',
  'broker',
  'head_not_transmitting',
] as const;
export const ReaderStatusId = oneOf(READER_STATUSES);
export type ReaderStatusId = Static<typeof ReaderStatusId>;

export const ReaderStatusDto = Type.Object({
  id: ReaderStatusId,
  /** Layer of the problem: reader, serial, bytes, framing, crypto, structure, layout, guard, mqtt. */
  layer: Str,
  /** Error code behind it (error catalogue, guard code, MQTT_* state) or null. */
  code: StrOrNull,
  /** When this status began (ISO 8601). */
  since: Str,
});
export type ReaderStatusDto = Dto<typeof ReaderStatusDto>;

export const CountersDto = Type.Object({
  bytes: Int,
  frames: Int,
  pushes: Int,
  decoded: Int,
  failed: Int,
  /** Failures by error code since start. */
  errors: Type.Record(Type.String(), Int),
});
export type CountersDto = Dto<typeof CountersDto>;

export const HealthDto = Type.Object({
  startedAt: Str,
  source: Str,
  status: ReaderStatusDto,
  layers: Type.Array(HealthLayerDto),
  counters: CountersDto,
  lastError: orNull(Type.Object({ ...errorProperties, at: Str })),
  detected: Type.Object({
    framing: StrOrNull,
    serialSettings: StrOrNull,
    /** True once a frame with a valid checksum (or a decoded push) proved the serial settings. */
    serialSettingsConfirmed: Bool,
    profile: StrOrNull,
  }),
});
export type HealthDto = Dto<typeof HealthDto>;

export const HistoryPointDto = Type.Object({
  /** Milliseconds since the epoch. */
  t: Num,
  importW: Num,
  exportW: Num,
});
export type HistoryPointDto = Dto<typeof HistoryPointDto>;

/** At most this many history points go into a snapshot (older points are averaged into buckets). */
export const SNAPSHOT_HISTORY_POINTS = 120;

export const SnapshotDto = Type.Object({
  version: Str,
  live: LiveDto,
  health: HealthDto,
  /** Most recent first; summaries only (details: GET api/frames/:id). */
  frames: Type.Array(FrameSummaryDto),
  /** Oldest first, last hour, at most SNAPSHOT_HISTORY_POINTS (bucket means). */
  history: Type.Array(HistoryPointDto),
});
export type SnapshotDto = Dto<typeof SnapshotDto>;

/** The values of a push that changed since the previous one (same meter, same OBIS codes). */
export const LiveDeltaDto = Type.Object({
  meterTime: StrOrNull,
  receivedAt: StrOrNull,
  netPowerW: NumOrNull,
  /** Readings whose value changed; the others keep their last value. */
  readings: Type.Array(ReadingDto),
});
export type LiveDeltaDto = Dto<typeof LiveDeltaDto>;

/**
 * Messages on the live WebSocket (`ws` relative to the panel URL): one `snapshot` on connect, then small messages.
 * A push carries its frame summary, the changed values (`delta`, or the whole `live` when the meter or its set of
 * OBIS codes changed), the history point, the counters, and the health view only when it changed.
 */
export const LiveMessage = Type.Union([
  Type.Object({ type: Type.Literal('snapshot'), snapshot: SnapshotDto }),
  Type.Object({
    type: Type.Literal('push'),
    frame: FrameSummaryDto,
    live: Type.Optional(LiveDto),
    delta: Type.Optional(LiveDeltaDto),
    point: orNull(HistoryPointDto),
    counters: CountersDto,
    health: Type.Optional(HealthDto),
  }),
  Type.Object({ type: Type.Literal('frame'), frame: FrameSummaryDto, counters: CountersDto, health: Type.Optional(HealthDto) }),
  Type.Object({ type: Type.Literal('health'), health: HealthDto }),
]);
export type LiveMessage = Dto<typeof LiveMessage>;

/**
 * Result of trying a key on the last captured push (users.md pain point 1: "test key against the last
 * captured frame"). Never contains the key.
 */
export const KeyTestDto = Type.Object({
  /** False when no push has been captured yet (nothing to test against). */
  tested: Bool,
  ok: Bool,
  /** The failing layer (stage) and code, null when the key works or nothing was tested. */
  error: orNull(ErrorDto),
  /** Number of values the push decodes to with this key. */
  values: Int,
  meterId: StrOrNull,
  meterTime: StrOrNull,
});
export type KeyTestDto = Dto<typeof KeyTestDto>;

/** Request body of POST api/test-key: the keys as typed (normalised by the server, never echoed). */
export const KeyTestRequestDto = Type.Object(
  { key: Type.String({ maxLength: 200 }), authKey: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export type KeyTestRequestDto = Dto<typeof KeyTestRequestDto>;

/** One meter of the add-on, for the panel's meter switcher and overview (GET api/meters). */
export const MeterSummaryDto = Type.Object({
  /** Slug of the meter's name; `?meter=<id>` on every API route and the WebSocket selects this meter. */
  id: Str,
  /** The name from the options (the meter of the top-level options is called `Meter`). */
  name: Str,
  /** Its reader status id and code (the panel translates them). */
  status: ReaderStatusId,
  code: StrOrNull,
  /** Signed net active power of its latest push in W (import − export), null before the first one. */
  powerW: NumOrNull,
  /** ISO time its latest decoded push arrived, null before the first one. */
  receivedAt: StrOrNull,
});
export type MeterSummaryDto = Dto<typeof MeterSummaryDto>;

/** GET api/meters: every meter, the default (first) one first. */
export const MetersDto = Type.Object({ meters: Type.Array(MeterSummaryDto) });
export type MetersDto = Dto<typeof MetersDto>;

/** GET api/health (Docker HEALTHCHECK): answers as soon as the server is up. */
export const HealthCheckDto = Type.Object({ status: Type.Literal('ok') });
export type HealthCheckDto = Dto<typeof HealthCheckDto>;

/** GET api/watchdog (Supervisor watchdog, Docker HEALTHCHECK): 200 ok, 503 failing. */
export const WatchdogDto = Type.Object({
  status: oneOf(['ok', 'failing']),
  problems: Type.Array(Type.Object({ code: Str, detail: Str })),
});
export type WatchdogDto = Dto<typeof WatchdogDto>;

/** Where the energy history is kept: a file under the data directory, memory only (no data directory), or memory after a file error. */
export const HistoryStorageDto = oneOf(['file', 'memory', 'failed']);
export type HistoryStorageDto = Static<typeof HistoryStorageDto>;
/** Code of a history file problem (the panel translates it), null when none. */
export const HistoryProblemDto = oneOfOrNull(['HISTORY_READ_FAILED', 'HISTORY_WRITE_FAILED']);
export type HistoryProblemDto = Static<typeof HistoryProblemDto>;

/** Energy of one hour (UTC hour starting at `t`, epoch ms) in Wh; null where nothing was recorded. */
export const HistoryHourDto = Type.Object({ t: Num, importWh: NumOrNull, exportWh: NumOrNull });
export type HistoryHourDto = Dto<typeof HistoryHourDto>;

/** Energy of one local day (`YYYY-MM-DD` in the add-on's time zone) in Wh; null where nothing was recorded. */
export const HistoryDayDto = Type.Object({ date: Str, importWh: NumOrNull, exportWh: NumOrNull });
export type HistoryDayDto = Dto<typeof HistoryDayDto>;

/**
 * GET api/history: hourly and daily import/export energy from the accepted counters and the net power curve
 * (1-minute means, import − export), as kept by the history store. Numbers and codes only.
 */
export const HistoryDto = Type.Object({
  storage: HistoryStorageDto,
  problem: HistoryProblemDto,
  /** Damaged records skipped when the file was loaded (0 normally). */
  skippedRecords: Int,
  /** IANA zone in which the days are cut. */
  timeZone: Str,
  /** Server time of the answer, epoch ms. */
  now: Num,
  /** Oldest first, the current hour last. */
  hours: Type.Array(HistoryHourDto),
  /** Oldest first, today last. */
  days: Type.Array(HistoryDayDto),
  /** Start of the first power minute, epoch ms; value i belongs to the minute `powerStart + i × powerStepMs`. */
  powerStart: Num,
  powerStepMs: Int,
  /** Mean net power per minute in W (negative: export), null where no push arrived. */
  powerW: Type.Array(NumOrNull),
});
export type HistoryDto = Dto<typeof HistoryDto>;

/** Query of GET api/history: how many hours, days and power minutes (defaults in web/routes/history.ts). */
export const HistoryQueryDto = Type.Object(
  {
    hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 62 * 24 })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 62 })),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 48 * 60 })),
    meter: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type HistoryQueryDto = Dto<typeof HistoryQueryDto>;

/** Codes of 4xx/5xx answers of the API (body ApiErrorDto); the panel translates them (codes.api). */
export const API_ERROR_CODES = [
  'KEY_FORMAT',
  'REQUEST_INVALID',
  'FRAME_GONE',
  'NOT_FOUND',
  'METER_UNKNOWN',
  'HISTORY_NOT_KEPT',
  'INGRESS_ONLY',
  'SERVER_ERROR',
] as const;
export const ApiErrorCode = oneOf(API_ERROR_CODES);
export type ApiErrorCode = Static<typeof ApiErrorCode>;

/**
 * The one body of every 4xx and 5xx answer: the HTTP reason (`error`), a code the panel translates and its
 * parameters; never the offending value or prose. METER_UNKNOWN also lists the meter ids that do exist.
 */
export const ApiErrorDto = Type.Object({
  error: Str,
  code: ApiErrorCode,
  params: Type.Optional(ParamsDto),
  meters: Type.Optional(Type.Array(Str)),
});
export type ApiErrorDto = Dto<typeof ApiErrorDto>;

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

/** What the history route needs (the history store; a fake in route unit tests). */
export interface HistorySource {
  view(options: { hours: number; days: number; powerMinutes: number }): Omit<HistoryDto, 'powerStepMs'>;
}
