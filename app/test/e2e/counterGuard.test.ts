/**
 * A tampered, checksum-valid push never reaches Home Assistant. The real service (`node app/dist/main.js`) reads a
 * socat pty at 2400 8E1; a real mosquitto; a subscriber records what the broker delivers on the state topic.
 *
 * The pushes are the Netz NÖ document push (app/test/fixtures/vectors/netznoe-doc-kaifa.json: a real frame and
 * key), first unmodified, then with the import counter advanced and re-encrypted (app/test/support/meterPush.ts).
 * SC 0x20 is AES-CTR without a tag: flipping a ciphertext bit flips the same plaintext bit. Knowing the
 * plaintext counter, the attacker (or line noise) turns 1-0:1.8.0 into any value by XOR-ing the ciphertext
 * with old ⊕ new, and fixes the M-Bus checksum: the frame is valid, decrypts and parses. Only the
 * plausibility guard stands between it and the Energy dashboard.
 *
 * The pushes come every ~4 s, as a Netz NÖ meter sends them (every 5 s), at 0 W: the old guard
 * (100 kW × elapsed + 50 Wh) let +100 Wh through at that pace.
 *
 * Needs `npm run build` first (app/dist/main.js and ui/dist).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { startBackend, type Backend } from '../support/backend.js';
import { loadVector, netzNoePush, vectorBytes } from '../support/meterPush.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';

const VECTOR = loadVector('netznoe-doc-kaifa');
const METER = '181220000009'; // the document push's own meter number: its plaintext is reproduced exactly
const CAPTURED_WH = 12_937; // 1-0:1.8.0 of the captured push
const STATE_TOPIC = `smartmeter/${METER}/state`;
/** Milliseconds between the starts of two pushes (a push takes ~1.3 s on the wire at 2400 baud). */
const PUSH_EVERY_MS = 4000;

/** Byte offset of the 1-0:1.8.0 value (uint32) in the data-notification plaintext. */
function importCounterOffset(): number {
  const hex = VECTOR.expected_plaintext!;
  const at = hex.indexOf('0100010800FF06'); // OBIS 1-0:1.8.0.255, then the uint32 tag 06
  if (at < 0 || at % 2 !== 0) throw new Error('1-0:1.8.0 not found in the plaintext');
  return at / 2 + 7;
}

/**
 * Flips ciphertext bits of a wire push (M-Bus long frames) so that its plaintext 1-0:1.8.0 changes from
 * `fromWh` to `toWh`, and recomputes each touched frame's checksum (EN 13757-2: sum of C..data mod 256).
 */
function tamperImportCounter(wire: Buffer, fromWh: number, toWh: number): Buffer {
  const out = Buffer.from(wire);
  const mask = Buffer.alloc(4);
  mask.writeUInt32BE((fromWh ^ toWh) >>> 0);
  // walk the frames: 68 L L 68 | 53 FF CI 01 67 | APDU part | CS 16
  const apduPositions: number[] = [];
  const frames: { start: number; length: number }[] = [];
  for (let i = 0; i < out.length; ) {
    if (out[i] !== 0x68 || out[i + 3] !== 0x68) throw new Error(`no M-Bus long frame at ${i}`);
    const length = out[i + 1]!;
    frames.push({ start: i, length });
    for (let k = i + 4 + 5; k < i + 4 + length; k++) apduPositions.push(k);
    i += length + 6;
  }
  const apdu = Buffer.from(apduPositions.map((p) => out[p]!));
  // general-glo-ciphering: DB, system title length + title, BER length, SC, frame counter (4), ciphertext
  if (apdu[0] !== 0xdb || apdu[2 + apdu[1]!] === undefined) throw new Error('not a general-glo-ciphering APDU');
  const lengthAt = 2 + apdu[1]!;
  const lengthBytes = apdu[lengthAt]! === 0x81 ? 2 : apdu[lengthAt]! === 0x82 ? 3 : 1;
  const ciphertextAt = lengthAt + lengthBytes + 1 + 4;
  if (apdu[lengthAt + lengthBytes] !== 0x20) throw new Error('expected SC 0x20 (AES-CTR, no tag)');
  const counterAt = ciphertextAt + importCounterOffset();
  for (let b = 0; b < 4; b++) out[apduPositions[counterAt + b]!]! ^= mask[b]!;
  for (const f of frames) {
    let sum = 0;
    for (let k = f.start + 4; k < f.start + 4 + f.length; k++) sum = (sum + out[k]!) & 0xff;
    out[f.start + 4 + f.length] = sum;
  }
  return out;
}

describe('energy counter guard, end to end: tampered checksum-valid pushes never reach MQTT', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let backend: Backend;
  let sub: Subscriber;
  let frameCounter = 0x100;
  let lastGenuineWh = CAPTURED_WH;

  const published = (): number[] => sub.on(STATE_TOPIC).map((m) => Math.round((JSON.parse(m.payload) as { energy_import: number }).energy_import * 1000));

  async function writePush(bytes: Buffer): Promise<void> {
    const started = Date.now();
    await writePaced(pty, bytes);
    await sleep(Math.max(0, PUSH_EVERY_MS - (Date.now() - started)));
  }

  /** A genuine push 1 Wh further (0 W import, as in the captured push), and waits until the broker has it. */
  async function genuine(): Promise<void> {
    lastGenuineWh += 1;
    const wh = lastGenuineWh;
    await writePush(netzNoePush({ keyHex: VECTOR.key, meterNumber: METER, energyWh: wh, frameCounter: frameCounter++ }));
    await sub.waitForTopic(STATE_TOPIC, { payload: (p) => Math.round(JSON.parse(p).energy_import * 1000) === wh, timeoutMs: 10_000 });
  }

  /** The next genuine push, tampered on the wire so that the import counter reads `genuine + deltaWh`. */
  async function tampered(deltaWh: number): Promise<number> {
    const wh = lastGenuineWh + 1;
    const wire = netzNoePush({ keyHex: VECTOR.key, meterNumber: METER, energyWh: wh, frameCounter: frameCounter++ });
    const bogus = wh + deltaWh;
    await writePush(tamperImportCounter(wire, wh, bogus));
    return bogus;
  }

  async function rejected(code: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${backend.port}/api/snapshot`);
    const snap = (await res.json()) as { health: { counters: { errors: Record<string, number> } } };
    return snap.health.counters.errors[code] ?? 0;
  }

  function expectNeverDecreasing(values: number[]): void {
    for (let i = 1; i < values.length; i++) expect(values[i], `published #${i}: ${values.join(', ')}`).toBeGreaterThanOrEqual(values[i - 1]!);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-guard-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#']);
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--serial-settings', '2400_8E1',
      '--key', VECTOR.key,
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
      '--discovery', 'false',
    ]);
    await sub.waitForTopic('smartmeter/status', { payload: (p) => p === 'online', timeoutMs: 10_000 });
    // the captured push itself, unmodified: the first value published
    await writePush(vectorBytes('netznoe-doc-kaifa'));
    await sub.waitForTopic(STATE_TOPIC, { payload: (p) => Math.round(JSON.parse(p).energy_import * 1000) === CAPTURED_WH, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await backend?.stop();
    await sub?.close();
    await pty?.kill();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the tampered push is checksum-valid, decrypts and parses: only its value gives it away', () => {
    const wire = netzNoePush({ keyHex: VECTOR.key, meterNumber: METER, energyWh: 20_000, frameCounter: 1 });
    const bad = tamperImportCounter(wire, 20_000, 20_100);
    // only ciphertext bytes of the counter and the checksum of their frame differ
    const differing = [...bad.keys()].filter((i) => bad[i] !== wire[i]);
    expect(differing.length).toBeGreaterThanOrEqual(2);
    expect(differing.length).toBeLessThanOrEqual(5);
    const decoder = new StreamDecoder({ key: Uint8Array.from(Buffer.from(VECTOR.key, 'hex')), authKey: null, framing: 'mbus' });
    const [result, ...rest] = [...decoder.push(bad), ...decoder.flush()];
    expect(rest).toEqual([]);
    expect(result?.ok, result && !result.ok ? result.error.message : '').toBe(true);
    if (!result?.ok) return;
    expect(result.push.readings['1-0:1.8.0']?.value).toBe(20_100);
    expect(result.push.meter.id).toBe(METER);
    expect(Object.keys(result.push.readings).length).toBeGreaterThanOrEqual(12);
  });

  it('+100 Wh in one push: never published, and no decrease is published afterwards', async () => {
    const before = await rejected('PLAUSIBILITY_ENERGY_JUMP');
    await genuine();
    await genuine();
    const bogus = await tampered(100);
    for (let i = 0; i < 4; i++) await genuine();
    const values = published();
    expect(values).not.toContain(bogus);
    expectNeverDecreasing(values);
    expect(values.at(-1)).toBe(lastGenuineWh);
    expect(await rejected('PLAUSIBILITY_ENERGY_JUMP')).toBe(before + 1);
  });

  it('+10 MWh in one push: never published, and no decrease is published afterwards', async () => {
    const before = await rejected('PLAUSIBILITY_ENERGY_JUMP');
    await genuine();
    const bogus = await tampered(10_000_000);
    for (let i = 0; i < 4; i++) await genuine();
    const values = published();
    expect(values).not.toContain(bogus);
    expect(values.every((wh) => wh < 1_000_000)).toBe(true);
    expectNeverDecreasing(values);
    expect(values.at(-1)).toBe(lastGenuineWh);
    expect(await rejected('PLAUSIBILITY_ENERGY_JUMP')).toBe(before + 1);
  });

  it('a flip that lowers the counter (-8192 Wh) is never published either', async () => {
    const before = await rejected('PLAUSIBILITY_ENERGY_DECREASE');
    await genuine();
    // the next counter (12 9xx Wh) has bit 13 set: clearing it lowers the value by 8192 Wh
    expect((lastGenuineWh + 1) & 8192).toBe(8192);
    const bogus = await tampered(-8192);
    for (let i = 0; i < 4; i++) await genuine();
    const values = published();
    expect(values).not.toContain(bogus);
    expectNeverDecreasing(values);
    expect(await rejected('PLAUSIBILITY_ENERGY_DECREASE')).toBe(before + 1);
    expect(backend.process.exitCode).toBeNull();
  });
});
