/**
 * The live stream of the state store (issue 11, lean live stream): summaries in the snapshot, a push message with
 * only the changed values and no bytes, details on demand, and the health view only when it changed. Real decoder
 * on pushes encrypted like the Netz NÖ document push.
 */
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { StateStore, downsample } from '../../src/monitor/StateStore.js';
import type { LiveMessage } from '../../src/contract/dto.js';
import { netzNoePush, vectorBytes } from '../support/meterPush.js';

const KEY = '000102030405060708090A0B0C0D0E0F';

function setup(ringSize = 50) {
  let now = Date.UTC(2026, 11, 3, 6, 0, 0);
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: '/dev/ttyUSB0', discoveryEnabled: true, keyOf: () => null, clock: () => now, ringSize });
  state.setSourceStatus({ state: 'open', detail: '/dev/ttyUSB0 open at 2400 8E1', hintId: null, since: new Date(now), settings: '2400 8E1' });
  state.setMqttStatus({ state: 'connected', detail: 'connected', since: new Date(now), discoveryAt: new Date(now) });
  const decoder = new StreamDecoder({ key: Buffer.from(KEY, 'hex'), authKey: null });
  const messages: LiveMessage[] = [];
  state.subscribe((m) => messages.push(m));
  let counter = 0x100;
  const feed = (bytes: Buffer): DecodeResult => {
    now += 5000;
    state.recordBytes(bytes.length);
    const [result] = decoder.push(bytes);
    if (!result) throw new Error('no decode result');
    const accepted = result.ok ? { meter: result.push.meter, time: result.push.time, readings: result.push.readings, derived: result.push.derived, receivedAt: new Date(now) } : null;
    state.recordResult(result, null, accepted);
    return result;
  };
  const push = (energyWh: number) => feed(netzNoePush({ keyHex: KEY, meterNumber: 'M1', energyWh, frameCounter: counter++ }));
  return { state, messages, push, feed };
}

describe('live stream of the state store', () => {
  it('sends the whole live view once, then only the readings that changed, with counters and without bytes', () => {
    const t = setup();
    t.push(20_000);
    t.push(20_005);
    t.push(20_005);
    const [first, second, third] = t.messages.filter((m) => m.type === 'push');
    if (first?.type !== 'push' || second?.type !== 'push' || third?.type !== 'push') throw new Error('three pushes expected');
    expect(first.live?.readings.length).toBeGreaterThan(5);
    expect(first.health).toBeDefined();
    // the energy counter changed: the delta carries that reading only (the document push's other values repeat)
    expect(second.live).toBeUndefined();
    expect(second.delta?.readings.map((r) => r.obis)).toEqual(['1-0:1.8.0']);
    expect(second.delta?.readings[0]?.value).toBe(20_005);
    expect(third.delta?.readings).toEqual([]);
    // health unchanged apart from the counters: not sent again; the counters always are
    expect(second.health).toBeUndefined();
    expect(second.counters.decoded).toBe(2);
    // a summary, no bytes, no tree
    expect(second.frame).not.toHaveProperty('blocks');
    expect(second.frame).not.toHaveProperty('raw');
    expect(JSON.stringify(second).length).toBeLessThan(1500);
  });

  it('keeps details for GET api/frames/:id until the ring buffer evicts the push', () => {
    const t = setup(3);
    t.push(20_000);
    const record = t.state.frame(1);
    expect(record?.raw).toBe(netzNoePush({ keyHex: KEY, meterNumber: 'M1', energyWh: 20_000, frameCounter: 0x100 }).toString('hex').toUpperCase());
    expect(record?.blocks.map((b) => b.title.code)).toEqual(['block_mbus', 'block_mbus', 'block_apdu_ciphered', 'block_plaintext']);
    // the tree carries numbers, formatted by the panel
    const leaves = JSON.stringify(record?.tree);
    expect(leaves).toContain('"value":20000,"unit":"Wh"');
    for (let i = 0; i < 3; i++) t.push(20_001 + i);
    expect(t.state.frame(1)).toBeNull();
    expect(t.state.frame(4)?.id).toBe(4);
    const snapshot = t.state.snapshot();
    expect(snapshot.frames.map((f) => f.id)).toEqual([4, 3, 2]);
    expect(snapshot.frames[0]).not.toHaveProperty('blocks');
  });

  it('a push that does not decrypt shows its decryption output as failed, never as a decrypted data-notification', () => {
    const t = setup();
    const result = t.feed(vectorBytes('netznoe-doc-kaifa')); // encrypted with another key
    expect(result.ok).toBe(false);
    const record = t.state.frame(1)!;
    expect(record.ok).toBe(false);
    expect(record.error).toMatchObject({ stage: 'crypto', code: 'CRYPTO_WRONG_KEY' });
    expect(record.error).not.toHaveProperty('message');
    const titles = record.blocks.map((b) => b.title.code);
    expect(titles).not.toContain('block_plaintext');
    const output = record.blocks.find((b) => b.title.code === 'block_plaintext_invalid');
    expect(output).toMatchObject({ failed: true, fields: [] });
    expect(record.tree).toBeNull();
    // the frame message of the stream names the failure by code, with the decoder's technical detail
    const frame = t.messages.find((m) => m.type === 'frame');
    expect(frame?.type === 'frame' && frame.frame.error?.code).toBe('CRYPTO_WRONG_KEY');
  });

  it('the key test answers with codes: the layer and code that failed, nothing in English', () => {
    const t = setup();
    t.feed(vectorBytes('netznoe-doc-kaifa'));
    const wrong = t.state.testKey(Buffer.from(KEY, 'hex'), null);
    expect(wrong).toMatchObject({ tested: true, ok: false, error: { stage: 'crypto', code: 'CRYPTO_WRONG_KEY' } });
    expect(wrong).not.toHaveProperty('message');
  });

  it('downsamples the snapshot history to bucket means', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ t: i * 1000, importW: i % 2 ? 100 : 300, exportW: 0 }));
    const out = downsample(points, 100);
    expect(out).toHaveLength(100);
    expect(out.every((p) => p.importW === 200)).toBe(true);
    expect(out.at(-1)?.t).toBe(999_000);
    expect(downsample(points.slice(0, 5), 100)).toHaveLength(5);
  });
});
