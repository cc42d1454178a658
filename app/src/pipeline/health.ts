/**
 * The health view: a traffic light per layer with a plain-language hint for the likely cause
 * (users.md pain point 5: "no data" must say where it stops).
 */
import type { MqttStatus } from '../outputs/types.js';
import type { SourceStatus } from '../transport/types.js';
import type { HealthLayerDto, LayerStatus } from '../web/contract.js';

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
  else if (sinceOpen !== null && sinceOpen < NO_BYTES_MS && sinceByte === null) layers.push(layer('bytes', 'warn', 'waiting for the first byte'));
  else layers.push(layer('bytes', 'error', `no byte for ${Math.round((sinceByte ?? sinceOpen ?? 0) / 1000)} s`, 'no_bytes'));
  // framing
  if (h.bytes === 0) layers.push(layer('framing', 'off', 'no bytes yet'));
  else if (h.checksumErrorsSinceFrame >= 2) layers.push(layer('framing', 'error', `${h.checksumErrorsSinceFrame} frames with checksum errors since the last good one`, 'checksum'));
  else if (h.bytesSinceFrame > 1500 || (h.frames === 0 && h.bytes > 600)) {
    layers.push(layer('framing', 'error', `${h.bytesSinceFrame} bytes without a valid frame`, 'no_frames'));
  } else if (h.frames === 0) layers.push(layer('framing', 'warn', 'waiting for the first frame'));
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
