// `npm run soak`: 100 000 pushes through the real pipeline — a socat pty → the service started as run.sh starts it
// (its Node flags; SMR_NODE_FLAGS overrides them) → decode → a real mosquitto, with a panel connected to the live
// WebSocket — and the service's resident memory (VmRSS) and open handles (fds, sockets) after warm-up, every
// 10 000 pushes and at the end. Target: flat (within 5 MB of the value after warm-up), no growth in handles.
// Writes are paced by what has arrived (at most WINDOW pushes in flight), so the pty never overflows.
// Env: SOAK_PUSHES (default 100 000), SOAK_WARMUP (default 5 000). Prints a table and a last JSON line.
import { cpuSeconds, handles, mqttCounter, panelCounter, pushMaker, rssMB, runShFlags, sleep, startMosquitto, startPty, startService, waitFor, workspace } from './serviceHarness.mjs';

const PUSHES = Number(process.env.SOAK_PUSHES ?? 100_000);
const WARMUP = Number(process.env.SOAK_WARMUP ?? 5_000);
const SAMPLE_EVERY = Math.max(1, Math.round(PUSHES / 10));
const WINDOW = 50;
const flags = process.env.SMR_NODE_FLAGS !== undefined ? process.env.SMR_NODE_FLAGS.split(' ').filter(Boolean) : runShFlags();

const ws = workspace('smr-soak-');
const broker = await startMosquitto(ws);
const pty = await startPty(ws, 'soak');
const service = await startService(ws, { flags, reader: pty.reader, brokerPort: broker.port });
const mqtt = await mqttCounter(broker.url);
const push = pushMaker();

let sent = 0;
/** Writes pushes until `total` were sent, at most WINDOW ahead of the MQTT subscriber. */
async function feed(total) {
  while (sent < total) {
    const batch = Math.min(10, total - sent);
    for (let j = 0; j < batch; j++) pty.write(push(sent + j));
    sent += batch;
    if (sent - mqtt.count > WINDOW) await waitFor(() => sent - mqtt.count <= WINDOW / 2, 'the broker to catch up', 30_000);
  }
}

// warm-up: the port opens, the broker connection, the code gets compiled, the heaps reach their working size
for (let i = 0; mqtt.count === 0; i++) {
  pty.write(push(sent++));
  await sleep(200);
  if (i > 100) throw new Error(`the service never published: ${service.stderr()}`);
}
const panel = await panelCounter(service.webPort);
await feed(WARMUP);
await waitFor(() => mqtt.count >= sent - 5, 'the warm-up pushes', 30_000);
await sleep(1000);

const samples = [];
const sample = (label, pushes) => {
  const s = { label, pushes, rssMB: rssMB(service.pid), cpuS: cpuSeconds(service.pid), ...handles(service.pid), at: performance.now() };
  samples.push(s);
  return s;
};
const fmt = (n) => n.toLocaleString('en-US');
console.log(`soak: ${fmt(PUSHES)} pushes after ${fmt(WARMUP)} warm-up, node ${flags.join(' ') || '(no flags)'}`);
console.log('pushes     VmRSS MB   fds  sockets  CPU s');
const print = (s) => console.log(`${String(fmt(s.pushes)).padStart(7)}  ${s.rssMB.toFixed(1).padStart(8)}  ${String(s.fds).padStart(5)}  ${String(s.sockets).padStart(7)}  ${s.cpuS.toFixed(1).padStart(6)}`);
print(sample('start', 0));
const start = sent;
const mqttAtStart = mqtt.count;
const panelAtStart = panel.count;
while (sent - start < PUSHES) {
  await feed(Math.min(start + PUSHES, sent + SAMPLE_EVERY));
  print(sample('during', sent - start));
}
await waitFor(() => mqtt.count - mqttAtStart >= PUSHES * 0.99 && panel.count - panelAtStart >= PUSHES * 0.99, 'the last pushes', 30_000).catch(() => {});
await sleep(2000);
const end = sample('end (2 s idle)', sent - start);
print(end);

const first = samples[0];
const maxRss = Math.max(...samples.map((s) => s.rssMB));
const result = {
  pushes: PUSHES,
  nodeFlags: flags.join(' '),
  rssStartMB: first.rssMB,
  rssMaxMB: maxRss,
  rssEndMB: end.rssMB,
  rssGrowthMB: end.rssMB - first.rssMB,
  fdsStart: first.fds,
  fdsEnd: end.fds,
  socketsStart: first.sockets,
  socketsEnd: end.sockets,
  mqttReceived: mqtt.count - mqttAtStart,
  panelReceived: panel.count - panelAtStart,
  pushesPerSecond: Math.round(PUSHES / ((end.at - first.at - 2000) / 1000)),
  cpuSeconds: end.cpuS - first.cpuS,
};
console.log(
  `received: ${fmt(result.mqttReceived)} state messages at the MQTT subscriber, ${fmt(result.panelReceived)} pushes at the panel ` +
    `(of ${fmt(PUSHES)}); ${fmt(result.pushesPerSecond)} pushes/s, ${result.cpuSeconds.toFixed(1)} s CPU`,
);
console.log(
  `VmRSS ${first.rssMB.toFixed(1)} → ${end.rssMB.toFixed(1)} MB (max ${maxRss.toFixed(1)}; target: within 5 MB), ` +
    `fds ${first.fds} → ${end.fds}, sockets ${first.sockets} → ${end.sockets} (target: no growth)`,
);
panel.close();
await mqtt.close();
console.log(JSON.stringify(result));
process.exit(0);
