/**
 * One M-Bus application frame (long header, CI `5B`/`72`) → readings: long transport header, security mode 5
 * with the `2F 2F` check, the DIF/VIF records, and their meaning from the AMIS table. Pure apart from
 * node:crypto. Never throws: failures come back as `{ ok: false, error }` with the stages reached.
 */
import { meterIdentity } from './manufacturers.js';
import type { DecodeResult } from './types.js';
import { checkAndNormalise, derivedOf } from '../readings/normalise.js';
import type { Readings } from '../readings/readings.js';
import type { LinkFrame } from '../framing/types.js';
import { isMeterError, MeterError } from '../shared/errors.js';
import { toHex } from '../shared/hex.js';
import { AMIS_RECORDS } from '../mbus/amisRecords.js';
import { cp48Iso, parseCp48 } from '../mbus/cp48.js';
import { decryptMode5 } from '../mbus/mode5.js';
import { readBcd, readInt, walkRecords } from '../mbus/records.js';
import { LONG_HEADER_LENGTH, parseLongHeader, type LongHeader } from '../framing/mbus/transportHeader.js';

export interface MbusDecoded {
  readonly header: LongHeader;
  readonly readings: Readings;
  readonly time: string | null;
  /** Records the table does not know, as header hex (left out of the readings). */
  readonly unknown: readonly string[];
}

/** Decodes the plaintext records (after the `2F 2F` check) with the AMIS table. Throws MeterError. */
export function decodeAmisRecords(plaintext: Uint8Array): { readings: Readings; time: string | null; unknown: string[] } {
  const readings: Readings = {};
  const unknown: string[] = [];
  let time: string | null = null;
  for (const r of walkRecords(plaintext, 0, plaintext.length)) {
    const meaning = AMIS_RECORDS[r.header];
    if (!meaning) {
      unknown.push(r.header);
      continue;
    }
    if (meaning.kind === 'clock') {
      if (r.dataLength !== 6) throw new MeterError('MBUS_RECORD_INVALID', 'clock_length', { record: r.header, length: r.dataLength });
      time = cp48Iso(parseCp48(plaintext, r.dataAt));
      if (time === null) throw new MeterError('DATETIME_INVALID', 'cp48', { hex: toHex(plaintext, r.dataAt, r.dataAt + 6) });
      readings[meaning.obis] = { value: time };
      continue;
    }
    let value: number;
    if (r.coding.type === 'int') value = readInt(plaintext, r.dataAt, r.dataLength, meaning.signed);
    else if (r.coding.type === 'bcd') value = readBcd(plaintext, r.dataAt, r.dataLength);
    else throw new MeterError('MBUS_RECORD_INVALID', 'number_coding', { record: r.header, coding: r.coding.type });
    readings[meaning.obis] = { value, unit: meaning.unit };
  }
  if (Object.keys(readings).length === 0) throw new MeterError('LAYOUT_UNKNOWN', 'no_known_record', { records: unknown.join(' ') || 'none' });
  checkAndNormalise(readings, 'mbus-records');
  return { readings, time, unknown };
}

/** Decodes a frame whose CI is followed by the long header. */
export function decodeMbusApplication(frame: LinkFrame, key: Uint8Array | null): DecodeResult {
  const bytes = frame.bytes;
  const apdu = bytes.subarray(frame.payloadStart, frame.payloadEnd);
  let plaintext: Uint8Array | null = null;
  try {
    const header = parseLongHeader(apdu, 0);
    plaintext = decryptMode5(header, apdu.subarray(LONG_HEADER_LENGTH), key);
    const { readings, time, unknown } = decodeAmisRecords(plaintext);
    // the AMIS push carries no meter serial: its secondary address is a fixed dummy (spec Tabelle 1)
    const meter = meterIdentity(null, toHex(header.address), header.manufacturer);
    const count = Object.keys(readings).length;
    const reason = `${count} DIF/VIF records from the AMIS table${unknown.length ? `, ${unknown.length} unknown left out (${unknown.join(' ')})` : ''}; M-Bus ${header.manufacturer} ${header.id} v${header.version} medium 0x${header.medium.toString(16).padStart(2, '0')}, access number ${header.accessNumber}, security mode ${header.mode}`;
    const push = { meter, time, readings, derived: derivedOf(readings), layout: 'mbus-records', reason };
    return { ok: true, push, trace: { frames: [frame], discarded: null, apdu, cipher: null, tag: 'none', plaintext } };
  } catch (e) {
    const error = isMeterError(e) ? e : new MeterError('MBUS_RECORD_INVALID', 'unexpected', { cause: (e as Error).message });
    return { ok: false, error, trace: { frames: [frame], discarded: null, apdu, cipher: null, tag: 'none', plaintext } };
  }
}
