/**
 * The history is fed behind the plausibility guard, exactly like MQTT: the real Pipeline, decoder, guard and
 * state store decode encrypted Netz NÖ pushes (the simulator's encoder, the leaflet's key); the history store
 * writes to a temporary directory. Only the byte source is a stub and the clock is injected.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import type { AcceptedPush, PipelineListener } from '../../src/pipeline/events.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { fromHex } from '../../src/shared/hex.js';
import { createLogger } from '../../src/shared/logger.js';
import { HISTORY_FILE, HistoryStore } from '../../src/store/HistoryStore.js';
import { binaryCodec } from '../../src/store/recordLog.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import { BaseSource } from '../../src/transport/types.js';

class StubSource extends BaseSource {
  readonly description = 'stub';
  start(): void {}
  async stop(): Promise<void> {}
}

class Mqtt implements PipelineListener {
  readonly importWh: number[] = [];
  accepted(p: AcceptedPush): void {
    this.importWh.push(p.readings['1-0:1.8.0']!.value as number);
  }
}

const KEY = fromHex(SIMULATOR_KEY_HEX);
const TITLE = Uint8Array.from(Buffer.from('4B464D6750004242', 'hex'));
let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'smr-history-guard-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('a push the guard rejects (counter jump, counter decrease) never reaches the history, on disk or in the view', () => {
  let now = Date.parse('2026-12-03T09:10:00Z');
  const clock = () => now;
  const log = createLogger({ level: 'error', sink: { write: () => {} } });
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: false, keyOf: () => null, clock });
  const mqtt = new Mqtt();
  const history = new HistoryStore({ dir, log, timeZone: 'Europe/Vienna', clock });
  const pipeline = new Pipeline(new StubSource(), { key: KEY, authKey: null, framing: 'auto' }, log, clock);
  for (const listener of [mqtt, history, new MeterMonitor(state, log)]) pipeline.subscribe(listener);
  let fc = 1;
  const push = (energyImportWh: number) => {
    const time = new Date(now);
    pipeline.handleChunk(
      encodeNetzNoePush(
        { time, utcOffsetMinutes: 60, energyImportWh, energyExportWh: 500, powerImportW: 300, powerExportW: 0, voltage: [230, 231, 229], current: [0.5, 0.4, 0.3], powerFactor: 0.95, meterNumber: '100042424242' },
        KEY,
        TITLE,
        fc++,
      ),
    );
    now += 5000;
  };
  push(10_000);
  push(10_001);
  push(10_001 + 10_000_000); // +10 MWh in 5 s: PLAUSIBILITY_ENERGY_JUMP
  push(9_000); // backwards: PLAUSIBILITY_ENERGY_DECREASE
  push(10_003);
  expect(mqtt.importWh).toEqual([10_000, 10_001, 10_003]);
  const errors = state.snapshot().health.counters.errors;
  expect(errors.PLAUSIBILITY_ENERGY_JUMP).toBe(1);
  expect(errors.PLAUSIBILITY_ENERGY_DECREASE).toBe(1);

  const hour = history.view().hours.find((h) => h.t === Date.parse('2026-12-03T09:00:00Z'));
  expect(hour).toMatchObject({ importWh: 3, exportWh: 0 });
  history.close();
  const stored = binaryCodec.decode(readFileSync(join(dir, HISTORY_FILE))).records;
  const counters = stored.filter((r) => r.kind === 'S' || r.kind === 'B').map((r) => r.a);
  expect(counters).toEqual([10_000, 10_003]);
  expect(stored.every((r) => r.a < 1_000_000)).toBe(true);
  // and after a restart the rejected values are still absent
  const reopened = new HistoryStore({ dir, log, timeZone: 'Europe/Vienna', clock });
  expect(reopened.view().hours.find((h) => h.t === Date.parse('2026-12-03T09:00:00Z'))).toMatchObject({ importWh: 3 });
});
