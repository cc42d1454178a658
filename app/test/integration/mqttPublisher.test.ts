/**
 * MqttPublisher against a REAL mosquitto (style.md principle 13): what the broker actually delivers —
 * retained availability and discovery, state values, the LWT on an unclean disconnect, the republish after
 * Home Assistant's birth message, recovery after a broker restart, auth failures, discovery off.
 */
import { meterIdentity } from '../../src/decoder/manufacturers.js';
import { derivedOf } from '../../src/readings/normalise.js';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import type { MeterIdentity } from '../../src/decoder/types.js';
import type { Readings } from '../../src/readings/readings.js';
import type { FramingMode } from '../../src/framing/StreamFramer.js';
import { MqttPublisher, type MqttPublisherOptions } from '../../src/outputs/mqtt/MqttPublisher.js';
import type { MqttState } from '../../src/monitor/types.js';
import type { MqttSettings } from '../../src/outputs/types.js';
import type { AcceptedPush } from '../../src/pipeline/events.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { freePort, startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { keyOf, sharedVectors, streamOf } from '../support/vectors.js';

const VERSION = '9.8.7';
const READER_OK = { status: 'ok', statusLayer: 'reader', statusCode: null, problem: 'none', statusSince: new Date(0) } as const;
const ID = '181220000009';
const CONFIG_TOPIC = `homeassistant/device/${ID}/config`;
const STATE_TOPIC = `smartmeter/${ID}/state`;
const DIAG_TOPIC = `smartmeter/${ID}/diagnostics`;
const AVAILABILITY = 'smartmeter/status';
const READER_CONFIG = 'homeassistant/device/smartmeter_reader/config';

// --- the Netz NÖ example push (shared vector), decoded by the real decoder -----------------------------------
function netzNoe(): { meter: MeterIdentity; time: string | null; readings: Readings } {
  const v = sharedVectors().find((x) => x.name === 'netznoe-doc-kaifa');
  if (!v) throw new Error('shared vector netznoe-doc-kaifa missing');
  const [first] = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: null, framing: v.framing as FramingMode });
  if (!first?.ok) throw new Error('netznoe-doc-kaifa did not decode');
  return first;
}
const NOE = netzNoe();

function noePush(energyWh?: number): AcceptedPush {
  const readings: Readings =
    energyWh === undefined ? NOE.readings : { ...NOE.readings, '1-0:1.8.0': { value: energyWh, unit: 'Wh' } };
  return { meter: NOE.meter, time: NOE.time, readings, derived: derivedOf(readings), receivedAt: new Date() };
}

// --- exact expected discovery payload (written out, not computed by the code under test) ---------------------
const meterSensor = (key: string, name: string, dc: string, sc: string, unit: string | null, precision: number) => ({
  platform: 'sensor',
  unique_id: `${ID}_${key}`,
  name,
  device_class: dc,
  state_class: sc,
  ...(unit === null ? {} : { unit_of_measurement: unit }),
  suggested_display_precision: precision,
  value_template: `{{ value_json.${key} | default('') }}`,
  expire_after: 120,
});
const EXPECTED_DISCOVERY = {
  device: {
    identifiers: [`smartmeter_${ID}`],
    name: `Smart meter ${ID}`,
    via_device: 'smartmeter_reader',
    manufacturer: 'Kaifa',
    serial_number: ID,
  },
  origin: {
    name: 'Smart Meter Reader',
    sw_version: VERSION,
    support_url: 'https://github.com/smart-meter-reader/smart-meter-reader',
  },
  availability: [{ topic: AVAILABILITY }],
  state_topic: STATE_TOPIC,
  qos: 0,
  components: {
    energy_import: meterSensor('energy_import', 'Energy import', 'energy', 'total_increasing', 'kWh', 3),
    energy_export: meterSensor('energy_export', 'Energy export', 'energy', 'total_increasing', 'kWh', 3),
    power_import: meterSensor('power_import', 'Power import', 'power', 'measurement', 'W', 0),
    power_export: meterSensor('power_export', 'Power export', 'power', 'measurement', 'W', 0),
    voltage_l1: meterSensor('voltage_l1', 'Voltage L1', 'voltage', 'measurement', 'V', 1),
    voltage_l2: meterSensor('voltage_l2', 'Voltage L2', 'voltage', 'measurement', 'V', 1),
    voltage_l3: meterSensor('voltage_l3', 'Voltage L3', 'voltage', 'measurement', 'V', 1),
    current_l1: meterSensor('current_l1', 'Current L1', 'current', 'measurement', 'A', 2),
    current_l2: meterSensor('current_l2', 'Current L2', 'current', 'measurement', 'A', 2),
    current_l3: meterSensor('current_l3', 'Current L3', 'current', 'measurement', 'A', 2),
    power_factor: meterSensor('power_factor', 'Power factor', 'power_factor', 'measurement', null, 3),
    net_power: meterSensor('net_power', 'Net power', 'power', 'measurement', 'W', 0),
    meter_time: {
      platform: 'sensor',
      unique_id: `${ID}_meter_time`,
      name: 'Meter clock',
      device_class: 'timestamp',
      entity_category: 'diagnostic',
      value_template: '{{ value_json.meter_time }}',
    },
    last_push: {
      platform: 'sensor',
      unique_id: `${ID}_last_push`,
      name: 'Last push',
      entity_category: 'diagnostic',
      state_topic: DIAG_TOPIC,
      value_template: '{{ value_json.last_push }}',
      device_class: 'timestamp',
    },
    link_status: {
      platform: 'sensor',
      unique_id: `${ID}_link_status`,
      name: 'Link status',
      entity_category: 'diagnostic',
      state_topic: DIAG_TOPIC,
      value_template: '{{ value_json.link_status }}',
      icon: 'mdi:connection',
    },
    decode_errors: {
      platform: 'sensor',
      unique_id: `${ID}_decode_errors`,
      name: 'Decode errors',
      entity_category: 'diagnostic',
      state_topic: DIAG_TOPIC,
      value_template: '{{ value_json.decode_errors }}',
      state_class: 'total_increasing',
      icon: 'mdi:alert-circle-outline',
    },
    rejected_pushes: {
      platform: 'sensor',
      unique_id: `${ID}_rejected_pushes`,
      name: 'Rejected pushes',
      entity_category: 'diagnostic',
      state_topic: DIAG_TOPIC,
      value_template: '{{ value_json.rejected_pushes }}',
      state_class: 'total_increasing',
      icon: 'mdi:filter-remove-outline',
    },
  },
};

// --- harness: everything started here is stopped in afterEach ------------------------------------------------
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) {
    const c = cleanups.pop()!;
    await c().catch(() => {});
  }
});

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<Broker> {
  const b = await startBroker(options);
  cleanups.push(() => b.dispose());
  return b;
}

async function subscriber(url: string, topics: string[], options?: Parameters<typeof subscribe>[2]): Promise<Subscriber> {
  const s = await subscribe(url, topics, options);
  cleanups.push(() => s.close());
  return s;
}

function settings(url: string, overrides: Partial<MqttSettings> = {}): MqttSettings {
  return {
    url,
    username: null,
    password: null,
    baseTopic: 'smartmeter',
    discovery: true,
    discoveryPrefix: 'homeassistant',
    origin: 'options',
    ...overrides,
  };
}

function publisher(
  s: MqttSettings,
  options: Partial<MqttPublisherOptions> = {},
): { publisher: MqttPublisher; logLines: string[] } {
  const logLines: string[] = [];
  const logger: Logger = createLogger({ level: 'debug', sink: { write: (l) => logLines.push(l) } });
  const p = new MqttPublisher({ settings: s, logger, version: VERSION, birthDelay: () => 0, ...options });
  cleanups.push(() => p.stop());
  return { publisher: p, logLines };
}

function waitForState(p: MqttPublisher, state: MqttState, timeoutMs = 10_000): Promise<void> {
  if (p.status.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status ${state} not reached; last: ${p.status.state} (${p.status.detail})`));
    }, timeoutMs);
    const off = p.onStatus((s) => {
      if (s.state === state) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

const internalClient = (p: MqttPublisher): MqttClient => {
  const c = (p as unknown as { client: MqttClient | null }).client;
  if (!c) throw new Error('publisher has no client');
  return c;
};

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const EXPECTED_NOE_STATE = {
  energy_import: 12.937,
  energy_export: 0,
  power_import: 0,
  power_export: 0,
  voltage_l1: 233.7,
  voltage_l2: 0,
  voltage_l3: 0,
  current_l1: 0,
  current_l2: 0,
  current_l3: 0,
  power_factor: 1,
  net_power: 0,
  meter_time: '2021-09-27T09:47:15+02:00',
  meter_number: ID,
};

describe('MqttPublisher against a real mosquitto', () => {
  it('publishes retained availability and device discovery, exact state and diagnostics; stop() → offline', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url));
    const statuses: MqttState[] = [];
    p.onStatus((s) => statuses.push(s.state));
    p.start();
    p.publishPush(noePush());
    p.publishDiagnostics({ ...READER_OK, linkStatus: 'ok', decodeErrors: 2, rejectedPushes: 1, lastPushAt: new Date('2024-01-01T00:00:00Z') });
    await waitForState(p, 'connected');

    const state = await live.waitForTopic(STATE_TOPIC);
    expect(state.retain).toBe(false);
    const s = json(state.payload);
    expect(s).toMatchObject(EXPECTED_NOE_STATE);
    expect(Object.keys(s).sort()).toEqual([...Object.keys(EXPECTED_NOE_STATE), 'received_at'].sort());
    expect(state.payload).toContain('"energy_import":12.937,');

    const diag = await live.waitForTopic(DIAG_TOPIC);
    expect(json(diag.payload)).toEqual({
      link_status: 'ok',
      decode_errors: 2,
      rejected_pushes: 1,
      last_push: '2024-01-01T00:00:00.000Z',
    });

    // Order on connect: availability, discovery, then the state.
    const order = live.messages.map((m) => m.topic).filter((t) => [AVAILABILITY, CONFIG_TOPIC, STATE_TOPIC].includes(t));
    expect(order.slice(0, 3)).toEqual([AVAILABILITY, CONFIG_TOPIC, STATE_TOPIC]);

    // A subscriber arriving later gets availability and discovery as RETAINED messages.
    const late = await subscriber(b.url, [AVAILABILITY, 'homeassistant/#']);
    const online = await late.waitForTopic(AVAILABILITY);
    expect(online).toMatchObject({ payload: 'online', retain: true });
    const config = await late.waitForTopic(CONFIG_TOPIC);
    expect(config.retain).toBe(true);
    expect(json(config.payload)).toEqual(EXPECTED_DISCOVERY);
    await late.waitForTopic(READER_CONFIG);
    expect(late.messages.filter((m) => m.topic.startsWith('homeassistant/')).map((m) => m.topic).sort()).toEqual([CONFIG_TOPIC, READER_CONFIG].sort());

    expect(statuses).toContain('connecting');
    expect(p.status.state).toBe('connected');
    expect(p.status.detail).toBe(`connected to ${b.host}:${b.port} (source: options)`);
    expect(p.status.discoveryAt).toBeInstanceOf(Date);

    // A second push with the same readings updates the state but does not republish discovery.
    const configsBefore = live.on(CONFIG_TOPIC).length;
    p.publishPush(noePush(12938));
    await live.waitForTopic(STATE_TOPIC, { payload: (x) => json(x).energy_import === 12.938 });
    await sleep(100);
    expect(live.on(CONFIG_TOPIC).length).toBe(configsBefore);

    // Clean stop: retained offline.
    await p.stop();
    expect(p.status.state).toBe('off');
    const after = await subscriber(b.url, [AVAILABILITY]);
    expect(await after.waitForTopic(AVAILABILITY)).toMatchObject({ payload: 'offline', retain: true });
  });

  it('the broker publishes the LWT (offline, retained) when the client dies uncleanly, and it comes back online', async () => {
    const b = await broker();
    const { publisher: p } = publisher(settings(b.url), { reconnectPeriodMs: 300 });
    p.start();
    p.publishPush(noePush());
    await waitForState(p, 'connected');
    const live = await subscriber(b.url, [AVAILABILITY]);
    expect(await live.waitForTopic(AVAILABILITY)).toMatchObject({ payload: 'online', retain: true });

    internalClient(p).stream.destroy(); // no DISCONNECT packet: the broker must send the will
    const offline = await live.waitForTopic(AVAILABILITY, { payload: (x) => x === 'offline' });
    expect(offline.payload).toBe('offline');
    const fresh = await subscriber(b.url, [AVAILABILITY]);
    const retained = await fresh.waitForTopic(AVAILABILITY);
    // Either still offline (retained will) or already back online: both retained.
    expect(retained.retain).toBe(true);

    // mqtt.js reconnects and publishes online again.
    await live.waitForTopic(AVAILABILITY, {
      payload: (x) => x === 'online',
      fromIndex: live.messages.indexOf(offline) + 1,
      timeoutMs: 5000,
    });
    await waitForState(p, 'connected');
  });

  it('republishes discovery and the latest state after Home Assistant announces itself (birth), after the delay', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url), { birthDelay: () => 300 });
    p.start();
    p.publishPush(noePush());
    await waitForState(p, 'connected');
    await live.waitForTopic(STATE_TOPIC);
    await sleep(100);

    const mark = live.messages.length;
    const sentAt = Date.now();
    await live.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    const config = await live.waitForTopic(CONFIG_TOPIC, { fromIndex: mark });
    expect(config.at - sentAt).toBeGreaterThanOrEqual(250);
    expect(json(config.payload)).toEqual(EXPECTED_DISCOVERY);
    const state = await live.waitForTopic(STATE_TOPIC, { fromIndex: mark });
    expect(json(state.payload)).toMatchObject(EXPECTED_NOE_STATE);

    // `offline` from Home Assistant and retained births do not trigger a republish.
    const mark2 = live.messages.length;
    await live.client.publishAsync('homeassistant/status', 'offline', { qos: 1 });
    await sleep(600);
    expect(live.messages.slice(mark2).filter((m) => m.topic === CONFIG_TOPIC)).toEqual([]);
  });

  it('after a broker restart: reconnects, republishes availability, discovery and only the LATEST state', async () => {
    // Persistent broker + persistent subscriber session with QoS 0 queueing: whatever the publisher sends after the
    // restart reaches the subscriber no matter who reconnects first.
    const b = await broker({ persistence: true, queueQos0Messages: true });
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#'], { clientId: 'test-restart-sub', clean: false });
    const { publisher: p } = publisher(settings(b.url), { reconnectPeriodMs: 300 });
    p.start();
    p.publishPush(noePush(1000));
    await waitForState(p, 'connected');
    await live.waitForTopic(STATE_TOPIC);

    // Wipe the retained availability/discovery so that only a republish can bring them back.
    await live.client.publishAsync(AVAILABILITY, '', { qos: 1, retain: true });
    await live.client.publishAsync(CONFIG_TOPIC, '', { qos: 1, retain: true });
    await sleep(100);

    await b.stop();
    await waitForState(p, 'unreachable');
    expect(p.status.detail).toContain(`cannot reach broker at ${b.host}:${b.port}`);
    // Pushes while the broker is down: only the last one may be published afterwards.
    p.publishPush(noePush(2000));
    p.publishPush(noePush(3000));
    const mark = live.messages.length;
    await b.restart();
    await waitForState(p, 'connected');

    const state = await live.waitForTopic(STATE_TOPIC, { fromIndex: mark, timeoutMs: 10_000 });
    expect(json(state.payload).energy_import).toBe(3);
    await live.waitForTopic(AVAILABILITY, { fromIndex: mark, payload: (x) => x === 'online' });
    await live.waitForTopic(CONFIG_TOPIC, { fromIndex: mark, payload: (x) => x !== '' });
    await sleep(300);
    const states = live.messages.slice(mark).filter((m) => m.topic === STATE_TOPIC);
    expect(states.map((m) => json(m.payload).energy_import)).toEqual([3]); // no stale replay of 2 (or 1)

    const fresh = await subscriber(b.url, [AVAILABILITY, CONFIG_TOPIC]);
    expect(await fresh.waitForTopic(AVAILABILITY)).toMatchObject({ payload: 'online', retain: true });
    const config = await fresh.waitForTopic(CONFIG_TOPIC);
    expect(config.retain).toBe(true);
    expect(json(config.payload)).toEqual(EXPECTED_DISCOVERY);
  });

  it('a wrong password → auth_failed with a distinct detail, no password in the log; the right one connects', async () => {
    const b = await broker({ user: { username: 'addons', password: 'right-secret-pw' } });
    const { publisher: wrong, logLines } = publisher(
      settings(b.url, { username: 'addons', password: 'wrong-secret-pw', origin: 'supervisor' }),
    );
    wrong.start();
    await waitForState(wrong, 'auth_failed');
    expect(wrong.status.detail).toContain(
      'the broker rejected the user name or password (source: Supervisor MQTT service)',
    );
    expect(logLines.join('')).toContain('auth_failed');
    expect(logLines.join('')).not.toContain('wrong-secret-pw');
    expect(JSON.stringify(wrong.status)).not.toContain('wrong-secret-pw');
    await wrong.stop();
    expect(wrong.status.state).toBe('off');

    const { publisher: anonymous } = publisher(settings(b.url));
    anonymous.start();
    await waitForState(anonymous, 'auth_failed');
    expect(anonymous.status.detail).toContain('(source: options)');

    const { publisher: right } = publisher(settings(b.url, { username: 'addons', password: 'right-secret-pw' }));
    right.start();
    await waitForState(right, 'connected');
  });

  it('diagnostics before any meter is identified go to <base>/diagnostics, then to the meter topic', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url));
    p.start();
    await waitForState(p, 'connected');
    p.publishDiagnostics({ ...READER_OK, linkStatus: 'wrong_key', decodeErrors: 3, rejectedPushes: 0, lastPushAt: null });
    const early = await live.waitForTopic('smartmeter/diagnostics');
    expect(json(early.payload)).toEqual({ link_status: 'wrong_key', decode_errors: 3, rejected_pushes: 0, last_push: null });
    // before any meter: only the reader device (status entities), no meter device
    expect(live.messages.filter((m) => m.topic.startsWith('homeassistant/')).map((m) => m.topic)).toEqual([READER_CONFIG]);

    p.publishPush(noePush());
    const perMeter = await live.waitForTopic(DIAG_TOPIC);
    expect(json(perMeter.payload).link_status).toBe('wrong_key');
  });

  it('the reader status: starting on connect (retained, with its discovery), then each change at once, no repeats', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url));
    p.start();
    await waitForState(p, 'connected');
    await live.waitForTopic(READER_CONFIG);
    const first = await live.waitForTopic('smartmeter/reader');
    expect(first.retain).toBe(false);
    expect(json(first.payload)).toMatchObject({ status: 'starting', layer: 'reader', code: null });
    const wrong = { ...READER_OK, status: 'wrong_key', statusLayer: 'crypto', statusCode: 'CRYPTO_WRONG_KEY', problem: 'Wrong key', linkStatus: 'wrong_key', rejectedPushes: 0, lastPushAt: null };
    p.publishDiagnostics({ ...wrong, decodeErrors: 1 });
    p.publishDiagnostics({ ...wrong, decodeErrors: 2 }); // same status: the reader topic stays quiet
    p.publishDiagnostics({ ...READER_OK, linkStatus: 'ok', decodeErrors: 2, rejectedPushes: 0, lastPushAt: null });
    await live.waitForTopic('smartmeter/reader', { payload: (x) => json(x).status === 'ok' });
    expect(live.on('smartmeter/reader').map((m) => json(m.payload).status)).toEqual(['starting', 'wrong_key', 'ok']);
    const late = await subscriber(b.url, ['smartmeter/reader']);
    const retained = await late.waitForTopic('smartmeter/reader');
    expect(retained).toMatchObject({ retain: true });
    expect(json(retained.payload)).toEqual({ status: 'ok', problem: 'none', layer: 'reader', code: null, since: '1970-01-01T00:00:00.000Z' });
  });

  it('no broker listening → unreachable with host:port', async () => {
    const port = await freePort();
    const { publisher: p } = publisher(settings(`mqtt://127.0.0.1:${port}`), { reconnectPeriodMs: 200 });
    p.start();
    await waitForState(p, 'unreachable');
    expect(p.status.detail).toContain(`cannot reach broker at 127.0.0.1:${port}`);
  });

  it('discovery off → no config topics, not even after a birth message; the state is still published', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['smartmeter/#', 'homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url, { discovery: false }));
    p.start();
    p.publishPush(noePush());
    await waitForState(p, 'connected');
    expect(json((await live.waitForTopic(STATE_TOPIC)).payload)).toMatchObject(EXPECTED_NOE_STATE);
    await live.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    p.publishPush(noePush());
    await sleep(500);
    expect(live.messages.filter((m) => m.topic.endsWith('/config'))).toEqual([]);
    expect(p.status.discoveryAt).toBeNull();
  });

  it('a new reading key updates discovery; a new meter id removes the old device config (empty retained)', async () => {
    const b = await broker();
    const live = await subscriber(b.url, ['homeassistant/#']);
    const { publisher: p } = publisher(settings(b.url));
    p.start();
    p.publishPush(noePush());
    await waitForState(p, 'connected');
    await live.waitForTopic(CONFIG_TOPIC);

    const withFrequency: AcceptedPush = {
      ...noePush(),
      readings: { ...NOE.readings, '1-0:14.7.0': { value: 50.01, unit: 'Hz' } },
    };
    p.publishPush(withFrequency);
    const updated = await live.waitForTopic(CONFIG_TOPIC, {
      payload: (x) => x.includes('"frequency"'),
    });
    const components = json(updated.payload).components as Record<string, unknown>;
    expect(components.frequency).toMatchObject({ unique_id: `${ID}_frequency`, unit_of_measurement: 'Hz' });
    expect(components.energy_import).toBeDefined();

    const other: AcceptedPush = {
      ...noePush(),
      meter: meterIdentity('181220002177', '4B464D6750000881', 'KFM'),
    };
    p.publishPush(other);
    await live.waitForTopic('homeassistant/device/181220002177/config');
    await live.waitForTopic(CONFIG_TOPIC, { payload: (x) => x === '' });

    const fresh = await subscriber(b.url, ['homeassistant/#']);
    await fresh.waitForTopic('homeassistant/device/181220002177/config');
    await sleep(200);
    // retained: the new meter and the reader device; the old meter's config is gone (no orphaned device)
    expect(fresh.messages.map((m) => m.topic).sort()).toEqual(['homeassistant/device/181220002177/config', READER_CONFIG].sort());
  });
});
