// Measures the built panel: gzip size of every JS and CSS file in dist/assets, summed, against the budget.
// Exit code 1 when over budget, so `npm run build` fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Budget for all JS + CSS, gzip level 9, in bytes: 40 kB, decimal (40 000 B, not 40 KiB). */
const BUDGET = 40_000;
const assets = fileURLToPath(new URL('../dist/assets/', import.meta.url));

let total = 0;
const rows = [];
for (const name of readdirSync(assets).sort()) {
  if (!/\.(js|css)$/.test(name)) continue;
  const raw = readFileSync(join(assets, name));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  rows.push(`  ${name.padEnd(32)} ${String(raw.length).padStart(8)} B  ${String(gz).padStart(7)} B gzip`);
}
console.log(rows.join('\n'));
const kb = (n) => (n / 1000).toFixed(1);
console.log(`panel JS+CSS gzip: ${total} B = ${kb(total)} kB of ${kb(BUDGET)} kB budget (${BUDGET - total} B headroom)`);
if (rows.length === 0) {
  console.error('check-size: no JS/CSS found in dist/assets; did the build run?');
  process.exit(1);
}
if (total > BUDGET) {
  console.error(`check-size: over budget by ${total - BUDGET} B`);
  process.exit(1);
}
