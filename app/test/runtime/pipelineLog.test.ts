/**
 * Log discipline and serial confirmation through the real Pipeline, decoder and state store, on real captures
 * (app/test/fixtures/vectors) decoded with a wrong key. Only the byte source is a stub (pure unit test).
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostics } from '../../src/monitor/types.js';
import type { PushSink } from '../../src/outputs/types.js';
import type { AcceptedPush } from '../../src/pipeline/events.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { crc16arc } from '../../src/shared/crc.js';
import { Pipeline, provesLineSettings } from '../../src/pipeline/Pipeline.js';
import { MeterError } from '../../src/shared/errors.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { SUMMARY_EVERY_MS } from '../../src/monitor/problemLog.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { createLogger, type LogLevel } from '../../src/shared/logger.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import { BaseSource } from '../../src/transport/types.js';
import { keyOf, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

class StubSource extends BaseSource {
  readonly description = 'stub';
  confirmations = 0;
  override confirm(): void {
    this.confirmations++;
  }
  start(): void {}
  async stop(): Promise<void> {}
}

class RecordingSink implements PushSink {
  readonly pushes: AcceptedPush[] = [];
  readonly diagnostics: Diagnostics[] = [];
  publishPush(push: AcceptedPush): void {
    this.pushes.push(push);
  }
  publishDiagnostics(d: Diagnostics): void {
    this.diagnostics.push(d);
  }
}

const vector = (name: string): Vector => {
  const v = sharedVectors().find((x) => x.name === name);
  if (!v) throw new Error(`vector ${name} missing`);
  return v;
};

/** The key with every byte flipped: certainly wrong. */
const wrongKey = (hex: string): Uint8Array => keyOf(hex)!.map((b) => b ^ 0xa5);

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

function setup(key: Uint8Array | null, framing: 'auto' | 'raw' = 'auto', level: LogLevel = 'debug') {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = () => now;
  const lines: { level: LogLevel; text: string }[] = [];
  const log = createLogger({
    level,
    clock: () => new Date(now),
    sink: {
      write: (line) => {
        const label = line.slice(25, 30).trim();
        const lvl: LogLevel = label === 'DEBUG' ? 'debug' : label === 'INFO' ? 'info' : label === 'WARN' ? 'warning' : 'error';
        lines.push({ level: lvl, text: line.trimEnd() });
      },
    },
  });
  const source = new StubSource();
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: () => null, clock });
  state.setSourceStatus({ state: 'open', detail: 'stub open at 2400 8E1', hintId: null, since: new Date(now), settings: '2400 8E1' });
  state.setMqttStatus({ state: 'connected', detail: 'connected', since: new Date(now), discoveryAt: null });
  const sink = new RecordingSink();
  const pipeline = new Pipeline(source, { key, authKey: null, framing }, log, clock);
  const monitor = new MeterMonitor(state, log);
  pipeline.subscribe({ accepted: (p) => sink.publishPush(p) });
  monitor.onDiagnostics((d) => sink.publishDiagnostics(d));
  pipeline.subscribe(monitor);
  const atLeast = (l: LogLevel) => lines.filter((x) => RANK[x.level] >= RANK[l]);
  return {
    pipeline,
    source,
    state,
    sink,
    lines,
    atLeast,
    advance: (ms: number) => (now += ms),
  };
}

describe('pipeline log discipline', () => {
  const noe = vector('netznoe-doc-kaifa');

  it('100 pushes with a wrong key give at most 3 lines at info or above, naming layer and code; each push at debug', () => {
    const t = setup(wrongKey(noe.key));
    for (let i = 0; i < 100; i++) {
      t.pipeline.handleChunk(streamOf(noe));
      t.advance(5000);
    }
    const loud = t.atLeast('info');
    expect(loud.length, loud.map((l) => l.text).join('\n')).toBeLessThanOrEqual(3);
    expect(loud.some((l) => l.level === 'warning' && l.text.includes('[crypto] CRYPTO_WRONG_KEY: '))).toBe(true);
    expect(loud.some((l) => l.text.includes('[status] wrong_key (crypto CRYPTO_WRONG_KEY)'))).toBe(true);
    // every single push is still in the debug log
    expect(t.lines.filter((l) => l.level === 'debug' && l.text.includes('[crypto] CRYPTO_WRONG_KEY')).length).toBe(100);
    expect(t.state.readerStatus().status).toBe('wrong_key');
    expect(t.sink.pushes).toEqual([]);
  });

  it('summarises a persisting failure once the interval has passed (fake clock), not before', () => {
    const t = setup(wrongKey(noe.key));
    const summaries = () => t.atLeast('warning').filter((l) => /pushes rejected in the last/.test(l.text));
    const pushesPerInterval = SUMMARY_EVERY_MS / 5000;
    for (let i = 0; i < pushesPerInterval; i++) {
      t.pipeline.handleChunk(streamOf(noe));
      t.advance(5000);
    }
    expect(summaries()).toEqual([]);
    t.pipeline.handleChunk(streamOf(noe));
    expect(summaries().map((l) => l.text.slice(31))).toEqual([
      `[crypto] CRYPTO_WRONG_KEY: ${pushesPerInterval} pushes rejected in the last 10 min (failing since 2026-12-01T10:00:00.000Z)`,
    ]);
    for (let i = 0; i < 20; i++) {
      t.advance(5000);
      t.pipeline.handleChunk(streamOf(noe));
    }
    expect(summaries()).toHaveLength(1);
  });

  it('logs the recovery once at info when pushes decode again', () => {
    const t = setup(keyOf(noe.key));
    const values = {
      time: new Date(Date.UTC(2026, 0, 15, 11, 30, 0)),
      utcOffsetMinutes: 60,
      energyImportWh: 1000,
      energyExportWh: 0,
      powerImportW: 100,
      powerExportW: 0,
      voltage: [230, 230, 230] as [number, number, number],
      current: [1, 1, 1] as [number, number, number],
      powerFactor: 0.99,
      meterNumber: '1',
    };
    const otherKey = encodeNetzNoePush(values, wrongKey(noe.key), Uint8Array.from(Buffer.from('4B464D6750001234', 'hex')), 7);
    for (let i = 0; i < 10; i++) {
      t.pipeline.handleChunk(otherKey);
      t.advance(5000);
    }
    for (let i = 0; i < 10; i++) {
      t.pipeline.handleChunk(streamOf(noe));
      t.advance(5000);
    }
    expect(t.sink.pushes.length).toBeGreaterThan(0);
    const recovered = t.atLeast('info').filter((l) => l.text.includes('recovered'));
    expect(recovered.map((l) => [l.level, l.text.slice(31)])).toEqual([['info', '[crypto] CRYPTO_WRONG_KEY: recovered, pushes are accepted again (10 pushes failed over 50 s)']]);
    expect(t.atLeast('info').filter((l) => l.text.includes('[status] ok')).length).toBe(1);
    // accepted pushes are debug lines, not one info line per push
    expect(t.atLeast('info').filter((l) => l.text.includes('[push]'))).toEqual([]);
    expect(t.lines.filter((l) => l.level === 'debug' && l.text.includes('[push] meter')).length).toBe(10);
  });
});

describe('serial settings are confirmed by valid frames, not by decryption', () => {
  it('M-Bus frames with a valid checksum confirm the settings although the key is wrong', () => {
    const t = setup(wrongKey(vector('netznoe-doc-kaifa').key));
    t.pipeline.handleChunk(streamOf(vector('netznoe-doc-kaifa')));
    expect(t.sink.pushes).toEqual([]);
    expect(t.source.confirmations).toBeGreaterThan(0);
  });

  it('HDLC frames with a valid FCS confirm the settings although the key is wrong', () => {
    const v = vector('pocki80-wienernetze-am550');
    const t = setup(wrongKey(v.key));
    t.pipeline.handleChunk(streamOf(v));
    t.pipeline.handleChunk(streamOf(v));
    expect(t.sink.pushes).toEqual([]);
    expect(t.source.confirmations).toBeGreaterThan(0);
  });

  it('bare APDUs (no checksum) confirm only when they decode', () => {
    const v = vector('energyagent-steiermark-sagemcom-dsmr');
    const wrong = setup(wrongKey(v.key), 'raw');
    wrong.pipeline.handleChunk(streamOf(v));
    wrong.pipeline.handleChunk(streamOf(v));
    expect(wrong.source.confirmations).toBe(0);
    const right = setup(keyOf(v.key), 'raw');
    right.pipeline.handleChunk(streamOf(v));
    right.pipeline.handleChunk(streamOf(v));
    expect(right.sink.pushes.length).toBeGreaterThan(0);
    expect(right.source.confirmations).toBeGreaterThan(0);
  });

  it('noise confirms nothing', () => {
    const t = setup(null);
    t.pipeline.handleChunk(Uint8Array.from({ length: 2000 }, (_, i) => (i * 89 + 7) & 0xff));
    expect(t.source.confirmations).toBe(0);
    expect(t.state.readerStatus().status).toBe('serial_settings');
  });
});

describe('provesLineSettings: DSMR text inside a bare APDU', () => {
  const telegram = (body: string, crc?: number) => {
    const head = Buffer.from(body, 'latin1');
    const sum = crc ?? crc16arc(head, 0, head.length);
    return Uint8Array.from(Buffer.concat([head, Buffer.from(`${sum.toString(16).toUpperCase().padStart(4, '0')}\r\n`, 'latin1')]));
  };
  const failed = (plaintext: Uint8Array): DecodeResult => ({
    ok: false,
    error: new MeterError('DSMR_SYNTAX', 'no_end'),
    trace: { frames: [{ type: 'frame', framing: 'raw', bytes: plaintext, payloadStart: 0, payloadEnd: plaintext.length, segment: 0, final: true }], discarded: null, apdu: null, cipher: null, tag: 'none', plaintext },
  });
  const BODY = '/EST5\\253717584_A\r\n\r\n1-0:1.8.0(007112944*Wh)\r\n!';

  it('a telegram whose CRC verifies proves the settings even when it does not parse', () => {
    expect(provesLineSettings(failed(telegram(BODY)))).toBe(true);
  });

  it('a wrong CRC, or a bare APDU without a telegram, proves nothing', () => {
    expect(provesLineSettings(failed(telegram(BODY, 0x1234)))).toBe(false);
    expect(provesLineSettings(failed(Uint8Array.from([0x0f, 1, 2, 3])))).toBe(false);
  });
});
