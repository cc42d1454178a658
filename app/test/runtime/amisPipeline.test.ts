/**
 * The AMIS link inside the real Pipeline (decoder, state store, problem log), with a writable stub source and fake
 * time (pure unit test): E5 goes out before decoding, only where the framing allows it, and link problems are
 * logged once with their code and recovered with the next push.
 */
import { describe, expect, it } from 'vitest';
import { AMIS_SND_NKE, encodeAmisFrame } from '../../src/mbus/amisEncode.js';
import type { AcceptedPush, PipelineListener } from '../../src/pipeline/events.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { lookupObis } from '../../src/outputs/homeassistant/registry.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { createLogger } from '../../src/shared/logger.js';
import { BaseSource } from '../../src/transport/types.js';
import { SimulatedAmisMeter } from '../support/amisMeter.js';

const KEY = Uint8Array.from(Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex'));

class WritableStub extends BaseSource {
  readonly description = 'stub';
  readonly written: number[] = [];
  confirmations = 0;
  override confirm(): void {
    this.confirmations++;
  }
  write(bytes: Uint8Array): boolean {
    this.written.push(...bytes);
    return true;
  }
  start(): void {
    this.setStatus('open', 'stub open', null, '9600 8E1');
  }
  async stop(): Promise<void> {}
}

function setup(framing: 'auto' | 'amis' | 'mbus', writable = true) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const lines: string[] = [];
  const log = createLogger({ level: 'info', clock: () => new Date(now), sink: { write: (l) => lines.push(l) } });
  const source = writable ? new WritableStub() : Object.assign(new WritableStub(), { write: undefined });
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: (o) => lookupObis(o)?.key ?? null, clock: () => now });
  const pushes: AcceptedPush[] = [];
  const sink: PipelineListener = { accepted: (p) => void pushes.push(p) };
  const pipeline = new Pipeline(source, { key: KEY, authKey: null, framing }, log, () => now);
  pipeline.subscribe(sink);
  pipeline.subscribe(new MeterMonitor(state, log));
  pipeline.start();
  return { source, state, pipeline, pushes, lines, advance: (ms: number) => (now += ms) };
}

const frame = (n: number) => encodeAmisFrame(SimulatedAmisMeter.values(n, 5_000_000 + n), KEY, n);

describe('Pipeline with the AMIS link', () => {
  it('answers search and data frames with E5, confirms 9600 8E1, and publishes the decoded values', async () => {
    const t = setup('auto');
    t.pipeline.handleChunk(AMIS_SND_NKE);
    expect(t.source.written).toEqual([0xe5]);
    expect(t.source.confirmations).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      t.advance(1000);
      t.pipeline.handleChunk(frame(i));
    }
    expect(t.source.written).toEqual([0xe5, 0xe5, 0xe5, 0xe5]);
    expect(t.pushes.length).toBeGreaterThanOrEqual(2);
    expect(t.pushes.at(-1)!.readings['1-0:1.128.0']).toEqual({ value: -4321, unit: 'Wh' });
    expect(t.lines.join('\n')).toMatch(/AMIS link synced/);
    await t.pipeline.stop();
  });

  it('with framing amis too; never with another explicit framing or a receive-only source', async () => {
    const amis = setup('amis');
    amis.pipeline.handleChunk(AMIS_SND_NKE);
    expect(amis.source.written).toEqual([0xe5]);
    const mbus = setup('mbus');
    mbus.pipeline.handleChunk(Buffer.concat([AMIS_SND_NKE, frame(0)]));
    expect(mbus.source.written).toEqual([]);
    const readOnly = setup('auto', false);
    readOnly.pipeline.handleChunk(Buffer.concat([AMIS_SND_NKE, frame(0)]));
    expect(readOnly.state.health().counters.decoded).toBe(1); // decodes, just cannot answer
    for (const t of [amis, mbus, readOnly]) await t.pipeline.stop();
  });

  it('search frames without data: AMIS_HEAD_SILENT warned once, status head_not_transmitting, recovery logged when data flows', async () => {
    const t = setup('auto');
    for (let i = 0; i < 4; i++) {
      t.pipeline.handleChunk(AMIS_SND_NKE);
      // the pipeline's 250 ms timer, driven by hand on the fake clock
      for (let ms = 0; ms < 60_000; ms += 250) {
        t.advance(250);
        (t.pipeline as unknown as { tick(): void }).tick();
      }
    }
    const warnings = t.lines.filter((l) => l.includes('[framing] AMIS_HEAD_SILENT'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARN .*\[framing\] AMIS_HEAD_SILENT: only search frames, no data/);
    // one status line for the change, no "no_data" in between: the minute between search frames is explained
    expect(t.lines.filter((l) => l.includes('[status]') && l.includes('head_not_transmitting'))).toHaveLength(1);
    expect(t.lines.filter((l) => l.includes('[status] no_data'))).toEqual([]);
    expect(t.state.diagnostics()).toMatchObject({ status: 'head_not_transmitting', statusCode: 'AMIS_HEAD_SILENT', linkStatus: 'amis_head_silent' });
    t.pipeline.handleChunk(frame(0));
    t.advance(1000);
    t.pipeline.handleChunk(frame(1));
    expect(t.lines.join('\n')).toMatch(/AMIS_HEAD_SILENT: recovered/);
    expect(t.state.diagnostics().status).not.toBe('head_not_transmitting');
    await t.pipeline.stop();
  });

  it('AMIS frames read at 8N1: AMIS_PARITY warned once naming 9600 8E1, nothing written', async () => {
    const t = setup('auto');
    const at8N1 = Uint8Array.from([0x10, 0x40, 0x00, 0x00, 0x16]);
    for (let i = 0; i < 3; i++) {
      t.pipeline.handleChunk(at8N1);
      t.advance(1000);
    }
    expect(t.source.written).toEqual([]);
    expect(t.lines.filter((l) => l.includes('[framing] AMIS_PARITY'))).toHaveLength(1);
    expect(t.lines.join('\n')).toMatch(/AMIS_PARITY: parity errors: AMIS meters \(Netz Oberösterreich\) use 9600 baud 8E1/);
    expect(t.state.diagnostics()).toMatchObject({ status: 'serial_settings', statusCode: 'AMIS_PARITY' });
    await t.pipeline.stop();
  });
});
