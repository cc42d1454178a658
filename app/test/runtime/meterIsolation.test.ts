/**
 * A failure in one meter's pipeline never stalls another (several meters in one process): two real Pipelines with
 * real decoders and state stores on two real captures; only the byte sources are stubs (pure unit test). Meter A's
 * output throws on every push (a bug in its sink); its exception must not reach the source that delivered the
 * bytes, and meter B, fed in the same turn of the event loop, still publishes every push.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostics } from '../../src/monitor/types.js';
import type { PushSink } from '../../src/outputs/types.js';
import type { AcceptedPush } from '../../src/pipeline/events.js';
import { MeterMonitor } from '../../src/monitor/MeterMonitor.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { createLogger } from '../../src/shared/logger.js';
import { BaseSource } from '../../src/transport/types.js';
import { keyOf, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

class StubSource extends BaseSource {
  readonly description = 'stub';
  start(): void {}
  async stop(): Promise<void> {}
  /** Delivers bytes the way a serial port does: through the data listeners (the pipeline's guarded handler). */
  deliver(bytes: Uint8Array): void {
    this.emitData(bytes);
  }
}

class Sink implements PushSink {
  readonly pushes: AcceptedPush[] = [];
  constructor(private readonly failing = false) {}
  publishPush(push: AcceptedPush): void {
    this.pushes.push(push);
    if (this.failing) throw new Error('sink bug');
  }
  publishDiagnostics(_d: Diagnostics): void {}
}

const vector = (name: string): Vector => sharedVectors().find((v) => v.name === name)!;

function meter(v: Vector, sink: Sink, lines: string[]) {
  const source = new StubSource();
  const state = new StateStore({ version: 't', sourceKind: 'serial', sourceDescription: 'stub', discoveryEnabled: true, keyOf: () => null });
  const log = createLogger({ level: 'warning', sink: { write: (line) => lines.push(line) } });
  const pipeline = new Pipeline(source, { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: v.framing }, log);
  pipeline.subscribe({ accepted: (p) => sink.publishPush(p) });
  pipeline.subscribe(new MeterMonitor(state, log));
  pipeline.start();
  return { source, state, pipeline };
}

describe('one meter failing does not stall another', () => {
  it('an exception in meter A’s pipeline is caught and logged there; A reads on, B publishes every push', async () => {
    const evn = vector('energyagent-evn-sagemcom');
    const kaernten = vector('pocki80-kaerntennetz-am550');
    const linesA: string[] = [];
    const linesB: string[] = [];
    const sinkA = new Sink(true);
    const sinkB = new Sink();
    const a = meter(evn, sinkA, linesA);
    const b = meter(kaernten, sinkB, linesB);
    try {
      for (let i = 0; i < 3; i++) {
        expect(() => a.source.deliver(streamOf(evn))).not.toThrow();
        b.source.deliver(streamOf(kaernten));
      }
      // A kept decoding after each exception (its decoder and state are intact) …
      expect(sinkA.pushes).toHaveLength(3);
      expect(linesA.filter((l) => l.includes('PIPELINE_FAILURE'))).toHaveLength(3);
      expect(linesA.join('\n')).toMatch(/sink bug/);
      // … and B was never touched by it
      expect(sinkB.pushes.map((p) => p.readings['1-0:1.8.0']?.value)).toEqual([33177130, 33177130, 33177130]);
      expect(linesB.join('\n')).not.toMatch(/PIPELINE_FAILURE/);
      expect(b.state.snapshot().live.netPowerW).toBe(3149);
    } finally {
      await a.pipeline.stop();
      await b.pipeline.stop();
    }
  });
});
