/**
 * The real service end to end: `node app/dist/main.js` reading a socat pseudo-terminal as its serial port,
 * meter pushes written into the other end at 2400 baud pacing, a real mosquitto on a free loopback port and a
 * real MQTT subscriber checking what the broker delivers. Plus the faults a home installation throws at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNetzNoePush, type NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';
import { startBackend, type Backend } from '../support/backend.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sharedVectors, streamOf } from '../support/vectors.js';

const KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const SYSTEM_TITLE = Uint8Array.from(Buffer.from('4B464D6750001234', 'hex'));
const METER = '181220001234';
const MQTT_PASSWORD = 'sEcr3t-Broker-Pw';

let frameCounter = 100;
function values(energyImportWh: number, overrides: Partial<NetzNoeValues> = {}): NetzNoeValues {
  return {
    time: new Date(Date.UTC(2026, 0, 15, 11, 30, 0)),
    utcOffsetMinutes: 60,
    energyImportWh,
    energyExportWh: 6_430_217,
    powerImportW: 1234,
    powerExportW: 0,
    voltage: [233.7, 231.1, 229.9],
    current: [3.2, 2.73, 2.92],
    powerFactor: 0.991,
    meterNumber: METER,
    ...overrides,
  };
}
const push = (energyImportWh: number, overrides: Partial<NetzNoeValues> = {}) =>
  encodeNetzNoePush(values(energyImportWh, overrides), KEY, SYSTEM_TITLE, frameCounter++);

const stateTopic = `smartmeter/${METER}/state`;
const configTopic = `homeassistant/device/${METER}/config`;

async function snapshot(backend: Backend): Promise<{ health: { layers: { id: string; status: string; hintId: string | null }[] } }> {
  const res = await fetch(`http://127.0.0.1:${backend.port}/api/snapshot`);
  return (await res.json()) as never;
}

async function waitForLayer(backend: Backend, id: string, hintId: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const layer = (await snapshot(backend)).health.layers.find((l) => l.id === id);
    if (layer?.hintId === hintId) return;
    if (Date.now() > deadline) throw new Error(`layer ${id} never showed ${hintId}: ${JSON.stringify(layer)}`);
    await sleep(250);
  }
}

describe('service: serial port in, MQTT out', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let backend: Backend;
  let sub: Subscriber;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-service-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--serial-settings', '2400_8E1',
      '--key', KEY_HEX,
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
      '--watchdog-seconds', '60',
    ]);
    await sub.waitForTopic('smartmeter/status', { payload: (p) => p === 'online', fromIndex: 0, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await backend?.stop();
    await sub?.close();
    await pty?.kill();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes retained discovery and the exact state for a push written at 2400 baud', async () => {
    const from = sub.messages.length;
    await writePaced(pty, push(12_345_678));
    const state = await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 10_000 });
    expect(JSON.parse(state.payload)).toEqual({
      energy_import: 12345.678,
      energy_export: 6430.217,
      power_import: 1234,
      power_export: 0,
      net_power: 1234,
      voltage_l1: 233.7,
      voltage_l2: 231.1,
      voltage_l3: 229.9,
      current_l1: 3.2,
      current_l2: 2.73,
      current_l3: 2.92,
      power_factor: 0.991,
      meter_number: METER,
      meter_time: '2026-01-15T12:30:00+01:00',
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ...Object.fromEntries(Object.keys(JSON.parse(state.payload)).filter((k) => k.includes(':')).map((k) => [k, expect.anything()])),
    });
    const config = await sub.waitForTopic(configTopic, { fromIndex: 0 });
    const discovery = JSON.parse(config.payload);
    expect(discovery.device.identifiers.join(' ')).toContain(METER);
    expect(discovery.device.manufacturer).toBe('Kaifa');
    expect(discovery.origin.name).toBe('Smart Meter Reader');
    expect(discovery.state_topic ?? discovery.stat_t ?? '').toBe(stateTopic);
    const components = Object.values(discovery.components ?? discovery.cmps) as Record<string, unknown>[];
    const energy = components.find((c) => c.unique_id === `${METER}_energy_import`);
    expect(energy).toMatchObject({ platform: 'sensor', device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    const retained = await subscribe(broker.url, [configTopic, 'smartmeter/status']);
    try {
      const m = await retained.waitForTopic(configTopic, { fromIndex: 0 });
      expect(m.retain).toBe(true);
      expect((await retained.waitForTopic('smartmeter/status', { fromIndex: 0 })).payload).toBe('online');
    } finally {
      await retained.close();
    }
  });

  it('drops garbage and truncated frames between pushes and publishes only the valid push', async () => {
    const from = sub.messages.length;
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 89 + 7) & 0xff);
    // counters advance as 1234 W can in a few seconds (the guard holds back anything faster)
    const truncated = push(12_345_690).subarray(0, 140);
    const bytes = Buffer.concat([garbage, truncated, push(12_345_679)]);
    await writePaced(pty, bytes);
    const state = await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 15_000 });
    expect(JSON.parse(state.payload).energy_import).toBe(12345.679);
    await sleep(2500);
    const states = sub.messages.slice(from).filter((m) => m.topic === stateTopic);
    expect(states.map((m) => JSON.parse(m.payload).energy_import)).toEqual([12345.679]);
    const snap = (await snapshot(backend)) as unknown as { health: { counters: { errors: Record<string, number> } } };
    expect(Object.keys(snap.health.counters.errors).some((c) => c.startsWith('FRAME_'))).toBe(true);
  });

  it('never publishes an energy counter that goes backwards or to zero', async () => {
    const from = sub.messages.length;
    await writePaced(pty, Buffer.concat([push(0, { energyExportWh: 0 }), push(12_000_000), push(12_345_680)]));
    await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 15_000, payload: (p) => JSON.parse(p).energy_import === 12345.68 });
    const published = sub.messages.slice(from).filter((m) => m.topic === stateTopic).map((m) => JSON.parse(m.payload).energy_import);
    expect(published).toEqual([12345.68]);
  });

  it('republishes discovery when Home Assistant sends its birth message', async () => {
    const from = sub.messages.length;
    await sub.client.publishAsync('homeassistant/status', 'online');
    const again = await sub.waitForTopic(configTopic, { fromIndex: from, timeoutMs: 5000 });
    expect(JSON.parse(again.payload).device.identifiers.join(' ')).toContain(METER);
    await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 5000 });
  });

  it('reconnects after the broker restarts and publishes availability, discovery and the latest state', async () => {
    await broker.stop();
    await sleep(500);
    // a push while the broker is down: it must be the state published after the reconnect (no stale queue)
    await writePaced(pty, push(12_345_681));
    await sleep(500);
    await broker.restart();
    const fresh = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    try {
      await fresh.waitForTopic('smartmeter/status', { fromIndex: 0, payload: (p) => p === 'online', timeoutMs: 15_000 });
      await fresh.waitForTopic(configTopic, { fromIndex: 0, timeoutMs: 15_000 });
      const state = await fresh.waitForTopic(stateTopic, { fromIndex: 0, timeoutMs: 15_000 });
      expect(JSON.parse(state.payload).energy_import).toBe(12345.681);
    } finally {
      await fresh.close();
    }
    expect(backend.process.exitCode).toBeNull();
  });

  it('resumes reading within 5 s when the serial port disappears and comes back', async () => {
    await pty.kill();
    await waitForLayer(backend, 'serial', 'port_closed', 10_000).catch(() => waitForLayer(backend, 'serial', 'no_port', 10_000));
    await sleep(1000);
    pty = await startPtyPair(dir);
    const back = Date.now();
    const from = sub.messages.length;
    let state;
    for (let energy = 12_345_682; !state; energy += 1) {
      await writePaced(pty, push(energy));
      state = sub.messages.slice(from).find((m) => m.topic === stateTopic);
      if (!state) state = await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 700 }).catch(() => undefined);
      if (Date.now() - back > 15_000) break;
    }
    expect(state, 'no state after the port came back').toBeDefined();
    // the first push written after 5 s would complete about 6.3 s after the port came back
    expect(state!.at - back).toBeLessThan(6500);
    expect(backend.process.exitCode).toBeNull();
  });

  it('keeps the key out of every log line', () => {
    const out = backend.output();
    expect(out.length).toBeGreaterThan(500);
    expect(out.toUpperCase()).not.toContain(KEY_HEX);
  });
});

describe('service: faults that need their own setup', () => {
  let dir: string;
  let broker: Broker;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-faults-'));
    broker = await startBroker({ user: { username: 'meter', password: MQTT_PASSWORD } });
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a wrong key publishes no readings and says "wrong key"', async () => {
    const pty = await startPtyPair(join(dir, ''));
    cleanups.push(() => pty.kill());
    const sub = await subscribe(`mqtt://meter:${MQTT_PASSWORD}@127.0.0.1:${broker.port}`, ['wrongkey/#', 'homeassistant/#']);
    cleanups.push(() => sub.close());
    const backend = await startBackend([
      '--serial-port', pty.reader,
      '--key', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--mqtt-host', '127.0.0.1', '--mqtt-port', String(broker.port),
      '--mqtt-username', 'meter', '--mqtt-password', MQTT_PASSWORD,
      '--mqtt-base-topic', 'wrongkey',
    ]);
    cleanups.push(() => backend.stop());
    const noe = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
    for (let i = 0; i < 4; i++) await writePaced(pty, streamOf(noe), 9600);
    await waitForLayer(backend, 'decryption', 'wrong_key');
    const diag = await sub.waitFor((m) => m.topic.startsWith('wrongkey/') && m.topic.endsWith('/diagnostics') && JSON.parse(m.payload).link_status === 'wrong_key', { fromIndex: 0, timeoutMs: 10_000 });
    expect(JSON.parse(diag.payload).decode_errors).toBeGreaterThanOrEqual(3);
    expect(sub.messages.filter((m) => m.topic.endsWith('/state'))).toEqual([]);
    // no meter device (nothing decoded); only the reader device with the status entities
    expect(sub.messages.filter((m) => m.topic.startsWith('homeassistant/device/')).map((m) => m.topic)).toEqual(['homeassistant/device/wrongkey_reader/config']);
    expect(backend.output()).toMatch(/WARN {2}\[status\] wrong_key \(crypto CRYPTO_WRONG_KEY\): Wrong key/);
    // the panel's key test names the stage with the configured key and confirms the right one
    const tryKey = async (key: string) => {
      const res = await fetch(`http://127.0.0.1:${backend.port}/api/test-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
      const text = await res.text();
      expect(text.toUpperCase()).not.toContain(key.toUpperCase());
      return JSON.parse(text) as { ok: boolean; values: number; meterId: string | null; error: { stage: string; code: string } | null };
    };
    expect(await tryKey('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ ok: false, error: { stage: 'crypto', code: 'CRYPTO_WRONG_KEY' } });
    expect(await tryKey(noe.key)).toMatchObject({ ok: true, values: 13, meterId: '181220000009', error: null });
    // testing a key changes nothing: still no readings published
    await sleep(500);
    expect(sub.messages.filter((m) => m.topic.endsWith('/state'))).toEqual([]);
    const out = backend.output();
    expect(out).not.toContain(MQTT_PASSWORD);
    expect(out.toUpperCase()).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(out.toUpperCase()).not.toContain(noe.key.toUpperCase());
  });

  it('reports a broker that rejects the password, and keeps running', async () => {
    const backend = await startBackend(['--simulator', '--simulator-interval', '500', '--mqtt-host', '127.0.0.1', '--mqtt-port', String(broker.port), '--mqtt-username', 'meter', '--mqtt-password', 'not-the-password']);
    cleanups.push(() => backend.stop());
    await waitForLayer(backend, 'mqtt', 'mqtt_auth', 15_000);
    const layer = (await snapshot(backend)).health.layers.find((l) => l.id === 'mqtt')!;
    expect(layer.status).toBe('error');
    await sleep(1500);
    expect(backend.process.exitCode).toBeNull();
    expect(backend.output()).toMatch(/rejected/i);
    expect(backend.output()).not.toContain('not-the-password');
  });
});
