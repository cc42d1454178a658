/**
 * The health view: a traffic light per layer with a plain-language hint for the likely cause
 * (users.md pain point 5: "no data" must say where it stops).
 */
import type { AmisLinkView } from '../framing/mbus/AmisLink.js';
import type { MqttStatus } from './types.js';
import type { SourceStatus } from '../transport/types.js';
import { READER_STATUSES, type HealthLayerDto, type LayerStatus, type ReaderStatusId } from '../contract/dto.js';

/**
 * Hint ids of the health layers (the likely cause, translated by the panel): ids of this file and of the source
 * adapters (SourceStatus.hintId). Never rename one; add new ones.
 */
export const HINT_IDS = [
  'no_port',
  'port_error',
  'port_busy',
  'port_closed',
  'no_bytes',
  'no_frames',
  'checksum',
  'no_key',
  'wrong_key',
  'auth_tag',
  'structure',
  'implausible',
  'stale',
  'mqtt_off',
  'mqtt_unreachable',
  'mqtt_auth',
  'discovery_pending',
  'amis_head_silent',
  'amis_echo',
  'amis_parity',
] as const;
export type HintId = (typeof HINT_IDS)[number];

/**
 * Codes of a layer's detail (HealthLayerDto.detail), with their parameters. The panel translates them; the English
 * wording lives in ui/src/i18n/en.ts. Never rename one; add new ones.
 */
export const LAYER_MESSAGES = {
  no_source: [],
  source_not_started: [],
  source_opening: ['source'],
  source_open: ['source'],
  source_closed: ['source'],
  source_error: ['source'],
  bytes_off: [],
  bytes_flowing: [],
  waiting_first_byte: [],
  no_byte_for: ['seconds'],
  no_bytes_yet: [],
  checksum_errors: ['count'],
  bytes_without_frame: ['bytes'],
  waiting_first_frame: [],
  frames_valid: [],
  wrong_key_streak: ['count'],
  no_key_configured: [],
  auth_tag_mismatch: [],
  last_push_failed: ['code'],
  wrong_key_once: ['count', 'threshold'],
  no_push_for: ['seconds'],
  implausible_dropped: [],
  pushes_decoding: [],
  waiting_first_push: [],
  mqtt_off: [],
  mqtt_connected: [],
  mqtt_connecting: [],
  mqtt_auth_failed: [],
  mqtt_unreachable: [],
  mqtt_error: [],
  discovery_off: [],
  discovery_waiting_broker: [],
  discovery_published: ['at'],
  discovery_not_published: [],
  amis_search_only: [],
  amis_parity_errors: ['count'],
  amis_search_unanswered: ['count'],
  amis_echoes_ignored: ['echoes'],
} as const satisfies Record<string, readonly string[]>;
export type LayerMessageCode = keyof typeof LAYER_MESSAGES;

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

function layer(
  id: HealthLayerDto['id'],
  status: LayerStatus,
  code: LayerMessageCode,
  params: Readonly<Record<string, string | number>> | null = null,
  hintId: string | null = null,
  technical: string | null = null,
): HealthLayerDto {
  return { id, status, detail: params ? { code, params } : { code }, hintId, ...(technical ? { technical } : {}) };
}

const NO_BYTES_MS = 15_000;
const STALE_MS = 60_000;

export function computeLayers(h: HealthInputs): HealthLayerDto[] {
  const layers: HealthLayerDto[] = [];
  const source = { source: h.sourceDescription };
  // serial port (or whatever source)
  if (h.sourceKind === 'none') {
    layers.push(layer('serial', 'error', 'no_source', null, 'no_port'));
  } else if (!h.source) {
    layers.push(layer('serial', 'error', 'source_not_started', source, 'port_error'));
  } else if (h.source.state !== 'open') {
    const opening = h.source.state === 'opening';
    const hint = h.source.hintId ?? (opening ? null : 'port_error');
    const code = opening ? 'source_opening' : h.source.state === 'closed' ? 'source_closed' : 'source_error';
    layers.push(layer('serial', opening ? 'warn' : 'error', code, source, hint, h.source.detail));
  } else {
    layers.push(layer('serial', 'ok', 'source_open', source, null, h.source.detail));
  }
  const sourceOpen = h.source?.state === 'open';
  // bytes (counts are in the counters: the layer details change only when the state does)
  const sinceByte = h.lastByteAt === null ? null : h.now - h.lastByteAt;
  const sinceOpen = h.openedAt === null ? null : h.now - h.openedAt;
  if (!sourceOpen) layers.push(layer('bytes', 'off', 'bytes_off'));
  else if (sinceByte !== null && sinceByte < NO_BYTES_MS) layers.push(layer('bytes', 'ok', 'bytes_flowing'));
  // an AMIS meter whose search frames go unanswered sends bytes once a minute: the cause is the head, not silence
  else if (amisHeadSilent(h)) layers.push(layer('bytes', 'warn', 'amis_search_only'));
  else if (sinceOpen !== null && sinceOpen < NO_BYTES_MS && sinceByte === null) layers.push(layer('bytes', 'warn', 'waiting_first_byte'));
  else layers.push(layer('bytes', 'error', 'no_byte_for', { seconds: Math.round((sinceByte ?? sinceOpen ?? 0) / 1000) }, 'no_bytes'));
  // framing
  if (h.bytes === 0) layers.push(layer('framing', 'off', 'no_bytes_yet'));
  else if (amisParity(h)) layers.push(layer('framing', 'error', 'amis_parity_errors', { count: h.amisLink!.paritySignatures }, 'amis_parity'));
  else if (amisHeadSilent(h)) layers.push(layer('framing', 'error', 'amis_search_unanswered', { count: h.amisLink!.searchesWithoutData + 1 }, 'amis_head_silent'));
  else if (h.checksumErrorsSinceFrame >= 2) layers.push(layer('framing', 'error', 'checksum_errors', { count: h.checksumErrorsSinceFrame }, 'checksum'));
  else if (h.bytesSinceFrame > 1500 || (h.frames === 0 && h.bytes > 600)) {
    layers.push(layer('framing', 'error', 'bytes_without_frame', { bytes: h.bytesSinceFrame }, 'no_frames'));
  } else if (h.frames === 0) layers.push(layer('framing', 'warn', 'waiting_first_frame'));
  else if (h.amisLink && h.amisLink.echoes > 0) layers.push(layer('framing', 'warn', 'amis_echoes_ignored', { echoes: h.amisLink.echoes }, 'amis_echo'));
  else layers.push(layer('framing', 'ok', 'frames_valid'));
  // decryption and decoding
  if (h.consecutiveWrongKey >= h.wrongKeyThreshold) {
    layers.push(layer('decryption', 'error', 'wrong_key_streak', { count: h.consecutiveWrongKey }, 'wrong_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_NO_KEY') {
    layers.push(layer('decryption', 'error', 'no_key_configured', null, 'no_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_AUTH_FAILED') {
    layers.push(layer('decryption', 'error', 'auth_tag_mismatch', null, 'auth_tag'));
  } else if (h.lastResultOk === false && h.lastFailureCode && /^(AXDR|APDU|DATETIME|DSMR|LAYOUT)/.test(h.lastFailureCode)) {
    layers.push(layer('decryption', 'warn', 'last_push_failed', { code: h.lastFailureCode }, 'structure'));
  } else if (h.lastResultOk === false && h.lastFailureCode === 'CRYPTO_WRONG_KEY') {
    layers.push(layer('decryption', 'warn', 'wrong_key_once', { count: h.consecutiveWrongKey, threshold: h.wrongKeyThreshold }, 'wrong_key'));
  } else if (h.lastResultOk === false && h.lastFailureCode) {
    layers.push(layer('decryption', 'warn', 'last_push_failed', { code: h.lastFailureCode }, h.lastFailureCode.startsWith('FRAME') ? 'checksum' : 'structure'));
  } else if (h.lastPushAt !== null && h.now - h.lastPushAt > STALE_MS && sourceOpen) {
    layers.push(layer('decryption', 'warn', 'no_push_for', { seconds: Math.round((h.now - h.lastPushAt) / 1000) }, 'stale'));
  } else if (h.lastRejectedAt !== null && h.lastPushAt !== null && h.lastRejectedAt > h.lastPushAt) {
    layers.push(layer('decryption', 'warn', 'implausible_dropped', null, 'implausible'));
  } else if (h.decoded > 0) layers.push(layer('decryption', 'ok', 'pushes_decoding'));
  else layers.push(layer('decryption', 'off', 'waiting_first_push'));
  // MQTT
  const m = h.mqtt;
  if (!m || m.state === 'off') layers.push(layer('mqtt', 'off', 'mqtt_off', null, 'mqtt_off', m?.detail ?? null));
  else if (m.state === 'connected') layers.push(layer('mqtt', 'ok', 'mqtt_connected', null, null, m.detail));
  else if (m.state === 'connecting') layers.push(layer('mqtt', 'warn', 'mqtt_connecting', null, null, m.detail));
  else if (m.state === 'auth_failed') layers.push(layer('mqtt', 'error', 'mqtt_auth_failed', null, 'mqtt_auth', m.detail));
  else layers.push(layer('mqtt', 'error', m.state === 'unreachable' ? 'mqtt_unreachable' : 'mqtt_error', null, 'mqtt_unreachable', m.detail));
  // discovery
  if (!h.discoveryEnabled) layers.push(layer('discovery', 'off', 'discovery_off'));
  else if (!m || m.state !== 'connected') layers.push(layer('discovery', 'off', 'discovery_waiting_broker'));
  else if (m.discoveryAt) layers.push(layer('discovery', 'ok', 'discovery_published', { at: m.discoveryAt.toISOString() }));
  else layers.push(layer('discovery', 'warn', 'discovery_not_published', null, 'discovery_pending'));
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
 * shown on the panel; the list lives with the DTOs (contract/dto.ts), which the panel shares.
 */
export { READER_STATUSES };
export type ReaderStatus = ReaderStatusId;

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
