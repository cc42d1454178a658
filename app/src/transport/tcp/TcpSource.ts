/**
 * A TCP byte stream, e.g. a ser2net bridge next to the meter (`tcp://192.168.1.5:3333`). Same rules as the
 * serial port: reconnect with capped backoff, and reconnect when no byte arrives for the watchdog time.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import { backoffMs, BaseSource } from '../types.js';

export class TcpSource extends BaseSource {
  readonly description: string;
  /** Reopens by itself after an error (watchdog: ByteSource.reconnects). */
  readonly reconnects = true;
  private socket: Socket | null = null;
  private attempt = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private lastByteAt = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly watchdogMs: number,
    private readonly log: Logger,
  ) {
    super();
    this.description = `tcp://${host}:${port}`;
  }

  start(): void {
    this.stopped = false;
    this.connect();
    this.watchdogTimer = setInterval(() => {
      if (this.socket && this.status.state === 'open' && Date.now() - this.lastByteAt >= this.watchdogMs) {
        this.log.info(`no byte from ${this.description} for ${Math.round(this.watchdogMs / 1000)} s; reconnecting`);
        this.socket.destroy();
      }
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.socket?.destroy();
    this.socket = null;
    this.setStatus('closed', `${this.description} closed`);
  }

  /** Writes to the meter through the bridge (the AMIS `E5` acknowledgements; ser2net passes them to the line). */
  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || this.status.state !== 'open') return false;
    socket.write(Buffer.from(bytes));
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('opening', `connecting to ${this.description}`);
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.attempt = 0;
      this.lastByteAt = Date.now();
      this.log.info(`connected to ${this.description}`);
      this.setStatus('open', `${this.description} connected`);
    });
    socket.on('data', (chunk: Buffer) => {
      this.lastByteAt = Date.now();
      this.emitData(chunk);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const detail = `cannot read ${this.description}: ${err.code ?? err.message}`;
      if (this.status.detail !== detail) this.log.warning(detail);
      this.setStatus('error', detail, 'port_error');
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (this.status.state === 'open') this.setStatus('error', `${this.description} closed the connection; reconnecting`, 'port_closed');
      this.timer = setTimeout(() => this.connect(), backoffMs(this.attempt++));
    });
  }
}
