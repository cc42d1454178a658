/**
 * Log lines of failures name their layer and code (`[layer] CODE: likely cause (what exactly)`), built from the
 * catalogue: through the real Pipeline, decoder, guard and state store, with pushes made by the Netz NÖ simulator's
 * encoder. Only the byte source is a stub (pure unit test, injected clock).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { ERROR_CODES } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { encodeNetzNoePush, type NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';
import { BaseSource } from '../../src/transport/types.js';

class StubSource extends BaseSource {
  readonly description = 'stub';
  start(): void {}
  async stop(): Promise<void> {}
}

const KEY = Uint8Array.from(Buffer.from('36C66639E48A8CA4D6BC8B282A793BBB', 'hex'));
const TITLE = Uint8Array.from(Buffer.from('4B464D1020000001', 'hex'));

const values = (energyImportWh: number, voltage = 231.5): NetzNoeValues => ({
  time: new Date('2026-12-01T10:00:00Z'),
  utcOffsetMinutes: 60,
  energyImportWh,
  energyExportWh: 0,
  powerImportW: 500,
  powerExportW: 0,
  voltage: [voltage, 230.1, 229.8],
  current: [1.5, 0.4, 0.3],
  powerFactor: 0.98,
  meterNumber: '1KFM0200000001',
});

function setup() {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', clock: () => new Date(now), sink: { write: (line) => lines.push(line.trimEnd()) } });
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: () => null, clock: () => now });
  const pipeline = new Pipeline(new StubSource(), { key: KEY, authKey: null, framing: 'auto' }, log, () => now);
  pipeline.subscribe(new MeterMonitor(state, log));
  let counter = 1;
  return {
    pipeline,
    lines,
    push: (v: NetzNoeValues) => {
      pipeline.handleChunk(encodeNetzNoePush(v, KEY, TITLE, counter++));
      now += 5000;
    },
  };
}

describe('failure log lines name layer and code', () => {
  it('a decode failure (layout), a guard rejection and a framing failure, each with its catalogue hint and detail', () => {
    const t = setup();
    t.push(values(5_000_000));
    t.push(values(5_000_000, 900)); // 900 V: no voltage a meter can measure, rejected by the decoder (layout stage)
    t.push(values(4_000_000)); // the counter went backwards: rejected by the guard
    // a push whose first M-Bus frame has a wrong checksum (68 L L 68 … CS 16: CS at L + 4)
    const corrupted = encodeNetzNoePush(values(5_000_000), KEY, TITLE, 99);
    corrupted[corrupted[1]! + 4]! ^= 0xff;
    t.pipeline.handleChunk(corrupted);
    const debug = t.lines.filter((l) => l.includes('DEBUG'));
    expect(debug.some((l) => l.includes(`[layout] VALUE_IMPLAUSIBLE: ${ERROR_CODES.VALUE_IMPLAUSIBLE.hint} (1-0:32.7.0 = 900 V: outside`))).toBe(true);
    expect(debug.some((l) => l.includes(`[framing] FRAME_CHECKSUM: ${ERROR_CODES.FRAME_CHECKSUM.hint} (`))).toBe(true);
    expect(debug.some((l) => l.includes(`[guard] PLAUSIBILITY_ENERGY_DECREASE: ${ERROR_CODES.PLAUSIBILITY_ENERGY_DECREASE.hint} (1-0:1.8.0 fell from 5000000 to 4000000 Wh`))).toBe(true);
  });
});
