/**
 * The pipeline as a pure unit: bytes in → events out. A fake byte source (no I/O), the real decoder and judge,
 * pushes from the simulator's Netz NÖ encoder (the leaflet's key), an injected clock; the heartbeat with fake timers.
 * No monitor, no state store: the pipeline must work and say everything through its events alone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import { AMIS_SND_NKE } from '../../src/mbus/amisEncode.js';
import type { PipelineListener } from '../../src/pipeline/events.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { fromHex } from '../../src/shared/hex.js';
import { createLogger } from '../../src/shared/logger.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import { netzNoeValues } from '../support/unitValues.js';
import { BaseSource, type SourceState } from '../../src/transport/types.js';

const KEY = fromHex(SIMULATOR_KEY_HEX);
const TITLE = Uint8Array.from(Buffer.from('4B464D6750004242', 'hex'));
const T0 = Date.parse('2026-12-03T10:00:00Z');

class FakeSource extends BaseSource {
  readonly description = 'fake';
  readonly written: Uint8Array[] = [];
  confirmations = 0;
  constructor(
    private readonly order: string[] = [],
    writable = false,
  ) {
    super();
    if (!writable) (this as { write?: unknown }).write = undefined;
  }
  override confirm(): void {
    this.confirmations++;
  }
  write(bytes: Uint8Array): boolean {
    this.order.push('write');
    this.written.push(bytes);
    return true;
  }
  start(): void {
    this.order.push('source.start');
    this.report('open', '9600 8E1');
  }
  async stop(): Promise<void> {
    this.order.push('source.stop');
  }
  report(state: SourceState, settings: string | null = null): void {
    this.setStatus(state, `fake ${state}`, null, settings);
  }
  deliver(bytes: Uint8Array): void {
    this.emitData(bytes);
  }
}

type Event = readonly unknown[];

/** A listener that records every event as a tuple (name first). */
function recorder(order: string[] = []): { events: Event[]; listener: PipelineListener } {
  const events: Event[] = [];
  const add = (e: Event) => {
    events.push(e);
    order.push(String(e[0]));
  };
  return {
    events,
    listener: {
      started: (at) => add(['started', at]),
      stopping: () => add(['stopping']),
      bytesReceived: (count, at) => add(['bytes', count, at]),
      accepted: (push, result) => add(['accepted', push.readings['1-0:1.8.0']?.value, push.receivedAt.getTime(), result.ok]),
      rejected: (result, rejection, at) => add(['rejected', rejection.code, rejection.params.obis, at, result.push.meter.id]),
      failed: (result, at) => add(['failed', result.error.code, at]),
      sourceStatusChanged: (status, at) => add(['source', status.state, at]),
      amisLinkChanged: (view, settings, at) => add(['amis', view.state, settings, at]),
      tick: (now) => add(['tick', now]),
    },
  };
}

let fc = 1;
function push(energyImportWh: number, at: number, key = KEY): Uint8Array {
  const values = netzNoeValues(new Date(at), { energyImportWh });

  return encodeNetzNoePush(values, key, TITLE, fc++);
}

function setup(options: { writable?: boolean; framing?: 'auto' | 'mbus' } = {}) {
  let now = T0;
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', clock: () => new Date(now), sink: { write: (l) => lines.push(l) } });
  const order: string[] = [];
  const source = new FakeSource(order, options.writable ?? false);
  const pipeline = new Pipeline(source, { key: KEY, authKey: null, framing: options.framing ?? 'auto' }, log, () => now);
  const rec = recorder(order);
  pipeline.subscribe(rec.listener);
  return { pipeline, source, events: rec.events, order, lines, advance: (ms: number) => (now += ms), now: () => now };
}

describe('Pipeline: bytes in, events out', () => {
  it('a push that decodes and passes the judge: the byte count, then one accepted event with the clock as receive time', () => {
    const t = setup();
    const bytes = push(10_000, T0);
    t.pipeline.handleChunk(bytes);
    expect(t.events).toEqual([
      ['bytes', bytes.length, T0],
      ['accepted', 10_000, T0, true],
    ]);
    expect(t.source.confirmations).toBe(1);
  });

  it('one event per decode result, in order: three pushes in one chunk are three verdicts', () => {
    const t = setup();
    const chunk = Buffer.concat([push(10_000, T0), push(10_001, T0), push(10_002, T0)]);
    t.pipeline.handleChunk(chunk);
    expect(t.events.map((e) => e[0])).toEqual(['bytes', 'accepted', 'accepted', 'accepted']);
    expect(t.events.slice(1).map((e) => e[1])).toEqual([10_000, 10_001, 10_002]);
  });

  it('the judge drops a counter jump and a decrease (rejected, with code and parameters); the next true value is accepted', () => {
    const t = setup();
    for (const wh of [10_000, 10_001, 10_001 + 10_000_000, 9_000, 10_003]) {
      t.pipeline.handleChunk(push(wh, t.now()));
      t.advance(5000);
    }
    const verdicts = t.events.filter((e) => e[0] !== 'bytes');
    expect(verdicts).toEqual([
      ['accepted', 10_000, T0, true],
      ['accepted', 10_001, T0 + 5000, true],
      ['rejected', 'PLAUSIBILITY_ENERGY_JUMP', '1-0:1.8.0', T0 + 10_000, '100042424242'],
      ['rejected', 'PLAUSIBILITY_ENERGY_DECREASE', '1-0:1.8.0', T0 + 15_000, '100042424242'],
      ['accepted', 10_003, T0 + 20_000, true],
    ]);
  });

  it('a wrong key: a failed event with the code, nothing accepted, and no log line from the pipeline (the monitor logs)', () => {
    const t = setup();
    const wrong = KEY.map((b) => b ^ 0xa5);
    for (let i = 0; i < 5; i++) t.pipeline.handleChunk(push(10_000 + i, T0, wrong));
    expect(t.events.filter((e) => e[0] !== 'bytes')).toEqual(Array.from({ length: 5 }, () => ['failed', 'CRYPTO_WRONG_KEY', T0]));
    // checksum-valid M-Bus frames still prove the line settings, whatever the key
    expect(t.source.confirmations).toBe(5);
    expect(t.lines).toEqual([]);
  });

  it('listeners hear every event in the order they subscribed; an unsubscribed one hears nothing more', () => {
    const t = setup();
    const calls: string[] = [];
    const offA = t.pipeline.subscribe({ accepted: () => void calls.push('a') });
    t.pipeline.subscribe({ accepted: () => void calls.push('b') });
    t.pipeline.handleChunk(push(10_000, T0));
    offA();
    t.advance(5000);
    t.pipeline.handleChunk(push(10_001, t.now()));
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('an exception in a listener reaches the caller of handleChunk (the source handler logs it); decoding goes on', () => {
    const t = setup();
    let broken = true;
    t.pipeline.subscribe({
      accepted: () => {
        if (broken) throw new Error('listener bug');
      },
    });
    expect(() => t.pipeline.handleChunk(push(10_000, T0))).toThrow('listener bug');
    broken = false;
    t.advance(5000);
    t.pipeline.handleChunk(push(10_001, t.now()));
    expect(t.events.filter((e) => e[0] === 'accepted').map((e) => e[1])).toEqual([10_000, 10_001]);
    // through the source, the exception is caught and logged with its code; the source never sees it
    broken = true;
    t.pipeline.start();
    t.advance(5000);
    expect(() => t.source.deliver(push(10_002, t.now()))).not.toThrow();
    expect(t.lines.filter((l) => l.includes('PIPELINE_FAILURE'))).toHaveLength(1);
    void t.pipeline.stop();
  });
});

describe('Pipeline: AMIS acknowledgement first', () => {
  it('E5 is written before any listener hears of the bytes; the link change carries the line settings', () => {
    const t = setup({ writable: true });
    t.source.report('open', '9600 8E1');
    t.pipeline.handleChunk(AMIS_SND_NKE);
    expect(t.source.written.map((b) => [...b])).toEqual([[0xe5]]);
    expect(t.order).toEqual(['write', 'amis', 'bytes']);
    expect(t.events[0]).toEqual(['amis', 'search', '9600 8E1', T0]);
  });

  it('no E5 with an explicit non-AMIS framing, nor from a receive-only source', () => {
    const mbus = setup({ writable: true, framing: 'mbus' });
    mbus.pipeline.handleChunk(AMIS_SND_NKE);
    expect(mbus.source.written).toEqual([]);
    const readOnly = setup({ writable: false });
    readOnly.pipeline.handleChunk(AMIS_SND_NKE);
    expect(readOnly.order).toEqual(['bytes']);
  });
});

describe('Pipeline: start, heartbeat, stop (fake timers)', () => {
  afterEach(() => vi.useRealTimers());

  it('source status changes and the start go to the listeners; stopping is said before the source stops', async () => {
    const t = setup();
    t.pipeline.start();
    expect(t.order).toEqual(['source.start', 'source', 'started']);
    expect(t.events).toEqual([
      ['source', 'open', T0],
      ['started', T0],
    ]);
    await t.pipeline.stop();
    expect(t.order.slice(-2)).toEqual(['stopping', 'source.stop']);
  });

  it('ticks every 250 ms with the clock; a frame left incomplete is flushed after 1.5 s without bytes as one failed event', async () => {
    vi.useFakeTimers({ now: T0, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const lines: string[] = [];
    const source = new FakeSource();
    const pipeline = new Pipeline(source, { key: KEY, authKey: null, framing: 'auto' }, createLogger({ level: 'debug', sink: { write: (l) => lines.push(l) } }));
    const rec = recorder();
    pipeline.subscribe(rec.listener);
    pipeline.start();
    const whole = push(10_000, T0);
    pipeline.handleChunk(whole.subarray(0, 40));
    vi.advanceTimersByTime(1000);
    expect(rec.events.filter((e) => e[0] === 'tick').map((e) => e[1])).toEqual([T0 + 250, T0 + 500, T0 + 750, T0 + 1000]);
    expect(rec.events.some((e) => e[0] === 'failed')).toBe(false);
    vi.advanceTimersByTime(750);
    const failed = rec.events.filter((e) => e[0] === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]![2]).toBe(T0 + 1500);
    // the flush comes before the heartbeat of the same turn: listeners see the result, then the time
    const i = rec.events.indexOf(failed[0]!);
    expect(rec.events[i + 1]).toEqual(['tick', T0 + 1500]);
    await pipeline.stop();
    const ticks = rec.events.filter((e) => e[0] === 'tick').length;
    vi.advanceTimersByTime(5000);
    expect(rec.events.filter((e) => e[0] === 'tick')).toHaveLength(ticks);
  });
});
