/**
 * A hand-driven LiveSource for unit tests of the web layer (and the throwaway panel dev server). Not for
 * integration or e2e tests: those run the real state store behind main.ts.
 *
 * The numbers follow the Netz NÖ document push (shared/vectors/netznoe-doc-kaifa.json).
 */
import type {
  FrameRecordDto,
  FrameSummaryDto,
  HealthDto,
  HistoryPointDto,
  KeyTestDto,
  LiveDto,
  LiveMessage,
  LiveSource,
  ReadingDto,
  SnapshotDto,
} from '../../src/contract/dto.js';
import { Condition } from './condition.js';

export interface FakeOptions {
  readonly meterId?: string;
  /** Epoch ms of "now" for the snapshot. */
  readonly now?: number;
}

const reading = (obis: string, key: string | null, value: number | string, unit: string | null): ReadingDto => ({
  obis,
  key,
  value,
  unit,
});

export function fakeReadings(importW: number, exportW: number, energyWh = 12_937): ReadingDto[] {
  return [
    reading('0-0:1.0.0', 'meter_time', '2021-09-27T09:47:15+02:00', null),
    reading('0-0:96.1.0', 'meter_id', '1KFM0200200000', null),
    reading('1-0:1.8.0', 'energy_import', energyWh, 'Wh'),
    reading('1-0:2.8.0', 'energy_export', 0, 'Wh'),
    reading('1-0:1.7.0', 'power_import', importW, 'W'),
    reading('1-0:2.7.0', 'power_export', exportW, 'W'),
    reading('1-0:32.7.0', 'voltage_l1', 233.7, 'V'),
    reading('1-0:52.7.0', 'voltage_l2', 0, 'V'),
    reading('1-0:72.7.0', 'voltage_l3', 0, 'V'),
    reading('1-0:31.7.0', 'current_l1', 0, 'A'),
    reading('1-0:51.7.0', 'current_l2', 0, 'A'),
    reading('1-0:71.7.0', 'current_l3', 0, 'A'),
    reading('1-0:13.7.0', 'power_factor', 0.912, null),
  ];
}

export function fakeLive(meterId: string, importW: number, exportW: number, at: number): LiveDto {
  return {
    meter: { id: meterId, systemTitle: '4B464D6750000009', manufacturer: 'KFM Kaifa' },
    meterTime: new Date(at - 1000).toISOString(),
    receivedAt: new Date(at).toISOString(),
    readings: fakeReadings(importW, exportW),
    netPowerW: importW - exportW,
  };
}

export function fakeFrame(id: number, at: number, ok: boolean): FrameRecordDto {
  const header = '68FAFA6853FF000167DB084B464D675000000981F8200000002388D5';
  return {
    id,
    at: new Date(at).toISOString(),
    ok,
    framing: 'mbus',
    stages: [
      { id: 'bytes', status: 'pass' },
      { id: 'frames', status: 'pass' },
      { id: 'checksum', status: 'pass' },
      { id: 'decryption', status: ok ? 'pass' : 'fail' },
      { id: 'structure', status: ok ? 'pass' : 'skip' },
      { id: 'readings', status: ok ? 'pass' : 'skip' },
    ],
    error: ok
      ? null
      : { stage: 'crypto', code: 'CRYPTO_WRONG_KEY', detail: 'payload starts with 0x3A, not a data-notification (0x0F)' },
    size: header.length / 2,
    blocks: [
      {
        title: { code: 'block_mbus', params: { index: 1, count: 1 } },
        hex: header,
        fields: [
          { start: 0, length: 4, label: 'start', kind: 'header', value: 'L=250' },
          { start: 4, length: 3, label: 'C A CI', kind: 'header' },
          { start: 7, length: 2, label: 'STSAP DTSAP', kind: 'flag' },
          { start: 9, length: 2, label: 'general-glo-ciphering', kind: 'header' },
          { start: 11, length: 8, label: 'system title', kind: 'title', value: 'KFMg' },
          { start: 19, length: 3, label: 'length', kind: 'header' },
          { start: 22, length: 1, label: 'security control', kind: 'security', value: '0x20' },
          { start: 23, length: 4, label: 'invocation counter', kind: 'counter', value: '35' },
          { start: 27, length: 1, label: 'ciphertext', kind: 'ciphertext' },
        ],
      },
    ],
    tree: ok
      ? {
          type: 'structure(2)',
          children: [
            { type: 'octet-string(6)', raw: '0100010800FF', obis: '1-0:1.8.0' },
            { type: 'uint32', num: 12937, obis: '1-0:1.8.0', key: 'energy_import', value: 12937, unit: 'Wh' },
          ],
        }
      : null,
    security: { systemTitle: '4B464D6750000009', manufacturer: 'KFM Kaifa', securityControl: 0x20, frameCounter: 35, tag: 'none' },
    readings: ok ? fakeReadings(0, 0) : [],
    raw: header,
  };
}

/** The list entry of fakeFrame (what snapshots and pushes carry). */
export function fakeSummary(id: number, at: number, ok: boolean): FrameSummaryDto {
  const { id: i, at: a, ok: o, framing, stages, error, size } = fakeFrame(id, at, ok);
  return { id: i, at: a, ok: o, framing, stages, error, size };
}

export function fakeHealth(startedAt: number, failed = 0): HealthDto {
  return {
    startedAt: new Date(startedAt).toISOString(),
    source: 'simulator',
    status:
      failed > 0
        ? { id: 'wrong_key', layer: 'crypto', code: 'CRYPTO_WRONG_KEY', since: new Date(startedAt).toISOString() }
        : { id: 'ok', layer: 'reader', code: null, since: new Date(startedAt).toISOString() },
    layers: [
      { id: 'serial', status: 'ok', detail: { code: 'source_open', params: { source: 'simulator' } }, hintId: null, technical: 'simulator pushing every 500 ms' },
      { id: 'bytes', status: 'ok', detail: { code: 'bytes_flowing' }, hintId: null },
      { id: 'framing', status: 'ok', detail: { code: 'frames_valid' }, hintId: null },
      failed > 0
        ? { id: 'decryption', status: 'error', detail: { code: 'wrong_key_streak', params: { count: failed } }, hintId: 'wrong_key' }
        : { id: 'decryption', status: 'ok', detail: { code: 'pushes_decoding' }, hintId: null },
      { id: 'mqtt', status: 'off', detail: { code: 'mqtt_off' }, hintId: 'mqtt_off' },
      { id: 'discovery', status: 'off', detail: { code: 'discovery_waiting_broker' }, hintId: null },
    ],
    counters: { bytes: 3760, frames: 20, pushes: 10, decoded: 10 - failed, failed, errors: failed ? { CRYPTO_WRONG_KEY: failed } : {} },
    lastError: failed
      ? { stage: 'crypto', code: 'CRYPTO_WRONG_KEY', detail: 'payload starts with 0x3A, not a data-notification (0x0F)', at: new Date(startedAt).toISOString() }
      : null,
    detected: { framing: 'mbus', serialSettings: '2400 8E1', serialSettingsConfirmed: true, profile: 'netz-noe-kaifa' },
  };
}

export function fakeSnapshot(opts: FakeOptions = {}): SnapshotDto {
  const now = opts.now ?? Date.now();
  const history: HistoryPointDto[] = [];
  for (let t = now - 3_600_000; t < now; t += 60_000) {
    history.push({ t, importW: 400 + Math.round(300 * Math.sin(t / 600_000)), exportW: 0 });
  }
  return {
    version: '0.1.0-test',
    live: fakeLive(opts.meterId ?? '1KFM0200200000', 523, 0, now),
    health: fakeHealth(now - 60_000),
    frames: [fakeSummary(2, now, true), fakeSummary(1, now - 5000, false)],
    history,
  };
}

/** LiveSource whose messages the test emits by hand. */
export class FakeLiveSource implements LiveSource {
  private readonly listeners = new Set<(message: LiveMessage) => void>();
  constructor(public snap: SnapshotDto = fakeSnapshot(), public captureText = '# capture\n68FAFA68\n') {}

  snapshot(): SnapshotDto {
    return this.snap;
  }
  /** Details of the frames the snapshot lists (fakeFrame), null for others. */
  frame(id: number): FrameRecordDto | null {
    const summary = this.snap.frames.find((f) => f.id === id);
    return summary ? fakeFrame(summary.id, Date.parse(summary.at), summary.ok) : null;
  }
  /** Told when a subscriber comes or goes (tests wait on it instead of sleeping). */
  readonly changes = new Condition();
  subscribe(listener: (message: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    this.changes.changed();
    return () => {
      this.listeners.delete(listener);
      this.changes.changed();
    };
  }
  capture(): string {
    return this.captureText;
  }
  /** Keys the fake was asked to test (hex), so tests can check what reached the source. */
  readonly testedKeys: string[] = [];
  testKey(key: Uint8Array): KeyTestDto {
    this.testedKeys.push(Buffer.from(key).toString('hex'));
    return { tested: true, ok: true, error: null, values: 13, meterId: '181220000009', meterTime: '2021-09-27T09:47:15+02:00' };
  }
  get subscriberCount(): number {
    return this.listeners.size;
  }
  emit(message: LiveMessage): void {
    for (const l of this.listeners) l(message);
  }
}
