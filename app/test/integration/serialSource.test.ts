/** The serial adapter on a real pseudo-terminal: auto-detection moves on without frames and stays once confirmed. */
import { mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { SerialSource } from '../../src/transport/serial/SerialSource.js';
import { sleep } from '../support/pace.js';
import { startPtyPair } from '../support/socat.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-serial-'));

/** How many file descriptors of this process point at `device` (a pty's /dev/pts/N). */
function fdsOn(device: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === device) count++;
    } catch {
      // closed while listing
    }
  }
  return count;
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SerialSource', () => {
  it('tries 2400 8E1, then 9600 8N1, then 115200 8N1 (then 9600 7E1) until frames are confirmed, and keeps the confirmed one', async () => {
    const pty = await startPtyPair(dir);
    const source = new SerialSource({ path: pty.reader, settings: 'auto', watchdogMs: 60_000, detectMs: 1500 }, silentLogger);
    const seen: string[] = [];
    source.onStatus((s) => {
      if (s.state === 'open' && s.settings && seen.at(-1) !== s.settings) seen.push(s.settings);
    });
    const chunks: Uint8Array[] = [];
    source.onData((c) => chunks.push(c));
    try {
      source.start();
      for (let i = 0; i < 80 && seen.length < 3; i++) await sleep(100);
      expect(seen.slice(0, 3)).toEqual(['2400 8E1', '9600 8N1', '115200 8N1']);
      source.confirm();
      await sleep(2500);
      expect(seen).toHaveLength(3);
      pty.write(Buffer.from([0x68, 0x01, 0x02]));
      for (let i = 0; i < 30 && chunks.length === 0; i++) await sleep(100);
      expect(Buffer.concat(chunks)).toEqual(Buffer.from([0x68, 0x01, 0x02]));
    } finally {
      await source.stop();
      await pty.kill();
    }
  });

  it('goes on to 9600 7E1 (DSMR 2.2 P1, 7 data bits) after 115200 8N1, then 9600 8E1 (AMIS, longer window), then starts over', async () => {
    const pty = await startPtyPair(dir);
    const source = new SerialSource({ path: pty.reader, settings: 'auto', watchdogMs: 60_000, detectMs: 1000, amisDetectMs: 2500 }, silentLogger);
    const seen: { settings: string; at: number }[] = [];
    source.onStatus((s) => {
      if (s.state === 'open' && s.settings && seen.at(-1)?.settings !== s.settings) seen.push({ settings: s.settings, at: Date.now() });
    });
    try {
      source.start();
      for (let i = 0; i < 150 && seen.length < 6; i++) await sleep(100);
      expect(seen.slice(0, 6).map((s) => s.settings)).toEqual(['2400 8E1', '9600 8N1', '115200 8N1', '9600 7E1', '9600 8E1', '2400 8E1']);
      // AMIS search frames come once a minute: 9600 8E1 gets its own, longer window
      expect(seen[5]!.at - seen[4]!.at).toBeGreaterThanOrEqual(2400);
    } finally {
      await source.stop();
      await pty.kill();
    }
  });

  it('stop() closes the port, also when it comes while the port is still opening, and leaves no timer', async () => {
    const pty = await startPtyPair(dir);
    const device = realpathSync(pty.reader);
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    try {
      const source = new SerialSource({ path: pty.reader, settings: '2400_8E1', watchdogMs: 60_000 }, silentLogger);
      const opened = new Promise<void>((resolve) => source.onStatus((s) => s.state === 'open' && resolve()));
      source.start();
      await opened;
      expect(fdsOn(device)).toBe(1);
      await source.stop();
      expect(fdsOn(device)).toBe(0);
      expect(source.status.state).toBe('closed');

      // stop() right after start(): the open is still in flight
      const early = new SerialSource({ path: pty.reader, settings: '2400_8E1', watchdogMs: 60_000 }, silentLogger);
      early.start();
      await early.stop();
      for (let i = 0; i < 20 && fdsOn(device) > 0; i++) await sleep(50);
      await sleep(200);
      expect(fdsOn(device)).toBe(0);
      expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
    } finally {
      await pty.kill();
    }
  });
});
