/**
 * A simulated Netz OÖ AMIS meter on the meter end of a socat pty, written for the tests independently of the
 * product's link code: it plays the meter's side of the AMIS spec §2.2 with test timings. While searching it sends
 * SND_NKE `10 40 F0 30 16` every `searchEveryMs`; an `E5` after it starts the data phase: one SND_UD per
 * `dataEveryMs`, access number from 0; a frame not acknowledged before the next one is a miss, and after 10
 * misses it searches again. It records every byte the reader writes and the time from each frame to its `E5`.
 */
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { AMIS_SND_NKE, encodeAmisFrame, type AmisValues } from '../../src/mbus/amisEncode.js';

export interface SimulatedAmisMeterOptions {
  readonly key: Uint8Array;
  readonly searchEveryMs: number;
  readonly dataEveryMs?: number;
  /** The reader's head echoes what it sends: every byte the reader writes comes back to it. */
  readonly echo?: boolean;
  /** The meter never sees the reader's bytes (a receive-only head): it keeps searching. */
  readonly deaf?: boolean;
}

export interface AckRecord {
  readonly kind: 'search' | 'data';
  readonly accessNumber: number | null;
  /** ms from writing the frame to receiving its E5; null when no E5 came before the next frame. */
  readonly latencyMs: number | null;
}

export class SimulatedAmisMeter {
  /** Every byte the reader wrote, in order. */
  readonly received: number[] = [];
  readonly acks: AckRecord[] = [];
  state: 'search' | 'synced' = 'search';
  searchFrames = 0;
  dataFrames = 0;
  /** E5 bytes that came when no frame waited for one. */
  unexpectedAcks = 0;
  syncedAt: number | null = null;
  syncCount = 0;
  private port: SerialPort | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending: { kind: 'search' | 'data'; accessNumber: number | null; sentAt: number } | null = null;
  private missed = 0;
  private accessNumber = 0;
  private lastSearchAt = -Infinity;
  private lastDataAt = -Infinity;
  private energyWh = 5_000_000;
  private frameCount = 0;

  constructor(
    private readonly path: string,
    private readonly options: SimulatedAmisMeterOptions,
  ) {}

  async start(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => this.onBytes(chunk));
    this.timer = setInterval(() => this.step(), 10);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** A power cycle: back to searching at once, access number from 0. */
  restart(): void {
    this.closePending();
    this.state = 'search';
    this.missed = 0;
    this.accessNumber = 0;
    this.lastSearchAt = -Infinity;
  }

  /** The values of the n-th data frame: A+ rises 1 Wh per frame, the Inkassozählwerk is negative. */
  static values(n: number, energyWh: number): AmisValues {
    return {
      localTime: new Date(Date.UTC(2026, 0, 15, 12, 0, n % 60)),
      summerTime: false,
      energyImportWh: energyWh,
      energyExportWh: 1_234_567,
      reactiveImportVarh: 345_678,
      reactiveExportVarh: 45_678,
      powerImportW: 1800 + n,
      powerExportW: 0,
      reactivePowerImportVar: 120,
      reactivePowerExportVar: 0,
      collectionWh: -4321,
    };
  }

  private onBytes(chunk: Buffer): void {
    const at = performance.now();
    for (const b of chunk) this.received.push(b);
    if (this.options.echo) this.port?.write(Buffer.from(chunk));
    if (this.options.deaf) return;
    for (const b of chunk) {
      if (b !== 0xe5) continue;
      const p = this.pending;
      if (!p) {
        this.unexpectedAcks++;
        continue;
      }
      this.acks.push({ kind: p.kind, accessNumber: p.accessNumber, latencyMs: at - p.sentAt });
      this.pending = null;
      this.missed = 0;
      if (this.state === 'search') {
        this.state = 'synced';
        this.syncedAt = Date.now();
        this.syncCount++;
        this.accessNumber = 0;
        this.lastDataAt = -Infinity;
      }
    }
  }

  private closePending(): void {
    if (this.pending) this.acks.push({ kind: this.pending.kind, accessNumber: this.pending.accessNumber, latencyMs: null });
    this.pending = null;
  }

  private send(bytes: Uint8Array, kind: 'search' | 'data', accessNumber: number | null): void {
    this.closePending();
    this.port?.write(Buffer.from(bytes));
    this.pending = { kind, accessNumber, sentAt: performance.now() };
  }

  private step(): void {
    const now = Date.now();
    if (this.state === 'search') {
      if (now - this.lastSearchAt < this.options.searchEveryMs) return;
      this.lastSearchAt = now;
      this.searchFrames++;
      this.send(AMIS_SND_NKE, 'search', null);
      return;
    }
    if (now - this.lastDataAt < (this.options.dataEveryMs ?? 1000)) return;
    if (this.pending && ++this.missed >= 10) {
      this.restart();
      return;
    }
    this.lastDataAt = now;
    this.energyWh += 1;
    const frame = encodeAmisFrame(SimulatedAmisMeter.values(this.frameCount++, this.energyWh), this.options.key, this.accessNumber, this.accessNumber % 2 === 1);
    this.dataFrames++;
    this.send(frame, 'data', this.accessNumber);
    this.accessNumber = (this.accessNumber + 1) & 0xff;
  }
}
