// `npm run bench`: runs each benchmark several times, pinned to one core, and prints median and min–max.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;

function measure(script, field) {
  const values = [];
  for (let i = 0; i < RUNS; i++) {
    const cmd = hasTaskset ? 'taskset' : process.execPath;
    const args = hasTaskset ? ['-c', '1', process.execPath, join(here, script)] : [join(here, script)];
    const out = spawnSync(cmd, args, { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${script} failed: ${out.stderr}`);
    values.push(JSON.parse(out.stdout.trim().split('\n').at(-1))[field]);
  }
  values.sort((a, b) => a - b);
  return { median: values[Math.floor(values.length / 2)], min: values[0], max: values.at(-1), runs: values.length };
}

const fmt = (n) => n.toLocaleString('en-US');
const decode = measure('decodeThroughput.mjs', 'pushesPerSecond');
console.log(
  `decode throughput (Netz NÖ, raw bytes → framing → decryption → readings, ${hasTaskset ? 'taskset -c 1' : 'unpinned'}, ${decode.runs} runs): ` +
    `median ${fmt(decode.median)} pushes/s (min ${fmt(decode.min)}, max ${fmt(decode.max)})`,
);

// end to end through a pty and mosquitto, and the service's memory (one run: 300 latency samples, 20 000 pushes)
const service = spawnSync(process.execPath, [join(here, 'serviceLatency.mjs')], { encoding: 'utf8' });
if (service.status !== 0) throw new Error(`serviceLatency.mjs failed: ${service.stderr}`);
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
