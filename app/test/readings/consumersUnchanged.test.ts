/**
 * Every capture and shared vector through the real decoder into each consumer of a push: the Home Assistant state
 * JSON (outputs/homeassistant), the panel's live view and power history point (monitor/StateStore), the history
 * store's sample (store/HistoryStore). The expected file was written by the code before units and net power moved
 * into the readings layer (issue 12), so a consumer that starts converting or deriving differently fails here.
 * `GOLDEN_WRITE=1` rewrites it (only when a change of published values is intended and reviewed).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { StateStore } from '../../src/monitor/StateStore.js';
import { buildState } from '../../src/outputs/homeassistant/discovery.js';
import { lookupObis } from '../../src/outputs/homeassistant/registry.js';
import { sampleOf } from '../../src/store/HistoryStore.js';
import { keyOf, ownCaptures, REPO_ROOT, sharedVectors, streamOf } from '../support/vectors.js';

const GOLDEN = join(REPO_ROOT, 'app/test/fixtures/consumers-golden.json');
const RECEIVED = Date.UTC(2024, 4, 1, 10, 0, 1);

interface ConsumerView {
  readonly mqttState: unknown;
  readonly live: unknown;
  readonly historyPoint: unknown;
  readonly sample: unknown;
}

function viewsOf(stream: Uint8Array, key: string, authKey?: string): ConsumerView[] {
  const decoder = new StreamDecoder({ key: keyOf(key), authKey: keyOf(authKey), framing: 'auto' });
  const out: ConsumerView[] = [];
  for (const result of [...decoder.push(stream), ...decoder.flush()]) {
    if (!result.ok) continue;
    const state = new StateStore({ version: 't', sourceKind: 'replay', sourceDescription: 'golden', discoveryEnabled: true, keyOf: (obis) => lookupObis(obis)?.key ?? null, clock: () => RECEIVED });
    const points: unknown[] = [];
    state.subscribe((m) => {
      if (m.type === 'push') points.push(m.point);
    });
    const accepted = { ...result.push, receivedAt: new Date(RECEIVED) };
    state.recordResult(result, null, accepted);
    out.push({ mqttState: buildState(accepted), live: state.snapshot().live, historyPoint: points[0] ?? null, sample: sampleOf(accepted) });
  }
  return out;
}

const vectors = [...sharedVectors(), ...ownCaptures()];
const actual: Record<string, ConsumerView[]> = {};
for (const v of vectors) actual[v.name] = viewsOf(streamOf(v), v.key, v.auth_key);

if (process.env.GOLDEN_WRITE === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 1)}\n`);
const expected = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, ConsumerView[]>) : {};

describe('what each consumer shows for every capture is unchanged', () => {
  it('covers every capture (the golden file is not empty or stale)', () => {
    expect(Object.keys(expected).sort()).toEqual(vectors.map((v) => v.name).sort());
    expect(Object.values(expected).every((views) => views.length >= 1)).toBe(true);
  });
  for (const v of vectors) {
    it(v.name, () => {
      expect(actual[v.name]).toEqual(expected[v.name]);
    });
  }
});
