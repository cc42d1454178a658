// `npm run bench`: runs each benchmark several times, pinned to one core, and prints median and min–max.
// Every decode measurement checks the value of every push it times (decodeThroughput.mjs exits non-zero on
// a wrong or missing value, and so does this script) and lasts at least 2 s of decoding.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;

function measure(script, args, field) {
  const values = [];
  let pushes = 0;
  let seconds = 0;
  for (let i = 0; i < RUNS; i++) {
    const cmd = hasTaskset ? 'taskset' : process.execPath;
    const argv = [join(here, script), ...args];
    const out = spawnSync(cmd, hasTaskset ? ['-c', '1', process.execPath, ...argv] : argv, { encoding: 'utf8' });
    if (out.status !== 0) {
      console.error(`${script} ${args.join(' ')} failed (exit ${out.status}):\n${out.stderr}`);
      process.exit(1);
    }
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1));
    values.push(result[field]);
    pushes += result.pushes;
    seconds += result.seconds;
  }
  values.sort((a, b) => a - b);
  return { median: values[Math.floor(values.length / 2)], min: values[0], max: values.at(-1), runs: values.length, pushes, seconds };
}

const fmt = (n) => n.toLocaleString('en-US');
const clock = process.env.BENCH_CLOCK === 'cpu' ? 'CPU time' : 'wall time';
const pinned = `${hasTaskset ? 'taskset -c 1' : 'unpinned'}, ${clock}`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
console.log(`load average before (1 / 5 / 15 min): ${load()}`);

const decode = measure('decodeThroughput.mjs', ['netznoe'], 'pushesPerSecond');
console.log(
  `decode throughput (Netz NÖ, raw bytes → M-Bus framing → decryption → readings as the service decodes them, every push value-checked, ${pinned}, ` +
    `${decode.runs} runs of ≥ 2 s, ${fmt(decode.pushes)} pushes): ` +
    `median ${fmt(decode.median)} pushes/s (min ${fmt(decode.min)}, max ${fmt(decode.max)})`,
);
const full = measure('decodeThroughput.mjs', ['netznoe', 'full'], 'pushesPerSecond');
console.log(
  `decode throughput (Netz NÖ as above, every push read the full way: A-XDR walk and pairing, no shape replay, ${pinned}, ` +
    `${full.runs} runs of ≥ 2 s, ${fmt(full.pushes)} pushes): ` +
    `median ${fmt(full.median)} pushes/s (min ${fmt(full.min)}, max ${fmt(full.max)})`,
);
const dsmr = measure('decodeThroughput.mjs', ['dsmr'], 'pushesPerSecond');
console.log(
  `decode throughput (DSMR 5 P1 telegrams, raw bytes → line framing → CRC-16 → readings, every telegram value-checked, ${pinned}, ` +
    `${dsmr.runs} runs of ≥ 2 s, ${fmt(dsmr.pushes)} telegrams): ` +
    `median ${fmt(dsmr.median)} telegrams/s (min ${fmt(dsmr.min)}, max ${fmt(dsmr.max)})`,
);
console.log(`load average after the decode runs (1 / 5 / 15 min): ${load()}`);

// end to end through a pty and mosquitto, and the service's memory (one run: 300 latency samples, 20 000 pushes)
if (process.env.BENCH_DECODE_ONLY) process.exit(0);
const service = spawnSync(process.execPath, [join(here, 'serviceLatency.mjs')], { encoding: 'utf8' });
if (service.status !== 0) {
  console.error(`serviceLatency.mjs failed: ${service.stderr}`);
  process.exit(1);
}
const s = JSON.parse(service.stdout.trim().split('\n').at(-1));
console.log(
  `end-to-end latency (last byte into the pty → state message at an MQTT subscriber, ${s.pushes} pushes): ` +
    `median ${s.latencyMedianMs.toFixed(2)} ms, p99 ${s.latencyP99Ms.toFixed(2)} ms`,
);
console.log(
  `push-to-panel latency (last byte into the pty → live WebSocket message at an open panel, ${s.pushes} pushes): ` +
    `median ${s.panelMedianMs.toFixed(2)} ms, p99 ${s.panelP99Ms.toFixed(2)} ms`,
);
console.log(
  `service resident memory (node ${s.nodeFlags}): ${s.rssAfter100MB.toFixed(1)} MB after 100 pushes, ` +
    `${s.rssAfter10000MB.toFixed(1)} MB after 10 000, ${s.rssAfter20000MB.toFixed(1)} MB after 20 000`,
);

// optional: `BENCH_SOAK=1 npm run bench` also runs the soak (bench/soak.mjs, 100 000 pushes, a few minutes)
if (process.env.BENCH_SOAK === '1') {
  const soak = spawnSync(process.execPath, [join(here, 'soak.mjs')], { stdio: 'inherit' });
  if (soak.status !== 0) throw new Error('soak.mjs failed');
}
