/** The other byte sources of the real service: a TCP bridge (ser2net style) and the replay of a capture file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../support/backend.js';
import { sleep } from '../support/pace.js';
import { sharedVectors, streamOf } from '../support/vectors.js';

const noe = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
const dir = mkdtempSync(join(tmpdir(), 'smr-sources-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

interface Snapshot {
  live: { meter: { id: string } | null; readings: { obis: string; value: unknown }[] };
  health: { counters: { decoded: number }; layers: { id: string; status: string }[] };
}
const snapshot = async (b: Backend) => (await (await fetch(`http://127.0.0.1:${b.port}/api/snapshot`)).json()) as Snapshot;

async function waitDecoded(b: Backend, n: number, timeoutMs = 15_000): Promise<Snapshot> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await snapshot(b);
    if (s.health.counters.decoded >= n) return s;
    if (Date.now() > end) throw new Error(`only ${s.health.counters.decoded} pushes decoded:\n${b.output()}`);
    await sleep(200);
  }
}

describe('sources', () => {
  it('reads a TCP bridge and reconnects when it drops the connection', async () => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.write(Buffer.from(streamOf(noe)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const { port } = server.address() as { port: number };
    const backend = await startBackend(['--tcp-address', `tcp://127.0.0.1:${port}`, '--key', noe.key]);
    cleanups.push(() => backend.stop());
    const first = await waitDecoded(backend, 1);
    expect(first.live.meter?.id).toBe('181220000009');
    for (const s of sockets) s.destroy();
    // the bridge sends the push again on the next connection
    await waitDecoded(backend, 2);
    expect(backend.process.exitCode).toBeNull();
  });

  it('replays a capture file through the whole pipeline', async () => {
    const file = join(dir, 'capture.hex');
    writeFileSync(file, `# a capture\n${noe.frames.join('\n')}\n`);
    const backend = await startBackend(['--replay', file, '--replay-speed', '0', '--key', noe.key]);
    cleanups.push(() => backend.stop());
    const s = await waitDecoded(backend, 1);
    expect(s.live.readings.find((r) => r.obis === '1-0:1.8.0')?.value).toBe(12937);
  });
});
