/**
 * The serial port (the only importer of `serialport`). Opens the configured device (a stable
 * /dev/serial/by-id/… path is best), reopens with capped backoff after unplug or error, reopens when no
 * byte arrives for the watchdog time, and — with settings "auto" — tries 2400 8E1, 9600 8N1, 115200 8N1,
 * 9600 7E1 and 9600 8E1 in turn until the pipeline confirms a frame with a valid checksum (protocol.md §1, §6, §7: M-Bus
 * RJ12, IR head, P1 of DSMR 4/5 meters, and the P1 of DSMR 2.2 meters, which send 7 data bits with even parity).
 * A checksum-valid frame proves baud rate and parity whatever the decryption result, so a wrong key is reported
 * as a wrong key on the right settings instead of sending the detection on to the next baud rate.
 */
import { SerialPort } from 'serialport';
import type { SerialSettingsOption } from '../../shared/serialSettings.js';
import type { Logger } from '../../shared/logger.js';
import { backoffMs, BaseSource } from '../types.js';

interface LineSettings {
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: 'even' | 'none';
  readonly label: string;
}

const LINE: Record<Exclude<SerialSettingsOption, 'auto'>, LineSettings> = {
  '2400_8E1': { baudRate: 2400, dataBits: 8, parity: 'even', label: '2400 8E1' },
  '2400_8N1': { baudRate: 2400, dataBits: 8, parity: 'none', label: '2400 8N1' },
  '9600_8N1': { baudRate: 9600, dataBits: 8, parity: 'none', label: '9600 8N1' },
  '9600_8E1': { baudRate: 9600, dataBits: 8, parity: 'even', label: '9600 8E1' },
  '9600_7E1': { baudRate: 9600, dataBits: 7, parity: 'even', label: '9600 7E1' },
  '115200_8N1': { baudRate: 115200, dataBits: 8, parity: 'none', label: '115200 8N1' },
};
/**
 * Order tried by auto-detection: M-Bus (NÖ, Tirol, Salzburg, Vorarlberg), IR (Wiener Netze), P1 (DSMR 4/5,
 * e-MUCS, Smarty, Steiermark, Kärnten), DSMR 2.2 P1, and the IR interface of the Netz OÖ AMIS meters (9600 8E1,
 * AMIS spec §2.3.2–2.3.4), last because it needs the longest window (below).
 */
const AUTO_ORDER: readonly (keyof typeof LINE)[] = ['2400_8E1', '9600_8N1', '115200_8N1', '9600_7E1', '9600_8E1'];
/**
 * An AMIS meter that has no reader sends only its search frame, every 60 s (AMIS spec §2.2.2): 9600 8E1 is tried
 * for at least this long so one search frame falls into the window.
 */
const AMIS_DETECT_MS = 65_000;

export interface SerialSourceOptions {
  readonly path: string;
  readonly settings: SerialSettingsOption;
  /** Reopen when no byte arrives for this long. */
  readonly watchdogMs: number;
  /** Auto-detection: try the next settings when no valid frame arrived for this long. Default 20 s. */
  readonly detectMs?: number;
  /** Auto-detection window for 9600 8E1 (AMIS search frames come once a minute). Default 65 s. */
  readonly amisDetectMs?: number;
}

function describeOpenError(path: string, err: NodeJS.ErrnoException | Error): { detail: string; hintId: string } {
  const message = err.message;
  if (/ENOENT|No such file|cannot open/i.test(message) && !/EACCES|EBUSY/.test(message)) {
    return { detail: `${path} not found: is the converter plugged in and the right device selected?`, hintId: 'no_port' };
  }
  if (/EACCES|permission denied/i.test(message)) {
    return { detail: `no permission to open ${path}: the add-on needs access to the device`, hintId: 'port_error' };
  }
  if (/EBUSY|lock|Resource temporarily unavailable/i.test(message)) {
    return { detail: `${path} is in use by another program (another add-on or integration holds the port)`, hintId: 'port_busy' };
  }
  return { detail: `cannot open ${path}: ${message}`, hintId: 'port_error' };
}

export class SerialSource extends BaseSource {
  readonly description: string;
  /** Reopens by itself after an error (watchdog: ByteSource.reconnects). */
  readonly reconnects = true;
  private port: SerialPort | null = null;
  private attempt = 0;
  private candidate = 0;
  private confirmed = false;
  private stopped = true;
  private reopenTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private lastByteAt = 0;
  private openedAt = 0;
  /** When the current auto-detection candidate was first opened (a watchdog reopen does not restart its window). */
  private candidateSince = 0;
  private candidateOpened = -1;
  private lastOpenError: string | null = null;

  constructor(
    private readonly options: SerialSourceOptions,
    private readonly log: Logger,
  ) {
    super();
    this.description = options.path;
  }

  private get line(): LineSettings {
    const key = this.options.settings === 'auto' ? AUTO_ORDER[this.candidate % AUTO_ORDER.length]! : this.options.settings;
    return LINE[key];
  }

  start(): void {
    this.stopped = false;
    this.open();
    this.watchdogTimer = setInterval(() => this.watchdog(), 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.reopenTimer = this.watchdogTimer = null;
    await this.closePort();
    this.log.info(`${this.options.path} closed`);
    this.setStatus('closed', `${this.options.path} closed`);
  }

  /**
   * Writes to the meter (the AMIS `E5` acknowledgements). Written at once, without waiting for the previous
   * write to drain: one byte per second cannot queue up.
   */
  write(bytes: Uint8Array): boolean {
    const port = this.port;
    if (!port?.isOpen) return false;
    port.write(Buffer.from(bytes), (err) => {
      if (err) this.log.debug(`serial write failed: ${err.message}`);
    });
    return true;
  }

  /** A checksum-valid frame arrived with the current settings: auto-detection is done. */
  override confirm(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.settingsConfirmed = true;
    if (this.options.settings === 'auto') this.log.info(`serial settings detected: ${this.line.label} (valid frames)`);
    this.refreshStatus();
  }

  private open(): void {
    if (this.stopped) return;
    const line = this.line;
    this.setStatus('opening', `opening ${this.options.path} at ${line.label}`, null, line.label);
    const port = new SerialPort({
      path: this.options.path,
      baudRate: line.baudRate,
      dataBits: line.dataBits,
      parity: line.parity,
      stopBits: 1,
      autoOpen: false,
    });
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      this.lastByteAt = Date.now();
      this.emitData(chunk);
    });
    port.on('close', () => {
      if (this.port !== port) return;
      this.port = null;
      if (!this.stopped) {
        this.setStatus('error', `${this.options.path} was closed (unplugged?); reopening`, 'port_closed', line.label);
        this.log.warning(`${this.options.path} closed; reopening`);
        this.scheduleReopen();
      }
    });
    port.on('error', (err) => {
      this.log.debug(`serial error: ${err.message}`);
    });
    port.open((err) => {
      if (this.port !== port) {
        // stop() or a reopen came while the port was opening: closePort() could not close it yet, so close it now.
        if (!err) port.close(() => {});
        return;
      }
      if (err) {
        this.port = null;
        const { detail, hintId } = describeOpenError(this.options.path, err);
        if (detail !== this.lastOpenError) this.log.warning(detail);
        this.lastOpenError = detail;
        this.setStatus('error', detail, hintId, line.label);
        this.scheduleReopen();
        return;
      }
      this.attempt = 0;
      this.lastOpenError = null;
      this.openedAt = this.lastByteAt = Date.now();
      if (this.candidateOpened !== this.candidate) {
        this.candidateOpened = this.candidate;
        this.candidateSince = this.openedAt;
      }
      this.log.info(`${this.options.path} open at ${line.label}`);
      this.setStatus('open', `${this.options.path} open at ${line.label}`, null, line.label);
    });
  }

  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    const delay = backoffMs(this.attempt++);
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.open();
    }, delay);
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  private async reopen(reason: string): Promise<void> {
    this.log.info(reason);
    await this.closePort();
    this.attempt = 0;
    if (this.reopenTimer) {
      clearTimeout(this.reopenTimer);
      this.reopenTimer = null;
    }
    this.open();
  }

  private watchdog(): void {
    if (!this.port?.isOpen) return;
    const now = Date.now();
    const detectMs =
      this.line.label === '9600 8E1' ? Math.max(this.options.detectMs ?? 20_000, this.options.amisDetectMs ?? AMIS_DETECT_MS) : (this.options.detectMs ?? 20_000);
    if (this.options.settings === 'auto' && !this.confirmed && now - this.candidateSince >= detectMs) {
      this.candidate++;
      void this.reopen(`no valid frames at ${LINE[AUTO_ORDER[(this.candidate - 1) % AUTO_ORDER.length]!].label}; trying ${this.line.label}`);
      return;
    }
    if (now - this.lastByteAt >= this.options.watchdogMs) {
      this.setStatus('open', `${this.options.path} open, but no byte for ${Math.round((now - this.lastByteAt) / 1000)} s`, 'no_bytes', this.line.label);
      void this.reopen(`no byte from ${this.options.path} for ${Math.round(this.options.watchdogMs / 1000)} s; reopening`);
    }
  }
}
