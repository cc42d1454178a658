/**
 * The health view: a traffic light per layer with a plain-language hint for the likely cause
 * (users.md pain point 5: "no data" must say where it stops).
 */
import type { AmisLinkView } from '../framing/mbus/AmisLink.js';
import type { MqttStatus } from '../outputs/types.js';
import type { SourceStatus } from '../transport/types.js';
import type { HealthLayerDto, LayerStatus, ReaderStatusId } from '../web/contract.js';

/** English hint per id; the panel translates by id. */
export const HINTS: Readonly<Record<string, string>> = {
  no_port: 'No serial port: select the USB converter in the add-on options (or check that it is plugged in).',
  port_error: 'The serial port cannot be opened: check the device and the add-on permissions.',
  port_busy: 'Another program holds the serial port (another add-on or integration).',
  port_closed: 'The serial port went away (unplugged?); it is reopened automatically.',
  no_bytes:
    'No bytes from the meter for 15 s: is the customer interface enabled by your grid operator? Check the wiring (RJ12 pins 3/4 to an M-Bus slave converter).',
  no_frames: 'Bytes arrive but no frames: check baud rate and parity (serial settings) or the converter type.',
  checksum: 'Frames with checksum errors: check baud rate and parity, and the wiring.',
  no_key: 'The meter encrypts its data: enter the key from your grid operator in the add-on options.',
  wrong_key: 'Frames arrive intact but do not decrypt: the key is probably wrong (check for typos or a swapped key).',
  auth_tag: 'The authentication tag does not verify: the authentication key (or the key) is wrong.',
  structure: 'Pushes decrypt but do not parse: please share a capture (Frames tab) so the meter can be supported.',
  implausible: 'Pushes with implausible values were dropped (see the Frames tab).',
  stale: 'No push for a while: the meter stopped sending or the line is interrupted.',
  mqtt_off: 'No MQTT broker: install the Mosquitto broker add-on, or set mqtt_host in the options.',
  mqtt_unreachable: 'The MQTT broker cannot be reached: check host and port, or that the broker add-on runs.',
  mqtt_auth: 'The MQTT broker rejected the user name or password.',
  discovery_pending: 'Home Assistant discovery is published once the first push has been decoded.',
  amis_head_silent:
    'Only search frames, no data: the AMIS meter does not receive our acknowledgement. The IR head must transmit: check its TX wiring and its position on the meter (terminal cover closed).',
  amis_echo: 'The IR head echoes our own acknowledgements (E5) back. They are ignored; if data stops, try another head.',
  amis_parity: 'Parity errors: AMIS meters (Netz Oberösterreich) use 9600 baud 8E1. Set serial_settings to 9600_8E1 (or auto).',
};

export interface HealthInputs {
  readonly now: number;
  readonly sourceKind: 'serial' | 'tcp' | 'replay' | 'simulator' | 'none';
  readonly source: SourceStatus | null;
  readonly sourceDescription: string;
  readonly openedAt: number | null;
  readonly bytes: number;
  readonly lastByteAt: number | null;
  readonly frames: number;
  readonly lastFrameAt: number | null;
  readonly bytesSinceFrame: number;
  readonly checksumErrorsSinceFrame: number;
  readonly decoded: number;
  readonly lastPushAt: number | null;
  readonly lastFailureCode: string | null;
  readonly lastResultOk: boolean | null;
  readonly consecutiveWrongKey: number;
  readonly wrongKeyThreshold: number;
  readonly lastRejectedAt: number | null;
  readonly mqtt: MqttStatus | null;
  readonly discoveryEnabled: boolean;
  /** Netz OÖ AMIS link protocol state, when the reader answers it (framing auto/amis on a serial port). */
  readonly amisLink?: AmisLinkView | null;
}

/** An answered search frame that no data followed (or a second search frame): our `E5` does not reach the AMIS meter. */
function amisHeadSilent(h: HealthInputs): boolean {
  const l = h.amisLink;
  return !!l && l.state === 'search' && (l.searchUnanswered || l.searchesWithoutData >= 1);
}

/** AMIS frames read with the wrong parity, and none read right since. */
function amisParity(h: HealthInputs): boolean {
  return !!h.amisLink && h.amisLink.paritySignatures >= 2 && h.amisLink.dataFrames === 0 && h.amisLink.searchFrames === 0;
}

function layer(id: HealthLayerDto['id'], status: LayerStatus, detail: string, hintId: string | null = null): HealthLayerDto {
  return { id, status, detail, hintId, hint: hintId ? (HINTS[hintId] ?? null) : null };
}

const NO_BYTES_MS = 15_000;
const STALE_MS = 60_000;

export function computeLayers(h: HealthInputs): HealthLayerDto[] {
  const layers: HealthLayerDto[] = [];
  // serial port (or whatever source)
  if (h.sourceKind === 'none') {
    layers.push(layer('serial', 'error', 'no serial port or TCP address configured', 'no_port'));
  } else if (!h.source || h.source.state !== 'open') {
    const hint = h.source?.hintId ?? (h.source?.state === 'opening' ? null : 'port_error');
    layers.push(layer('serial', h.source?.state === 'opening' ? 'warn' : 'error', h.source?.detail ?? 'not started', hint));
  } else {
    layers.push(layer('serial', 'ok', h.source.detail));
  }
  const sourceOpen = h.source?.state === 'open';
  // bytes
  const sinceByte = h.lastByteAt === null ? null : h.now - h.lastByteAt;
  const sinceOpen = h.openedAt === null ? null : h.now - h.openedAt;
  if (!sourceOpen) layers.push(layer('bytes', 'off', `${h.bytes} bytes since start`));
  else if (sinceByte !== null && sinceByte < NO_BYTES_MS) layers.push(layer('bytes', 'ok', `${h.bytes} bytes since start`));
  // an AMIS meter whose search frames go unanswered sends bytes once a minute: the cause is the head, not silence
  else if (amisHeadSilent(h)) layers.push(layer('bytes', 'warn', `${h.bytes} bytes since start: AMIS search frames only, once a minute`));
  else if (sinceOpen !== null && sinceOpen < NO_BYTES_MS && sinceByte === null) layers.push(layer('bytes', 'warn', 'waiting for the first byte'));
  else layers.push(layer('bytes', 'error', `no byte for ${Math.round((sinceByte ?? sinceOpen ?? 0) / 1000)} s`, 'no_bytes'));
  // framing
  if (h.bytes === 0) layers.push(layer('framing', 'off', 'no bytes yet'));
  else if (amisParity(h)) layers.push(layer('framing', 'error', `${h.amisLink!.paritySignatures} AMIS frames with parity errors: 9600 8E1 is needed`, 'amis_parity'));
  else if (amisHeadSilent(h)) {
    layers.push(layer('framing', 'error', `${h.amisLink!.searchesWithoutData + 1} AMIS search frame(s) answered, no data followed`, 'amis_head_silent'));
  }
  else if (h.checksumErrorsSinceFrame >= 2) layers.push(layer('framing', 'error', `${h.checksumErrorsSinceFrame} frames with checksum errors since the last good one`, 'checksum'));
  else if (h.bytesSinceFrame > 1500 || (h.frames === 0 && h.bytes > 600)) {
    layers.push(layer('framing', 'error', `${h.bytesSinceFrame} bytes without a valid frame`, 'no_frames'));
  } else if (h.frames === 0) layers.push(layer('framing', 'warn', 'waiting for the first frame'));
  else if (h.amisLink && h.amisLink.echoes > 0) layers.push(layer('framing', 'warn', `${h.frames} frames; ${h.amisLink.echoes} echoed acknowledgements ignored`, 'amis_echo'));
  else layers.push(layer('framing', 'ok', `${h.frames} frames`));
  // decryption and decoding
  if (h.consecutiveWrongKey >= h.wrongKeyThreshold) {
    layers.push(layer('decryption', 'error', `key probably wrong: ${h.consecutiveWrongKey} intact pushes in a row did not decrypt`, 'wrong_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_NO_KEY') {
    layers.push(layer('decryption', 'error', 'encrypted pushes, no key configured', 'no_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_AUTH_FAILED') {
    layers.push(layer('decryption', 'error', 'authentication tag does not verify', 'auth_tag'));
  } else if (h.lastResultOk === false && h.lastFailureCode && /^(AXDR|APDU|DATETIME|DSMR|LAYOUT)/.test(h.lastFailureCode)) {
    layers.push(layer('decryption', 'warn', `last push failed: ${h.lastFailureCode}`, 'structure'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_WRONG_KEY') {
    layers.push(layer('decryption', 'warn', `the last push did not decrypt (${h.consecutiveWrongKey} of ${h.wrongKeyThreshold} before "key probably wrong")`, 'wrong_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode) {
    layers.push(layer('decryption', 'warn', `the last push failed: ${h.lastFailureCode}`, h.lastFailureCode.startsWith('FRAME') ? 'checksum' : 'structure'));
  } else if (h.lastPushAt !== null && h.now - h.lastPushAt > STALE_MS && sourceOpen) {
    layers.push(layer('decryption', 'warn', `no push for ${Math.round((h.now - h.lastPushAt) / 1000)} s`, 'stale'));
  } else if (h.lastRejectedAt !== null && h.lastPushAt !== null && h.lastRejectedAt > h.lastPushAt) {
    layers.push(layer('decryption', 'warn', 'the last push had implausible values and was dropped', 'implausible'));
  } else if (h.decoded > 0) layers.push(layer('decryption', 'ok', `${h.decoded} pushes decoded`));
  else layers.push(layer('decryption', 'off', 'waiting for the first push'));
  // MQTT
  const m = h.mqtt;
  if (!m || m.state === 'off') layers.push(layer('mqtt', 'off', m?.detail ?? 'MQTT is off', 'mqtt_off'));
  else if (m.state === 'connected') layers.push(layer('mqtt', 'ok', m.detail));
  else if (m.state === 'connecting') layers.push(layer('mqtt', 'warn', m.detail));
  else if (m.state === 'auth_failed') layers.push(layer('mqtt', 'error', m.detail, 'mqtt_auth'));
  else layers.push(layer('mqtt', 'error', m.detail, 'mqtt_unreachable'));
  // discovery
  if (!h.discoveryEnabled) layers.push(layer('discovery', 'off', 'discovery is switched off'));
  else if (!m || m.state !== 'connected') layers.push(layer('discovery', 'off', 'waiting for the broker'));
  else if (m.discoveryAt) layers.push(layer('discovery', 'ok', `published ${m.discoveryAt.toISOString()}`));
  else layers.push(layer('discovery', 'warn', 'not published yet', 'discovery_pending'));
  return layers;
}

/** The link status id published as a diagnostic entity: the first failing layer's hint, or ok. */
export function linkStatusOf(layers: readonly HealthLayerDto[]): string {
  for (const id of ['serial', 'bytes', 'framing', 'decryption'] as const) {
    const l = layers.find((x) => x.id === id);
    if (l && l.status === 'error') return l.hintId ?? 'error';
  }
  return 'ok';
}

/**
 * The reader status: ONE stable id for "what is wrong right now", published as a Home Assistant enum sensor and
 * shown on the panel. Ordered as a push travels: port → bytes → frames → decryption → decoding → plausibility →
 * broker. Never rename a value (automations compare against it); add new ones at the end.
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
] as const satisfies readonly ReaderStatusId[];

export type ReaderStatus = (typeof READER_STATUSES)[number];
/** Compile-time check: the list names every id of the contract. */
const everyStatusListed: Exclude<ReaderStatusId, ReaderStatus> extends never ? true : false = true;
void everyStatusListed;

/** The layer a status belongs to (log prefix, panel grouping). */
export type StatusLayer = 'reader' | 'serial' | 'bytes' | 'framing' | 'crypto' | 'structure' | 'layout' | 'guard' | 'mqtt';

/** English text per status: what is wrong and what to do. The panel translates by status id. */
export const STATUS_TEXT: Readonly<Record<ReaderStatus, string>> = {
  starting: 'Starting: waiting for the first evidence from the meter.',
  ok: 'none',
  no_source: 'No serial port or TCP address configured: select the converter in the add-on options.',
  port_missing: 'The serial port does not exist: is the converter plugged in and the right device selected?',
  port_busy: 'Another program holds the serial port (another add-on or integration).',
  port_error: 'The serial port cannot be opened or went away: check the device and the add-on permissions.',
  no_data:
    'No data: no byte from the meter for 15 s. Is the customer interface enabled by your grid operator? Check the wiring (RJ12 pins 3/4, M-Bus slave converter).',
  serial_settings:
    'Bytes arrive but no valid frames: wrong baud rate or parity (serial_settings), wrong converter type, or bad wiring.',
  line_errors: 'Frames arrive damaged or incomplete (bytes lost on the line): check the wiring and the converter.',
  unsupported_data: 'Frames arrive intact but their content is not supported: please share a capture (Frames tab).',
  no_key: 'The meter encrypts its data but no key is configured: enter the key from your grid operator.',
  wrong_key: 'Wrong key: intact frames arrive but do not decrypt. Check the key from your grid operator for typos or a swapped key.',
  auth_failed: 'The authentication tag does not verify: the authentication key (or the key) is wrong.',
  unknown_layout: 'Pushes decrypt but their layout is unknown: please share a capture (Frames tab) so the meter can be supported.',
  implausible_values: 'Pushes with implausible values are being dropped (nothing is published): see the Frames tab.',
  broker: 'Nothing reaches Home Assistant: the MQTT broker is off, unreachable or rejects the login.',
  head_not_transmitting:
    'Only search frames, no data: the AMIS meter does not receive our acknowledgement. The IR head must transmit: check its TX wiring and its position (terminal cover closed).',
};

export interface StatusInputs extends HealthInputs {
  /** Failed pushes (not discarded noise) since the last accepted push. */
  readonly consecutiveFailures: number;
  /** Valid frames that carry no DLMS data since the last usable frame. */
  readonly unsupportedSinceFrame: number;
}

export interface StatusView {
  readonly status: ReaderStatus;
  readonly layer: StatusLayer;
  /** The error code behind it (error catalogue, guard code, serial hint id), or null. */
  readonly code: string | null;
  /** English text for Home Assistant: the problem and the likely cause; `none` when ok. */
  readonly problem: string;
}

/** A decode failure persists when nothing decoded yet, or when this many pushes in a row failed. */
export const FAILURES_FOR_STATUS = 3;
/** Silence after which the status is `no_data` (documented in DOCS.md). */
export const SILENCE_TIMEOUT_MS = NO_BYTES_MS;

/** Status of a failed push by its code (error catalogue and plausibility guard codes). */
export function statusOfCode(code: string): { status: ReaderStatus; layer: StatusLayer } {
  switch (code) {
    case 'CRYPTO_NO_KEY':
      return { status: 'no_key', layer: 'crypto' };
    case 'CRYPTO_WRONG_KEY':
      return { status: 'wrong_key', layer: 'crypto' };
    case 'CRYPTO_AUTH_FAILED':
      return { status: 'auth_failed', layer: 'crypto' };
    case 'CRYPTO_HEADER':
      return { status: 'line_errors', layer: 'crypto' };
    case 'CRYPTO_UNSUPPORTED':
      return { status: 'unsupported_data', layer: 'crypto' };
    case 'LAYOUT_UNKNOWN':
      return { status: 'unknown_layout', layer: 'layout' };
    case 'APDU_BLOCK':
    case 'DSMR_CRC':
      return { status: 'line_errors', layer: 'structure' };
    case 'APDU_UNKNOWN':
    case 'AXDR_INVALID':
    case 'DATETIME_INVALID':
    case 'DSMR_SYNTAX':
      return { status: 'unsupported_data', layer: 'structure' };
    case 'FRAME_NOISE':
    case 'FRAME_CHECKSUM':
      return { status: 'serial_settings', layer: 'framing' };
    case 'FRAME_UNSUPPORTED':
      return { status: 'unsupported_data', layer: 'framing' };
    case 'FRAME_TRUNCATED':
    case 'FRAME_SEGMENT':
      return { status: 'line_errors', layer: 'framing' };
    default:
      if (code.startsWith('PLAUSIBILITY_')) return { status: 'implausible_values', layer: 'guard' };
      return { status: 'unsupported_data', layer: 'structure' };
  }
}

const PROBLEM_MAX = 255; // Home Assistant's limit for a state

function view(status: ReaderStatus, layer: StatusLayer, code: string | null, detail: string | null = null): StatusView {
  const text = status === 'ok' ? 'none' : `${STATUS_TEXT[status]}${code ? ` [${code}]` : ''}${detail ? ` (${detail})` : ''}`;
  return { status, layer, code, problem: text.length > PROBLEM_MAX ? `${text.slice(0, PROBLEM_MAX - 1)}…` : text };
}

/**
 * The one status of the reader, from the same inputs as the layers: the first layer that has a definite problem,
 * else `broker` when nothing can reach Home Assistant, else `starting` until the first push decoded, else `ok`.
 */
export function readerStatusOf(h: StatusInputs): StatusView {
  const path = dataPathStatus(h);
  if (path.status !== 'ok' && path.status !== 'starting') return path;
  const m = h.mqtt;
  // (no MQTT status yet: the publisher has not started, which is part of starting)
  if (m && (m.state === 'off' || m.state === 'auth_failed' || m.state === 'unreachable' || m.state === 'error')) {
    return view('broker', 'mqtt', `MQTT_${m.state.toUpperCase()}`, m.detail);
  }
  return path;
}

function dataPathStatus(h: StatusInputs): StatusView {
  if (h.sourceKind === 'none') return view('no_source', 'serial', 'no_port');
  const source = h.source;
  if (source && (source.state === 'error' || source.state === 'closed') && source.detail !== 'not started') {
    const hint = source.hintId ?? 'port_error';
    if (hint === 'no_port') return view('port_missing', 'serial', hint, source.detail);
    if (hint === 'port_busy') return view('port_busy', 'serial', hint, source.detail);
    if (hint !== 'no_bytes') return view('port_error', 'serial', hint, source.detail);
  }
  // AMIS (Netz OÖ): the meter sends bytes only once a minute while it searches, so these come before `no_data`
  if (amisHeadSilent(h)) return view('head_not_transmitting', 'framing', 'AMIS_HEAD_SILENT');
  if (amisParity(h)) return view('serial_settings', 'framing', 'AMIS_PARITY', 'AMIS meters use 9600 8E1');
  const sinceByte = h.lastByteAt === null ? null : h.now - h.lastByteAt;
  const sinceOpen = h.openedAt === null ? null : h.now - h.openedAt;
  if (sinceByte === null) {
    if (source?.state === 'open' && sinceOpen !== null && sinceOpen >= NO_BYTES_MS) {
      return view('no_data', 'bytes', 'no_bytes', 'no byte since the port opened');
    }
    return view('starting', 'reader', null);
  }
  if (sinceByte >= NO_BYTES_MS) return view('no_data', 'bytes', 'no_bytes');
  if (h.unsupportedSinceFrame > 0 && h.frames === 0) return view('unsupported_data', 'framing', 'FRAME_UNSUPPORTED');
  // (details without counters: the problem text changes only when the problem does)
  if (h.checksumErrorsSinceFrame >= 2) return view('serial_settings', 'framing', 'FRAME_CHECKSUM', 'frames with checksum errors');
  if (h.bytesSinceFrame > 1500 || (h.frames === 0 && h.bytes > 600)) {
    return view('serial_settings', 'framing', 'FRAME_NOISE', 'bytes without a valid frame');
  }
  if (h.lastResultOk === false && h.lastFailureCode && h.consecutiveFailures > 0) {
    const persistent = h.decoded === 0 || h.consecutiveFailures >= FAILURES_FOR_STATUS;
    if (persistent) {
      const { status, layer: l } = statusOfCode(h.lastFailureCode);
      return view(status, l, h.lastFailureCode);
    }
  }
  if (h.decoded === 0) return view('starting', 'reader', null);
  return view('ok', 'reader', null);
}
