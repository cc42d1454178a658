// `node app/bench/historyStore.mjs` (after `npm run build`): chooses the energy history's file format by measurement.
// Runs the real HistoryStore (app/dist/store) on a temporary directory with a simulated clock:
//   binary  - the 36-byte CRC-32 records of recordLog.ts, appended (the format in use)
//   jsonl   - the same records as JSON lines with a CRC-32 field, appended (codec defined below)
//   rewrite - the whole state rewritten atomically (temporary file, fsync, rename) every minute, as a
//             JSON/SQLite-style "save the database" store without an append log would do
// and prints, per variant: write cost per push (1 push/s, a day of pushes), bytes appended to the file per day,
// the file size with a full retention (64 days of pushes, every 5 s), and the load time at start-up of that file.
// Node 20 has no node:sqlite (22.5+), and SQLite as a package means a native build (better-sqlite3) or a 1 MB
// WebAssembly image that, like `rewrite`, persists by writing the whole database out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HistoryStore } from '../dist/store/HistoryStore.js';

const log = { debug() {}, info() {}, warning() {}, error: (m) => console.error(m), child: () => log };
const DAY = 86_400_000;
const T0 = Date.parse('2026-09-01T00:00:00Z');

/** JSON lines: {"k":"S","g":tag,"t":…,"a":…,"b":…,"c":crc32 of the line without ,"c":…}. */
const jsonlCodec = {
  name: 'jsonl',
  encode(records) {
    let text = '';
    for (const r of records) {
      const body = `{"k":"${r.kind}","g":${r.tag},"t":${r.t},"a":${Number.isNaN(r.a) ? null : r.a},"b":${Number.isNaN(r.b) ? null : r.b}`;
      text += `${body},"c":${crc32(body)}}\n`;
    }
    return Buffer.from(text);
  },
  decode(bytes) {
    const records = [];
    let skipped = 0;
    let validLength = 0;
    let start = 0;
    const text = bytes.toString('latin1');
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      const cut = line.lastIndexOf(',"c":');
      let ok = false;
      if (cut > 0) {
        const body = line.slice(0, cut);
        if (Number(line.slice(cut + 5, -1)) === crc32(body)) {
          const o = JSON.parse(`${body}}`);
          records.push({ kind: o.k, tag: o.g, t: o.t, a: o.a ?? NaN, b: o.b ?? NaN });
          ok = true;
          validLength = nl + 1;
        }
      }
      if (!ok) skipped++;
      start = nl + 1;
    }
    return { records, skipped, validLength };
  },
};

/** A household: 300–3300 W import by day, PV export around noon; counters rise by ∫P dt. */
function* pushes(from, days, everyMs) {
  let imp = 4_321_000;
  let exp = 1_234_000;
  for (let t = from; t < from + days * DAY; t += everyMs) {
    const hour = (t / 3_600_000) % 24;
    const net = 300 + 1500 * Math.max(0, Math.sin(t / 900_000)) - (hour > 8 && hour < 16 ? 3000 * Math.sin(((hour - 8) / 8) * Math.PI) : 0);
    if (net > 0) imp += (net * everyMs) / 3_600_000;
    else exp += (-net * everyMs) / 3_600_000;
    yield { t, identity: '100042424242', importWh: Math.floor(imp), exportWh: Math.floor(exp), netW: Math.round(net) };
  }
}

/** Drives a store; returns ns per push and bytes written to the file (appends and rewrites). */
function drive(store, from, days, everyMs, perMinute) {
  let written = 0;
  let size = store.fileSize;
  let n = 0;
  let nextMinute = from + 60_000;
  const started = process.hrtime.bigint();
  for (const s of pushes(from, days, everyMs)) {
    store.add(s);
    let now = store.fileSize;
    written += now >= size ? now - size : now; // a drop: the file was rewritten (compaction) to `now` bytes
    if (perMinute && s.t >= nextMinute) {
      store.compact();
      nextMinute += 60_000;
      now = store.fileSize;
      written += now; // the whole file, every minute
    }
    size = now;
    n++;
  }
  const ns = Number(process.hrtime.bigint() - started) / n;
  return { ns, written, pushes: n };
}

function variant(name, codec, perMinute) {
  const dir = mkdtempSync(join(tmpdir(), `smr-bench-history-${name}-`));
  let clock = T0;
  const open = () => new HistoryStore({ dir, log, timeZone: 'Europe/Vienna', clock: () => clock, ...(codec ? { codec } : {}) });
  try {
    // full retention first: 64 days at one push every 5 s (the rewrite variant fills with the log, then rewrites)
    let store = open();
    const fill = drive(store, T0, 64, 5000, false);
    clock = T0 + 64 * DAY;
    store.close();
    // write cost: one more day (rewrite: 2 hours) at one push per second, on top of the full retention; three
    // such periods in a row, the median counts (the first one includes the JIT warming up)
    const days = perMinute ? 2 / 24 : 1;
    const runs = [];
    for (let i = 0; i < 3; i++) {
      store = open();
      runs.push(drive(store, clock, days, 1000, perMinute));
      clock += days * DAY;
      store.close();
    }
    runs.sort((a, b) => a.ns - b.ns);
    const run = runs[1];
    const fileBytes = open().fileSize;
    const loads = [];
    for (let i = 0; i < 7; i++) {
      const started = process.hrtime.bigint();
      const s = open();
      loads.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (s.view().hours.filter((h) => h.importWh !== null).length < 40) throw new Error(`${name}: history missing after load`);
      s.close();
    }
    loads.sort((a, b) => a - b);
    return {
      variant: name,
      usPerPush: +(run.ns / 1000).toFixed(2),
      bytesPerDay: Math.round(run.written / days),
      fillBytesPerDay: Math.round(fill.written / 64),
      fileBytes,
      loadMs: +loads[3].toFixed(1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [variant('binary', null, false), variant('jsonl', jsonlCodec, false), variant('rewrite', null, true)];
const kb = (n) => `${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kB`;
for (const r of results) {
  console.log(
    `${r.variant.padEnd(8)} ${String(r.usPerPush).padStart(7)} µs/push  ${kb(r.bytesPerDay).padStart(12)} written/day at 1 push/s  ` +
      `${kb(r.fileBytes).padStart(9)} file at full retention  load ${r.loadMs} ms`,
  );
}
console.log(JSON.stringify(results));
