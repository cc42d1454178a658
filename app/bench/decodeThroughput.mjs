// One measurement: Netz NÖ pushes through the full decode path (raw bytes → framing → decryption → readings).
// Prints one JSON line: {"pushesPerSecond": …}. Run through bench/run.mjs (pinned with taskset, repeated).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamDecoder } from '../dist/decoder/StreamDecoder.js';
import { encodeGloCiphering } from '../dist/dlms/apdu/gloCipheringEncode.js';
import { encodeMbusFrames } from '../dist/framing/mbus/mbusEncode.js';

const here = dirname(fileURLToPath(import.meta.url));
const vector = JSON.parse(readFileSync(resolve(here, '../../../shared/vectors/netznoe-doc-kaifa.json'), 'utf8'));
const key = Buffer.from(vector.key, 'hex');
const plaintext = Buffer.from(vector.expected_plaintext, 'hex');
const systemTitle = Buffer.from('4B464D6750000009', 'hex');

// 1000 distinct pushes (frame counters 1..1000), as a meter would send them, in one stream
const DISTINCT = 1000;
const stream = Buffer.concat(
  Array.from({ length: DISTINCT }, (_, i) => Buffer.concat(encodeMbusFrames(encodeGloCiphering(plaintext, key, systemTitle, i + 1)))),
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
