/**
 * The reader status end to end: the real service (`node app/dist/main.js`) reading a socat pseudo-terminal with
 * `serial_settings: auto`, a real mosquitto and a real subscriber, and a real capture (Netz NÖ Kaifa,
 * app/test/fixtures/vectors) written at 2400 baud pacing with a WRONG key configured.
 * (c) the status entity's discovery and first state are on the broker before any push decodes;
 * (a) a wrong key gives `wrong_key` within 10 s while the serial settings stay confirmed at 2400 8E1;
 * (b) silence gives `no_data` within the silence timeout (15 s) + 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_STATUSES, SILENCE_TIMEOUT_MS } from '../../src/monitor/health.js';
import { startBackend, type Backend } from '../support/backend.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';
import { sharedVectors, streamOf } from '../support/vectors.js';

const capture = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
const WRONG_KEY = Buffer.from(Buffer.from(capture.key, 'hex').map((b) => b ^ 0x5a)).toString('hex');
const READER_CONFIG = 'homeassistant/device/smartmeter_reader/config';
const READER_STATE = 'smartmeter/reader';
/** The serial auto-detection moves on after this long without confirmed frames (SerialSource default). */
const DETECT_MS = 20_000;

interface HealthView {
  status: { id: string; code: string | null };
  detected: { serialSettings: string | null; serialSettingsConfirmed: boolean };
}

async function health(backend: Backend): Promise<HealthView> {
  const res = await fetch(`http://127.0.0.1:${backend.port}/api/snapshot`);
  return ((await res.json()) as { health: HealthView }).health;
}

describe('reader status on MQTT (real service, pty, mosquitto)', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let backend: Backend;
  let sub: Subscriber;
  let writing = false;
  let lastWriteAt = 0;
  let writer: Promise<void> = Promise.resolve();

  const startWriting = () => {
    writing = true;
    writer = (async () => {
      while (writing) {
        await writePaced(pty, streamOf(capture));
        lastWriteAt = Date.now();
        await sleep(700);
      }
    })();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-status-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#', 'homeassistant/#']);
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--serial-settings', 'auto',
      '--key', WRONG_KEY,
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
      '--watchdog-seconds', '60',
    ]);
  });

  afterAll(async () => {
    writing = false;
    await writer;
    await backend?.stop();
    await sub?.close();
    await pty?.kill();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('(c) publishes the status entity discovery and a first state before any push decodes', async () => {
    const config = await sub.waitForTopic(READER_CONFIG, { fromIndex: 0, timeoutMs: 10_000 });
    const discovery = JSON.parse(config.payload);
    expect(discovery.device.identifiers).toEqual(['smartmeter_reader']);
    expect(discovery.components.status).toMatchObject({ platform: 'sensor', device_class: 'enum', options: [...READER_STATUSES], value_template: '{{ value_json.status }}' });
    expect(discovery.components.problem).toMatchObject({ platform: 'sensor', value_template: '{{ value_json.problem }}' });
    expect(discovery.state_topic).toBe(READER_STATE);
    const first = await sub.waitForTopic(READER_STATE, { fromIndex: 0, timeoutMs: 10_000 });
    expect(JSON.parse(first.payload).status).toBe('starting');
    // nothing decoded: no meter device, no meter state
    expect(sub.messages.filter((m) => /^homeassistant\/device\/(?!smartmeter_reader)/.test(m.topic) || /^smartmeter\/[^/]+\/state$/.test(m.topic))).toEqual([]);
    // a Home Assistant that starts later finds both retained
    const late = await subscribe(broker.url, [READER_CONFIG, READER_STATE]);
    try {
      expect((await late.waitForTopic(READER_CONFIG, { fromIndex: 0 })).retain).toBe(true);
      expect((await late.waitForTopic(READER_STATE, { fromIndex: 0 })).retain).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('(a) a wrong key gives wrong_key on MQTT within 10 s, and the serial settings stay confirmed at 2400 8E1', async () => {
    const from = sub.messages.length;
    const startedAt = Date.now();
    startWriting();
    const wrong = await sub.waitForTopic(READER_STATE, { fromIndex: from, timeoutMs: 10_000, payload: (p) => JSON.parse(p).status === 'wrong_key' });
    expect(wrong.at - startedAt).toBeLessThan(10_000);
    expect(JSON.parse(wrong.payload)).toMatchObject({ status: 'wrong_key', layer: 'crypto', code: 'CRYPTO_WRONG_KEY', problem: expect.stringMatching(/key/i) });
    const h = await health(backend);
    expect(h.status).toMatchObject({ id: 'wrong_key', code: 'CRYPTO_WRONG_KEY' });
    expect(h.detected).toMatchObject({ serialSettings: '2400 8E1', serialSettingsConfirmed: true });
    // past the auto-detection interval: still at the capture's settings, still wrong_key (not "no data")
    await sleep(DETECT_MS + 2000 - (Date.now() - startedAt));
    const later = await health(backend);
    expect(later.detected).toMatchObject({ serialSettings: '2400 8E1', serialSettingsConfirmed: true });
    expect(later.status.id).toBe('wrong_key');
    expect(sub.messages.slice(from).filter((m) => m.topic === READER_STATE).map((m) => JSON.parse(m.payload).status)).toEqual(['wrong_key']);
    expect(sub.messages.filter((m) => /^smartmeter\/[^/]+\/state$/.test(m.topic))).toEqual([]);
    expect(backend.output()).toMatch(/serial settings detected: 2400 8E1/);
    // the log: every rejected push at debug, but only one warning for the code and one for the status
    const lines = backend.output().split('\n');
    const perPush = lines.filter((l) => / DEBUG \[crypto\] CRYPTO_WRONG_KEY: /.test(l));
    expect(perPush.length).toBeGreaterThanOrEqual(8);
    expect(lines.filter((l) => /^\S+ (INFO |WARN |ERROR) .*CRYPTO_WRONG_KEY/.test(l))).toHaveLength(2);
  }, 40_000);

  it('(b) when the bytes stop, the status turns no_data within the silence timeout + 2 s', async () => {
    const from = sub.messages.length;
    writing = false;
    await writer;
    const stoppedAt = lastWriteAt;
    const silent = await sub.waitForTopic(READER_STATE, {
      fromIndex: from,
      timeoutMs: SILENCE_TIMEOUT_MS + 4000,
      payload: (p) => JSON.parse(p).status === 'no_data',
    });
    expect(silent.at - stoppedAt).toBeLessThanOrEqual(SILENCE_TIMEOUT_MS + 2000);
    expect(silent.at - stoppedAt).toBeGreaterThanOrEqual(SILENCE_TIMEOUT_MS - 500);
    expect(JSON.parse(silent.payload)).toMatchObject({ status: 'no_data', layer: 'bytes', problem: expect.stringMatching(/No data/) });
    // link status of the meter diagnostics moved at once too (not on a 30 s timer)
    const diag = await sub.waitFor((m) => m.topic === 'smartmeter/diagnostics' && JSON.parse(m.payload).link_status === 'no_bytes', { fromIndex: from, timeoutMs: 1000 });
    expect(diag.at - stoppedAt).toBeLessThanOrEqual(SILENCE_TIMEOUT_MS + 2000);
  }, 30_000);
});
