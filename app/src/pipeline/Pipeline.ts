/**
 * source → framing → decode → plausibility guards → state and outputs. Errors become data here (style.md
 * principle 6): every failure is counted by code, logged with its likely cause and kept for the panel; the
 * process never stops for bad input, and nothing that failed a check is published.
 *
 * Log discipline: per-push lines (each accepted push, each failure) are debug; a failure code is logged once at
 * warning with its cause, summarised while it persists and its recovery logged once (ProblemLog); the reader
 * status is logged once per change. The status and the diagnostics go to the outputs the moment they change.
 */
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { DecodeResult } from '../decoder/types.js';
import { isDsmrTelegram } from '../readings/dsmr.js';
import { crc16arc } from '../shared/crc.js';
import { AmisLink } from '../framing/mbus/AmisLink.js';
import type { FramingMode } from '../framing/StreamFramer.js';
import type { AcceptedPush, PushSink } from '../outputs/types.js';
import { MeterError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { ByteSource } from '../transport/types.js';
import { PlausibilityGuard } from '../judge/guards.js';
import type { LivenessProbe, LivenessProblem } from '../monitor/liveness.js';
import { ProblemLog } from '../monitor/problemLog.js';
import type { StateStore } from '../monitor/StateStore.js';

export interface PipelineOptions {
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly framing: FramingMode;
  /** After this long without bytes, a frame still waiting for bytes is given up (recovers the push behind it). */
  readonly idleFlushMs?: number;
  /** Backstop: diagnostics are republished at least this often (changes go out at once). Default 60 s. */
  readonly diagnosticsEveryMs?: number;
  /** The connection's maximum power in W (phases × 230 V × main fuse), for the energy counter guard. */
  readonly maxPowerW?: number;
  /** Summary lines of a persisting failure at most this often. Default 10 min. */
  readonly summaryEveryMs?: number;
  /** The watchdog reports this pipeline dead after this long without a completed tick or chunk. Default 10 s. */
  readonly stalledAfterMs?: number;
  /** The watchdog reports a reconnecting source dead after its status stayed `error`/`closed` this long. Default 60 s. */
  readonly sourceStuckAfterMs?: number;
}

function summary(p: AcceptedPush): string {
  const r = p.readings;
  const num = (obis: string) => (typeof r[obis]?.value === 'number' ? (r[obis]!.value as number) : null);
  const parts: string[] = [];
  const ei = num('1-0:1.8.0');
  const ee = num('1-0:2.8.0');
  if (ei !== null) parts.push(`import ${(ei / 1000).toFixed(3)} kWh`);
  if (ee !== null) parts.push(`export ${(ee / 1000).toFixed(3)} kWh`);
  if (p.derived.netPowerW !== null) parts.push(`power ${p.derived.netPowerW} W net`);
  const u = ['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0'].map(num).filter((x): x is number => x !== null);
  if (u.length) parts.push(`${u.join('/')} V`);
  return `meter ${p.meter.id ?? p.meter.systemTitle ?? '?'} ${p.time ?? ''}: ${parts.join(', ') || `${Object.keys(r).length} values`}`;
}

export class Pipeline implements LivenessProbe {
  private readonly decoder: StreamDecoder;
  private readonly guard: PlausibilityGuard;
  private readonly problems: ProblemLog;
  private readonly statusLog: Logger;
  private lastChunkAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDiagnosticsAt = 0;
  private diagnosticsSignature = '';
  private loggedStatus: string | null = null;
  private meterIdentity: string | null = null;
  private ticks = 0;
  private stopping = false;
  /**
   * The AMIS link protocol (Netz OÖ): answers the meter's SND_NKE/SND_UD with `E5`. Only with framing `auto` or
   * `amis` and a source that can write; it writes nothing until a valid AMIS frame addressed to 0xF0 arrived.
   */
  private readonly amis: AmisLink | null;
  private readonly amisLogged = { state: 'listening', echo: false, searchFrames: 0, unanswered: false, paritySignatures: 0 };
  /** Liveness bookkeeping (watchdog): set when started, at the end of each tick, at entry and end of each chunk. */
  private startedAt: number | null = null;
  private lastTickDoneAt = 0;
  private lastChunkDoneAt = 0;

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
    this.problems = new ProblemLog(log, options.summaryEveryMs);
    this.statusLog = log.child('status');
    this.amis = (options.framing === 'auto' || options.framing === 'amis') && typeof source.write === 'function' ? new AmisLink() : null;
  }

  start(): void {
    this.source.onStatus((status) => {
      this.state.setSourceStatus(status);
      this.refreshStatus(this.clock());
    });
    // An exception here must not reach the source (a stream could close its port) nor another meter's pipeline.
    this.source.onData((chunk) => this.guarded(() => this.handleChunk(chunk)));
    this.timer = setInterval(() => this.guarded(() => this.tick()), 250);
    this.startedAt = this.lastTickDoneAt = this.lastChunkDoneAt = this.clock();
    this.source.start();
    this.refreshStatus(this.clock());
  }

  async stop(): Promise<void> {
    this.stopping = true; // the source closing on shutdown is no problem to report
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.source.stop();
  }

  private guarded(work: () => void): void {
    try {
      work();
    } catch (e) {
      this.log.error(`PIPELINE_FAILURE: please report, reading goes on: ${(e as Error).stack ?? String(e)}`);
    }
  }

  /** One chunk of bytes from the source (public for tests that drive the pipeline without a source). */
  handleChunk(chunk: Uint8Array): void {
    this.lastChunkAt = this.clock();
    // the AMIS acknowledgement goes out first, before any decoding (the meter waits at most 0.5 s)
    if (this.amis) this.answerAmis(chunk, this.lastChunkAt);
    this.state.recordBytes(chunk.length);
    let results: DecodeResult[];
    try {
      results = this.decoder.push(chunk);
    } catch (e) {
      // the decoder is built never to throw; if it ever does, keep running and say so
      this.log.child('decoder').error(`DECODER_FAILURE: please report: ${(e as Error).stack ?? String(e)}`);
      this.lastChunkDoneAt = this.clock();
      return;
    }
    for (const r of results) this.handleResult(r);
    this.lastChunkDoneAt = this.clock();
  }

  /**
   * Watchdog probe (liveness.ts): dead when the tick timer stopped completing (the pipeline was stopped without a
   * shutdown, or every tick throws), or when the source has been delivering for `stalledAfterMs` while no chunk
   * completed (every chunk throws), or when a source that reopens by itself has stopped retrying (its status stuck at
   * `error`, `sourceStuckAfterMs`). Silence from the meter is not a problem here: the reader status says that.
   */
  liveness(): LivenessProblem | null {
    if (this.startedAt === null || this.stopping) return null;
    const now = this.clock();
    const limit = this.options.stalledAfterMs ?? 10_000;
    if (now - this.lastTickDoneAt > limit) {
      return { code: 'PIPELINE_STOPPED', detail: `the pipeline for ${this.source.description} has not run for ${Math.round((now - this.lastTickDoneAt) / 1000)} s` };
    }
    if (this.lastChunkAt > this.lastChunkDoneAt && this.lastChunkAt - this.lastChunkDoneAt > limit) {
      return {
        code: 'PIPELINE_STALLED',
        detail: `${this.source.description} delivers bytes but the pipeline has completed none for ${Math.round((this.lastChunkAt - this.lastChunkDoneAt) / 1000)} s`,
      };
    }
    const status = this.source.status;
    const stuckFor = now - status.since.getTime();
    if (this.source.reconnects && (status.state === 'error' || status.state === 'closed') && stuckFor > (this.options.sourceStuckAfterMs ?? 60_000)) {
      return { code: 'SOURCE_STOPPED', detail: `${this.source.description} stopped retrying: "${status.detail}" for ${Math.round(stuckFor / 1000)} s` };
    }
    return null;
  }

  private handleResult(result: DecodeResult): void {
    const now = this.clock();
    // A checksum-valid frame proves baud rate and parity whatever the decryption says (a wrong key must be
    // reported as a wrong key, not make the serial auto-detection move on).
    if (provesLineSettings(result)) this.source.confirm();
    if (!result.ok) {
      const e = result.error;
      const layer = e.stage;
      this.log.child(layer).debug(e.message);
      // noise between frames is normal at start and mid-frame; persisting noise shows as the serial_settings status
      if (result.trace.discarded?.reason !== 'noise') this.problems.failure(layer, e.code, e.message, now);
      this.state.recordResult(result, null, null);
      this.refreshStatus(now);
      return;
    }
    const push = result.push;
    const identity = push.meter.id ?? push.meter.systemTitle ?? '';
    if (this.meterIdentity !== null && identity !== this.meterIdentity) {
      this.log.child('guard').info(`a different meter is sending (${identity}); its counters are guarded separately`);
    }
    this.meterIdentity = identity;
    const verdict = this.guard.check(push.readings, now, identity);
    if (!verdict.ok) {
      const message = `${verdict.code}: implausible values, push dropped (${verdict.detail})`;
      this.log.child('guard').debug(message);
      this.problems.failure('guard', verdict.code, message, now);
      this.state.recordResult(result, { code: verdict.code, detail: verdict.detail, params: verdict.params }, null);
      this.refreshStatus(now);
      return;
    }
    const accepted: AcceptedPush = { meter: push.meter, time: push.time, readings: push.readings, derived: push.derived, receivedAt: new Date(now) };
    // MQTT first: Home Assistant should not wait for the panel's display objects or the log line
    for (const sink of this.sinks) sink.publishPush(accepted);
    this.state.recordResult(result, null, accepted);
    this.problems.recovered(now);
    this.log.child('push').debug(summary(accepted));
    this.refreshStatus(now);
  }

  /**
   * Status and diagnostics go out the moment they change (status, link status, counters); unchanged ones are
   * republished every `diagnosticsEveryMs` as a backstop. A status change is logged once.
   */
  private refreshStatus(now: number): void {
    if (this.stopping) return;
    const d = this.state.diagnostics();
    if (d.status !== this.loggedStatus) {
      const first = this.loggedStatus === null;
      this.loggedStatus = d.status;
      const code = d.statusCode ? ` ${d.statusCode}` : '';
      if (d.status === 'ok') this.statusLog.info(`ok: pushes are decoded and published`);
      else if (d.status === 'starting') {
        if (!first) this.statusLog.info(`starting: ${d.problem}`);
      } else this.statusLog.warning(`${d.status} (${d.statusLayer}${code}): ${d.problem}`);
    }
    if (this.sinks.length === 0) return;
    const signature = `${d.status}|${d.problem}|${d.linkStatus}|${d.decodeErrors}|${d.rejectedPushes}|${d.lastPushAt?.getTime() ?? ''}`;
    const due = now - this.lastDiagnosticsAt >= (this.options.diagnosticsEveryMs ?? 60_000);
    if (!due && signature === this.diagnosticsSignature) return;
    this.diagnosticsSignature = signature;
    this.lastDiagnosticsAt = now;
    for (const sink of this.sinks) sink.publishDiagnostics(d);
  }

  private answerAmis(chunk: Uint8Array, now: number): void {
    const amis = this.amis!;
    for (const w of amis.push(chunk, now)) {
      if (!this.source.write?.(w.bytes)) this.log.child('amis').debug(`cannot acknowledge the ${w.answers}: the port is not open`);
      // a checksum-valid AMIS frame proves 9600 8E1 even before the key is right
      this.source.confirm();
    }
    if (amis.takeChanged()) this.amisChanged(now);
  }

  /** The AMIS link changed state or a diagnostic counter: log once per change, update the status. */
  private amisChanged(now: number): void {
    const amis = this.amis!;
    const v = amis.view;
    const log = this.log.child('amis');
    const seen = this.amisLogged;
    if (v.state !== seen.state) {
      if (v.state === 'search') log.info('AMIS meter searching for a reader (SND_NKE to 240): answered with E5');
      else if (v.state === 'synced') log.info('AMIS link synced: data frames arrive once a second and are acknowledged with E5');
      else if (v.state === 'lost') log.warning('AMIS link lost: no data frame for a few seconds; the meter will search again');
      seen.state = v.state;
    }
    if (v.echoes > 0 && !seen.echo) {
      seen.echo = true;
      log.warning('AMIS_ECHO: the IR head echoes our own E5 acknowledgements back; they are ignored');
    }
    // persisting link problems go through the problem log: warned once, summarised, recovery logged with the next push
    if (v.state === 'search' && v.searchUnanswered && (v.searchFrames !== seen.searchFrames || !seen.unanswered)) {
      const detail = `${v.searchFrames} search frame(s) answered with E5, no data followed`;
      this.problems.failure('framing', 'AMIS_HEAD_SILENT', new MeterError('AMIS_HEAD_SILENT', detail).message, now);
    }
    if (v.paritySignatures >= 2 && v.paritySignatures !== seen.paritySignatures && v.dataFrames === 0) {
      const detail = `${v.paritySignatures} AMIS frames read with the wrong parity (settings ${this.source.status.settings ?? 'unknown'})`;
      this.problems.failure('framing', 'AMIS_PARITY', new MeterError('AMIS_PARITY', detail).message, now);
    }
    seen.searchFrames = v.searchFrames;
    seen.unanswered = v.searchUnanswered;
    seen.paritySignatures = v.paritySignatures;
    this.state.setAmisLink(v);
    this.refreshStatus(now);
  }

  private tick(): void {
    const now = this.clock();
    if (this.amis) {
      this.amis.tick(now);
      if (this.amis.takeChanged()) this.amisChanged(now);
    }
    if (this.decoder.bufferedBytes > 0 && now - this.lastChunkAt >= (this.options.idleFlushMs ?? 1500)) {
      for (const r of this.decoder.flush()) this.handleResult(r);
    }
    // time-based transitions (silence → no_data) are noticed here, within 250 ms
    this.refreshStatus(now);
    this.problems.summarise(now);
    if (++this.ticks % 20 === 0) this.state.broadcastHealth();
    this.lastTickDoneAt = now;
  }
}

/**
 * True when a result proves the line settings: a link frame whose checksum verified (M-Bus, HDLC), a DSMR
 * telegram whose CRC verified, or a decoded push. Bare APDUs (raw framing) have no checksum: only a decoded push
 * confirms those.
 */
export function provesLineSettings(result: DecodeResult): boolean {
  if (result.ok) return true;
  if (result.trace.frames.some((f) => f.framing !== 'raw')) return true;
  const text = result.trace.plaintext;
  return text !== null && isDsmrTelegram(text) && dsmrCrcValid(text);
}

/** DSMR 5.0.2 §6.12: CRC-16/ARC over `/` … `!`, written as 4 hex digits after the `!`. */
function dsmrCrcValid(bytes: Uint8Array): boolean {
  const bang = bytes.lastIndexOf(0x21);
  if (bang < 0 || bang + 5 > bytes.length) return false;
  const written = Number.parseInt(Buffer.from(bytes.subarray(bang + 1, bang + 5)).toString('latin1'), 16);
  return Number.isFinite(written) && crc16arc(bytes, 0, bang + 1) === written;
}
