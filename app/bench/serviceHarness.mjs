// Shared by soak.mjs and nodeFlags.mjs: the real service (`node [flags] dist/main.js`) reading a socat pty as its
// serial port and publishing to a real mosquitto on a free loopback port, plus what /proc says about its process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'mqtt';
import WebSocket from 'ws';
import { encodeNetzNoePush } from '../dist/transport/simulator/netzNoePush.js';

export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';
const KEY = Buffer.from(KEY_HEX, 'hex');
const TITLE = Buffer.from('4B464D6750007777', 'hex');
export const METER = '181220007777';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The Node flags of run.sh (`NODE_FLAGS="…"`), as the add-on container starts the service. */
export function runShFlags() {
  const runSh = readFileSync(fileURLToPath(new URL('../../run.sh', import.meta.url)), 'utf8');
  return (/^NODE_FLAGS="([^"]*)"/m.exec(runSh)?.[1] ?? '').split(' ').filter(Boolean);
}

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export async function waitFor(cond, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A temp dir, and children that are killed (by pid, SIGKILL) when this process exits. */
export function workspace(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children = [];
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, children };
}

export async function startMosquitto(ws) {
  const port = await freePort();
  writeFileSync(join(ws.dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n${process.getuid?.() === 0 ? 'user root\n' : ''}`);
  const proc = spawn(existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', ['-c', join(ws.dir, 'mosquitto.conf')], { stdio: 'ignore' });
  ws.children.push(proc);
  await sleep(300);
  return { port, url: `mqtt://127.0.0.1:${port}` };
}

/** A socat pty pair; `write` blocks while the pty is full, so nothing is lost. */
export async function startPty(ws, name) {
  const meter = join(ws.dir, `${name}-meter`);
  const reader = join(ws.dir, `${name}-reader`);
  const proc = spawn('socat', [`pty,raw,echo=0,link=${meter}`, `pty,raw,echo=0,link=${reader}`], { stdio: 'ignore' });
  ws.children.push(proc);
  await waitFor(() => existsSync(meter) && existsSync(reader), 'socat');
  await sleep(200);
  let fd = null;
  return {
    reader,
    write(bytes) {
      fd ??= openSync(meter, 'w');
      writeSync(fd, bytes);
    },
  };
}

/** `node [flags] dist/main.js` on the pty's reader end, MQTT to `brokerPort`, the panel on a free loopback port. */
export async function startService(ws, { flags, reader, brokerPort, baseTopic = 'smartmeter' }) {
  const webPort = await freePort();
  const args = [...flags, MAIN, '--serial-port', reader, '--serial-settings', '115200_8N1', '--key', KEY_HEX,
    '--mqtt-host', '127.0.0.1', '--mqtt-port', String(brokerPort), '--mqtt-base-topic', baseTopic,
    '--web-port', String(webPort), '--web-host', '127.0.0.1', '--log-level', 'error'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d.toString()));
  ws.children.push(proc);
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode}: ${stderr}`);
    if (await healthy(webPort)) break;
    if (Date.now() > deadline) throw new Error(`service did not answer: ${stderr}`);
    await sleep(100);
  }
  return { proc, pid: proc.pid, webPort, stderr: () => stderr };
}

/** GET /api/health on a connection of its own that is closed afterwards (no keep-alive socket in the counts). */
function healthy(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

/** Pushes of one Netz NÖ meter with a rising frame counter (each one a distinct ciphertext). */
export function pushMaker() {
  let counter = 1;
  return (i) =>
    encodeNetzNoePush(
      {
        time: new Date(), utcOffsetMinutes: 60, energyImportWh: 9_000_000 + Math.floor(i / 10), energyExportWh: 100,
        powerImportW: 400 + (i % 500), powerExportW: 0, voltage: [230, 231, 232], current: [1, 1, 1], powerFactor: 0.99,
        meterNumber: METER,
      },
      KEY, TITLE, counter++,
    );
}

/** Counts state messages on `<baseTopic>/<METER>/state`. */
export async function mqttCounter(url, baseTopic = 'smartmeter') {
  const topic = `${baseTopic}/${METER}/state`;
  const client = connect(url, { reconnectPeriod: 100 });
  const counter = { count: 0, close: () => client.endAsync() };
  client.on('message', (t) => {
    if (t === topic) counter.count++;
  });
  await new Promise((r) => client.once('connect', r));
  await client.subscribeAsync(topic);
  return counter;
}

/** A panel: a WebSocket client on the live endpoint, counting `push` messages. */
export async function panelCounter(webPort) {
  const ws = new WebSocket(`ws://127.0.0.1:${webPort}/ws`);
  const counter = { count: 0, close: () => ws.close() };
  ws.on('message', (data) => {
    if (JSON.parse(data.toString()).type === 'push') counter.count++;
  });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return counter;
}

/** Resident memory in MB, from VmRSS in /proc/<pid>/status. */
export function rssMB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** CPU time (user + system) in seconds, from fields 14 and 15 of /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** Open file descriptors of the process, and how many of them are sockets. */
export function handles(pid) {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // closed while listing
    }
  }
  return { fds, sockets };
}
