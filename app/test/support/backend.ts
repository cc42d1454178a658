/**
 * Starts the REAL backend (`node app/dist/main.js …`) as a child process on a free port and waits for GET api/health.
 * Output is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The backend entry point; SMR_MAIN_JS overrides it (to try the harness against another build). */
export const MAIN_JS = process.env.SMR_MAIN_JS ?? fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const UI_INDEX = fileURLToPath(new URL('../../../ui/dist/index.html', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How long startBackend waits for GET api/health before it gives up. */
const START_DEADLINE_MS = 45_000;

export interface Backend {
  readonly port: number;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startBackend(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Backend> {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} missing: run \`npm run build\` (the backend entry point)`);
  if (!existsSync(UI_INDEX)) throw new Error(`${UI_INDEX} missing: run \`npm run build -w ui\``);
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN_JS, ...args, '--web-port', String(port), '--log-level', 'debug'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  // a deadline against a backend that never comes up, not a performance figure: with four test files at a time on a
  // loaded 2-core machine a start has taken over 20 s; the hook timeout (60 s) stays the outer bound
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`backend exited with ${proc.exitCode}:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`backend did not answer api/health within ${START_DEADLINE_MS / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    process: proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
