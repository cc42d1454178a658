/**
 * Runtime state for the panel and the diagnostics: latest accepted readings, counters by error code, a bounded
 * ring buffer of recent pushes with their decode stages, raw captures and an hour of power history.
 * Implements the web layer's LiveSource; every update is one message to the subscribers.
 */
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { DecodeResult } from '../decoder/types.js';
import type { AcceptedPush } from '../pipeline/events.js';
import type { Diagnostics, MqttStatus } from './types.js';
import { toHex } from '../shared/hex.js';
import type { AmisLinkView } from '../framing/mbus/AmisLink.js';
import type { SourceStatus } from '../transport/types.js';
import {
  SNAPSHOT_HISTORY_POINTS,
  type FrameRecordDto,
  type FrameSummaryDto,
  type HealthDto,
  type HistoryPointDto,
  type KeyTestDto,
  type LiveDeltaDto,
  type LiveDto,
  type LiveMessage,
  type LiveSource,
  type SnapshotDto,
} from '../contract/dto.js';
import { computeLayers, linkStatusOf, readerStatusOf, type HealthInputs, type StatusView } from './health.js';
import { profileOf } from './profile.js';
import { errorOf, rawBytesOf, readingsOf, toFrameRecord, toFrameSummary, type KeyOf, type RecordInput } from './frameRecord.js';

interface RecentPush {
  readonly input: RecordInput;
  readonly ok: boolean;
  summary: FrameSummaryDto | null;
  record: FrameRecordDto | null;
}

type Rejection = NonNullable<RecordInput['rejected']>;

export interface StateStoreOptions {
  readonly version: string;
  readonly sourceKind: 'serial' | 'tcp' | 'replay' | 'simulator' | 'none';
  readonly sourceDescription: string;
  readonly discoveryEnabled: boolean;
  readonly keyOf: KeyOf;
  /** Pushes kept for the frame inspector and the capture download. Default 50. */
  readonly ringSize?: number;
  /** "Key probably wrong" after this many intact pushes in a row fail to decrypt. Default 3. */
  readonly wrongKeyThreshold?: number;
  readonly clock?: () => number;
}

const HISTORY_MS = 3_600_000;
const MAX_HISTORY = 4000;

export class StateStore implements LiveSource {
  private readonly listeners = new Set<(m: LiveMessage) => void>();
  /** Recent pushes, newest first. The inspector record is built only when a panel asks for it. */
  private readonly recent: RecentPush[] = [];
  private history: HistoryPointDto[] = [];
  private live: LiveDto = { meter: null, meterTime: null, receivedAt: null, readings: [], netPowerW: null };
  private readonly startedAt: number;
  private nextId = 1;
  private readonly clock: () => number;
  // counters
  private bytes = 0;
  private linkFrames = 0;
  private pushes = 0;
  private decoded = 0;
  private failed = 0;
  private rejected = 0;
  private readonly errors: Record<string, number> = {};
  private lastError: (HealthDto['lastError'] & object) | null = null;
  /** The health view last sent to subscribers, without counters (JSON), so pushes carry it only when it changed. */
  private lastHealthSent: string | null = null;
  /** The live values last sent, so a push carries only what changed. */
  private lastLiveSent: LiveDto | null = null;
  private lastByteAt: number | null = null;
  private lastFrameAt: number | null = null;
  private bytesSinceFrame = 0;
  private checksumErrorsSinceFrame = 0;
  private lastPushAt: number | null = null;
  private lastRejectedAt: number | null = null;
  private lastResultOk: boolean | null = null;
  private lastFailureCode: string | null = null;
  private consecutiveWrongKey = 0;
  private consecutiveFailures = 0;
  private unsupportedSinceFrame = 0;
  private statusSince = 0;
  private lastStatus: string | null = null;
  private openedAt: number | null = null;
  private source: SourceStatus | null = null;
  private mqtt: MqttStatus | null = null;
  private framing: string | null = null;
  private profile: string | null = null;
  private amisLink: AmisLinkView | null = null;

  constructor(private readonly options: StateStoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.startedAt = this.clock();
  }

  // --- inputs ------------------------------------------------------------------------------------------------

  recordBytes(n: number): void {
    this.bytes += n;
    this.bytesSinceFrame += n;
    this.lastByteAt = this.clock();
  }

  setSourceStatus(status: SourceStatus): void {
    if (status.state === 'open' && this.source?.state !== 'open') this.openedAt = this.clock();
    this.source = status;
    this.broadcastHealth();
  }

  /** The AMIS link protocol's state and counters (Netz OÖ meters), for the health layers and the status. */
  setAmisLink(view: AmisLinkView): void {
    this.amisLink = view;
    this.broadcastHealth();
  }

  setMqttStatus(status: MqttStatus): void {
    this.mqtt = status;
    this.broadcastHealth();
  }

  /** A decoded push that passed the guards (accepted) or was dropped by them (rejection given). */
  recordResult(result: DecodeResult, rejection: Rejection | null, accepted: AcceptedPush | null): void {
    const now = this.clock();
    const isDiscard = result.trace.discarded !== null;
    const frameCount = result.trace.frames.length;
    if (frameCount > 0) {
      this.linkFrames += frameCount;
      this.lastFrameAt = now;
      this.bytesSinceFrame = 0;
      this.checksumErrorsSinceFrame = 0;
      this.unsupportedSinceFrame = 0;
      this.framing = result.trace.frames[0]!.framing;
    }
    if (!isDiscard) this.pushes++;
    if (result.ok && !rejection) {
      this.decoded++;
      this.profile = profileOf(result.push, this.framing, frameCount);
      this.lastPushAt = now;
      this.lastResultOk = true;
      this.consecutiveWrongKey = 0;
      this.consecutiveFailures = 0;
    } else {
      const error = errorOf({ result, rejected: rejection }) ?? { stage: 'layout' as const, code: 'UNKNOWN' };
      const code = error.code;
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      this.lastError = { ...error, at: new Date(now).toISOString() };
      if (code === 'FRAME_CHECKSUM') this.checksumErrorsSinceFrame++;
      if (code === 'FRAME_UNSUPPORTED') this.unsupportedSinceFrame++;
      if (rejection) {
        this.rejected++;
        this.lastRejectedAt = now;
      }
      if (!isDiscard) {
        this.failed++;
        this.lastResultOk = false;
        this.lastFailureCode = code;
        this.consecutiveFailures++;
        this.consecutiveWrongKey = code === 'CRYPTO_WRONG_KEY' ? this.consecutiveWrongKey + 1 : this.consecutiveWrongKey;
      }
    }
    const entry: RecentPush = { input: { id: this.nextId++, at: new Date(now), result, rejected: rejection }, ok: result.ok && !rejection, summary: null, record: null };
    this.recent.unshift(entry);
    if (this.recent.length > (this.options.ringSize ?? 50)) this.recent.pop();
    const point = accepted ? this.pointOf(accepted, now) : null;
    if (accepted) this.live = this.liveOf(accepted);
    // display objects are built only while a panel is connected (no garbage per push otherwise)
    if (this.listeners.size === 0) return;
    const { counters, health } = this.healthUpdate();
    const frame = this.summaryOf(entry);
    if (accepted) this.broadcast({ type: 'push', frame, ...this.liveUpdate(), point, counters, ...(health ? { health } : {}) });
    else this.broadcast({ type: 'frame', frame, counters, ...(health ? { health } : {}) });
  }

  private summaryOf(entry: RecentPush): FrameSummaryDto {
    entry.summary ??= toFrameSummary(entry.input);
    return entry.summary;
  }

  /** The counters, and the whole health view only when something besides the counters changed since the last one sent. */
  private healthUpdate(): { counters: HealthDto['counters']; health: HealthDto | null } {
    const health = this.health();
    const { counters, ...rest } = health;
    const key = JSON.stringify(rest);
    if (key === this.lastHealthSent) return { counters, health: null };
    this.lastHealthSent = key;
    return { counters, health };
  }

  /** The whole live view when the meter or its set of OBIS codes changed, else only the readings that changed. */
  private liveUpdate(): { live: LiveDto } | { delta: LiveDeltaDto } {
    const prev = this.lastLiveSent;
    const live = this.live;
    this.lastLiveSent = live;
    const sameMeter = prev !== null && JSON.stringify(prev.meter) === JSON.stringify(live.meter);
    const sameCodes = prev !== null && prev.readings.length === live.readings.length && prev.readings.every((r, i) => r.obis === live.readings[i]!.obis);
    if (!prev || !sameMeter || !sameCodes) return { live };
    const changed = live.readings.filter((r, i) => r.value !== prev.readings[i]!.value || r.unit !== prev.readings[i]!.unit);
    return { delta: { meterTime: live.meterTime, receivedAt: live.receivedAt, netPowerW: live.netPowerW, readings: changed } };
  }

  frame(id: number): FrameRecordDto | null {
    const entry = this.recent.find((e) => e.input.id === id);
    if (!entry) return null;
    entry.record ??= toFrameRecord(entry.input, this.options.keyOf, this.summaryOf(entry));
    return entry.record;
  }

  // --- views ---------------------------------------------------------------------------------------------

  /** The reader status (one id for "what is wrong now"), from the same inputs as the health layers. */
  readerStatus(): StatusView & { readonly since: Date } {
    const inputs = this.healthInputs();
    const view = readerStatusOf({ ...inputs, consecutiveFailures: this.consecutiveFailures, unsupportedSinceFrame: this.unsupportedSinceFrame });
    if (view.status !== this.lastStatus) {
      this.lastStatus = view.status;
      this.statusSince = inputs.now;
    }
    return { ...view, since: new Date(this.statusSince) };
  }

  diagnostics(): Diagnostics {
    const status = this.readerStatus();
    return {
      status: status.status,
      statusLayer: status.layer,
      statusCode: status.code,
      problem: status.problem,
      statusSince: status.since,
      linkStatus: linkStatusOf(computeLayers(this.healthInputs())),
      decodeErrors: this.failed,
      rejectedPushes: this.rejected,
      lastPushAt: this.lastPushAt === null ? null : new Date(this.lastPushAt),
    };
  }

  private healthInputs(): HealthInputs {
    return {
      now: this.clock(),
      sourceKind: this.options.sourceKind,
      source: this.source,
      sourceDescription: this.options.sourceDescription,
      openedAt: this.openedAt,
      bytes: this.bytes,
      lastByteAt: this.lastByteAt,
      frames: this.linkFrames,
      lastFrameAt: this.lastFrameAt,
      bytesSinceFrame: this.bytesSinceFrame,
      checksumErrorsSinceFrame: this.checksumErrorsSinceFrame,
      decoded: this.decoded,
      lastPushAt: this.lastPushAt,
      lastFailureCode: this.lastFailureCode,
      lastResultOk: this.lastResultOk,
      consecutiveWrongKey: this.consecutiveWrongKey,
      wrongKeyThreshold: this.options.wrongKeyThreshold ?? 3,
      lastRejectedAt: this.lastRejectedAt,
      mqtt: this.mqtt,
      discoveryEnabled: this.options.discoveryEnabled,
      amisLink: this.amisLink,
    };
  }

  health(): HealthDto {
    const status = this.readerStatus();
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      source: this.options.sourceDescription,
      status: { id: status.status, layer: status.layer, code: status.code, since: status.since.toISOString() },
      layers: computeLayers(this.healthInputs()),
      counters: {
        bytes: this.bytes,
        frames: this.linkFrames,
        pushes: this.pushes,
        decoded: this.decoded,
        failed: this.failed,
        errors: { ...this.errors },
      },
      lastError: this.lastError,
      detected: {
        framing: this.framing,
        serialSettings: this.source?.settings ?? null,
        serialSettingsConfirmed: this.source?.settingsConfirmed ?? false,
        profile: this.profile,
      },
    };
  }

  snapshot(): SnapshotDto {
    const cutoff = this.clock() - HISTORY_MS;
    this.history = this.history.filter((p) => p.t >= cutoff);
    const frames = this.recent.map((e) => this.summaryOf(e));
    return { version: this.options.version, live: this.live, health: this.health(), frames, history: downsample(this.history, SNAPSHOT_HISTORY_POINTS) };
  }

  subscribe(listener: (message: LiveMessage) => void): () => void {
    // the new subscriber starts from a snapshot: the next push carries the whole health and live view again
    this.lastHealthSent = null;
    this.lastLiveSent = null;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  capture(): string {
    const lines = [
      '# Smart Meter Reader capture: the raw bytes of the last pushes as received, one push per line (hex).',
      '# It contains no key. Decode it with: node app/dist/cli.js decode --key <your key> <this file>',
      `# ${new Date(this.clock()).toISOString()}, source ${this.options.sourceDescription}, framing ${this.framing ?? 'unknown'}`,
    ];
    for (const e of [...this.recent].reverse()) {
      lines.push(`# ${e.input.at.toISOString()} ${e.ok ? 'ok' : 'failed'}`, toHex(rawBytesOf(e.input.result)));
    }
    return `${lines.join('\n')}\n`;
  }

  testKey(key: Uint8Array, authKey: Uint8Array | null): KeyTestDto {
    const last = this.recent.find((e) => e.input.result.trace.frames.length > 0);
    if (!last) {
      return { tested: false, ok: false, error: null, values: 0, meterId: null, meterTime: null };
    }
    // the same decoder as the pipeline, on the bytes of that push only; the keys live only in this call
    const decoder = new StreamDecoder({ key, authKey });
    const results = [...decoder.push(rawBytesOf(last.input.result)), ...decoder.flush()];
    const decoded = results.find((r) => r.ok);
    if (decoded?.ok) {
      const values = Object.keys(decoded.push.readings).length;
      return {
        tested: true,
        ok: true,
        error: null,
        values,
        meterId: decoded.push.meter.id,
        meterTime: decoded.push.time,
      };
    }
    const failed = results.find((r) => !r.ok && r.trace.discarded === null) ?? results[0];
    const error = failed && !failed.ok ? errorOf({ result: failed, rejected: null }) : null;
    return { tested: true, ok: false, error, values: 0, meterId: null, meterTime: null };
  }

  /** Pushes a fresh health view to subscribers when it changed (called on status changes and by a timer). */
  broadcastHealth(): void {
    if (this.listeners.size === 0) return;
    const { health } = this.healthUpdate();
    if (health) this.broadcast({ type: 'health', health });
  }

  private broadcast(message: LiveMessage): void {
    for (const l of this.listeners) {
      try {
        l(message);
      } catch {
        // a failing subscriber must not break the pipeline
      }
    }
  }

  private liveOf(p: AcceptedPush): LiveDto {
    return {
      meter: p.meter,
      meterTime: p.time,
      receivedAt: p.receivedAt.toISOString(),
      readings: readingsOf(p.readings),
      netPowerW: p.derived.netPowerW,
    };
  }

  private pointOf(p: AcceptedPush, now: number): HistoryPointDto | null {
    const { powerImportW, powerExportW } = p.derived;
    if (powerImportW === null && powerExportW === null) return null;
    const point = { t: now, importW: powerImportW ?? 0, exportW: powerExportW ?? 0 };
    this.history.push(point);
    if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
    return point;
  }
}

/** At most `max` points: consecutive points averaged in equal buckets (the chart of an hour needs no more). */
export function downsample(points: readonly HistoryPointDto[], max: number): HistoryPointDto[] {
  if (points.length <= max) return [...points];
  const out: HistoryPointDto[] = [];
  const size = points.length / max;
  for (let b = 0; b < max; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    const mean = (f: (p: HistoryPointDto) => number) => Math.round(bucket.reduce((s, p) => s + f(p), 0) / bucket.length);
    out.push({ t: bucket[bucket.length - 1]!.t, importW: mean((p) => p.importW), exportW: mean((p) => p.exportW) });
  }
  return out;
}
