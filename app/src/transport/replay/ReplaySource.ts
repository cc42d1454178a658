/**
 * Replays a captured stream (the panel's capture download, a `decode` test file, or raw bytes) through the
 * pipeline, paced at wire speed (speed 1, 2400 baud 8E1 = 11 bits per byte) or faster (speed > 1), or as
 * fast as possible (speed 0).
 */
import { readFileSync } from 'node:fs';
import { captureBytes } from '../../shared/capture.js';
import type { Logger } from '../../shared/logger.js';
import { BaseSource } from '../types.js';

const WIRE_BYTES_PER_SECOND = 2400 / 11;
const TICK_MS = 50;

export class ReplaySource extends BaseSource {
  readonly description: string;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly file: string,
    private readonly speed: number,
    private readonly loop: boolean,
    private readonly log: Logger,
  ) {
    super();
    this.description = `replay of ${file}`;
  }

  start(): void {
    this.stopped = false;
    let bytes: Uint8Array;
    try {
      bytes = captureBytes(readFileSync(this.file));
    } catch (e) {
      const detail = `cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      this.log.error(detail);
      this.setStatus('error', detail, 'no_port');
      return;
    }
    this.setStatus('open', `replaying ${bytes.length} bytes from ${this.file}`);
    const perTick = this.speed === 0 ? 65536 : Math.max(1, Math.round((WIRE_BYTES_PER_SECOND * this.speed * TICK_MS) / 1000));
    let at = 0;
    const tick = () => {
      if (this.stopped) return;
      if (at >= bytes.length) {
        if (!this.loop) {
          this.setStatus('closed', `replay of ${this.file} finished`);
          return;
        }
        at = 0;
      }
      this.emitData(bytes.subarray(at, at + perTick));
      at += perTick;
      this.timer = setTimeout(tick, this.speed === 0 ? 0 : TICK_MS);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
