/**
 * Several meters in one add-on, end to end: the real service (`node app/dist/main.js`) reads two socat
 * pseudo-terminals at the same time, each fed with a different real capture (Netz NÖ/EVN Sagemcom over M-Bus,
 * KNG Kärnten Netz Iskra AM550 over HDLC, each with its own key), and publishes to a real mosquitto on loopback.
 *
 * - two Home Assistant devices (plus a reader device each) with distinct unique ids and the capture's values;
 * - unplugging one converter (killing its pty) leaves the other publishing;
 * - the single-meter options still work: the same meter read with the old options gets exactly the topics, unique
 *   ids and device that the first meter gets next to an added one (Home Assistant keeps its entities and history).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { startBroker, subscribe, type Broker, type ReceivedMessage, type Subscriber } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const evn = sharedVectors().find((v) => v.name === 'energyagent-evn-sagemcom')!;
const kaernten = sharedVectors().find((v) => v.name === 'pocki80-kaerntennetz-am550')!;

interface Discovery {
  device: { identifiers: string[]; name: string; via_device?: string };
  state_topic: string;
  availability: { topic: string }[];
  components: Record<string, { unique_id: string; state_topic?: string }>;
}

const parse = (m: ReceivedMessage): Discovery => JSON.parse(m.payload) as Discovery;
const uniqueIds = (d: Discovery): string[] => Object.values(d.components).map((c) => c.unique_id).sort();

/** Writes the capture again and again (paced like the meter) until stopped: a meter pushing every few seconds. */
function keepPushing(pty: () => PtyPair, capture: Vector, baud: number, bitsPerByte: number): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await writePaced(pty(), streamOf(capture), baud, bitsPerByte);
      } catch {
        // the pty was closed (unplugged): the meter keeps "pushing" into nothing
      }
      await sleep(700);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function meterConfigs(sub: Subscriber, count: number, fromIndex = 0, timeoutMs = 20_000): Promise<Map<string, Discovery>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const configs = new Map<string, Discovery>();
    for (const m of sub.messages.slice(fromIndex)) {
      if (!/^homeassistant\/device\/[^/]+\/config$/.test(m.topic) || m.payload === '') continue;
      const d = parse(m);
      if (!d.device.identifiers.some((i) => i.endsWith('_reader') || i === 'smartmeter_reader')) configs.set(m.topic, d);
    }
    if (configs.size >= count) return configs;
    if (Date.now() > deadline) throw new Error(`expected ${count} meter devices, got ${[...configs.keys()].join(', ')}`);
    await sleep(200);
  }
}

async function meters(backend: Backend): Promise<{ id: string; name: string; status: string; powerW: number | null }[]> {
  const res = await fetch(`http://127.0.0.1:${backend.port}/api/meters`);
  return ((await res.json()) as { meters: never[] }).meters;
}

describe('two meters on two pseudo-terminals, one broker', () => {
  let dir: string;
  let broker: Broker;
  let house: PtyPair;
  let heatPump: PtyPair;
  let backend: Backend;
  let sub: Subscriber;
  let pushers: { stop(): Promise<void> }[] = [];
  /** The single-meter run's discovery for the EVN meter: what the first meter must still look like. */
  let singleMeterConfig: { topic: string; discovery: Discovery; reader: Discovery };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-meters-'));
    broker = await startBroker();
    mkdirSync(join(dir, 'house'));
    mkdirSync(join(dir, 'heat-pump'));
    house = await startPtyPair(join(dir, 'house'));
    heatPump = await startPtyPair(join(dir, 'heat-pump'));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(pushers.map((p) => p.stop()));
    await backend?.stop();
    await sub?.close();
    await house?.kill();
    await heatPump?.kill();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the single-meter options still publish the meter under today’s topics and ids', async () => {
    const single = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    const b = await startBackend([
      '--serial-port', house.reader,
      '--serial-settings', '2400_8E1',
      '--framing', 'mbus',
      '--key', evn.key,
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
      '--watchdog-seconds', '60',
    ]);
    const pusher = keepPushing(() => house, evn, 2400, 11);
    try {
      const [topic, discovery] = [...(await meterConfigs(single, 1))][0]!;
      const id = topic.split('/')[2]!;
      expect(discovery.state_topic).toBe(`smartmeter/${id}/state`);
      expect(discovery.availability).toEqual([{ topic: 'smartmeter/status' }]);
      expect(discovery.device.name).toBe(`Smart meter ${id}`);
      expect(discovery.device.via_device).toBe('smartmeter_reader');
      for (const uid of uniqueIds(discovery)) expect(uid.startsWith(`${id}_`), uid).toBe(true);
      const reader = parse(await single.waitForTopic('homeassistant/device/smartmeter_reader/config', { fromIndex: 0 }));
      expect(reader.state_topic).toBe('smartmeter/reader');
      const state = JSON.parse((await single.waitForTopic(`smartmeter/${id}/state`, { fromIndex: 0, timeoutMs: 15_000 })).payload);
      expect(state).toMatchObject({ energy_import: 6842.204, energy_export: 6430.217, power_import: 0, power_export: 2088, voltage_l1: 237.3, power_factor: 0.991 });
      expect((await meters(b)).map((m) => [m.id, m.name])).toEqual([['meter', 'Meter']]);
      singleMeterConfig = { topic, discovery, reader };
    } finally {
      await pusher.stop();
      await b.stop();
      await single.close();
    }
  }, 60_000);

  it('reads both meters at the same time into two Home Assistant devices with their own ids and values', async () => {
    expect(singleMeterConfig, 'the single-meter run above must have passed').toBeDefined();
    // the existing options stay as they are; the heat pump meter is added in `meters` (the documented migration)
    const options = join(dir, 'options.yaml');
    writeFileSync(
      options,
      [
        `serial_port: ${house.reader}`,
        'serial_settings: 2400_8E1',
        'framing: mbus',
        `key: ${evn.key}`,
        'mqtt_host: 127.0.0.1',
        `mqtt_port: ${broker.port}`,
        'watchdog_seconds: 60',
        'meters:',
        '  - name: Heat pump',
        `    serial_port: ${heatPump.reader}`,
        '    serial_settings: 9600_8N1',
        '    framing: hdlc',
        `    key: ${kaernten.key}`,
        '',
      ].join('\n'),
    );
    sub = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    const from = sub.messages.length;
    backend = await startBackend(['--config', options]);
    pushers = [keepPushing(() => house, evn, 2400, 11), keepPushing(() => heatPump, kaernten, 9600, 10)];

    const configs = await meterConfigs(sub, 2, from);
    const first = configs.get(singleMeterConfig.topic);
    expect(first, `first meter still on ${singleMeterConfig.topic}`).toBeDefined();
    // unchanged for Home Assistant: same topic, unique ids, device and state topic as with the single-meter options
    expect(uniqueIds(first!)).toEqual(uniqueIds(singleMeterConfig.discovery));
    expect(first!.device).toEqual(singleMeterConfig.discovery.device);
    expect(first!.state_topic).toBe(singleMeterConfig.discovery.state_topic);

    const [addedTopic, added] = [...configs].find(([t]) => t !== singleMeterConfig.topic)!;
    const addedId = addedTopic.split('/')[2]!;
    expect(addedId.startsWith('heat_pump_')).toBe(true);
    expect(added.device.name).toBe('Heat pump');
    expect(added.device.via_device).toBe('smartmeter_heat_pump_reader');
    expect(added.state_topic).toBe(`smartmeter/heat_pump/${addedId}/state`);
    expect(added.availability).toEqual([{ topic: 'smartmeter/status' }]);
    const overlap = uniqueIds(added).filter((u) => uniqueIds(first!).includes(u));
    expect(overlap).toEqual([]);

    // each device gets its own capture's values
    const houseState = JSON.parse((await sub.waitForTopic(first!.state_topic, { fromIndex: from, timeoutMs: 15_000 })).payload);
    expect(houseState).toMatchObject({ energy_import: 6842.204, power_export: 2088, current_l2: 2.73 });
    const heatState = JSON.parse((await sub.waitForTopic(added.state_topic, { fromIndex: from, timeoutMs: 15_000 })).payload);
    expect(heatState).toMatchObject({ energy_import: 33177.13, energy_export: 0, power_import: 3149, power_export: 0 });
    expect(heatState).not.toHaveProperty('voltage_l1'); // the AM550 push carries no voltages: nothing of the other meter leaks in

    // each meter has its own reader device and status
    const reader = parse(await sub.waitForTopic('homeassistant/device/smartmeter_heat_pump_reader/config', { fromIndex: from }));
    expect(reader.state_topic).toBe('smartmeter/heat_pump/reader');
    expect(uniqueIds(reader)).toEqual(['smartmeter_heat_pump_reader_problem', 'smartmeter_heat_pump_reader_status']);
    const firstReader = parse(await sub.waitForTopic('homeassistant/device/smartmeter_reader/config', { fromIndex: from }));
    expect(uniqueIds(firstReader)).toEqual(uniqueIds(singleMeterConfig.reader));
    await sub.waitForTopic('smartmeter/heat_pump/reader', { fromIndex: from, payload: (p) => JSON.parse(p).status === 'ok', timeoutMs: 15_000 });
    await sub.waitForTopic('smartmeter/reader', { fromIndex: from, payload: (p) => JSON.parse(p).status === 'ok', timeoutMs: 15_000 });

    // the panel's overview and per-meter snapshot
    const overview = await meters(backend);
    expect(overview.map((m) => [m.id, m.name, m.status])).toEqual([
      ['meter', 'Meter', 'ok'],
      ['heat_pump', 'Heat pump', 'ok'],
    ]);
    expect(overview.map((m) => m.powerW)).toEqual([-2088, 3149]);
    const snap = (await (await fetch(`http://127.0.0.1:${backend.port}/api/snapshot?meter=heat_pump`)).json()) as { live: { readings: { obis: string; value: number }[] } };
    expect(snap.live.readings.find((r) => r.obis === '1-0:1.8.0')?.value).toBe(33177130);
  }, 90_000);

  it('unplugging one converter leaves the other meter publishing', async () => {
    expect(backend, 'the two-meter run above must have passed').toBeDefined();
    await heatPump.kill();
    // the heat pump's reader status says so (retained), the house meter goes on
    const problem = await sub.waitForTopic('smartmeter/heat_pump/reader', {
      fromIndex: sub.messages.length,
      payload: (p) => JSON.parse(p).status !== 'ok',
      timeoutMs: 15_000,
    });
    expect(['port_missing', 'port_error', 'no_data']).toContain(JSON.parse(problem.payload).status);
    const after = sub.messages.length;
    const houseTopic = singleMeterConfig.discovery.state_topic;
    const states = async (n: number) => {
      for (let i = 0; i < 60 && sub.messages.slice(after).filter((m) => m.topic === houseTopic).length < n; i++) await sleep(250);
      return sub.messages.slice(after).filter((m) => m.topic === houseTopic);
    };
    const published = await states(3);
    expect(published.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(published.at(-1)!.payload).energy_import).toBe(6842.204);
    // the house meter's reader never left ok
    expect(sub.messages.slice(after).filter((m) => m.topic === 'smartmeter/reader').map((m) => JSON.parse(m.payload).status)).not.toContain('port_missing');
    const overview = await meters(backend);
    expect(overview[0]!.status).toBe('ok');
    expect(overview[1]!.status).not.toBe('ok');
    expect(backend.process.exitCode).toBeNull();
  }, 60_000);
});
