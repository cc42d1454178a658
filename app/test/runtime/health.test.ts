/** The health view names the failing layer and the likely cause (users.md pain point 5). */
import { beforeAll, describe, expect, it } from 'vitest';
import { panelMessages, type PanelMessages } from '../support/panelI18n.js';
import { ERROR_CODES } from '../../src/shared/errors.js';
import {
  computeLayers,
  linkStatusOf,
  READER_STATUSES,
  readerStatusOf,
  SILENCE_TIMEOUT_MS,
  STATUS_TEXT,
  statusOfCode,
  type HealthInputs,
  type StatusInputs,
} from '../../src/monitor/health.js';

const NOW = 1_000_000;
const base: HealthInputs = {
  now: NOW,
  sourceKind: 'serial',
  source: { state: 'open', detail: '/dev/ttyUSB0 open at 2400 8E1', hintId: null, since: new Date(NOW - 60_000), settings: '2400 8E1' },
  sourceDescription: '/dev/ttyUSB0',
  openedAt: NOW - 60_000,
  bytes: 28_200,
  lastByteAt: NOW - 1000,
  frames: 200,
  lastFrameAt: NOW - 1000,
  bytesSinceFrame: 0,
  checksumErrorsSinceFrame: 0,
  decoded: 100,
  lastPushAt: NOW - 1000,
  lastFailureCode: null,
  lastResultOk: true,
  consecutiveWrongKey: 0,
  wrongKeyThreshold: 3,
  lastRejectedAt: null,
  mqtt: { state: 'connected', detail: 'connected to core-mosquitto:1883', since: new Date(NOW - 50_000), discoveryAt: new Date(NOW - 40_000) },
  discoveryEnabled: true,
};

const layer = (inputs: Partial<HealthInputs>, id: string) => computeLayers({ ...base, ...inputs }).find((l) => l.id === id)!;

let en: PanelMessages;
beforeAll(async () => {
  ({ en } = await panelMessages());
});

describe('health layers', () => {
  it('is all green when pushes decode and MQTT is connected', () => {
    const layers = computeLayers(base);
    expect(layers.map((l) => [l.id, l.status])).toEqual([
      ['serial', 'ok'],
      ['bytes', 'ok'],
      ['framing', 'ok'],
      ['decryption', 'ok'],
      ['mqtt', 'ok'],
      ['discovery', 'ok'],
    ]);
    expect(linkStatusOf(layers)).toBe('ok');
  });

  it('says "no bytes" after 15 s of silence on an open port, pointing at the operator and the wiring', () => {
    const l = layer({ lastByteAt: NOW - 16_000 }, 'bytes');
    expect(l).toMatchObject({ status: 'error', hintId: 'no_bytes', detail: { code: 'no_byte_for', params: { seconds: 16 } } });
    // the sentence is the panel's translation of the hint id
    expect(en.codes.hints.no_bytes).toMatch(/enabled by your grid operator/);
    expect(en.codes.hints.no_bytes).toMatch(/pins 3\/4/);
    expect(layer({ lastByteAt: null, openedAt: NOW - 5000, bytes: 0 }, 'bytes').status).toBe('warn');
  });

  it('says "bytes but no frames" points at baud rate and parity', () => {
    const l = layer({ frames: 0, bytes: 5000, bytesSinceFrame: 5000, lastFrameAt: null, decoded: 0 }, 'framing');
    expect(l).toMatchObject({ status: 'error', hintId: 'no_frames', detail: { code: 'bytes_without_frame', params: { bytes: 5000 } } });
    expect(en.codes.hints.no_frames).toMatch(/baud rate and parity/);
  });

  it('reports checksum errors and the key separately', () => {
    expect(layer({ checksumErrorsSinceFrame: 3 }, 'framing')).toMatchObject({ status: 'error', hintId: 'checksum' });
    expect(layer({ lastResultOk: false, lastFailureCode: 'CRYPTO_WRONG_KEY', consecutiveWrongKey: 1 }, 'decryption')).toMatchObject({ status: 'warn', hintId: 'wrong_key' });
    const wrong = computeLayers({ ...base, lastResultOk: false, lastFailureCode: 'CRYPTO_WRONG_KEY', consecutiveWrongKey: 3 });
    expect(wrong.find((l) => l.id === 'decryption')).toMatchObject({ status: 'error', hintId: 'wrong_key' });
    expect(linkStatusOf(wrong)).toBe('wrong_key');
    expect(layer({ lastResultOk: false, lastFailureCode: 'CRYPTO_NO_KEY' }, 'decryption')).toMatchObject({ status: 'error', hintId: 'no_key' });
  });

  it('names a missing port and MQTT problems', () => {
    expect(layer({ sourceKind: 'none', source: null }, 'serial')).toMatchObject({ status: 'error', hintId: 'no_port' });
    const closed = { state: 'error' as const, detail: '/dev/ttyUSB0 was closed (unplugged?); reopening', hintId: 'port_closed', since: new Date(NOW), settings: '2400 8E1' };
    expect(layer({ source: closed }, 'serial')).toMatchObject({ status: 'error', hintId: 'port_closed' });
    const auth = { state: 'auth_failed' as const, detail: 'the broker rejected the user name or password', since: new Date(NOW), discoveryAt: null };
    expect(layer({ mqtt: auth }, 'mqtt')).toMatchObject({ status: 'error', hintId: 'mqtt_auth' });
    expect(layer({ mqtt: null }, 'mqtt')).toMatchObject({ status: 'off', hintId: 'mqtt_off' });
    expect(layer({ discoveryEnabled: false }, 'discovery').status).toBe('off');
  });
});

describe('operator profile', () => {
  it('tells the operators apart by the shape of their pushes', async () => {
    const { profileOf } = await import('../../src/monitor/profile.js');
    const { StreamDecoder } = await import('../../src/decoder/StreamDecoder.js');
    const { sharedVectors, streamOf, keyOf } = await import('../support/vectors.js');
    const profiles: Record<string, string> = {};
    for (const v of sharedVectors()) {
      const d = new StreamDecoder({ key: keyOf(v.key), authKey: keyOf(v.auth_key) });
      const r = [...d.push(streamOf(v)), ...d.flush()].find((x) => x.ok);
      if (r?.ok) profiles[v.name] = profileOf(r.push, r.trace.frames[0]?.framing ?? null, r.trace.frames.length);
    }
    expect(profiles).toMatchObject({
      'netznoe-doc-kaifa': 'Netz NÖ (EVN): Kaifa via M-Bus',
      'energyagent-evn-sagemcom': 'Netz NÖ (EVN): Sagemcom via M-Bus',
      'tinetz-doc-kaifa': 'TINETZ / Salzburg Netz / Vorarlberg Netz: Kaifa via M-Bus',
      'pocki80-wienernetze-am550': 'Wiener Netze (infrared): meter via HDLC',
      'pocki80-kaerntennetz-am550': 'KNG-Kärnten Netz (P1): meter via HDLC',
      'dlmsparser-steiermark-lg-e450': 'Energienetze Steiermark (L+G E450): Landis+Gyr via HDLC',
      'energyagent-steiermark-sagemcom-dsmr': 'Energienetze Steiermark (P1, DSMR): Sagemcom via P1 without link layer',
    });
  });
});

describe('reader status (the Home Assistant status entity)', () => {
  const st = (inputs: Partial<StatusInputs>) => readerStatusOf({ ...base, consecutiveFailures: 0, unsupportedSinceFrame: 0, ...inputs });
  const fresh: Partial<StatusInputs> = { bytes: 0, lastByteAt: null, frames: 0, lastFrameAt: null, decoded: 0, lastPushAt: null, lastResultOk: null, openedAt: NOW - 1000 };

  it('is ok with problem "none" when pushes decode', () => {
    expect(st({})).toEqual({ status: 'ok', layer: 'reader', code: null, problem: 'none' });
  });

  it('is starting before the first evidence, no_data after the silence timeout', () => {
    expect(st(fresh).status).toBe('starting');
    expect(st({ ...fresh, openedAt: NOW - SILENCE_TIMEOUT_MS }).status).toBe('no_data');
    expect(st({ lastByteAt: NOW - SILENCE_TIMEOUT_MS + 1 }).status).toBe('ok');
    expect(st({ lastByteAt: NOW - SILENCE_TIMEOUT_MS })).toMatchObject({ status: 'no_data', layer: 'bytes', code: 'no_bytes' });
  });

  it('names the port problem', () => {
    const src = (hintId: string) => ({ state: 'error' as const, detail: 'x', hintId, since: new Date(NOW), settings: null });
    expect(st({ source: src('no_port') }).status).toBe('port_missing');
    expect(st({ source: src('port_busy') }).status).toBe('port_busy');
    expect(st({ source: src('port_closed') }).status).toBe('port_error');
    expect(st({ sourceKind: 'none' }).status).toBe('no_source');
  });

  it('bytes without valid frames are serial_settings', () => {
    expect(st({ ...fresh, bytes: 5000, lastByteAt: NOW - 100, bytesSinceFrame: 5000 })).toMatchObject({ status: 'serial_settings', layer: 'framing' });
    expect(st({ checksumErrorsSinceFrame: 2 }).status).toBe('serial_settings');
  });

  it('a failing push is the status at once before anything decoded, after 3 in a row otherwise', () => {
    const wrong = { lastResultOk: false, lastFailureCode: 'CRYPTO_WRONG_KEY' };
    expect(st({ ...wrong, decoded: 0, consecutiveFailures: 1 })).toMatchObject({ status: 'wrong_key', layer: 'crypto', code: 'CRYPTO_WRONG_KEY' });
    expect(st({ ...wrong, consecutiveFailures: 1 }).status).toBe('ok');
    expect(st({ ...wrong, consecutiveFailures: 3 }).status).toBe('wrong_key');
    expect(st({ lastResultOk: false, lastFailureCode: 'PLAUSIBILITY_RANGE', consecutiveFailures: 3 }).status).toBe('implausible_values');
    expect(st({ lastResultOk: false, lastFailureCode: 'CRYPTO_NO_KEY', decoded: 0, consecutiveFailures: 1 }).status).toBe('no_key');
  });

  it('is broker when the data path is fine but nothing reaches Home Assistant', () => {
    const mqtt = (state: 'off' | 'unreachable' | 'auth_failed' | 'connecting') => ({ state, detail: 'd', since: new Date(NOW), discoveryAt: null });
    expect(st({ mqtt: mqtt('unreachable') })).toMatchObject({ status: 'broker', code: 'MQTT_UNREACHABLE' });
    expect(st({ mqtt: mqtt('auth_failed') }).status).toBe('broker');
    expect(st({ mqtt: mqtt('connecting') }).status).toBe('ok');
    // a data-path problem comes first
    expect(st({ mqtt: mqtt('off'), lastByteAt: NOW - 60_000 }).status).toBe('no_data');
  });

  it('maps every catalogue code and guard code to a status, and has a text for every status', () => {
    for (const code of [...Object.keys(ERROR_CODES), 'PLAUSIBILITY_RANGE', 'PLAUSIBILITY_ENERGY_DECREASE', 'PLAUSIBILITY_ENERGY_JUMP']) {
      expect(READER_STATUSES).toContain(statusOfCode(code).status);
    }
    expect(statusOfCode('LAYOUT_UNKNOWN').status).toBe('unknown_layout');
    expect(statusOfCode('CRYPTO_AUTH_FAILED').status).toBe('auth_failed');
    for (const s of READER_STATUSES) expect(STATUS_TEXT[s].length).toBeGreaterThan(3);
    for (const s of READER_STATUSES) expect(STATUS_TEXT[s].length + 40).toBeLessThanOrEqual(255);
  });
});
