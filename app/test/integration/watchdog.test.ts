/**
 * The watchdog end to end: the real service (`node app/dist/main.js --simulator`, so a pipeline runs) with Node's
 * inspector on a loopback port. Through the inspector the test runs a busy loop on the service's own JS thread, which
 * blocks its event loop for real, as a hang in the code would. GET api/watchdog (what the Supervisor and the Docker
 * HEALTHCHECK call) does not answer while the loop is blocked, answers 503 EVENT_LOOP_BLOCKED after it, and 200 again
 * once the hold time has passed. Timings are shortened through the environment (SMR_WATCHDOG_*); the assertions are on
 * the watchdog's own thresholds with wide margins, not on how fast anything runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBackend, type Backend } from '../support/backend.js';
import { sleep } from '../support/pace.js';

// Wide margins: a loaded CI machine can delay a timer by a second without anything being hung.
const BLOCKED_MS = 2500;
const HOLD_MS = 8000;
const BLOCK_FOR_MS = 6000;
/** Written to the service's stdout by the blocking expression just before it starts to spin. */
const BLOCK_STARTED = 'WATCHDOG-TEST-BLOCK-STARTED';

interface WatchdogAnswer {
  status: 'ok' | 'failing';
  problems: { code: string; detail: string }[];
}

async function watchdog(backend: Backend, timeoutMs = 5000): Promise<{ code: number; body: WatchdogAnswer }> {
  const res = await fetch(`http://127.0.0.1:${backend.port}/api/watchdog`, { signal: AbortSignal.timeout(timeoutMs) });
  return { code: res.status, body: (await res.json()) as WatchdogAnswer };
}

/** Minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Inspector(socket);
  }

  /** Sends Runtime.evaluate; the promise settles when the service has run the expression. */
  evaluate(expression: string): Promise<unknown> {
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve) => this.pending.set(id, resolve));
    this.socket.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression } }));
    return done;
  }

  close(): void {
    this.socket.close();
  }
}

describe('watchdog endpoint of the real service (event loop blocked through the inspector)', () => {
  let backend: Backend;
  let inspector: Inspector;

  beforeAll(async () => {
    backend = await startBackend(['--simulator', '--simulator-interval', '500'], {
      NODE_OPTIONS: '--inspect=127.0.0.1:0',
      SMR_WATCHDOG_INTERVAL_MS: '100',
      SMR_WATCHDOG_BLOCKED_MS: String(BLOCKED_MS),
      SMR_WATCHDOG_HOLD_MS: String(HOLD_MS),
    });
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(backend.output())?.[1];
    if (!url) throw new Error(`no inspector URL in the output:\n${backend.output()}`);
    inspector = await Inspector.connect(url);
    await inspector.evaluate('1'); // the protocol works before the test relies on it
  }, 30_000);

  afterAll(async () => {
    inspector?.close();
    await backend?.stop();
  });

  it('answers 200 ok while the service runs, also before any problem', async () => {
    const { code, body } = await watchdog(backend);
    expect(code).toBe(200);
    expect(body).toEqual({ status: 'ok', problems: [] });
  });

  it('fails while the event loop is blocked and just after, then recovers', async () => {
    // A hang in the service's code: a busy loop on its main thread. (Writes to a pipe are synchronous on Linux, so
    // the marker is out before the loop spins.)
    const blocked = inspector.evaluate(
      `(() => { process.stdout.write('${BLOCK_STARTED}\\n'); const end = Date.now() + ${BLOCK_FOR_MS}; while (Date.now() < end); return 'done'; })()`,
    );
    while (!backend.output().includes(BLOCK_STARTED)) await sleep(20);
    // (1) blocked: the request is not answered (the Supervisor's check times out the same way)
    await expect(watchdog(backend, 1500)).rejects.toThrow();
    await blocked;

    // (2) the loop runs again: 503 with the code and the measured block, for the hold time
    const after = await watchdog(backend);
    expect(after.code).toBe(503);
    expect(after.body.status).toBe('failing');
    expect(after.body.problems.map((p) => p.code)).toEqual(['EVENT_LOOP_BLOCKED']);
    const blockedFor = Number(/blocked for (\d+) ms|did not run for (\d+) ms/.exec(after.body.problems[0]?.detail ?? '')?.slice(1).find(Boolean));
    expect(blockedFor).toBeGreaterThan(BLOCKED_MS);

    // (3) recovered: 200 again after the hold time, without a restart (same process)
    const pid = backend.process.pid;
    const deadline = Date.now() + HOLD_MS + 10_000;
    let last = after;
    while (Date.now() < deadline) {
      await sleep(250);
      last = await watchdog(backend);
      if (last.code === 200) break;
    }
    expect(last).toEqual({ code: 200, body: { status: 'ok', problems: [] } });
    expect(backend.process.pid).toBe(pid);
    expect(backend.process.exitCode).toBeNull();

    // the pipeline kept decoding after the block: the simulator's pushes are decoded again
    const decoded = async () => ((await (await fetch(`http://127.0.0.1:${backend.port}/api/snapshot`)).json()) as { health: { counters: { decoded: number } } }).health.counters.decoded;
    const before = await decoded();
    let now = before;
    for (let i = 0; i < 40 && now === before; i++) {
      await sleep(250);
      now = await decoded();
    }
    expect(now).toBeGreaterThan(before);
  }, 60_000);
});
