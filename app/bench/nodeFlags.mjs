// `node bench/nodeFlags.mjs`: which Node flags should run.sh start the service with? Runs the real service once per
// flag set and push interval, all at the same time (each with its own socat pty, one shared mosquitto, a panel on
// the live WebSocket), writes one Netz NÖ push per interval, and reports resident memory (VmRSS) and CPU time
// (utime + stime from /proc/<pid>/stat) after a warm-up and at the end.
// Env: FLAGS_MINUTES (measured time, default 10), FLAGS_WARMUP_S (default 60), FLAGS_INTERVALS_MS (default
// "1000,5000"), FLAGS_ONLY (only the flag sets whose name contains it). For the figures under load, run
// `npm run soak` with SMR_NODE_FLAGS set to each flag set.
import { cpuSeconds, handles, mqttCounter, panelCounter, pushMaker, rssMB, sleep, startMosquitto, startPty, startService, workspace } from './serviceHarness.mjs';

export const FLAG_SETS = {
  'no flags': '',
  'run.sh before (size + no turbofan + small heaps)': '--optimize-for-size --no-turbofan --max-semi-space-size=1 --max-old-space-size=48',
  'small heaps only': '--max-semi-space-size=1 --max-old-space-size=48',
  'size + small heaps (turbofan on)': '--optimize-for-size --max-semi-space-size=1 --max-old-space-size=48',
};

const MINUTES = Number(process.env.FLAGS_MINUTES ?? 10);
const WARMUP_S = Number(process.env.FLAGS_WARMUP_S ?? 60);
const INTERVALS = (process.env.FLAGS_INTERVALS_MS ?? '1000,5000').split(',').map(Number);
/** FLAGS_ONLY: run only the flag sets whose name contains this text. */
const ONLY = process.env.FLAGS_ONLY ?? '';

const ws = workspace('smr-flags-');
const broker = await startMosquitto(ws);
const runs = [];
let n = 0;
for (const interval of INTERVALS) {
  for (const [name, flagText] of Object.entries(FLAG_SETS).filter(([name]) => name.includes(ONLY))) {
    const id = `r${n++}`;
    const flags = flagText.split(' ').filter(Boolean);
    const pty = await startPty(ws, id);
    const service = await startService(ws, { flags, reader: pty.reader, brokerPort: broker.port, baseTopic: id });
    const mqtt = await mqttCounter(broker.url, id);
    const panel = await panelCounter(service.webPort);
    runs.push({ name, flags: flagText, interval, pty, service, mqtt, panel, push: pushMaker(), sent: 0, samples: [] });
  }
}

const started = performance.now();
const total = (WARMUP_S + MINUTES * 60) * 1000;
const tickers = runs.map((r) => {
  const write = () => r.pty.write(r.push(r.sent++));
  write();
  return setInterval(write, r.interval);
});
const sampleAll = (label) => {
  for (const r of runs) r.samples.push({ label, rssMB: rssMB(r.service.pid), cpuS: cpuSeconds(r.service.pid), ...handles(r.service.pid), sent: r.sent });
};
await sleep(WARMUP_S * 1000);
sampleAll('after warm-up');
while (performance.now() - started < total) {
  await sleep(Math.min(60_000, total - (performance.now() - started)));
  sampleAll(`${Math.round((performance.now() - started) / 1000 - WARMUP_S)} s`);
}
for (const t of tickers) clearInterval(t);

const results = runs.map((r) => {
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const measuredS = MINUTES * 60;
  return {
    flags: r.name,
    nodeFlags: r.flags,
    intervalMs: r.interval,
    rssStartMB: +first.rssMB.toFixed(1),
    rssEndMB: +last.rssMB.toFixed(1),
    rssMaxMB: +Math.max(...r.samples.map((s) => s.rssMB)).toFixed(1),
    cpuMsPerMinute: +(((last.cpuS - first.cpuS) * 1000) / (measuredS / 60)).toFixed(0),
    cpuMsPerPush: +(((last.cpuS - first.cpuS) * 1000) / Math.max(1, last.sent - first.sent)).toFixed(2),
    fds: `${first.fds} → ${last.fds}`,
    pushes: r.sent,
    mqttReceived: r.mqtt.count,
    panelReceived: r.panel.count,
    rssTrace: r.samples.map((s) => +s.rssMB.toFixed(1)),
  };
});
console.log(`Node flags at the real push rate: ${WARMUP_S} s warm-up, then ${MINUTES} min measured; all runs at the same time`);
for (const r of results) {
  console.log(
    `1 push/${r.intervalMs / 1000} s  ${r.flags.padEnd(50)} VmRSS ${r.rssStartMB} → ${r.rssEndMB} MB (max ${r.rssMaxMB}), ` +
      `CPU ${r.cpuMsPerMinute} ms/min (${r.cpuMsPerPush} ms/push), fds ${r.fds}, received ${r.mqttReceived}/${r.pushes} MQTT, ${r.panelReceived} panel`,
  );
  console.log(`      VmRSS every minute: ${r.rssTrace.join(' ')}`);
}
for (const r of runs) {
  r.panel.close();
  await r.mqtt.close();
}
console.log(JSON.stringify(results));
process.exit(0);
