/** Writes bytes into a PTY at serial wire speed (8E1: 11 bits per byte), in 100 ms slices. */
import type { PtyPair } from './socat.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function writePaced(pty: PtyPair, bytes: Uint8Array, baud = 2400, bitsPerByte = 11): Promise<void> {
  const perSlice = Math.max(1, Math.round(((baud / bitsPerByte) * 100) / 1000));
  for (let at = 0; at < bytes.length; at += perSlice) {
    pty.write(Buffer.from(bytes.subarray(at, at + perSlice)));
    if (at + perSlice < bytes.length) await sleep(100);
  }
}

/** Polls `probe` every 100 ms until it gives a truthy value (returned) or `timeoutMs` passes (throws, naming `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
