/**
 * The watchdog's logic (monitor/liveness.ts) with a controlled clock, the pipeline's liveness probe through the real
 * Pipeline, decoder and state store (only the byte source is a stub), and GET api/watchdog through the real fastify
 * server with the ingress guard on (inject). The real service with a really blocked event loop is
 * test/integration/watchdog.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushSink } from '../../src/outputs/types.js';
import type { AcceptedPush } from '../../src/pipeline/events.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { LIVENESS_CODES, Watchdog, watchdogTimingsFromEnv, DEFAULT_WATCHDOG_TIMINGS, type LivenessProblem } from '../../src/monitor/liveness.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { createLogger } from '../../src/shared/logger.js';
import { encodeNetzNoePush, type NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';
import { BaseSource } from '../../src/transport/types.js';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import type { LiveSource } from '../../src/contract/dto.js';
import { buildServer } from '../../src/web/server.js';

const TIMINGS = { intervalMs: 100, blockedMs: 1000, holdMs: 5000 };
/**
 * Only the interval timers (the heartbeat, the pipeline's tick) and the clock are faked: vitest's own worker RPC
 * times out with setTimeout, which advancing a faked setTimeout by minutes would fire ("Timeout calling onTaskUpdate").
 */
const FAKE = ['setInterval', 'clearInterval', 'Date'] as const;

describe('Watchdog (event loop heartbeat)', () => {
  let now = 0;
  const clock = () => now;
  let dog: Watchdog;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: [...FAKE] });
    now = 1_000_000;
    dog = new Watchdog(TIMINGS, clock);
    dog.start();
  });
  afterEach(() => {
    dog.stop();
    vi.useRealTimers();
  });

  /** Advances both the watchdog's clock and the timers, so heartbeats fire as in a free event loop. */
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      now += 10;
      vi.advanceTimersByTime(10);
    }
  };

  it('is ok while heartbeats come on time, also for long stretches', () => {
    run(30_000);
    expect(dog.verdict()).toEqual({ ok: true, problems: [] });
  });

  it('fails while the loop is blocked (a request served before the overdue heartbeat) and names the duration', () => {
    run(500);
    now += 2500; // the loop was blocked: no timer ran
    const v = dog.verdict();
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.code)).toEqual(['EVENT_LOOP_BLOCKED']);
    expect(v.problems[0]?.detail).toMatch(/did not run for 2\d{3} ms/);
  });

  it('keeps failing for holdMs after a block ended, then recovers', () => {
    run(500);
    now += 2500;
    vi.advanceTimersByTime(2500); // the overdue heartbeat runs once and records the block
    expect(dog.verdict().problems[0]?.detail).toMatch(/was blocked for 2\d{3} ms, 0 s ago/);
    run(TIMINGS.holdMs - 500);
    expect(dog.verdict().ok).toBe(false);
    run(1000);
    expect(dog.verdict()).toEqual({ ok: true, problems: [] });
  });

  it('ignores a heartbeat late by less than blockedMs (a GC pause)', () => {
    run(500);
    now += TIMINGS.blockedMs - 200;
    vi.advanceTimersByTime(TIMINGS.blockedMs - 200);
    expect(dog.verdict().ok).toBe(true);
  });

  it('adds the problems of every watched probe', () => {
    const problem: LivenessProblem = { code: 'PIPELINE_STALLED', detail: 'x' };
    let failing = false;
    dog.watch({ liveness: () => null });
    dog.watch({ liveness: () => (failing ? problem : null) });
    expect(dog.verdict().ok).toBe(true);
    failing = true;
    expect(dog.verdict()).toEqual({ ok: false, problems: [problem] });
  });

  it('takes timings from the environment and ignores nonsense', () => {
    expect(watchdogTimingsFromEnv({})).toEqual(DEFAULT_WATCHDOG_TIMINGS);
    expect(watchdogTimingsFromEnv({ SMR_WATCHDOG_BLOCKED_MS: '1500', SMR_WATCHDOG_HOLD_MS: 'x', SMR_WATCHDOG_INTERVAL_MS: '-3' })).toEqual({
      ...DEFAULT_WATCHDOG_TIMINGS,
      blockedMs: 1500,
    });
  });
});

class StubSource extends BaseSource {
  readonly description = 'stub';
  constructor(readonly reconnects = false) {
    super();
  }
  start(): void {}
  async stop(): Promise<void> {}
  /** What SerialSource/TcpSource do on every attempt (public for the test). */
  report(state: 'opening' | 'error', detail: string): void {
    this.setStatus(state, detail, state === 'error' ? 'no_port' : null);
  }
}

/** A sink that can be switched to throwing, as a broken output would. */
class SwitchableSink implements PushSink {
  broken = false;
  pushes = 0;
  publishPush(_push: AcceptedPush): void {
    if (this.broken) throw new Error('sink broken');
    this.pushes++;
  }
  publishDiagnostics(): void {}
}

describe('Pipeline liveness probe', () => {
  const KEY = Uint8Array.from(Buffer.from(SIMULATOR_KEY_HEX, 'hex'));
  const SYSTEM_TITLE = Uint8Array.from(Buffer.from('4B464D6750001234', 'hex'));
  let counter = 0;
  const push = (at: number): Uint8Array => {
    counter++;
    const values: NetzNoeValues = {
      time: new Date(at),
      utcOffsetMinutes: 60,
      energyImportWh: 1_000_000 + counter,
      energyExportWh: 0,
      powerImportW: 500,
      powerExportW: 0,
      voltage: [230, 230, 230],
      current: [1, 1, 1],
      powerFactor: 0.99,
      meterNumber: '1',
    };
    return encodeNetzNoePush(values, KEY, SYSTEM_TITLE, counter);
  };

  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00Z'), toFake: [...FAKE] }));
  afterEach(() => vi.useRealTimers());

  function setup(source = new StubSource()) {
    const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: () => null });
    const sink = new SwitchableSink();
    const log = createLogger({ level: 'error', sink: { write: () => {} } });
    const pipeline = new Pipeline(source, { key: KEY, authKey: null, framing: 'auto', stalledAfterMs: 10_000 }, log);
    pipeline.subscribe({ accepted: (p) => sink.publishPush(p) });
    pipeline.subscribe(new MeterMonitor(state, log));
    return { pipeline, sink, source };
  }

  it('is not dead while the meter is silent, however long', () => {
    const { pipeline } = setup();
    pipeline.start();
    vi.advanceTimersByTime(10 * 60_000);
    expect(pipeline.liveness()).toBeNull();
  });

  it('is PIPELINE_STALLED when the source keeps delivering and no chunk completes, and recovers with the next one', () => {
    const { pipeline, sink } = setup();
    pipeline.start();
    pipeline.handleChunk(push(Date.now()));
    expect(sink.pushes).toBe(1);
    sink.broken = true;
    for (let s = 1; s <= 12; s++) {
      vi.advanceTimersByTime(1000);
      expect(() => pipeline.handleChunk(push(Date.now()))).toThrow('sink broken');
      if (s < 10) expect(pipeline.liveness(), `after ${s} s`).toBeNull();
    }
    expect(pipeline.liveness()?.code).toBe('PIPELINE_STALLED');
    sink.broken = false;
    vi.advanceTimersByTime(1000);
    pipeline.handleChunk(push(Date.now()));
    expect(sink.pushes).toBe(2);
    expect(pipeline.liveness()).toBeNull();
  });

  it('is PIPELINE_STOPPED when its timer no longer runs (stopped without a shutdown), not after a clean stop', async () => {
    const { pipeline } = setup();
    pipeline.start();
    vi.advanceTimersByTime(1000);
    expect(pipeline.liveness()).toBeNull();
    vi.clearAllTimers(); // the tick timer is gone, the pipeline object still thinks it runs
    vi.setSystemTime(Date.now() + 15_000);
    expect(pipeline.liveness()?.code).toBe('PIPELINE_STOPPED');
    await pipeline.stop();
    expect(pipeline.liveness()).toBeNull();
  });
});

describe('Pipeline liveness probe: sources that reconnect by themselves', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00Z'), toFake: [...FAKE] }));
  afterEach(() => vi.useRealTimers());

  function setup(source: StubSource) {
    const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: () => null });
    const log = createLogger({ level: 'error', sink: { write: () => {} } });
    const pipeline = new Pipeline(source, { key: null, authKey: null, framing: 'auto', sourceStuckAfterMs: 60_000 }, log);
    pipeline.subscribe(new MeterMonitor(state, log));
    pipeline.start();
    return pipeline;
  }

  it('is fine while the source retries a missing port (its status passes through opening every few seconds)', () => {
    const source = new StubSource(true);
    const pipeline = setup(source);
    for (let s = 0; s < 300; s += 3) {
      source.report('opening', 'opening /dev/ttyUSB0');
      vi.advanceTimersByTime(100);
      source.report('error', '/dev/ttyUSB0 does not exist');
      vi.advanceTimersByTime(2900);
      expect(pipeline.liveness()).toBeNull();
    }
  });

  it('is SOURCE_STOPPED when such a source stays at error (its retry loop died), and recovers when it retries', () => {
    const source = new StubSource(true);
    const pipeline = setup(source);
    source.report('error', '/dev/ttyUSB0 does not exist');
    vi.advanceTimersByTime(59_000);
    expect(pipeline.liveness()).toBeNull();
    vi.advanceTimersByTime(2000);
    expect(pipeline.liveness()).toEqual({ code: 'SOURCE_STOPPED', detail: 'stub stopped retrying: "/dev/ttyUSB0 does not exist" for 61 s' });
    source.report('opening', 'opening /dev/ttyUSB0');
    expect(pipeline.liveness()).toBeNull();
  });

  it('never for a source whose error may be final (no port configured, replay ended)', () => {
    const source = new StubSource(false);
    const pipeline = setup(source);
    source.report('error', 'no serial port or TCP address configured');
    vi.advanceTimersByTime(10 * 60_000);
    expect(pipeline.liveness()).toBeNull();
  });

  it('the serial and TCP sources declare that they reconnect', async () => {
    const { SerialSource } = await import('../../src/transport/serial/SerialSource.js');
    const { TcpSource } = await import('../../src/transport/tcp/TcpSource.js');
    const log = createLogger({ level: 'error', sink: { write: () => {} } });
    expect(new SerialSource({ path: '/dev/null-not-a-port', settings: 'auto', watchdogMs: 30_000 }, log).reconnects).toBe(true);
    expect(new TcpSource('127.0.0.1', 9, 30_000, log).reconnects).toBe(true);
  });
});

describe('GET api/watchdog (fastify inject, ingress guard on)', () => {
  const source = { snapshot: () => ({}), subscribe: () => () => {}, capture: () => '', testKey: () => ({}) } as unknown as LiveSource;

  it('answers 200 ok or 503 failing with the problem codes, to the Supervisor and loopback only', async () => {
    let problems: LivenessProblem[] = [];
    const app = buildServer({ source, addonMode: true, uiDir: '/nonexistent', version: 't', watchdog: { verdict: () => ({ ok: problems.length === 0, problems }) } });
    const ok = await app.inject({ url: '/api/watchdog', remoteAddress: '172.30.32.2' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', problems: [] });
    problems = [{ code: 'EVENT_LOOP_BLOCKED', detail: 'the event loop was blocked for 6000 ms, 3 s ago' }];
    const failing = await app.inject({ url: '/api/watchdog', remoteAddress: '127.0.0.1' });
    expect(failing.statusCode).toBe(503);
    expect(failing.json()).toEqual({ status: 'failing', problems });
    expect(LIVENESS_CODES).toContain(failing.json<{ problems: LivenessProblem[] }>().problems[0]?.code);
    const foreign = await app.inject({ url: '/api/watchdog', remoteAddress: '192.168.1.20' });
    expect(foreign.statusCode).toBe(403);
    await app.close();
  });
});
