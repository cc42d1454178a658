/**
 * DSMR 5 P1 telegrams (NEN-EN-IEC 62056-21 mode D text, DSMR 5.0.2 §6.12), as the Sagemcom T210-D-R of
 * Energienetze Steiermark sends inside general-glo-ciphering:
 *
 *   /EST5\253717584_A CR LF CR LF  1-0:1.8.0(007112944*Wh) CR LF  …  !ED42 CR LF
 *
 * The CRC is CRC-16/ARC over everything from `/` to `!` inclusive, written as 4 hex digits.
 * Timestamps are YYMMDDhhmmss + `S` (summer, +02:00) or `W` (winter, +01:00).
 */
import { crc16arc } from '../../framing/crc.js';
import { MeterError } from '../../shared/errors.js';
import { OBIS_CLOCK } from './obis.js';
import type { ExtractedReadings, Readings } from './readings.js';

const latin1 = new TextDecoder('latin1');
const LINE = /^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)((?:\([^()]*\))+)$/;
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)\*(.+)$/;
const TIMESTAMP = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW])$/;

export const isDsmrTelegram = (b: Uint8Array) => b.length > 0 && b[0] === 0x2f; // '/'

function dsmrTime(text: string): string | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  return `20${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] === 'S' ? '+02:00' : '+01:00'}`;
}

/** Parses and CRC-checks a telegram; throws DSMR_CRC / DSMR_SYNTAX. */
export function parseDsmr(bytes: Uint8Array): ExtractedReadings & { readonly header: string } {
  const bang = bytes.lastIndexOf(0x21); // '!'
  if (bang < 0 || bang + 5 > bytes.length) throw new MeterError('DSMR_SYNTAX', 'no "!CRC" end line');
  const crcText = latin1.decode(bytes.subarray(bang + 1, bang + 5));
  if (!/^[0-9A-Fa-f]{4}$/.test(crcText)) throw new MeterError('DSMR_SYNTAX', `CRC field "${crcText}"`);
  const rest = latin1.decode(bytes.subarray(bang + 5));
  if (!/^[\r\n]*$/.test(rest)) throw new MeterError('DSMR_SYNTAX', 'data after the CRC');
  const crc = crc16arc(bytes, 0, bang + 1);
  if (crc !== parseInt(crcText, 16)) {
    throw new MeterError('DSMR_CRC', `CRC ${crc.toString(16).toUpperCase().padStart(4, '0')}, telegram says ${crcText.toUpperCase()}`);
  }
  const lines = latin1.decode(bytes.subarray(0, bang)).split(/\r?\n/);
  const header = lines[0]!.slice(1).trim();
  const readings: Readings = {};
  let time: string | null = null;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new MeterError('DSMR_SYNTAX', `line "${line.slice(0, 40)}"`);
    const [, a, b, c, d, e, groups] = m;
    const obis = `${a}-${b}:${c}.${d}.${e}`;
    // the value is the last parenthesised group (gas and other M-Bus lines carry a timestamp first)
    const last = groups!.slice(groups!.lastIndexOf('(') + 1, -1);
    const numeric = NUMBER_WITH_UNIT.exec(last);
    if (obis === OBIS_CLOCK) {
      time = dsmrTime(last);
      if (time === null) throw new MeterError('DATETIME_INVALID', `DSMR timestamp "${last}"`);
      readings[obis] = { value: time };
    } else if (numeric) {
      readings[obis] = { value: Number(numeric[1]), unit: numeric[2]! };
    } else {
      readings[obis] = { value: last };
    }
  }
  return { readings, time, layout: 'dsmr', header };
}
