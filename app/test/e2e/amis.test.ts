/**
 * End to end for Netz Oberösterreich AMIS: a simulated AMIS meter on a socat pty (it sends data only after E5),
 * the real service (`node app/dist/main.js --framing amis`, serial_settings auto → 9600 8E1), a real mosquitto and
 * a real MQTT subscriber. Home Assistant discovery must carry the AMIS values with the right device classes,
 * units and state classes (energy total_increasing, the signed Inkassozählwerk total) and the states their values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { SimulatedAmisMeter } from '../support/amisMeter.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';

const KEY_HEX = '5A3F0C1B2E4D6A8899AABBCCDDEEFF01';
const DEVICE = '000000002D4C010E'; // the fixed AMIS secondary address: manufacturer SAM, ID 00000000, v01, medium 0E
const stateTopic = `smartmeter/${DEVICE}/state`;
const configTopic = `homeassistant/device/${DEVICE}/config`;

describe('AMIS meter → service → MQTT', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let meter: SimulatedAmisMeter;
  let backend: Backend;
  let sub: Subscriber;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-amis-e2e-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    meter = new SimulatedAmisMeter(pty.meter, { key: Uint8Array.from(Buffer.from(KEY_HEX, 'hex')), searchEveryMs: 2000 });
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--framing', 'amis',
      '--key', KEY_HEX.toLowerCase(),
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
      '--watchdog-seconds', '60',
    ]);
    await meter.start();
  }, 30_000);

  afterAll(async () => {
    await backend?.stop();
    await meter?.stop();
    await sub?.close();
    await pty?.kill();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes discovery for the AMIS values with device classes, units and state classes', async () => {
    await sub.waitForTopic(configTopic, { fromIndex: 0, timeoutMs: 20_000 });
    // retained: a subscriber that comes later (Home Assistant after a restart) gets it too
    const late = await subscribe(broker.url, [configTopic]);
    const config = await late.waitForTopic(configTopic, { fromIndex: 0, timeoutMs: 5000 }).finally(() => late.close());
    expect(config.retain).toBe(true);
    const discovery = JSON.parse(config.payload);
    expect(discovery.device).toMatchObject({ manufacturer: 'Siemens', identifiers: [`smartmeter_${DEVICE}`] });
    const c = discovery.components as Record<string, Record<string, unknown>>;
    const sensor = (device_class: string, state_class: string, unit: string) => ({ platform: 'sensor', device_class, state_class, unit_of_measurement: unit });
    expect(c.energy_import).toMatchObject(sensor('energy', 'total_increasing', 'kWh'));
    expect(c.energy_export).toMatchObject(sensor('energy', 'total_increasing', 'kWh'));
    expect(c.reactive_energy_import_t1).toMatchObject(sensor('reactive_energy', 'total_increasing', 'kvarh'));
    expect(c.reactive_energy_export_t1).toMatchObject(sensor('reactive_energy', 'total_increasing', 'kvarh'));
    expect(c.power_import).toMatchObject(sensor('power', 'measurement', 'W'));
    expect(c.power_export).toMatchObject(sensor('power', 'measurement', 'W'));
    expect(c.reactive_power_import).toMatchObject(sensor('reactive_power', 'measurement', 'var'));
    expect(c.reactive_power_export).toMatchObject(sensor('reactive_power', 'measurement', 'var'));
    // the signed Inkassozählwerk may fall and be negative: total, never total_increasing
    expect(c.inkasso_register).toMatchObject(sensor('energy', 'total', 'kWh'));
    expect(c.net_power).toMatchObject(sensor('power', 'measurement', 'W'));
  }, 30_000);

  it('publishes the states the meter sent (E5 acknowledged, values decrypted with a lower-case key)', async () => {
    const state = await sub.waitForTopic(stateTopic, { fromIndex: 0, timeoutMs: 20_000 });
    const s = JSON.parse(state.payload);
    expect(s).toMatchObject({
      energy_export: 1234.567,
      reactive_energy_import_t1: 345.678,
      reactive_energy_export_t1: 45.678,
      power_export: 0,
      reactive_power_import: 120,
      reactive_power_export: 0,
      inkasso_register: -4.321,
      meter_time: expect.stringMatching(/^2026-01-15T12:00:\d\d\+01:00$/),
    });
    expect(s.energy_import).toBeGreaterThan(5000);
    expect(s.power_import).toBeGreaterThanOrEqual(1800);
    // the meter heard E5 and nothing else
    expect(meter.received.length).toBeGreaterThan(0);
    expect(meter.received.every((b) => b === 0xe5)).toBe(true);
    expect(meter.unexpectedAcks).toBe(0);
    // the panel's health: ok, profile and settings named; the log names the sync
    const health = ((await (await fetch(`http://127.0.0.1:${backend.port}/api/snapshot`)).json()) as { health: { status: { id: string }; detected: Record<string, unknown> } }).health;
    expect(health.status.id).toBe('ok');
    expect(health.detected).toMatchObject({ framing: 'mbus', serialSettings: '9600 8E1', profile: 'Netz Oberösterreich (AMIS): Siemens via M-Bus' });
    expect(backend.output()).toMatch(/AMIS link synced/);
    expect(backend.output()).toMatch(/9600 8E1/);
    expect(backend.output()).not.toMatch(new RegExp(KEY_HEX, 'i'));
  }, 30_000);
});
