// One measurement: Netz NÖ pushes through the full decode path (raw bytes → framing → decryption → readings).
// Prints one JSON line: {"pushesPerSecond": …}. Run through bench/run.mjs (pinned with taskset, repeated).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamDecoder } from '../dist/decoder/StreamDecoder.js';
import { encodeGloCiphering } from '../dist/dlms/apdu/gloCipheringEncode.js';
import { encodeMbusFrames } from '../dist/framing/mbus/mbusEncode.js';
import { encodeNetzNoePlaintext } from '../dist/transport/simulator/netzNoePush.js';

const here = dirname(fileURLToPath(import.meta.url));
const vector = JSON.parse(readFileSync(resolve(here, '../test/fixtures/vectors/netznoe-doc-kaifa.json'), 'utf8'));
const key = Buffer.from(vector.key, 'hex');
const systemTitle = Buffer.from('4B464D6750000009', 'hex');

// 1000 distinct pushes as a meter sends them, 5 s apart: the clock, counters, powers, voltages and frame
// counter change from push to push (the Netz NÖ layout of the leaflet's example)
const DISTINCT = 1000;
const start = Date.UTC(2026, 10, 24, 8, 0, 0);
const stream = Buffer.concat(
  Array.from({ length: DISTINCT }, (_, i) => {
    const plaintext = encodeNetzNoePlaintext(
      {
        time: new Date(start + i * 5000),
        utcOffsetMinutes: 60,
        energyImportWh: 12_937 + i,
        energyExportWh: 4_000 + (i >> 2),
        powerImportW: 300 + ((i * 37) % 900),
        powerExportW: (i * 13) % 50,
        voltage: [230 + (i % 7) / 10, 231 - (i % 5) / 10, 229.5 + (i % 3) / 10],
        current: [1.2 + (i % 9) / 100, 0.8, 0.5 + (i % 4) / 100],
        powerFactor: 0.95 + (i % 40) / 1000,
        meterNumber: '181220000009',
      },
      0x80000000 + i,
    );
    return Buffer.concat(encodeMbusFrames(encodeGloCiphering(plaintext, key, systemTitle, i + 1)));
  }),
);
const CHUNK = 4096; // bytes per read, like a serial port delivering buffered data

function run(rounds) {
  const decoder = new StreamDecoder({ key });
  let decoded = 0;
  for (let r = 0; r < rounds; r++) {
    for (let at = 0; at < stream.length; at += CHUNK) {
      for (const result of decoder.push(stream.subarray(at, at + CHUNK))) {
        if (!result.ok) throw new Error(result.error.message);
        decoded++;
      }
    }
  }
  return decoded;
}

run(20); // warm-up: JIT
const rounds = Number(process.env.BENCH_ROUNDS ?? 300);
const t0 = process.hrtime.bigint();
const decoded = run(rounds);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ pushes: decoded, seconds, pushesPerSecond: Math.round(decoded / seconds) }));
