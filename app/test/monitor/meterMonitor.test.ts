/**
 * The monitor as a pure unit: pipeline events in → view model, diagnostics and log lines out. Events are fed by
 * hand (no pipeline, no source); decode results come from the real decoder on simulator pushes; time is an injected
 * clock, and the pipeline's heartbeat is `monitor.tick(now)`: no timers, no sleeps.
 */
import { describe, expect, it } from 'vitest';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import type { AmisLinkView } from '../../src/framing/mbus/AmisLink.js';
import { SILENCE_TIMEOUT_MS } from '../../src/monitor/health.js';
import { MeterMonitor, pushSummary, type MeterMonitorOptions } from '../../src/monitor/MeterMonitor.js';
import { SUMMARY_EVERY_MS } from '../../src/monitor/problemLog.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import type { Diagnostics } from '../../src/monitor/types.js';
import type { AcceptedPush, DecodedResult, FailedResult, Rejection } from '../../src/pipeline/events.js';
import type { LiveMessage } from '../../src/contract/dto.js';
import { problem } from '../../src/shared/errors.js';
import { fromHex } from '../../src/shared/hex.js';
import { createLogger, type LogLevel } from '../../src/shared/logger.js';
import { amisLinkView, netzNoeValues } from '../support/unitValues.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import type { SourceStatus } from '../../src/transport/types.js';

const KEY = fromHex(SIMULATOR_KEY_HEX);
const T0 = Date.parse('2026-12-03T10:00:00Z');
let fc = 1;

function pushBytes(energyImportWh: number, at: number, meterNumber = '100042424242'): Uint8Array {
  const values = netzNoeValues(new Date(at), { energyImportWh, powerExportW: 20, meterNumber });

  return encodeNetzNoePush(values, KEY, Uint8Array.from(Buffer.from('4B464D6750004242', 'hex')), fc++);
}

/** The one result the real decoder gives for these bytes. */
function decode(bytes: Uint8Array, key = KEY): DecodeResult {
  const d = new StreamDecoder({ key, authKey: null, framing: 'auto' });
  const results = [...d.push(bytes), ...d.flush()];
  expect(results).toHaveLength(1);
  return results[0]!;
}

const JUMP: Rejection = {
  ok: false,
  ...problem('PLAUSIBILITY_ENERGY_JUMP', 'rose', { obis: '1-0:1.8.0', rise: 10_000_000, seconds: 5, allowed: 12, unit: 'Wh', limit: '2.0', limitUnit: 'kW', connectionKw: '43.5' }),
};

const open = (at: number): SourceStatus => ({ state: 'open', detail: 'fake open', hintId: null, since: new Date(at), settings: '2400 8E1' });

const amis = (state: AmisLinkView['state'], extra: Partial<AmisLinkView> = {}): AmisLinkView => amisLinkView(state, T0, extra);

function setup(options: MeterMonitorOptions = {}) {
  let now = T0;
  const lines: { level: LogLevel; text: string }[] = [];
  const log = createLogger({
    level: 'debug',
    clock: () => new Date(now),
    sink: {
      write: (line) => {
        const label = line.slice(25, 30).trim();
        const level: LogLevel = label === 'DEBUG' ? 'debug' : label === 'INFO' ? 'info' : label === 'WARN' ? 'warning' : 'error';
        lines.push({ level, text: line.slice(31).trimEnd() });
      },
    },
  });
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'fake', discoveryEnabled: true, keyOf: () => null, clock: () => now });
  const monitor = new MeterMonitor(state, log, options);
  const diagnostics: Diagnostics[] = [];
  monitor.onDiagnostics((d) => diagnostics.push(d));
  monitor.mqttStatusChanged({ state: 'connected', detail: 'connected', since: new Date(now), discoveryAt: null });
  monitor.sourceStatusChanged(open(now), now);
  monitor.started(now);
  const t = {
    monitor,
    state,
    lines,
    diagnostics,
    now: () => now,
    advance: (ms: number) => (now += ms),
    /** Heartbeats every 250 ms for `ms`, as the pipeline's timer would give them. */
    run: (ms: number) => {
      for (let i = 0; i < ms; i += 250) {
        now += 250;
        monitor.tick(now);
      }
    },
    /** What the pipeline says for one push that decoded and passed the judge. */
    accept: (energyWh: number, meterNumber?: string): AcceptedPush => {
      const bytes = pushBytes(energyWh, now, meterNumber);
      const result = decode(bytes) as DecodedResult;
      const push: AcceptedPush = { meter: result.push.meter, time: result.push.time, readings: result.push.readings, derived: result.push.derived, receivedAt: new Date(now) };
      monitor.bytesReceived(bytes.length);
      monitor.accepted(push, result);
      return push;
    },
    reject: (energyWh: number, rejection: Rejection = JUMP, meterNumber?: string) => {
      const bytes = pushBytes(energyWh, now, meterNumber);
      monitor.bytesReceived(bytes.length);
      monitor.rejected(decode(bytes) as DecodedResult, rejection, now);
    },
    failWrongKey: () => {
      const bytes = pushBytes(1, now);
      monitor.bytesReceived(bytes.length);
      monitor.failed(decode(bytes, KEY.map((b) => b ^ 0xa5)) as FailedResult, now);
    },
    status: () => lines.filter((l) => l.text.startsWith('[status]')).map((l) => `${l.level} ${l.text}`),
    atLeast: (level: 'info' | 'warning') => lines.filter((l) => l.level === 'warning' || l.level === 'error' || (level === 'info' && l.level === 'info')),
  };
  return t;
}

describe('MeterMonitor: reader status over time (injected clock, heartbeats by hand)', () => {
  it('starting → ok → no_data after the silence timeout → ok again: one status line per change, none in between', () => {
    const t = setup();
    expect(t.status()).toEqual([]); // `starting` is not announced
    t.accept(10_000);
    expect(t.status()).toEqual(['info [status] ok: pushes are decoded and published']);
    t.run(SILENCE_TIMEOUT_MS - 250);
    expect(t.status()).toHaveLength(1);
    t.run(250);
    expect(t.status().slice(1)).toEqual([expect.stringMatching(/^warning \[status\] no_data \(bytes no_bytes\): /)]);
    t.run(60_000);
    expect(t.status()).toHaveLength(2);
    expect(t.state.readerStatus().status).toBe('no_data');
    t.accept(10_001);
    expect(t.status()).toHaveLength(3);
    expect(t.status()[2]).toBe('info [status] ok: pushes are decoded and published');
  });

  it('after stopping (shutdown) a closing source is no problem to report: no status line, no diagnostics', () => {
    const t = setup();
    t.accept(10_000);
    const sent = t.diagnostics.length;
    t.monitor.stopping();
    t.monitor.sourceStatusChanged({ state: 'closed', detail: 'fake closed', hintId: 'port_closed', since: new Date(t.now()), settings: null }, t.now());
    t.run(SILENCE_TIMEOUT_MS * 2);
    expect(t.status()).toEqual(['info [status] ok: pushes are decoded and published']);
    expect(t.diagnostics).toHaveLength(sent);
  });
});

describe('MeterMonitor: diagnostics for the outputs', () => {
  it('go out when they change, not for the same state, and every diagnosticsEveryMs as a backstop', () => {
    const t = setup({ diagnosticsEveryMs: 60_000 });
    expect(t.diagnostics.map((d) => d.status)).toEqual(['starting']);
    t.accept(10_000);
    expect(t.diagnostics).toHaveLength(2);
    expect(t.diagnostics[1]).toMatchObject({ status: 'ok', statusCode: null, problem: 'none', linkStatus: 'ok', decodeErrors: 0, rejectedPushes: 0, lastPushAt: new Date(T0) });
    t.run(5000); // nothing changed
    expect(t.diagnostics).toHaveLength(2);
    t.reject(20_000_000);
    expect(t.diagnostics).toHaveLength(3);
    expect(t.diagnostics[2]).toMatchObject({ rejectedPushes: 1, decodeErrors: 1 });
    // a byte now and then (no silence, no noise): nothing that the diagnostics show changes
    const quiet = (ms: number) => {
      for (let i = 0; i < ms; i += 250) {
        if (i % 5000 === 0) t.monitor.bytesReceived(1);
        t.run(250);
      }
    };
    quiet(60_000 - 250);
    expect(t.diagnostics.slice(3)).toEqual([]);
    quiet(250); // 60 s after the last one: the backstop, unchanged content
    expect(t.diagnostics).toHaveLength(4);
    expect(t.diagnostics[3]).toEqual(t.diagnostics[2]);
  });

  it('a wrong key: decodeErrors count up and the status becomes wrong_key with its layer and code', () => {
    const t = setup();
    for (let i = 0; i < 3; i++) {
      t.failWrongKey();
      t.advance(5000);
    }
    expect(t.diagnostics.at(-1)).toMatchObject({ status: 'wrong_key', statusLayer: 'crypto', statusCode: 'CRYPTO_WRONG_KEY', decodeErrors: 3, lastPushAt: null });
    expect(t.state.health().counters.errors).toEqual({ CRYPTO_WRONG_KEY: 3 });
  });
});

describe('MeterMonitor: problem log', () => {
  it('a failure code is warned once with its layer, each failure at debug, summarised after the interval, recovery once', () => {
    const t = setup();
    const perInterval = SUMMARY_EVERY_MS / 5000;
    for (let i = 0; i < perInterval; i++) {
      t.failWrongKey();
      t.run(5000);
    }
    // the first failure warned with its cause; the summary on the heartbeat once 10 min have passed since that line
    const warned = t.lines.filter((l) => l.level === 'warning' && l.text.startsWith('[crypto] CRYPTO_WRONG_KEY: ')).map((l) => l.text);
    expect(warned).toEqual([
      expect.not.stringMatching(/pushes rejected/),
      `[crypto] CRYPTO_WRONG_KEY: ${perInterval - 1} pushes rejected in the last 10 min (failing since 2026-12-03T10:00:00.000Z)`,
    ]);
    expect(t.lines.filter((l) => l.level === 'debug' && l.text.startsWith('[crypto] CRYPTO_WRONG_KEY'))).toHaveLength(perInterval);
    t.run(5 * 60_000); // no new failure: no new summary
    expect(t.lines.filter((l) => l.text.includes('pushes rejected'))).toHaveLength(1);
    t.accept(10_000);
    expect(t.lines.filter((l) => l.text.includes('recovered')).map((l) => [l.level, l.text])).toEqual([
      ['info', `[crypto] CRYPTO_WRONG_KEY: recovered, pushes are accepted again (${perInterval} pushes failed over 15 min)`],
    ]);
    expect(t.monitor.activeProblems).toEqual([]);
  });

  it('a rejected push: the guard code warned once under [guard], the push line at debug only for accepted pushes', () => {
    const t = setup();
    const first = t.accept(10_000);
    t.advance(5000);
    t.reject(20_000_000);
    t.advance(5000);
    t.reject(20_000_001);
    const loud = t.atLeast('warning').map((l) => l.text);
    expect(loud).toEqual([`[guard] PLAUSIBILITY_ENERGY_JUMP: an energy counter rose faster than the connection allows: a corrupted push, held back (${JUMP.detail})`]);
    expect(t.lines.filter((l) => l.level === 'debug' && l.text.startsWith('[push] '))).toEqual([{ level: 'debug', text: `[push] ${pushSummary(first)}` }]);
    expect(pushSummary(first)).toBe(`meter 100042424242 ${first.time}: import 10.000 kWh, export 0.500 kWh, power 280 W net, 230/231/229 V`);
    expect(t.monitor.activeProblems).toEqual(['PLAUSIBILITY_ENERGY_JUMP']);
  });

  it('a different meter sending: one info line when it changes, already for the push the guard holds back', () => {
    const t = setup();
    t.accept(10_000);
    t.advance(5000);
    const newMeter: Rejection = { ok: false, ...problem('PLAUSIBILITY_NEW_METER', 'new_meter', { meter: '99', previous: '100042424242' }) };
    t.reject(10_001, newMeter, '99');
    const said = () => t.lines.filter((l) => l.text.includes('a different meter is sending')).map((l) => [l.level, l.text]);
    expect(said()).toEqual([['info', '[guard] a different meter is sending (99); its counters are guarded separately']]);
    t.advance(5000);
    t.accept(10_002, '99'); // its second push in a row: accepted, same meter as before, nothing more to say
    expect(said()).toHaveLength(1);
  });
});

describe('MeterMonitor: the panel’s view model', () => {
  it('an accepted push updates the live view and reaches the panel as one push message; a rejected one only as a frame', () => {
    const t = setup();
    const messages: LiveMessage[] = [];
    t.state.subscribe((m) => messages.push(m));
    t.accept(10_000);
    expect(messages.map((m) => m.type)).toEqual(['push']);
    const live = t.state.snapshot().live;
    expect(live.receivedAt).toBe(new Date(T0).toISOString());
    expect(live.netPowerW).toBe(280);
    expect(live.readings.find((r) => r.obis === '1-0:1.8.0')?.value).toBe(10_000);
    t.advance(5000);
    t.reject(20_000_000);
    expect(messages.map((m) => m.type)).toEqual(['push', 'frame']);
    const second = messages[1]!;
    const frame = second.type === 'frame' ? second.frame : null;
    expect(frame).toMatchObject({ ok: false, error: { code: 'PLAUSIBILITY_ENERGY_JUMP' } });
    // the rejected value never reaches the live view
    expect(t.state.snapshot().live.readings.find((r) => r.obis === '1-0:1.8.0')?.value).toBe(10_000);
    expect(t.state.snapshot().frames.map((f) => f.ok)).toEqual([false, true]);
  });

  it('counts bytes, frames and pushes from the events alone', () => {
    const t = setup();
    t.accept(10_000);
    t.failWrongKey();
    const c = t.state.health().counters;
    expect(c).toMatchObject({ pushes: 2, decoded: 1, failed: 1, errors: { CRYPTO_WRONG_KEY: 1 } });
    expect(c.bytes).toBeGreaterThan(200);
    expect(c.frames).toBe(2 * decode(pushBytes(1, T0)).trace.frames.length);
  });

  it('MQTT off shows as the broker status on the next heartbeat', () => {
    const t = setup();
    t.monitor.mqttStatusChanged({ state: 'off', detail: 'MQTT is off', since: new Date(t.now()), discoveryAt: null });
    t.run(250);
    expect(t.status()).toEqual([expect.stringMatching(/^warning \[status\] broker \(mqtt MQTT_OFF\): /)]);
  });
});

describe('MeterMonitor: AMIS link lines', () => {
  it('search, synced and lost are logged once per change; an echoing head once; the health view carries the link', () => {
    const t = setup();
    t.monitor.amisLinkChanged(amis('search', { searchFrames: 1 }), '9600 8E1', t.now());
    t.monitor.amisLinkChanged(amis('synced', { searchFrames: 1, dataFrames: 1 }), '9600 8E1', t.now());
    t.monitor.amisLinkChanged(amis('synced', { searchFrames: 1, dataFrames: 2, echoes: 1 }), '9600 8E1', t.now());
    t.monitor.amisLinkChanged(amis('synced', { searchFrames: 1, dataFrames: 3, echoes: 2 }), '9600 8E1', t.now());
    t.monitor.amisLinkChanged(amis('lost', { searchFrames: 1, dataFrames: 3, echoes: 2 }), '9600 8E1', t.now());
    expect(t.lines.filter((l) => l.text.startsWith('[amis]')).map((l) => `${l.level} ${l.text}`)).toEqual([
      'info [amis] AMIS meter searching for a reader (SND_NKE to 240): answered with E5',
      'info [amis] AMIS link synced: data frames arrive once a second and are acknowledged with E5',
      'warning [amis] AMIS_ECHO: the IR head echoes our own acknowledgements (E5) back: they are ignored, but a head without echo is more reliable (the IR head echoes our own E5 acknowledgements back; they are ignored)',
      'warning [amis] AMIS link lost: no data frame for a few seconds; the meter will search again',
    ]);
  });

  it('AMIS parity: warned once through the problem log, naming the line settings the event carries', () => {
    const t = setup();
    t.monitor.amisLinkChanged(amis('listening', { paritySignatures: 2 }), '9600 8N1', t.now());
    t.monitor.amisLinkChanged(amis('listening', { paritySignatures: 3 }), '9600 8N1', t.now());
    const parity = t.lines.filter((l) => l.text.includes('AMIS_PARITY') && l.level === 'warning' && !l.text.startsWith('[status]'));
    expect(parity).toHaveLength(1);
    expect(parity[0]!.text).toMatch(/^\[framing\] AMIS_PARITY: .*settings 9600 8N1/);
    expect(t.state.diagnostics()).toMatchObject({ status: 'serial_settings', statusCode: 'AMIS_PARITY' });
  });
});
