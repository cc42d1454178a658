/**
 * A DSMR P1 meter end to end: the real service reads a socat pseudo-terminal at 115200 8N1 (no key), plain
 * DSMR 5 telegrams are written into the other end, a real mosquitto delivers the state to a real subscriber.
 * A telegram with a broken CRC must not reach MQTT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { ownCaptures, streamOf } from '../support/vectors.js';

const v50 = ownCaptures().find((v) => v.name === 'dsmrparser-nl-iskra-dsmr50')!;
// 0-0:96.1.1 is hex ASCII for the equipment id, which names the device
const METER = 'K8EG004046395507';
const stateTopic = `smartmeter/${METER}/state`;

describe('service: DSMR P1 telegrams in, MQTT out', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let backend: Backend;
  let sub: Subscriber;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-dsmr-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--serial-settings', '115200_8N1',
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

  it('publishes the telegram in the product units, and drops a telegram whose CRC does not match', async () => {
    const from = sub.messages.length;
    await writePaced(pty, streamOf(v50), 115_200, 10);
    const state = JSON.parse((await sub.waitForTopic(stateTopic, { fromIndex: from, timeoutMs: 10_000 })).payload);
    expect(state).toMatchObject({
      energy_import_t1: 4.426,
      energy_import_t2: 2.399,
      energy_export_t1: 2.444,
      energy_export_t2: 0,
      power_import: 244,
      power_export: 0,
      net_power: 244,
      power_import_l1: 70,
      power_import_l2: 32,
      power_import_l3: 142,
      voltage_l1: 230,
      voltage_l3: 229,
      current_l1: 0.48,
      current_l3: 0.86,
      meter_time: '2017-01-02T19:20:02+01:00',
    });
    const config = JSON.parse((await sub.waitForTopic(`homeassistant/device/${METER}/config`, { fromIndex: 0 })).payload);
    const components = Object.values(config.components) as Record<string, unknown>[];
    expect(components.find((c) => c.unique_id === `${METER}_energy_import_t1`)).toMatchObject({ device_class: 'energy', unit_of_measurement: 'kWh' });

    // a changed digit breaks the CRC: that telegram is dropped (a plausible power, so only the CRC can catch it),
    // the next intact one is published
    const text = Buffer.from(streamOf(v50)).toString('latin1');
    const broken = Buffer.from(text.replace('1-0:1.7.0(00.244*kW)', '1-0:1.7.0(00.344*kW)'), 'latin1');
    const later = text.replace('0-0:1.0.0(170102192002W)', '0-0:1.0.0(170102192003W)');
    const fixed = later.slice(0, later.lastIndexOf('!') + 1);
    const { crc16arc } = await import('../../src/shared/crc.js');
    const crc = crc16arc(Buffer.from(fixed, 'latin1'), 0, fixed.length).toString(16).toUpperCase().padStart(4, '0');
    const next = sub.messages.length;
    await writePaced(pty, Uint8Array.from(Buffer.concat([broken, Buffer.from(`${fixed}${crc}\r\n`, 'latin1')])), 115_200, 10);
    const after = await sub.waitForTopic(stateTopic, { fromIndex: next, timeoutMs: 10_000, payload: (p) => p.includes('19:20:03') });
    expect(JSON.parse(after.payload).power_import).toBe(244);
    const states = sub.messages.slice(next).filter((m) => m.topic === stateTopic).map((m) => JSON.parse(m.payload));
    expect(states.map((s) => s.power_import)).not.toContain(344);
    const diagnostics = sub.messages.slice(next).filter((m) => m.topic === `smartmeter/${METER}/diagnostics`).map((m) => JSON.parse(m.payload));
    expect(diagnostics.at(-1)).toMatchObject({ decode_errors: expect.any(Number) });
    expect(diagnostics.at(-1)!.decode_errors).toBeGreaterThanOrEqual(1);
  });
});
