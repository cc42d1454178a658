/**
 * The catalogue of every error and problem code the backend emits: its layer, the likely cause a user should check
 * (`hint`, English, for the log and the CLI) and one English message template per situation (`messages`), over
 * named parameters written `{name}`. The panel translates code + params itself (ui/src/i18n, checked against this
 * catalogue by test/web/i18nCoverage.test.ts); nothing here goes over the wire as prose.
 *
 * Codes are part of the public contract: the CLI prints them, the panel shows them, counters are keyed by them and
 * users quote them in bug reports. Never rename a code or a situation id; add new ones.
 *
 * Templates: a placeholder is `{` + word characters + `}` and nothing else in braces (the params type is read from
 * the template, see errors.ts `ParamsOf`). Parameter values are numbers or short identifiers (OBIS codes, hex bytes,
 * device names), never key material.
 *
 * A new code: add its entry here (layer; `stage` too for a decode failure; hint; one message per situation), throw it
 * with `new MeterError(code, situation, params)` (or build it with `problem()` outside the decode path), and add its
 * text to ui/src/i18n/en.ts and de.ts. test/shared/errorCatalogue.test.ts fails for a code emitted but missing here;
 * test/web/i18nCoverage.test.ts for a code without both panel texts.
 */

/** The layer a code belongs to, in the order a push passes through them, then the run-time layers around it. */
export type ErrorLayer = 'transport' | 'framing' | 'crypto' | 'structure' | 'layout' | 'guard' | 'pipeline' | 'store' | 'mqtt' | 'api';

/** The decode stage of a decode failure (the decode codes' layer; the panel, the CLI's JSON and tests use it). */
export type ErrorStage = 'framing' | 'crypto' | 'structure' | 'layout';

export interface CodeInfo {
  readonly layer: ErrorLayer;
  /** Decode codes only: the stage of the push that failed (equal to the layer). */
  readonly stage?: ErrorStage;
  /** Plain-language likely cause, written for a user looking at the log or the CLI output. */
  readonly hint: string;
  /** English message per situation (a stable id), over `{name}` parameters: what exactly was wrong. */
  readonly messages: Readonly<Record<string, string>>;
}

const SKIPPED = { skipped: '{bytes} bytes skipped' } as const;
const VALUE_IMPLAUSIBLE_MESSAGES = {
  not_a_number: '{obis} = "{value}": not a number ({layout})',
  not_finite: '{obis} = {value}: not a finite number ({layout})',
  negative_energy: '{obis} = {value}: an energy register cannot be negative ({layout})',
  wrong_unit: '{obis} = {value} {unit}: not a unit of {quantity} ({layout})',
  out_of_range: '{obis} = {value} {unit}: outside {range} {rangeUnit} for {quantity} ({layout})',
} as const;

export const ERROR_CODES = {
  // --- framing: bytes on the wire do not form valid link frames -------------------------------------
  FRAME_NOISE: {
    layer: 'framing',
    stage: 'framing',
    hint: 'bytes that belong to no frame: check baud rate and parity, or the converter type (M-Bus slave for RJ12, IR head for the optical port)',
    messages: SKIPPED,
  },
  FRAME_CHECKSUM: {
    layer: 'framing',
    stage: 'framing',
    hint: 'checksum errors: check baud rate and parity, and the wiring (RJ12 pins 3/4)',
    messages: SKIPPED,
  },
  FRAME_TRUNCATED: {
    layer: 'framing',
    stage: 'framing',
    hint: 'a frame stopped before its end: loose contact, or the converter dropped bytes',
    messages: SKIPPED,
  },
  FRAME_SEGMENT: {
    layer: 'framing',
    stage: 'framing',
    hint: 'a segment of a multi-frame push is missing or out of order: bytes were lost on the line',
    messages: {
      push_cut: 'push cut after segment {segment}: a new push started',
      framing_changed: 'push cut: a {framing} frame arrived inside a multi-frame {pending} push',
      out_of_order: 'segment {received} received, segment {expected} expected',
      stream_ended: 'stream ended inside a multi-frame push',
    },
  },
  FRAME_UNSUPPORTED: {
    layer: 'framing',
    stage: 'framing',
    hint: 'a valid frame that carries no DLMS data (e.g. a plain M-Bus telegram): this meter or port is not supported yet',
    messages: SKIPPED,
  },
  AMIS_HEAD_SILENT: {
    layer: 'framing',
    stage: 'framing',
    hint: "only search frames, no data: the IR head does not transmit our acknowledgement (check the IR head's TX wiring and its position on the meter, terminal cover closed)",
    messages: { unanswered: '{searchFrames} search frame(s) answered with E5, no data followed' },
  },
  AMIS_ECHO: {
    layer: 'framing',
    stage: 'framing',
    hint: 'the IR head echoes our own acknowledgements (E5) back: they are ignored, but a head without echo is more reliable',
    messages: { echo: 'the IR head echoes our own E5 acknowledgements back; they are ignored' },
  },
  AMIS_PARITY: {
    layer: 'framing',
    stage: 'framing',
    hint: 'parity errors: AMIS meters (Netz Oberösterreich) use 9600 baud 8E1 (set serial_settings to 9600_8E1 or auto)',
    messages: { wrong_parity: '{frames} AMIS frames read with the wrong parity (settings {settings})' },
  },
  // --- crypto: the cipher header, the key or the authentication tag ---------------------------------
  CRYPTO_HEADER: {
    layer: 'crypto',
    stage: 'crypto',
    hint: 'the ciphering header is inconsistent (length, system title or security byte): a corrupted push',
    messages: {
      transport_header_short: 'long transport header needs 12 bytes, {left} left',
      blocks_mismatch: 'configuration word announces {blocks} encrypted blocks, {bytes} bytes follow',
      title_length: 'system title of {bytes} bytes',
      length_mismatch: 'length field says {announced} bytes, {present} bytes follow',
      no_ciphertext: 'no ciphertext',
      cut_short: 'ciphering header cut short: {cause}',
    },
  },
  CRYPTO_NO_KEY: {
    layer: 'crypto',
    stage: 'crypto',
    hint: 'the push is encrypted but no key is configured: enter the key your grid operator sent',
    messages: {
      dlms: 'encrypted push, no key configured',
      mbus_mode5: 'encrypted M-Bus frame (security mode 5), no key configured',
    },
  },
  CRYPTO_UNSUPPORTED: {
    layer: 'crypto',
    stage: 'crypto',
    hint: 'this security suite or compression is not supported',
    messages: {
      mbus_mode: 'M-Bus security mode {mode} (only mode 5 is supported)',
      compression: 'compression requested (SC 0x{sc})',
      suite: 'security suite {suite} (SC 0x{sc})',
    },
  },
  CRYPTO_AUTH_FAILED: {
    layer: 'crypto',
    stage: 'crypto',
    hint: 'authentication tag does not verify: the authentication key (or the key) is wrong',
    messages: { tag_mismatch: 'GCM tag mismatch (AAD = SC ‖ authentication key)' },
  },
  CRYPTO_WRONG_KEY: {
    layer: 'crypto',
    stage: 'crypto',
    hint: 'plaintext invalid: the key is probably wrong',
    messages: {
      mbus_check: 'the 2F 2F check after decryption failed (M-Bus security mode 5)',
      plaintext_invalid: 'the decrypted payload fails with {cause} without a verified tag',
    },
  },
  // --- structure: the (decrypted) APDU does not parse ----------------------------------------------
  APDU_UNKNOWN: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the push starts with an APDU type this reader does not know',
    messages: { tag: 'APDU tag 0x{tag}' },
  },
  APDU_BLOCK: {
    layer: 'structure',
    stage: 'structure',
    hint: 'a general-block-transfer block is missing or out of order',
    messages: {
      malformed: 'malformed general-block-transfer: {cause}',
      out_of_order: 'block {received} received, block {expected} expected',
      stream_ended: 'stream ended inside a block transfer',
      unexpected: 'unexpected: {cause}',
    },
  },
  AXDR_INVALID: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the data does not parse as DLMS A-XDR: a corrupted push or an unsupported meter',
    messages: {
      not_notification: 'payload starts with 0x{tag}, not a data-notification (0x0F)',
      notification: 'data-notification: {cause}',
      trailing_bytes: '{bytes} bytes left after the notification body',
      unexpected: 'unexpected: {cause}',
    },
  },
  AXDR_UNKNOWN_TAG: {
    layer: 'structure',
    stage: 'structure',
    hint: 'a value has a type tag that DLMS does not define: a corrupted push, a wrong key, or an unsupported meter',
    messages: { notification: 'data-notification: {cause}' },
  },
  AXDR_TRUNCATED: {
    layer: 'structure',
    stage: 'structure',
    hint: 'a value, or the length it announces, runs past the end of the data: bytes were lost on the line, or the key is wrong',
    messages: { notification: 'data-notification: {cause}' },
  },
  AXDR_TOO_DEEP: {
    layer: 'structure',
    stage: 'structure',
    hint: 'structures are nested deeper than any meter sends them (16 levels): a corrupted push or a wrong key',
    messages: { notification: 'data-notification: {cause}' },
  },
  DATETIME_INVALID: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the meter clock value is not a plausible date and time',
    messages: {
      header: 'header date-time {hex}',
      clock_value: 'clock value {hex}',
      clock_obis: 'clock {obis} value {value}',
      cp48: 'CP48 {hex} is no valid time',
      dsmr: 'DSMR timestamp "{text}"',
    },
  },
  DSMR_CRC: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the DSMR telegram checksum does not match: a corrupted push, or the key is wrong',
    messages: { mismatch: 'CRC {computed}, telegram says {stated}' },
  },
  DSMR_SYNTAX: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the DSMR telegram does not parse',
    messages: {
      no_end: 'no "!" end line',
      end_line: 'end line "!{end}"',
      not_strict: 'telegram without CRC does not have the strict DSMR 2.2/3 syntax',
      line: 'line "{line}"',
    },
  },
  MBUS_RECORD_INVALID: {
    layer: 'structure',
    stage: 'structure',
    hint: 'the M-Bus data records (DIF/VIF) do not parse: a corrupted frame or an unsupported meter',
    messages: {
      dife_past_end: 'record at {at}: DIFE runs past the end',
      too_many_difes: 'record at {at}: more than {max} DIFEs',
      no_vif: 'record at {at}: no VIF',
      plain_text_vif: 'record at {at}: plain-text VIF is not supported',
      vife_past_end: 'record at {at}: VIFE runs past the end',
      too_many_vifes: 'record at {at}: more than {max} VIFEs',
      no_length: 'record at {at}: no length byte',
      variable_length: 'record at {at}: variable length 0x{length} is not supported',
      special_dif: 'record at {at}: special function DIF 0x{dif}',
      data_past_end: 'record at {at} ({header}): {length} data bytes, {left} left',
      integer_too_large: 'integer at {at} exceeds 2^53',
      bcd_digit: 'BCD digit above 9 at {at}',
      clock_length: 'clock record {record} with {length} data bytes',
      number_coding: 'record {record}: data coding {coding} for a number',
      unexpected: 'unexpected: {cause}',
    },
  },
  // --- layout: parsed fine, but no known way to turn it into readings --------------------------------
  LAYOUT_UNKNOWN: {
    layer: 'layout',
    stage: 'layout',
    hint: 'unknown payload layout: please share a capture (Frames tab, download) and the structure signature so it can be supported',
    messages: {
      no_known_record: 'no known record ({records})',
      obis_without_value: '{obis} is not followed directly by a value',
      obis_in_descriptor: '{obis} is part of a capture-object descriptor, not followed by its value',
      scaler_without_obis: 'a scaler-unit structure at value {index} belongs to no OBIS code',
      number_without_obis: 'value {index} is a number without an OBIS code',
      positional_unknown: '{count} values without OBIS codes: {shape}',
      scaler_unit_shape: 'scaler_unit of {obis} is not a scaler-unit structure',
      descriptor_shape: 'self-describing push: capture object {index} of {count} is not a class-id, logical name, attribute, data index structure',
      descriptor_count: 'self-describing push: {count} capture objects but {values} values',
      ends_early: 'self-describing push: the push ends before value {index} of {count}',
      structure_value: 'self-describing push: the value of capture object {index} ({obis}) is a structure',
    },
  },
  VALUE_IMPLAUSIBLE: {
    layer: 'layout',
    stage: 'layout',
    hint: 'a decoded value is physically impossible for its quantity (e.g. 900 V): a corrupted push or a misread layout, so nothing was published; if it repeats, please share a capture',
    messages: VALUE_IMPLAUSIBLE_MESSAGES,
  },
  UNKNOWN: {
    layer: 'layout',
    stage: 'layout',
    hint: 'the push failed for an unknown reason: please report it with a capture',
    messages: { unknown: 'no error was recorded for this failed push' },
  },
  // --- guard: decoded fine, but the values cannot be true (judge/guards.ts) --------------------------
  PLAUSIBILITY_RANGE: {
    layer: 'guard',
    hint: 'a value outside the range a household connection can have: the push was dropped',
    messages: {
      not_a_number: '{obis} = {value} {unit} is not a number',
      out_of_range: '{obis} = {value} {unit} is out of range',
    },
  },
  PLAUSIBILITY_ENERGY_DECREASE: {
    layer: 'guard',
    hint: 'an energy counter went backwards: a corrupted push, held back',
    messages: {
      fell: '{obis} fell from {from} to {to} {unit}; a counter never goes backwards (only a new meter number or system title starts a new series): implausible counter jump, held back',
    },
  },
  PLAUSIBILITY_ENERGY_JUMP: {
    layer: 'guard',
    hint: 'an energy counter rose faster than the connection allows: a corrupted push, held back',
    messages: {
      rose: '{obis} rose by {rise} {unit} in {seconds} s, at most {allowed} {unit} possible (≤ {limit} {limitUnit}; connection {connectionKw} kW): implausible counter jump, held back',
    },
  },
  PLAUSIBILITY_NEW_METER: {
    layer: 'guard',
    hint: 'a meter not seen before: published from its second push in a row',
    messages: { new_meter: 'meter "{meter}" instead of "{previous}": a new meter is accepted from its second push in a row, held back' },
  },
  // --- pipeline: the watchdog's liveness problems (monitor/liveness.ts, pipeline/Pipeline.ts) --------
  EVENT_LOOP_BLOCKED: {
    layer: 'pipeline',
    hint: 'the process did not run for seconds: the host is overloaded or a bug blocks it (the Supervisor restarts the add-on)',
    messages: {
      blocked_now: 'the event loop did not run for {ms} ms',
      blocked_recently: 'the event loop was blocked for {ms} ms, {ago} s ago',
    },
  },
  PIPELINE_STOPPED: {
    layer: 'pipeline',
    hint: "a pipeline's timer stopped: a bug (the Supervisor restarts the add-on)",
    messages: { no_tick: 'the pipeline for {source} has not run for {seconds} s' },
  },
  PIPELINE_STALLED: {
    layer: 'pipeline',
    hint: 'a pipeline stopped processing the bytes its source delivers: a bug (the Supervisor restarts the add-on)',
    messages: { no_progress: '{source} delivers bytes but the pipeline has completed none for {seconds} s' },
  },
  SOURCE_STOPPED: {
    layer: 'pipeline',
    hint: 'a byte source stopped retrying after an error: a bug (the Supervisor restarts the add-on)',
    messages: { gave_up: '{source} stopped retrying: "{status}" for {seconds} s' },
  },
  // --- transport: the byte source's problem codes (transport/*: SourceStatus.hintId) ------------------
  no_port: {
    layer: 'transport',
    hint: 'no serial port: select the USB converter in the add-on options (or check that it is plugged in)',
    messages: { not_found: '{path} not found: is the converter plugged in and the right device selected?' },
  },
  port_error: {
    layer: 'transport',
    hint: 'the serial port (or TCP address) cannot be opened: check the device and the add-on permissions',
    messages: { cannot_open: 'cannot open {path}: {cause}' },
  },
  port_busy: {
    layer: 'transport',
    hint: 'another program holds the serial port (another add-on or integration)',
    messages: { in_use: '{path} is in use by another program' },
  },
  port_closed: {
    layer: 'transport',
    hint: 'the serial port went away (unplugged?) or the TCP peer closed the connection; it is reopened automatically',
    messages: { closed: '{path} was closed; reopening' },
  },
  no_bytes: {
    layer: 'transport',
    hint: 'no bytes from the meter: is the customer interface enabled by the grid operator? Check the wiring',
    messages: { silent: '{path} open, but no byte for {seconds} s' },
  },
  // --- store: the energy history on /data (store/HistoryStore.ts, HistoryDto.problem) -----------------
  HISTORY_READ_FAILED: {
    layer: 'store',
    hint: 'the history file cannot be read: the history is kept in memory until the next restart',
    messages: { read: 'cannot read the history file ({cause}); keeping it in memory only until restart' },
  },
  HISTORY_WRITE_FAILED: {
    layer: 'store',
    hint: 'the history file cannot be written (disk full or read-only?): the history is kept in memory until the next restart',
    messages: { write: 'cannot write the history file ({cause}); keeping it in memory only until restart' },
  },
  // --- mqtt: the broker connection (outputs/mqtt, as the reader status code MQTT_<state>) ------------
  MQTT_OFF: {
    layer: 'mqtt',
    hint: 'no MQTT broker: install the Mosquitto broker add-on, or set mqtt_host in the options',
    messages: { off: 'no MQTT broker configured or offered by the Supervisor' },
  },
  MQTT_UNREACHABLE: {
    layer: 'mqtt',
    hint: 'the MQTT broker cannot be reached: check host and port, or that the broker add-on runs',
    messages: { unreachable: 'cannot reach broker at {host}:{port}' },
  },
  MQTT_AUTH_FAILED: {
    layer: 'mqtt',
    hint: 'the MQTT broker rejected the user name or password',
    messages: { rejected: 'the broker at {host}:{port} rejected the user name or password' },
  },
  MQTT_ERROR: {
    layer: 'mqtt',
    hint: 'the MQTT connection failed',
    messages: { failed: 'MQTT error: {cause}' },
  },
  // --- api: 4xx answers of the panel's HTTP API (web/routes, contract/dto.ts API_ERROR_CODES) --------
  KEY_FORMAT: {
    layer: 'api',
    hint: 'a key must be hexadecimal digits',
    messages: { digits: 'the {field} must be {digits} hexadecimal digits' },
  },
  REQUEST_INVALID: {
    layer: 'api',
    hint: 'the request does not match the API',
    messages: { field: 'request field {field} is invalid', whole: 'the request does not match the API' },
  },
  FRAME_GONE: {
    layer: 'api',
    hint: 'the push is no longer kept (the frame log keeps the last pushes only)',
    messages: { gone: 'push {id} is no longer kept' },
  },
  NOT_FOUND: {
    layer: 'api',
    hint: 'no such page or API route',
    messages: { not_found: 'not found' },
  },
  INGRESS_ONLY: {
    layer: 'api',
    hint: 'the panel answers only through Home Assistant ingress (the Supervisor\'s proxy)',
    messages: { refused: 'refused: the request did not come through the ingress proxy' },
  },
  SERVER_ERROR: {
    layer: 'api',
    hint: 'the add-on failed to answer: its log names the cause',
    messages: { failed: 'the answer could not be built' },
  },
  METER_UNKNOWN: {
    layer: 'api',
    hint: 'no meter of that name is configured',
    messages: { unknown: 'no meter "{meter}"' },
  },
  HISTORY_NOT_KEPT: {
    layer: 'api',
    hint: 'no history is kept for this meter',
    messages: { not_kept: 'no history is kept for meter "{meter}"' },
  },
} as const satisfies Record<string, CodeInfo>;
