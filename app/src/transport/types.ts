/** Byte sources: the serial port, a TCP bridge (ser2net), a replayed capture, the built-in simulator. */

export type SourceState = 'opening' | 'open' | 'closed' | 'error';

export interface SourceStatus {
  readonly state: SourceState;
  /** English detail naming the device and, on failure, the likely cause. */
  readonly detail: string;
  /** Stable hint id for the panel (no_port, port_error, port_busy, port_closed, no_bytes) or null. */
  readonly hintId: string | null;
  readonly since: Date;
  /** Serial settings in use, e.g. "2400 8E1"; null when not a serial line. */
  readonly settings: string | null;
  /** True once valid frames proved the serial settings (auto-detection stops); absent for other sources. */
  readonly settingsConfirmed?: boolean;
}

export interface ByteSource {
  /** e.g. "/dev/serial/by-id/usb-…", "tcp://192.168.1.5:3333", "simulator". */
  readonly description: string;
  readonly status: SourceStatus;
  /**
   * True for sources that reopen by themselves after an error (serial, tcp): while they retry, their status passes
   * through `opening` at least every few seconds (backoffMs). A status stuck at `error` means their retry loop died
   * (the watchdog's SOURCE_STOPPED). Absent or false: an error may be final (no port configured, replay ended).
   */
  readonly reconnects?: boolean;
  start(): void;
  stop(): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): void;
  onStatus(listener: (status: SourceStatus) => void): void;
  /**
   * The pipeline saw a frame with a valid checksum (or a decoded push, for framings without a checksum): the line
   * settings are right, whatever the decryption result. Serial auto-detection keeps the current settings.
   */
  confirm(): void;
  /**
   * Optional write capability (the serial port; the simulated AMIS meter): sends bytes to the meter, e.g. the `E5`
   * acknowledgements of the Netz OÖ AMIS link protocol (framing/mbus/AmisLink.ts). Returns false when nothing
   * could be written (port not open). Sources without it are receive-only.
   */
  write?(bytes: Uint8Array): boolean;
}

/** Reopen delays: 0.5 s, 1 s, 2 s, then every 3 s (a replugged converter is read again within seconds). */
export function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 3000);
}

/** Shared listener plumbing and status bookkeeping for the sources. */
export abstract class BaseSource implements ByteSource {
  abstract readonly description: string;
  private readonly dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private readonly statusListeners: ((status: SourceStatus) => void)[] = [];
  private current: SourceStatus = { state: 'closed', detail: 'not started', hintId: null, since: new Date(), settings: null };
  /** Set by sources whose line settings can be wrong (serial) once the pipeline confirmed them. */
  protected settingsConfirmed = false;

  get status(): SourceStatus {
    return this.current;
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onStatus(listener: (status: SourceStatus) => void): void {
    this.statusListeners.push(listener);
  }

  confirm(): void {}

  abstract start(): void;
  abstract stop(): Promise<void>;

  /** Re-emits the current status (e.g. after `settingsConfirmed` changed). */
  protected refreshStatus(): void {
    const c = this.current;
    this.setStatus(c.state, c.detail, c.hintId, c.settings);
  }

  protected emitData(chunk: Uint8Array): void {
    for (const l of this.dataListeners) l(chunk);
  }

  protected setStatus(state: SourceState, detail: string, hintId: string | null = null, settings: string | null = null): void {
    const prev = this.current;
    const confirmed = this.settingsConfirmed;
    if (prev.state === state && prev.detail === detail && prev.hintId === hintId && prev.settings === settings && (prev.settingsConfirmed ?? false) === confirmed) return;
    this.current = { state, detail, hintId, since: new Date(), settings, ...(confirmed ? { settingsConfirmed: true } : {}) };
    for (const l of this.statusListeners) l(this.current);
  }
}
