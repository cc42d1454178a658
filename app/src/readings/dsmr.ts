/**
 * DSMR P1 telegrams → readings (NEN-EN-IEC 62056-21 mode D data lines; DSMR 2.2, 3.0, 4.x, 5.0.2 §6.12;
 * Fluvius e-MUCS; Luxembourg Smarty and the Energienetze Steiermark T210-D-R, which send the same text
 * inside general-glo-ciphering):
 *
 *   /EST5\253717584_A CR LF  CR LF  1-0:1.8.0(007112944*Wh) CR LF  …  !ED42 CR LF
 *
 * - The CRC (DSMR 4.0 and later) is CRC-16/ARC over everything from `/` to `!` inclusive, as hex digits.
 *   DSMR 2.2 / 3.0 send a bare `!`: those telegrams must have the strict line syntax.
 * - Units are normalised to the product's convention (units.ts PREFIXED_UNITS): `kWh` → `Wh`, `kW` → `W`, `kvarh` → `varh`,
 *   `kvar` → `var`, `kVA(h)` → `VA(h)` (× 1000, shifted on the decimal digits, so `001581.123*kWh` is
 *   exactly 1581123 Wh), and `m3` → `m³` (the DLMS symbol; the value stays in cubic metres).
 * - Values without a unit (version, tariff indicator, counters, ids, text) stay text, as sent.
 * - Timestamps are YYMMDDhhmmss + `S` (summer, +02:00) or `W` (winter, +01:00); DSMR 2.2 / 3.0 send none
 *   of the flags, the time is then local without an offset.
 * - M-Bus channel values carry their own capture time: `0-1:24.2.1(170102161005W)(00000.107*m3)` is the
 *   reading `{ value: 0.107, unit: 'm³', time: '2017-01-02T16:10:05+01:00' }`. DSMR 2.2 / 3.0 write gas as
 *   `0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)` with the value on the next line `(00001.001)`:
 *   it is read as the reading of the object it names (`0-1:24.2.1`).
 * - Logs and profiles with more groups (power failure log `1-0:99.97.0`, monthly peaks `0-0:98.1.0`) are
 *   kept as their raw text.
 */
import { isStrictDsmrTelegram } from '../framing/dsmr/dsmrTelegram.js';
import { crc16arc } from '../shared/crc.js';
import { MeterError } from '../shared/errors.js';
import { OBIS_CLOCK } from '../dlms/obis.js';
import { quantityOf } from './quantities.js';
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { PREFIXED_UNITS } from './units.js';

const latin1 = new TextDecoder('latin1');
/** `A-B:C.D.E` with an optional F group (`.255` in the DSMR 4.0 example telegram), then the value groups. */
const LINE = /^(\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3})(?:[.*](\d{1,3}))?((?:\([^()]*\))+)$/;
const OBIS_TEXT = /^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const NUMBER_WITH_UNIT = /^(-?)(\d+)(?:\.(\d+))?\*([A-Za-z0-9]+)$/;
const NUMBER = /^(-?)(\d+)(?:\.(\d+))?$/;
const TIMESTAMP = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW]?)$/;
const CRC_FIELD = /^([0-9A-Fa-f]{0,4})\r?\n?$/;

export const isDsmrTelegram = (b: Uint8Array) => b.length > 0 && b[0] === 0x2f; // '/'

export interface DsmrReadings extends ExtractedReadings {
  /** The identification line without the `/`, e.g. `ISk5\2MT382-1000`. */
  readonly header: string;
  /** Whether the telegram carried a CRC (verified) or none (DSMR 2.2 / 3.0, strict syntax checked). */
  readonly crc: 'verified' | 'absent';
}

/** `161113205757W` → `2016-11-13T20:57:57+01:00`; null when not a plausible timestamp. */
export function dsmrTime(text: string): string | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [, yy, mo, dd, hh, mi, ss, dst] = m;
  if (+mo! < 1 || +mo! > 12 || +dd! < 1 || +dd! > 31 || +hh! > 23 || +mi! > 59 || +ss! > 59) return null;
  const offset = dst === 'S' ? '+02:00' : dst === 'W' ? '+01:00' : '';
  return `20${yy}-${mo}-${dd}T${hh}:${mi}:${ss}${offset}`;
}

/**
 * `digits` × 10^shift from the decimal text, without binary rounding: the decimal point is moved in the
 * text, so `001581.123` kWh → `1581123` Wh and `0001.01` kW → `1010` W exactly.
 */
function shifted(sign: string, integer: string, fraction: string, shift: number): number {
  const padded = fraction.length < shift ? fraction + '0'.repeat(shift - fraction.length) : fraction;
  const whole = integer + padded.slice(0, shift);
  const rest = padded.slice(shift);
  const value = Number(rest ? `${whole}.${rest}` : whole);
  return sign && value !== 0 ? -value : value;
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * One value group → reading (number with its normalised unit, or the text as sent). A plain number without
 * `*unit` under the code of a physical quantity (Smarty `1-0:3.7.0(00.000)`, Hungarian `1-0:13.7.0(4.556)`)
 * has no stated unit or scale: it is kept as a raw number marked unscaled (readings.ts), never given a unit.
 */
function valueOf(text: string, obis: string): Reading {
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return PLAIN_NUMBER.test(text) && quantityOf(obis) !== null ? { value: Number(text), unscaled: true } : { value: text };
  const [, sign, integer, fraction = '', unit] = m;
  const [normalised, shift] = PREFIXED_UNITS[unit!] ?? [unit!, 0];
  return { value: shifted(sign!, integer!, fraction, shift), unit: normalised };
}

function withTime(reading: Reading, time: string | null): Reading {
  return time === null ? reading : { ...reading, time };
}

/** Whether a line opens more parentheses than it closes. */
function unclosed(line: string): boolean {
  return line.lastIndexOf('(') > line.lastIndexOf(')');
}

/** Groups of `(a)(b)(c)` → `['a', 'b', 'c']`. */
function groupsOf(text: string): string[] {
  return text.slice(1, -1).split(')(');
}

/**
 * DSMR 2.2 / 3.0 hourly gas: `(timestamp)(status)(period)(count)(object)(unit)(value)`. The value is in the
 * unit of the sixth group, without `*unit`; the reading is filed under the object it names.
 */
function legacyGas(obis: string, groups: string[]): [string, Reading] | null {
  if (groups.length !== 7) return null;
  const [stamp, , , , object, unit, raw] = groups as [string, string, string, string, string, string, string];
  const m = NUMBER.exec(raw);
  if (!m || !/^[A-Za-z0-9]+$/.test(unit)) return null;
  const [normalised, shift] = PREFIXED_UNITS[unit] ?? [unit, 0];
  const reading = { value: shifted(m[1]!, m[2]!, m[3] ?? '', shift), unit: normalised };
  return [OBIS_TEXT.test(object) ? object : obis, withTime(reading, dsmrTime(stamp))];
}

/** Parses and checks a telegram; throws DSMR_CRC / DSMR_SYNTAX / DATETIME_INVALID. */
export function parseDsmr(bytes: Uint8Array): DsmrReadings {
  const bang = bytes.lastIndexOf(0x21); // '!'
  if (bang < 0) throw new MeterError('DSMR_SYNTAX', 'no_end');
  const end = latin1.decode(bytes.subarray(bang + 1));
  const crcMatch = CRC_FIELD.exec(end);
  if (!crcMatch) throw new MeterError('DSMR_SYNTAX', 'end_line', { end: end.slice(0, 8).trim() });
  const crcText = crcMatch[1]!;
  const body = latin1.decode(bytes.subarray(0, bang));
  if (crcText === '') {
    // DSMR 2.2 / 3.0: no checksum, so only telegrams with the strict line syntax are believed
    if (!isStrictDsmrTelegram(body)) throw new MeterError('DSMR_SYNTAX', 'not_strict');
  } else {
    const crc = crc16arc(bytes, 0, bang + 1);
    if (crc !== parseInt(crcText, 16)) {
      throw new MeterError('DSMR_CRC', 'mismatch', { computed: crc.toString(16).toUpperCase().padStart(4, '0'), stated: crcText.toUpperCase() });
    }
  }
  const lines = body.split(/\r?\n/);
  const header = lines[0]!.slice(1).trim();
  const readings: Readings = {};
  let time: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '') continue;
    // a line of bare groups continues the previous one (DSMR 2.2 / 3.0 gas value), and a long text message
    // may be wrapped inside its parentheses (DSMR 4.0 example telegram)
    while (i + 1 < lines.length && (lines[i + 1]!.startsWith('(') || unclosed(line))) line += lines[++i]!.trim();
    const m = LINE.exec(line);
    if (!m) throw new MeterError('DSMR_SYNTAX', 'line', { line: line.slice(0, 40) });
    // F = 255 is the default and not written (obis.ts); any other F stays, as `*F`
    const obis = m[2] === undefined || m[2] === '255' ? m[1]! : `${m[1]}*${m[2]}`;
    const all = m[3]!;
    if (all.indexOf('(', 1) < 0) {
      // one value group: the common case
      const value = all.slice(1, -1);
      if (obis === OBIS_CLOCK) {
        time = dsmrTime(value);
        if (time === null) throw new MeterError('DATETIME_INVALID', 'dsmr', { text: value });
        readings[obis] = { value: time };
      } else readings[obis] = valueOf(value, obis);
      continue;
    }
    const groups = groupsOf(all);
    if (obis === OBIS_CLOCK) throw new MeterError('DATETIME_INVALID', 'dsmr', { text: all });
    if (groups.length === 2 && TIMESTAMP.test(groups[0]!)) {
      // M-Bus channel value or a maximum with the time it was captured
      readings[obis] = withTime(valueOf(groups[1]!, obis), dsmrTime(groups[0]!));
    } else {
      const gas = /^\d+-\d+:24\.3\.0$/.test(obis) ? legacyGas(obis, groups) : null;
      if (gas) readings[gas[0]] = gas[1];
      else readings[obis] = { value: all }; // logs and profiles: kept as sent
    }
  }
  return { readings, time, layout: 'dsmr', header, crc: crcText === '' ? 'absent' : 'verified' };
}
