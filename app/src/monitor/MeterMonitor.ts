/**
 * The monitor of one meter: it observes the meter's pipeline (pipeline/events.ts) and owns every view the panel and
 * the diagnostic entities need. The pipeline knows nothing of it.
 * - the live state (StateStore: live view, frame ring, counters, capture, key test), which the web layer reads;
 * - the reader status (health.ts) and its log line, once per change;
 * - the problem log (problemLog.ts): a failure code warned once with its cause, summarised while it persists, its
 *   recovery logged once with the next accepted push; every single failure and accepted push at debug;
 * - the AMIS link's log lines (synced, lost, echo) and its persisting problems (AMIS_HEAD_SILENT, AMIS_PARITY);
 * - the diagnostics the outputs publish (`onDiagnostics`): the moment they change, and every `diagnosticsEveryMs`
 *   as a backstop.
 * Time-based transitions (silence → no_data) are noticed on the pipeline's heartbeat (`tick`), within 250 ms.
 */
import type { MeterIdentity } from '../decoder/types.js';
import type { AmisLinkView } from '../framing/mbus/AmisLink.js';
import { identityOf } from '../judge/guards.js';
import type { AcceptedPush, DecodedResult, FailedResult, PipelineListener, Rejection } from '../pipeline/events.js';
import { problemMessage, renderMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SourceStatus } from '../transport/types.js';
import { ProblemLog } from './problemLog.js';
import type { StateStore } from './StateStore.js';
import type { Diagnostics, MqttStatus } from './types.js';

export interface MeterMonitorOptions {
  /** Backstop: diagnostics are republished at least this often (changes go out at once). Default 60 s. */
  readonly diagnosticsEveryMs?: number;
  /** Summary lines of a persisting failure at most this often. Default 10 min. */
  readonly summaryEveryMs?: number;
}

/** The health view goes to the panel's subscribers every this many heartbeats (5 s) when it changed. */
const HEALTH_EVERY_TICKS = 20;

/** The debug line of an accepted push: meter, meter time, energy, net power, voltages. */
export function pushSummary(p: AcceptedPush): string {
  const r = p.readings;
  const num = (obis: string) => (typeof r[obis]?.value === 'number' ? (r[obis]!.value as number) : null);
  const parts: string[] = [];
  const { energyImportWh: ei, energyExportWh: ee, netPowerW } = p.derived;
  if (ei !== null) parts.push(`import ${(ei / 1000).toFixed(3)} kWh`);
  if (ee !== null) parts.push(`export ${(ee / 1000).toFixed(3)} kWh`);
  if (netPowerW !== null) parts.push(`power ${netPowerW} W net`);
  const u = ['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0'].map(num).filter((x): x is number => x !== null);
  if (u.length) parts.push(`${u.join('/')} V`);
  return `meter ${p.meter.id ?? p.meter.systemTitle ?? '?'} ${p.time ?? ''}: ${parts.join(', ') || `${Object.keys(r).length} values`}`;
}

export class MeterMonitor implements PipelineListener {
  private readonly problems: ProblemLog;
  private readonly statusLog: Logger;
  private readonly pushLog: Logger;
  private readonly guardLog: Logger;
  private readonly amisLog: Logger;
  private readonly layerLogs = new Map<string, Logger>();
  private readonly diagnosticsListeners: ((diagnostics: Diagnostics) => void)[] = [];
  private lastDiagnosticsAt = 0;
  private diagnosticsSignature = '';
  private loggedStatus: string | null = null;
  private meterIdentity: string | null = null;
  private ticks = 0;
  private stopped = false;
  private readonly amisLogged = { state: 'listening', echo: false, searchFrames: 0, unanswered: false, paritySignatures: 0 };

  constructor(
    /** The live state the panel reads (web layer's LiveSource). */
    readonly state: StateStore,
    private readonly log: Logger,
    private readonly options: MeterMonitorOptions = {},
  ) {
    this.problems = new ProblemLog(log, options.summaryEveryMs);
    this.statusLog = log.child('status');
    this.pushLog = log.child('push');
    this.guardLog = log.child('guard');
    this.amisLog = log.child('amis');
  }

  /** Adds a receiver of the diagnostics (each meter's MQTT output); returns the unsubscribe function. */
  onDiagnostics(listener: (diagnostics: Diagnostics) => void): () => void {
    this.diagnosticsListeners.push(listener);
    return () => {
      const i = this.diagnosticsListeners.indexOf(listener);
      if (i >= 0) this.diagnosticsListeners.splice(i, 1);
    };
  }

  /** The MQTT output's connection status (the health view's MQTT layer). */
  mqttStatusChanged(status: MqttStatus): void {
    this.state.setMqttStatus(status);
  }

  /** Codes failing now (problem log), for tests. */
  get activeProblems(): string[] {
    return this.problems.activeCodes;
  }

  // --- pipeline events -----------------------------------------------------------------------------------------

  started(at: number): void {
    this.refreshStatus(at);
  }

  stopping(): void {
    this.stopped = true;
  }

  bytesReceived(count: number): void {
    this.state.recordBytes(count);
  }

  sourceStatusChanged(status: SourceStatus, at: number): void {
    this.state.setSourceStatus(status);
    this.refreshStatus(at);
  }

  failed(result: FailedResult, at: number): void {
    const e = result.error;
    const layer = e.stage;
    this.layerLog(layer).debug(e.message);
    // noise between frames is normal at start and mid-frame; persisting noise shows as the serial_settings status
    if (result.trace.discarded?.reason !== 'noise') this.problems.failure(layer, e.code, e.message, at);
    this.state.recordResult(result, null, null);
    this.refreshStatus(at);
  }

  rejected(result: DecodedResult, rejection: Rejection, at: number): void {
    this.noteMeter(result.push.meter);
    const message = problemMessage(rejection);
    this.guardLog.debug(message);
    this.problems.failure('guard', rejection.code, message, at);
    this.state.recordResult(result, rejection, null);
    this.refreshStatus(at);
  }

  accepted(push: AcceptedPush, result: DecodedResult): void {
    const at = push.receivedAt.getTime();
    this.noteMeter(push.meter);
    this.state.recordResult(result, null, push);
    this.problems.recovered(at);
    this.pushLog.debug(pushSummary(push));
    this.refreshStatus(at);
  }

  /** The AMIS link changed state or a diagnostic counter: log once per change, update the status. */
  amisLinkChanged(v: AmisLinkView, settings: string | null, at: number): void {
    const log = this.amisLog;
    const seen = this.amisLogged;
    if (v.state !== seen.state) {
      if (v.state === 'search') log.info('AMIS meter searching for a reader (SND_NKE to 240): answered with E5');
      else if (v.state === 'synced') log.info('AMIS link synced: data frames arrive once a second and are acknowledged with E5');
      else if (v.state === 'lost') log.warning('AMIS link lost: no data frame for a few seconds; the meter will search again');
      seen.state = v.state;
    }
    if (v.echoes > 0 && !seen.echo) {
      seen.echo = true;
      log.warning(renderMessage('AMIS_ECHO', 'echo'));
    }
    // persisting link problems go through the problem log: warned once, summarised, recovery logged with the next push
    if (v.state === 'search' && v.searchUnanswered && (v.searchFrames !== seen.searchFrames || !seen.unanswered)) {
      this.problems.failure('framing', 'AMIS_HEAD_SILENT', renderMessage('AMIS_HEAD_SILENT', 'unanswered', { searchFrames: v.searchFrames }), at);
    }
    if (v.paritySignatures >= 2 && v.paritySignatures !== seen.paritySignatures && v.dataFrames === 0) {
      const params = { frames: v.paritySignatures, settings: settings ?? 'unknown' };
      this.problems.failure('framing', 'AMIS_PARITY', renderMessage('AMIS_PARITY', 'wrong_parity', params), at);
    }
    seen.searchFrames = v.searchFrames;
    seen.unanswered = v.searchUnanswered;
    seen.paritySignatures = v.paritySignatures;
    this.state.setAmisLink(v);
    this.refreshStatus(at);
  }

  tick(now: number): void {
    // time-based transitions (silence → no_data) are noticed here
    this.refreshStatus(now);
    this.problems.summarise(now);
    if (++this.ticks % HEALTH_EVERY_TICKS === 0) this.state.broadcastHealth();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A decoded push (accepted or not) from another meter than the last one: said once, at info. */
  private noteMeter(meter: MeterIdentity): void {
    const identity = identityOf(meter);
    if (this.meterIdentity !== null && identity !== this.meterIdentity) {
      this.guardLog.info(`a different meter is sending (${identity}); its counters are guarded separately`);
    }
    this.meterIdentity = identity;
  }

  private layerLog(layer: string): Logger {
    let log = this.layerLogs.get(layer);
    if (!log) {
      log = this.log.child(layer);
      this.layerLogs.set(layer, log);
    }
    return log;
  }

  /**
   * Status and diagnostics go out the moment they change (status, link status, counters); unchanged ones are
   * republished every `diagnosticsEveryMs` as a backstop. A status change is logged once.
   */
  private refreshStatus(now: number): void {
    if (this.stopped) return;
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
    if (this.diagnosticsListeners.length === 0) return;
    const signature = `${d.status}|${d.problem}|${d.linkStatus}|${d.decodeErrors}|${d.rejectedPushes}|${d.lastPushAt?.getTime() ?? ''}`;
    const due = now - this.lastDiagnosticsAt >= (this.options.diagnosticsEveryMs ?? 60_000);
    if (!due && signature === this.diagnosticsSignature) return;
    this.diagnosticsSignature = signature;
    this.lastDiagnosticsAt = now;
    for (const listener of this.diagnosticsListeners) listener(d);
  }
}
