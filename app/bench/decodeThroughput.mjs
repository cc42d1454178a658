// One measurement of the decode path, value-checked: `node bench/decodeThroughput.mjs [netznoe|dsmr] [full]`.
// - netznoe: Netz NÖ pushes, raw bytes → M-Bus framing → decryption → A-XDR → readings; the decoder as the
//   service runs it, so every push after the first is read by replaying the meter's shape
//   (src/readings/repeatedShape.ts); with `full` every push is read the full way (A-XDR walk and pairing);
// - dsmr: plain DSMR 5 P1 telegrams, raw bytes → line framing → CRC-16 → parse → readings.
// Every timed push is compared with the readings expected from the values it was generated from; one wrong or
// missing push ends the process with exit code 1 (a decoder that decodes wrongly fast is not a result).
// Only the decoder's push() calls of a round are timed (not the checks, made after each round); a run lasts at
// least BENCH_MIN_SECONDS (2 s).
// Prints one JSON line: {"pushes": …, "seconds": …, "pushesPerSecond": …}. Run through bench/run.mjs.
// BENCH_CLOCK=cpu times the push() calls in CPU time of this process (user + system, process.cpuUsage) instead
// of wall time: on a machine shared with other work the wall clock also counts the time the process waited
// for a core; the CPU clock counts only the time it ran (the figure of "one core").
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamDecoder } from '../dist/decoder/StreamDecoder.js';
import { encodeGloCiphering } from '../dist/dlms/apdu/gloCipheringEncode.js';
import { crc16arc } from '../dist/shared/crc.js';
import { encodeMbusFrames } from '../dist/framing/mbus/mbusEncode.js';
import { encodeNetzNoePlaintext } from '../dist/transport/simulator/netzNoePush.js';

const here = dirname(fileURLToPath(import.meta.url));
const which = process.argv[2] ?? 'netznoe';
const replayShapes = process.argv[3] !== 'full';
const MIN_SECONDS = Number(process.env.BENCH_MIN_SECONDS ?? 2);
const CPU_CLOCK = process.env.BENCH_CLOCK === 'cpu';
/** Nanoseconds of the chosen clock. */
const now = CPU_CLOCK
  ? () => {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
  : () => process.hrtime.bigint();
const DISTINCT = 1000;
const CHUNK = 4096; // bytes per read, like a serial port delivering buffered data
const start = Date.UTC(2026, 10, 24, 8, 0, 0);
const pad = (n, width) => String(n).padStart(width, '0');

/** ISO local time with offset, as the decoder writes it: `2026-11-24T09:00:05+01:00`. */
function isoLocal(utcMs, offsetMinutes) {
  const d = new Date(utcMs + offsetMinutes * 60_000);
  const offset = `${offsetMinutes >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMinutes) / 60), 2)}:${pad(Math.abs(offsetMinutes) % 60, 2)}`;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${offset}`
  );
}

/**
 * Netz NÖ: 1000 distinct pushes as a meter sends them, 5 s apart (the layout of the operator leaflet's example,
 * key from its vector): clock, counters, powers, voltages and frame counter change from push to push. All
 * quantities are generated as integers in the meter's resolution, so the expected value is exact.
 */
function netzNoe() {
  const vector = JSON.parse(readFileSync(resolve(here, '../test/fixtures/vectors/netznoe-doc-kaifa.json'), 'utf8'));
  const key = Buffer.from(vector.key, 'hex');
  const systemTitle = Buffer.from('4B464D6750000009', 'hex');
  const expected = [];
  const pushes = [];
  for (let i = 0; i < DISTINCT; i++) {
    const values = {
      time: new Date(start + i * 5000),
      utcOffsetMinutes: 60,
      energyImportWh: 12_937 + i,
      energyExportWh: 4_000 + (i >> 2),
      powerImportW: 300 + ((i * 37) % 900),
      powerExportW: (i * 13) % 50,
      voltage: [(2300 + (i % 7)) / 10, (2310 - (i % 5)) / 10, (2295 + (i % 3)) / 10],
      current: [(120 + (i % 9)) / 100, 80 / 100, (50 + (i % 4)) / 100],
      powerFactor: (950 + (i % 40)) / 1000,
      meterNumber: '181220000009',
    };
    const plaintext = encodeNetzNoePlaintext(values, 0x80000000 + i);
    pushes.push(Buffer.concat(encodeMbusFrames(encodeGloCiphering(plaintext, key, systemTitle, i + 1))));
    const time = isoLocal(values.time.getTime(), 60);
    expected.push({
      time,
      meter: '181220000009',
      readings: {
        '0-0:1.0.0': { value: time },
        '1-0:1.8.0': { value: values.energyImportWh, unit: 'Wh' },
        '1-0:2.8.0': { value: values.energyExportWh, unit: 'Wh' },
        '1-0:1.7.0': { value: values.powerImportW, unit: 'W' },
        '1-0:2.7.0': { value: values.powerExportW, unit: 'W' },
        '1-0:32.7.0': { value: values.voltage[0], unit: 'V' },
        '1-0:52.7.0': { value: values.voltage[1], unit: 'V' },
        '1-0:72.7.0': { value: values.voltage[2], unit: 'V' },
        '1-0:31.7.0': { value: values.current[0], unit: 'A' },
        '1-0:51.7.0': { value: values.current[1], unit: 'A' },
        '1-0:71.7.0': { value: values.current[2], unit: 'A' },
        '1-0:13.7.0': { value: values.powerFactor },
        '0-0:96.1.0': { value: '181220000009' },
      },
    });
  }
  return { stream: Buffer.concat(pushes), expected, decoderOptions: { key, replayShapes } };
}

/**
 * DSMR 5: 1000 distinct plain telegrams of a Dutch three-phase meter with a gas meter on M-Bus channel 1
 * (the line set of dsmr_parser's TELEGRAM_V5), 1 s apart, each with its CRC-16/ARC. Energies are written in
 * kWh with 3 decimals from integer Wh, powers in kW from integer W, so the expected Wh/W are exact.
 */
function dsmr() {
  const expected = [];
  const telegrams = [];
  const kilo = (n, intDigits) => `${pad(Math.floor(n / 1000), intDigits)}.${pad(n % 1000, 3)}`;
  for (let i = 0; i < DISTINCT; i++) {
    const utc = start + i * 1000;
    const local = new Date(utc + 3_600_000);
    const stamp = `${pad(local.getUTCFullYear() % 100, 2)}${pad(local.getUTCMonth() + 1, 2)}${pad(local.getUTCDate(), 2)}${pad(local.getUTCHours(), 2)}${pad(local.getUTCMinutes(), 2)}${pad(local.getUTCSeconds(), 2)}W`;
    const t1 = 4_426_000 + i * 3;
    const t2 = 2_399_000 + i;
    const out1 = 2_444_000 + (i >> 1);
    const power = 244 + ((i * 37) % 3000);
    const phase = [70 + (i % 50), 32 + ((i * 7) % 40), 142 + (i % 11)];
    const voltageDeci = [2300 + (i % 7), 2300 - (i % 5), 2290 + (i % 3)];
    const currentCenti = [48 + (i % 9), 44, 86 + (i % 4)];
    const gasLitres = 107_000 + (i >> 3);
    const lines = [
      '/ISk5\\2MT382-1000',
      '',
      '1-3:0.2.8(50)',
      `0-0:1.0.0(${stamp})`,
      '0-0:96.1.1(4B384547303034303436333935353037)',
      `1-0:1.8.1(${kilo(t1, 6)}*kWh)`,
      `1-0:1.8.2(${kilo(t2, 6)}*kWh)`,
      `1-0:2.8.1(${kilo(out1, 6)}*kWh)`,
      '1-0:2.8.2(000000.000*kWh)',
      `0-0:96.14.0(000${1 + (i % 2)})`,
      `1-0:1.7.0(${kilo(power, 2)}*kW)`,
      '1-0:2.7.0(00.000*kW)',
      '0-0:96.7.21(00013)',
      '0-0:96.7.9(00000)',
      '1-0:99.97.0(1)(0-0:96.7.19)(190326095015W)(0000002014*s)',
      '0-0:96.13.0()',
      ...voltageDeci.map((v, p) => `1-0:${[32, 52, 72][p]}.7.0(${pad(Math.floor(v / 10), 3)}.${v % 10}*V)`),
      ...currentCenti.map((c, p) => `1-0:${[31, 51, 71][p]}.7.0(${Math.floor(c / 100)}.${pad(c % 100, 2)}*A)`),
      ...phase.map((w, p) => `1-0:${[21, 41, 61][p]}.7.0(${kilo(w, 2)}*kW)`),
      '1-0:22.7.0(00.000*kW)',
      '1-0:42.7.0(00.000*kW)',
      '1-0:62.7.0(00.000*kW)',
      '0-1:24.1.0(003)',
      '0-1:96.1.0(3232323241424344313233343536373839)',
      `0-1:24.2.1(${stamp})(${kilo(gasLitres, 5)}*m3)`,
      '!',
    ];
    const body = Buffer.from(lines.join('\r\n'), 'latin1');
    const crc = crc16arc(body, 0, body.length).toString(16).toUpperCase().padStart(4, '0');
    telegrams.push(Buffer.concat([body, Buffer.from(`${crc}\r\n`, 'latin1')]));
    const time = isoLocal(utc, 60);
    expected.push({
      time,
      meter: 'K8EG004046395507',
      readings: {
        '1-3:0.2.8': { value: '50' },
        '0-0:1.0.0': { value: time },
        '0-0:96.1.1': { value: '4B384547303034303436333935353037' },
        '1-0:1.8.1': { value: t1, unit: 'Wh' },
        '1-0:1.8.2': { value: t2, unit: 'Wh' },
        '1-0:2.8.1': { value: out1, unit: 'Wh' },
        '1-0:2.8.2': { value: 0, unit: 'Wh' },
        '0-0:96.14.0': { value: `000${1 + (i % 2)}` },
        '1-0:1.7.0': { value: power, unit: 'W' },
        '1-0:2.7.0': { value: 0, unit: 'W' },
        '0-0:96.7.21': { value: '00013' },
        '0-0:96.7.9': { value: '00000' },
        '1-0:99.97.0': { value: '(1)(0-0:96.7.19)(190326095015W)(0000002014*s)' },
        '0-0:96.13.0': { value: '' },
        '1-0:32.7.0': { value: voltageDeci[0] / 10, unit: 'V' },
        '1-0:52.7.0': { value: voltageDeci[1] / 10, unit: 'V' },
        '1-0:72.7.0': { value: voltageDeci[2] / 10, unit: 'V' },
        '1-0:31.7.0': { value: currentCenti[0] / 100, unit: 'A' },
        '1-0:51.7.0': { value: currentCenti[1] / 100, unit: 'A' },
        '1-0:71.7.0': { value: currentCenti[2] / 100, unit: 'A' },
        '1-0:21.7.0': { value: phase[0], unit: 'W' },
        '1-0:41.7.0': { value: phase[1], unit: 'W' },
        '1-0:61.7.0': { value: phase[2], unit: 'W' },
        '1-0:22.7.0': { value: 0, unit: 'W' },
        '1-0:42.7.0': { value: 0, unit: 'W' },
        '1-0:62.7.0': { value: 0, unit: 'W' },
        '0-1:24.1.0': { value: '003' },
        '0-1:96.1.0': { value: '3232323241424344313233343536373839' },
        '0-1:24.2.1': { value: gasLitres / 1000, unit: 'm³', time },
      },
    });
  }
  return { stream: Buffer.concat(telegrams), expected, decoderOptions: {} };
}

const { stream, expected, decoderOptions } = which === 'dsmr' ? dsmr() : netzNoe();

function fail(message) {
  console.error(`${which}: ${message}`);
  process.exit(1);
}

/** Compares one decoded push with what it was generated from: every reading, no reading more, clock, meter. */
function check(result, index) {
  const want = expected[index % DISTINCT];
  if (!result.ok) fail(`push ${index} did not decode: ${result.error.message}`);
  const { push } = result;
  if (push.time !== want.time) fail(`push ${index}: clock ${push.time}, expected ${want.time}`);
  if (push.meter.id !== want.meter) fail(`push ${index}: meter ${push.meter.id}, expected ${want.meter}`);
  const got = push.readings;
  let count = 0;
  for (const key in got) {
    count++;
    const w = want.readings[key];
    const g = got[key];
    if (!w || g.value !== w.value || g.unit !== w.unit || g.time !== w.time) {
      fail(`push ${index}: ${key} = ${JSON.stringify(g)}, expected ${JSON.stringify(w)}`);
    }
  }
  const wanted = Object.keys(want.readings).length;
  if (count !== wanted) fail(`push ${index}: ${count} readings, expected ${wanted}`);
}

/**
 * Feeds whole rounds of the stream; times only decoder.push() (the clock is read once per round, so reading it
 * costs nothing measurable, and the results are checked after the clock stopped); checks every push it returns.
 */
function run(minSeconds, maxRounds = Infinity) {
  const decoder = new StreamDecoder(decoderOptions);
  let decoded = 0;
  let timed = 0n;
  let rounds = 0;
  const batches = [];
  while (rounds < maxRounds && (rounds === 0 || Number(timed) / 1e9 < minSeconds)) {
    batches.length = 0;
    const t0 = now();
    for (let at = 0; at < stream.length; at += CHUNK) batches.push(decoder.push(stream.subarray(at, at + CHUNK)));
    timed += now() - t0;
    for (const results of batches) for (const result of results) check(result, decoded++);
    rounds++;
  }
  if (decoded !== rounds * DISTINCT) fail(`${decoded} pushes decoded from ${rounds * DISTINCT} sent`);
  return { decoded, seconds: Number(timed) / 1e9 };
}

run(0, 20); // warm-up: JIT
const { decoded, seconds } = run(MIN_SECONDS);
console.log(JSON.stringify({ pushes: decoded, seconds, pushesPerSecond: Math.round(decoded / seconds), clock: CPU_CLOCK ? 'cpu' : 'wall' }));
