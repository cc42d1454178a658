/**
 * source → framing → decode → plausibility guards → state and outputs. Errors become data here (style.md
 * principle 6): every failure is counted by code, logged with its likely cause and kept for the panel; the
 * process never stops for bad input, and nothing that failed a check is published.
 */
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { DecodeResult } from '../decoder/types.js';
import type { FramingMode } from '../framing/StreamFramer.js';
import type { AcceptedPush, PushSink } from '../outputs/types.js';
import type { Logger } from '../shared/logger.js';
import type { ByteSource } from '../transport/types.js';
import type { LayerStatus } from '../web/contract.js';
import { PlausibilityGuard } from './guards.js';
import type { StateStore } from './StateStore.js';

export interface PipelineOptions {
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly framing: FramingMode;
  /** After this long without bytes, a frame still waiting for bytes is given up (recovers the push behind it). */
  readonly idleFlushMs?: number;
  /** Diagnostics are republished at least this often. */
  readonly diagnosticsEveryMs?: number;
  /** The connection's maximum power in W (phases × 230 V × main fuse), for the energy counter guard. */
  readonly maxPowerW?: number;
}

function summary(p: AcceptedPush): string {
  const r = p.readings;
  const num = (obis: string) => (typeof r[obis]?.value === 'number' ? (r[obis]!.value as number) : null);
  const parts: string[] = [];
  const ei = num('1-0:1.8.0');
  const ee = num('1-0:2.8.0');
  if (ei !== null) parts.push(`import ${(ei / 1000).toFixed(3)} kWh`);
  if (ee !== null) parts.push(`export ${(ee / 1000).toFixed(3)} kWh`);
  const pi = num('1-0:1.7.0');
  const pe = num('1-0:2.7.0');
  if (pi !== null || pe !== null) parts.push(`power ${(pi ?? 0) - (pe ?? 0)} W net`);
  const u = ['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0'].map(num).filter((x): x is number => x !== null);
  if (u.length) parts.push(`${u.join('/')} V`);
  return `meter ${p.meter.id ?? p.meter.systemTitle ?? '?'} ${p.time ?? ''}: ${parts.join(', ') || `${Object.keys(r).length} values`}`;
}

export class Pipeline {
  private readonly decoder: StreamDecoder;
  private readonly guard: PlausibilityGuard;
  private lastChunkAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDiagnosticsAt = 0;
  private diagnosticsSignature = '';
  private meterIdentity: string | null = null;
  private wrongKeyReported = false;
  private readonly layerStatus = new Map<string, LayerStatus>();
  private ticks = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly state: StateStore,
    private readonly sinks: readonly PushSink[],
    private readonly options: PipelineOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.decoder = new StreamDecoder({ key: options.key, authKey: options.authKey, framing: options.framing });
    this.guard = new PlausibilityGuard({ maxPowerW: options.maxPowerW });
  }

  start(): void {
    this.source.onStatus((status) => this.state.setSourceStatus(status));
    this.source.onData((chunk) => this.handleChunk(chunk));
    this.timer = setInterval(() => this.tick(), 250);
    this.source.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.source.stop();
  }

  /** One chunk of bytes from the source (public for tests that drive the pipeline without a source). */
  handleChunk(chunk: Uint8Array): void {
    this.lastChunkAt = this.clock();
    this.state.recordBytes(chunk.length);
    let results: DecodeResult[];
    try {
      results = this.decoder.push(chunk);
    } catch (e) {
      // the decoder is built never to throw; if it ever does, keep running and say so
      this.log.error(`decoder failure (please report): ${(e as Error).stack ?? String(e)}`);
      return;
    }
    for (const r of results) this.handleResult(r);
  }

  private handleResult(result: DecodeResult): void {
    const now = this.clock();
    if (!result.ok) {
      const e = result.error;
      const level = result.trace.discarded?.reason === 'noise' ? 'debug' : 'warning';
      this.log[level](`${e.stage} error ${e.message}`);
      this.state.recordResult(result, null, null);
      if (this.state.keyProbablyWrong && !this.wrongKeyReported) {
        this.wrongKeyReported = true;
        this.log.error('key probably wrong: several intact pushes in a row did not decrypt. Check the key from your grid operator.');
      }
      this.publishDiagnostics(now, true);
      return;
    }
    this.wrongKeyReported = false;
    this.source.confirm();
    const push = result.push;
    const identity = push.meter.id ?? push.meter.systemTitle ?? '';
    if (this.meterIdentity !== null && identity !== this.meterIdentity) {
      this.log.info(`a different meter is sending (${identity}); starting fresh plausibility baselines`);
    }
    this.meterIdentity = identity;
    const verdict = this.guard.check(push.readings, now, identity);
    if (!verdict.ok) {
      this.log.warning(`${verdict.code}: implausible values, push dropped (${verdict.detail})`);
      this.state.recordResult(result, { code: verdict.code, detail: verdict.detail }, null);
      this.publishDiagnostics(now, true);
      return;
    }
    const accepted: AcceptedPush = { meter: push.meter, time: push.time, readings: push.readings, receivedAt: new Date(now) };
    // MQTT first: Home Assistant should not wait for the panel's display objects or the log line
    for (const sink of this.sinks) sink.publishPush(accepted);
    this.state.recordResult(result, null, accepted);
    this.log.info(summary(accepted));
    this.publishDiagnostics(now, true);
  }

  /** Diagnostics go out when they change (link status, counters) and at least every `diagnosticsEveryMs`. */
  private publishDiagnostics(now: number, changed: boolean): void {
    if (this.sinks.length === 0) return;
    const due = now - this.lastDiagnosticsAt >= (this.options.diagnosticsEveryMs ?? 30_000);
    if (!changed && !due) return;
    const d = this.state.diagnostics();
    const signature = `${d.linkStatus}|${d.decodeErrors}|${d.rejectedPushes}`;
    if (!due && signature === this.diagnosticsSignature) return;
    this.diagnosticsSignature = signature;
    this.lastDiagnosticsAt = now;
    for (const sink of this.sinks) sink.publishDiagnostics(d);
  }

  private tick(): void {
    const now = this.clock();
    if (this.decoder.bufferedBytes > 0 && now - this.lastChunkAt >= (this.options.idleFlushMs ?? 1500)) {
      for (const r of this.decoder.flush()) this.handleResult(r);
    }
    this.publishDiagnostics(now, false);
    // log layer transitions once, with the hint, so the log tells the same story as the panel
    const health = this.state.health();
    for (const layer of health.layers) {
      const before = this.layerStatus.get(layer.id);
      if (before === layer.status) continue;
      this.layerStatus.set(layer.id, layer.status);
      if (layer.status === 'error') this.log.warning(`${layer.id}: ${layer.detail}${layer.hint ? `. ${layer.hint}` : ''}`);
      else if (before === 'error' && layer.status === 'ok') this.log.info(`${layer.id}: ok again (${layer.detail})`);
    }
    if (++this.ticks % 20 === 0) this.state.broadcastHealth();
  }
}
