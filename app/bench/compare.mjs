// Before/after on a busy machine: `node bench/compare.mjs APP_DIR_A APP_DIR_B [passes]` runs bench/decodeThroughput.mjs
// (Netz NÖ) of each build in turn, pass by pass (A, B, A, B, …), pinned to one core, so both builds see the same
// machine load; prints every run and then median, min and max per build. An APP_DIR is an `app/` folder with a
// build in dist/ and the bench in bench/ (e.g. `git worktree add /tmp/base main && cd /tmp/base && npm ci && npm
// run build`, then `node bench/compare.mjs /tmp/base/app .`). BENCH_CLOCK=cpu times CPU instead of wall time;
// BENCH_WHICH=dsmr compares the DSMR figure. Every run checks the decoded values as decodeThroughput.mjs does.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const [a, b, passArg] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/compare.mjs APP_DIR_A APP_DIR_B [passes]');
  process.exit(2);
}
const dirs = [resolve(a), resolve(b)];
const passes = Number(passArg ?? 6);
const which = process.env.BENCH_WHICH ?? 'netznoe';
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
const rates = dirs.map(() => []);

for (let pass = 1; pass <= passes; pass++) {
  dirs.forEach((dir, k) => {
    const script = resolve(dir, 'bench/decodeThroughput.mjs');
    const out = hasTaskset
      ? spawnSync('taskset', ['-c', '1', process.execPath, script, which], { encoding: 'utf8' })
      : spawnSync(process.execPath, [script, which], { encoding: 'utf8' });
    if (out.status !== 0) {
      console.error(`${dir}: decodeThroughput.mjs failed (exit ${out.status}):\n${out.stderr}`);
      process.exit(1);
    }
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1));
    rates[k].push(result.pushesPerSecond);
    console.log(`pass ${pass} ${k === 0 ? 'A' : 'B'} ${result.pushesPerSecond} /s (${result.clock})`);
  });
}

const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
};
dirs.forEach((dir, k) => {
  const v = rates[k];
  console.log(`${k === 0 ? 'A' : 'B'} ${dir}: median ${median(v)} (min ${Math.min(...v)}, max ${Math.max(...v)}), ${v.length} runs`);
});
