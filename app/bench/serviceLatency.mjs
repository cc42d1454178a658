// End-to-end figures of the real service: a socat pseudo-terminal as the serial port, a real mosquitto on a free
// loopback port and an MQTT subscriber.
// - latency: from the last byte of a push written to the pty to the state message arriving at the subscriber
//   (median and p99 over 300 pushes, one at a time);
// - memory: the service's resident set size after 100 pushes and after 10 000 pushes.
// Prints one JSON line. Run through bench/run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'mqtt';
import WebSocket from 'ws';
import { encodeNetzNoePush } from '../dist/transport/simulator/netzNoePush.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';
const KEY = Buffer.from(KEY_HEX, 'hex');
const TITLE = Buffer.from('4B464D6750007777', 'hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(cond, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'smr-bench-'));
const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const brokerPort = await freePort();
const webPort = await freePort();
writeFileSync(join(dir, 'mosquitto.conf'), `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
const mosquitto = spawn(existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
children.push(mosquitto);
const meter = join(dir, 'meter');
const reader = join(dir, 'reader');
const socat = spawn('socat', [`pty,raw,echo=0,link=${meter}`, `pty,raw,echo=0,link=${reader}`], { stdio: 'ignore' });
children.push(socat);
await waitFor(() => existsSync(meter) && existsSync(reader), 'socat');
await sleep(300);

// the service runs with the Node flags of run.sh's exec line, as in the add-on container
const RUN_SH = readFileSync(fileURLToPath(new URL('../../run.sh', import.meta.url)), 'utf8');
const NODE_FLAGS = (process.env.SMR_NODE_FLAGS ?? /^NODE_FLAGS="([^"]*)"/m.exec(RUN_SH)?.[1] ?? '').split(' ').filter(Boolean);
const service = spawn(process.execPath, [...NODE_FLAGS, MAIN, '--serial-port', reader, '--serial-settings', '115200_8N1', '--key', KEY_HEX, '--mqtt-host', '127.0.0.1', '--mqtt-port', String(brokerPort), '--web-port', String(webPort), '--web-host', '127.0.0.1', '--log-level', 'error'], { stdio: 'ignore' });
children.push(service);

const METER = '181220007777';
const topic = `smartmeter/${METER}/state`;
let received = 0;
let lastAt = 0;
const sub = connect(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 100 });
sub.on('message', (t) => {
  if (t === topic) {
    received++;
    lastAt = performance.now();
  }
});
await new Promise((r) => sub.once('connect', r));
await sub.subscribeAsync(topic);
const fd = openSync(meter, 'w');

let counter = 1;
function push(i) {
  return encodeNetzNoePush(
    {
      time: new Date(), utcOffsetMinutes: 60, energyImportWh: 9_000_000, energyExportWh: 100, powerImportW: 400 + (i % 500), powerExportW: 0,
      voltage: [230, 231, 232], current: [1, 1, 1], powerFactor: 0.99, meterNumber: METER,
    },
    KEY, TITLE, counter++,
  );
}

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))[1]) / 1024;

// warm-up: the service opens the port and connects to the broker
for (let i = 0; received === 0; i++) {
  writeSync(fd, push(i));
  await sleep(200);
  if (i > 100) throw new Error('the service never published');
}
let sent = received;

// memory after 100 and after 10 000 pushes (counted from start)
async function pushUntil(total) {
  while (sent < total) {
    const batch = Math.min(20, total - sent);
    const target = received + batch;
    for (let j = 0; j < batch; j++) writeSync(fd, push(sent + j));
    sent += batch;
    await waitFor(() => received >= target, 'a batch of state messages', 30000);
  }
}
await pushUntil(100);
await sleep(500);
const rssAfter100 = rss();
// latency, one push at a time: to the MQTT subscriber and to an open panel (the live WebSocket)
let panelPushes = 0;
let panelAt = 0;
const ws = new WebSocket(`ws://127.0.0.1:${webPort}/ws`);
ws.on('message', (data) => {
  if (JSON.parse(data.toString()).type === 'push') {
    panelPushes++;
    panelAt = performance.now();
  }
});
await new Promise((r, j) => {
  ws.once('open', r);
  ws.once('error', j);
});
const latencies = [];
const panelLatencies = [];
for (let i = 0; i < 300; i++) {
  const bytes = push(i);
  const before = received;
  const panelBefore = panelPushes;
  writeSync(fd, bytes);
  const t0 = performance.now();
  await waitFor(() => received > before && panelPushes > panelBefore, 'a state message and a panel update');
  latencies.push(lastAt - t0);
  panelLatencies.push(panelAt - t0);
  sent++;
  await sleep(2);
}
ws.close();
const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return { median: at(50), p99: at(99) };
};

await pushUntil(10_000);
await sleep(500);
const rssAfter10000 = rss();
await pushUntil(20_000);
await sleep(500);
const rssAfter20000 = rss();
closeSync(fd);
await sub.endAsync();
const mqttStats = stats(latencies);
const panelStats = stats(panelLatencies);
console.log(JSON.stringify({ latencyMedianMs: mqttStats.median, latencyP99Ms: mqttStats.p99, panelMedianMs: panelStats.median, panelP99Ms: panelStats.p99, pushes: latencies.length, rssAfter100MB: rssAfter100, rssAfter10000MB: rssAfter10000, rssAfter20000MB: rssAfter20000, nodeFlags: NODE_FLAGS.join(' ') }));
cleanup();
process.exit(0);
