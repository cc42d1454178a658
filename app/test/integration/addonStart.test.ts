/**
 * Production start: the backend started exactly as run.sh starts it in the container (the `exec` line of run.sh,
 * run from the folder the Dockerfile fills), with the Supervisor's environment: SUPERVISOR_TOKEN set, options in
 * an options.json, and a loopback stand-in for the Supervisor's `GET /services/mqtt`. A real mosquitto requires
 * the credentials the stand-in hands out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_PORT } from '../../src/config/addon.js';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import { REPO_ROOT } from '../support/backend.js';
import { startBroker, subscribe, type Broker } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';

interface SnapshotJson {
  health: { layers: { id: string; status: string; detail: { code: string }; hintId: string | null; technical?: string }[] };
}

const TOKEN = 'supervisor-token-for-tests';
const BROKER_USER = 'addons';
const BROKER_PASSWORD = 'Gener4ted-by-Mosquitto';
const KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';

/** The command run.sh execs, e.g. ["node", "--no-turbofan", …, "app/dist/main.js"], with $NODE_FLAGS expanded. */
function runShCommand(): string[] {
  const script = readFileSync(join(REPO_ROOT, 'run.sh'), 'utf8');
  const exec = script.split('\n').find((l) => /^\s*exec\s+/.test(l));
  if (!exec) throw new Error('run.sh has no exec line');
  const flags = /^NODE_FLAGS="([^"]*)"/m.exec(script)?.[1] ?? '';
  return exec.trim().replace(/^exec\s+/, '').replace('$NODE_FLAGS', flags).split(/\s+/);
}

interface Supervisor {
  readonly url: string;
  readonly requests: { auth: string | undefined; path: string }[];
  close(): Promise<void>;
}

async function startSupervisor(answer: unknown): Promise<Supervisor> {
  const requests: { auth: string | undefined; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ auth: req.headers.authorization, path: req.url ?? '' });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(req.url === '/services/mqtt' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

interface Started {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function startAsAddon(options: Record<string, unknown>, supervisorUrl: string, dir: string): Promise<Started> {
  const optionsPath = join(dir, 'options.json');
  writeFileSync(optionsPath, JSON.stringify(options));
  const [cmd, ...args] = runShCommand();
  const proc = spawn(cmd === 'node' ? process.execPath : cmd!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, SUPERVISOR_TOKEN: TOKEN, SUPERVISOR_API: supervisorUrl, OPTIONS_PATH: optionsPath, TZ: 'Europe/Vienna' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}:\n${out}`);
    const ok = await fetch(`http://127.0.0.1:${INGRESS_PORT}/api/health`).then((r) => r.ok).catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`no panel on port ${INGRESS_PORT}:\n${out}`);
    await sleep(100);
  }
  return {
    process: proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

const BASE_OPTIONS = {
  serial_settings: 'auto',
  framing: 'auto',
  mqtt_base_topic: 'smartmeter',
  discovery: true,
  discovery_prefix: 'homeassistant',
  watchdog_seconds: 30,
  log_level: 'info',
};

describe('production start as run.sh does it', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let running: Started | null = null;
  let supervisor: Supervisor | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-addon-'));
    broker = await startBroker({ user: { username: BROKER_USER, password: BROKER_PASSWORD } });
    pty = await startPtyPair(dir);
  });

  afterEach(async () => {
    await running?.stop();
    await supervisor?.close();
    running = null;
    supervisor = null;
  });

  afterAll(async () => {
    await pty?.kill();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the MQTT service credentials from the Supervisor, publishes discovery and serves the panel', async () => {
    supervisor = await startSupervisor({
      result: 'ok',
      data: { host: '127.0.0.1', port: broker.port, ssl: false, protocol: '3.1.1', username: BROKER_USER, password: BROKER_PASSWORD, addon: 'core_mosquitto' },
    });
    const sub = await subscribe(`mqtt://${BROKER_USER}:${BROKER_PASSWORD}@127.0.0.1:${broker.port}`, ['smartmeter/#', 'homeassistant/#']);
    try {
      running = await startAsAddon({ ...BASE_OPTIONS, serial_port: pty.reader, key: KEY_HEX }, supervisor.url, dir);
      expect(supervisor.requests).toContainEqual({ auth: `Bearer ${TOKEN}`, path: '/services/mqtt' });
      await sub.waitForTopic('smartmeter/status', { fromIndex: 0, payload: (p) => p === 'online', timeoutMs: 10_000 });
      const push = encodeNetzNoePush(
        {
          time: new Date(), utcOffsetMinutes: 60, energyImportWh: 5_000_000, energyExportWh: 0, powerImportW: 500, powerExportW: 0,
          voltage: [230, 231, 232], current: [1, 1, 1], powerFactor: 1, meterNumber: '181220009999',
        },
        Uint8Array.from(Buffer.from(KEY_HEX, 'hex')),
        Uint8Array.from(Buffer.from('4B464D6750009999', 'hex')),
        1,
      );
      await writePaced(pty, push, 9600);
      const config = await sub.waitForTopic('homeassistant/device/181220009999/config', { fromIndex: 0, timeoutMs: 10_000 });
      expect(JSON.parse(config.payload).device.name).toContain('181220009999');
      const page = await fetch(`http://127.0.0.1:${INGRESS_PORT}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"');
      const snapshot = (await (await fetch(`http://127.0.0.1:${INGRESS_PORT}/api/snapshot`)).json()) as SnapshotJson;
      expect(snapshot.health.layers.find((l) => l.id === 'mqtt')?.status).toBe('ok');
      const out = running.output();
      expect(out).not.toContain(BROKER_PASSWORD);
      expect(out.toUpperCase()).not.toContain(KEY_HEX);
      expect(JSON.stringify(snapshot)).not.toContain(BROKER_PASSWORD);
    } finally {
      await sub.close();
    }
  });

  it('keeps running without a broker, says so in the panel and tells how to fix it in the log', async () => {
    supervisor = await startSupervisor({ result: 'error', message: 'Service not enabled' });
    running = await startAsAddon({ ...BASE_OPTIONS, serial_port: pty.reader, key: KEY_HEX }, supervisor.url, dir);
    await sleep(1500);
    expect(running.process.exitCode).toBeNull();
    const snapshot = (await (await fetch(`http://127.0.0.1:${INGRESS_PORT}/api/snapshot`)).json()) as SnapshotJson;
    const mqtt = snapshot.health.layers.find((l) => l.id === 'mqtt')!;
    expect(mqtt.status).toBe('off');
    // a code for the panel to translate, the publisher's own words as the technical detail
    expect(mqtt.detail).toEqual({ code: 'mqtt_off' });
    expect(mqtt.technical).toMatch(/no MQTT broker/);
    expect(running.output()).toMatch(/Service not enabled.*Mosquitto broker add-on|Mosquitto broker add-on.*Service not enabled/);
  });

  it('starts without a serial port or key and says what is missing', async () => {
    supervisor = await startSupervisor({ result: 'error', message: 'Service not enabled' });
    running = await startAsAddon(BASE_OPTIONS, supervisor.url, dir);
    const snapshot = (await (await fetch(`http://127.0.0.1:${INGRESS_PORT}/api/snapshot`)).json()) as SnapshotJson;
    const serial = snapshot.health.layers.find((l) => l.id === 'serial');
    expect(serial).toMatchObject({ status: 'error', hintId: 'no_port' });
    expect(running.output()).toMatch(/no key configured/);
  });

  it('refuses to start with a malformed key, naming the option, without echoing it', async () => {
    supervisor = await startSupervisor({ result: 'error', message: 'Service not enabled' });
    const optionsPath = join(dir, 'options.json');
    writeFileSync(optionsPath, JSON.stringify({ ...BASE_OPTIONS, key: 'DEADBEEF-not-a-key' }));
    const [cmd, ...args] = runShCommand();
    const proc = spawn(cmd === 'node' ? process.execPath : cmd!, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, SUPERVISOR_TOKEN: TOKEN, SUPERVISOR_API: supervisor.url, OPTIONS_PATH: optionsPath },
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(1);
    expect(out).toMatch(/key must be 32 hex digits/);
    expect(out).not.toContain('DEADBEEF-not-a-key');
  });
});
