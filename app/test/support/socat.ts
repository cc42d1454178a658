/** A socat PTY pair standing in for the USB converter: tests write meter bytes to `meter`, the reader opens `reader`. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync } from 'node:fs';

export interface PtyPair {
  readonly meter: string;
  readonly reader: string;
  readonly process: ChildProcess;
  /** Writes bytes to the meter end (blocking, in order). */
  write(bytes: Buffer): void;
  /** Kills socat: the reader's port goes away. */
  kill(): Promise<void>;
}

export async function startPtyPair(dir: string): Promise<PtyPair> {
  const meter = `${dir}/meter-pty`;
  const reader = `${dir}/reader-pty`;
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${meter}`, `pty,raw,echo=0,link=${reader}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 100 && !(existsSync(meter) && existsSync(reader)); i++) {
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(meter) || !existsSync(reader)) throw new Error(`socat did not create the PTYs: ${log}`);
  let fd: number | null = null;
  return {
    meter,
    reader,
    process: proc,
    write(bytes) {
      fd ??= openSync(meter, 'w');
      writeSync(fd, bytes);
    },
    async kill() {
      if (fd !== null) closeSync(fd);
      fd = null;
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
