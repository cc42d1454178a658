/**
 * source → StreamDecoder → judge → events. The pipeline reads: it answers the AMIS link first (before any decoding),
 * decodes every chunk, has the judge give one verdict per decoded push, confirms the line settings to the source,
 * and tells its listeners (pipeline/events.ts) what happened. It holds no panel state and logs nothing per push:
 * the monitor (monitor/MeterMonitor.ts) observes the same events and owns the status, the problem log and the
 * panel's views; the outputs and the store subscribe to accepted pushes. It imports none of them.
 *
 * Errors become data here (style.md principle 6): the process never stops for bad input, and a push the judge
 * dropped reaches no `accepted` listener. An exception that still escapes (a decoder bug, a listener that throws)
 * is logged as PIPELINE_FAILURE and reading goes on; the watchdog (LivenessProbe) sees a pipeline that stopped.
 */
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { DecodeResult } from '../decoder/types.js';
import { isDsmrTelegram } from '../readings/dsmr.js';
import { crc16arc } from '../shared/crc.js';
import { AmisLink } from '../framing/mbus/AmisLink.js';
import type { FramingMode } from '../framing/StreamFramer.js';
import { renderDetail } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { ByteSource } from '../transport/types.js';
import { identityOf, PlausibilityGuard } from '../judge/guards.js';
import type { AcceptedPush, PipelineListener } from './events.js';
import type { LivenessProbe, PipelineLivenessProblem } from './liveness.js';

export interface PipelineOptions {
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly framing: FramingMode;
  /** After this long without bytes, a frame still waiting for bytes is given up (recovers the push behind it). */
  readonly idleFlushMs?: number;
  /** The connection's maximum power in W (phases × 230 V × main fuse), for the energy counter guard. */
  readonly maxPowerW?: number;
  /** The watchdog reports this pipeline dead after this long without a completed tick or chunk. Default 10 s. */
  readonly stalledAfterMs?: number;
  /** The watchdog reports a reconnecting source dead after its status stayed `error`/`closed` this long. Default 60 s. */
  readonly sourceStuckAfterMs?: number;
}

/** The heartbeat: idle flush, AMIS link timers, and the listeners' time-based transitions (within 250 ms). */
const TICK_MS = 250;

export class Pipeline implements LivenessProbe {
  private readonly decoder: StreamDecoder;
  private readonly guard: PlausibilityGuard;
  private readonly listeners: PipelineListener[] = [];
  private lastChunkAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /**
   * The AMIS link protocol (Netz OÖ): answers the meter's SND_NKE/SND_UD with `E5`. Only with framing `auto` or
   * `amis` and a source that can write; it writes nothing until a valid AMIS frame addressed to 0xF0 arrived.
   */
  private readonly amis: AmisLink | null;
  /** Liveness bookkeeping (watchdog): set when started, at the end of each tick, at entry and end of each chunk. */
  private startedAt: number | null = null;
  private lastTickDoneAt = 0;
  private lastChunkDoneAt = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly options: PipelineOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.decoder = new StreamDecoder({ key: options.key, authKey: options.authKey, framing: options.framing });
    this.guard = new PlausibilityGuard({ maxPowerW: options.maxPowerW });
    this.amis = (options.framing === 'auto' || options.framing === 'amis') && typeof source.write === 'function' ? new AmisLink() : null;
  }

  /**
   * Adds a listener; events reach listeners in the order they subscribed (main.ts: MQTT, then the history, then the
   * monitor). Returns the unsubscribe function.
   */
  subscribe(listener: PipelineListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  start(): void {
    this.source.onStatus((status) => {
      const now = this.clock();
      for (const l of this.listeners) l.sourceStatusChanged?.(status, now);
    });
    // An exception here must not reach the source (a stream could close its port) nor another meter's pipeline.
    this.source.onData((chunk) => this.guarded(() => this.handleChunk(chunk)));
    this.timer = setInterval(() => this.guarded(() => this.tick()), TICK_MS);
    this.startedAt = this.lastTickDoneAt = this.lastChunkDoneAt = this.clock();
    this.source.start();
    const now = this.clock();
    for (const l of this.listeners) l.started?.(now);
  }

  async stop(): Promise<void> {
    this.stopping = true; // the source closing on shutdown is no problem to report
    for (const l of this.listeners) l.stopping?.();
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
    const now = (this.lastChunkAt = this.clock());
    // the AMIS acknowledgement goes out first, before any decoding (the meter waits at most 0.5 s)
    if (this.amis) this.answerAmis(chunk, now);
    for (const l of this.listeners) l.bytesReceived?.(chunk.length, now);
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
   * Watchdog probe (monitor/liveness.ts): dead when the tick timer stopped completing (the pipeline was stopped
   * without a shutdown, or every tick throws), or when the source has been delivering for `stalledAfterMs` while no
   * chunk completed (every chunk throws), or when a source that reopens by itself has stopped retrying (its status
   * stuck at `error`, `sourceStuckAfterMs`). Silence from the meter is not a problem here: the reader status says that.
   */
  liveness(): PipelineLivenessProblem | null {
    if (this.startedAt === null || this.stopping) return null;
    const now = this.clock();
    const limit = this.options.stalledAfterMs ?? 10_000;
    if (now - this.lastTickDoneAt > limit) {
      return { code: 'PIPELINE_STOPPED', detail: renderDetail('PIPELINE_STOPPED', 'no_tick', { source: this.source.description, seconds: Math.round((now - this.lastTickDoneAt) / 1000) }) };
    }
    if (this.lastChunkAt > this.lastChunkDoneAt && this.lastChunkAt - this.lastChunkDoneAt > limit) {
      return { code: 'PIPELINE_STALLED', detail: renderDetail('PIPELINE_STALLED', 'no_progress', { source: this.source.description, seconds: Math.round((this.lastChunkAt - this.lastChunkDoneAt) / 1000) }) };
    }
    const status = this.source.status;
    const stuckFor = now - status.since.getTime();
    if (this.source.reconnects && (status.state === 'error' || status.state === 'closed') && stuckFor > (this.options.sourceStuckAfterMs ?? 60_000)) {
      return { code: 'SOURCE_STOPPED', detail: renderDetail('SOURCE_STOPPED', 'gave_up', { source: this.source.description, status: status.detail, seconds: Math.round(stuckFor / 1000) }) };
    }
    return null;
  }

  /** One decode result: confirm the line settings, judge a decoded push, tell the listeners the verdict. */
  private handleResult(result: DecodeResult): void {
    const now = this.clock();
    // A checksum-valid frame proves baud rate and parity whatever the decryption says (a wrong key must be
    // reported as a wrong key, not make the serial auto-detection move on).
    if (provesLineSettings(result)) this.source.confirm();
    if (!result.ok) {
      for (const l of this.listeners) l.failed?.(result, now);
      return;
    }
    const push = result.push;
    const verdict = this.guard.check(push.readings, now, identityOf(push.meter));
    if (!verdict.ok) {
      for (const l of this.listeners) l.rejected?.(result, verdict, now);
      return;
    }
    const accepted: AcceptedPush = { meter: push.meter, time: push.time, readings: push.readings, derived: push.derived, receivedAt: new Date(now) };
    for (const l of this.listeners) l.accepted?.(accepted, result);
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

  private amisChanged(now: number): void {
    const view = this.amis!.view;
    const settings = this.source.status.settings;
    for (const l of this.listeners) l.amisLinkChanged?.(view, settings, now);
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
    for (const l of this.listeners) l.tick?.(now);
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
