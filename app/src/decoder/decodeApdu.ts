/**
 * One complete APDU → readings: unwrap general-glo-ciphering, decrypt, parse the data-notification (or
 * DSMR telegram) and extract readings. Pure apart from the decryptor's cached cipher.
 */
import { DATA_NOTIFICATION, parseDataNotification } from '../dlms/apdu/dataNotification.js';
import { GENERAL_GLO_CIPHERING, parseGloCiphering, type GloCiphered } from '../dlms/apdu/gloCiphering.js';
import { parseDateTime } from '../dlms/axdr/dateTime.js';
import type { DlmsValue } from '../dlms/axdr/decode.js';
import { isDsmrTelegram, parseDsmr } from '../dlms/obis/dsmr.js';
import { extractReadings } from '../dlms/obis/extract.js';
import { OBIS_METER_NUMBER } from '../dlms/obis/obis.js';
import type { ExtractedReadings } from '../dlms/obis/readings.js';
import type { Decryptor, TagStatus } from '../dlms/security/decrypt.js';
import type { LinkFrame } from '../framing/types.js';
import { isMeterError, MeterError } from '../shared/errors.js';
import { toHex } from '../shared/hex.js';
import type { DecodeResult, MeterIdentity, PushTrace } from './types.js';

interface Stages {
  cipher: GloCiphered | null;
  tag: TagStatus;
  plaintext: Uint8Array | null;
  body: DlmsValue | null;
}

function manufacturerOf(systemTitle: Uint8Array): string | null {
  for (let i = 0; i < 3; i++) {
    const c = systemTitle[i]!;
    if (c < 0x41 || c > 0x5a) return null; // FLAG ids are three upper-case letters
  }
  return String.fromCharCode(systemTitle[0]!, systemTitle[1]!, systemTitle[2]!);
}

const DSMR_EQUIPMENT_ID = '0-0:96.1.1';

function meterNumber(extracted: ExtractedReadings): string | null {
  const number = extracted.readings[OBIS_METER_NUMBER]?.value;
  if (typeof number === 'string') return number;
  const equipment = extracted.readings[DSMR_EQUIPMENT_ID]?.value;
  if (typeof equipment === 'string') {
    // DSMR writes the equipment id as hex-encoded ASCII
    if (/^([0-9A-Fa-f]{2})+$/.test(equipment)) {
      const text = Buffer.from(equipment, 'hex').toString('latin1');
      if (/^[\x20-\x7e]+$/.test(text)) return text;
    }
    return equipment;
  }
  return null;
}

/** Parses a decrypted or plain payload into readings; throws MeterError (structure/layout stages). */
function decodePlaintext(plaintext: Uint8Array, stages: Stages): ExtractedReadings {
  if (isDsmrTelegram(plaintext)) return parseDsmr(plaintext);
  if (plaintext[0] !== DATA_NOTIFICATION) {
    throw new MeterError('AXDR_INVALID', `payload starts with 0x${toHex(plaintext, 0, 1)}, not a data-notification (0x0F)`);
  }
  let notification;
  try {
    notification = parseDataNotification(plaintext);
  } catch (e) {
    throw new MeterError('AXDR_INVALID', `data-notification: ${(e as Error).message}`);
  }
  stages.body = notification.body;
  let headerTime: string | null = null;
  if (notification.dateTime) {
    const dt = parseDateTime(notification.dateTime);
    if (!dt) throw new MeterError('DATETIME_INVALID', `header date-time ${toHex(notification.dateTime)}`);
    headerTime = dt.iso;
  }
  return extractReadings(notification.body, headerTime);
}

/**
 * Decodes one complete APDU (general-glo-ciphering or a plain data-notification).
 * Never throws: failures come back as `{ ok: false, error }` with the stages reached.
 */
export function decodeApdu(apdu: Uint8Array, decryptor: Decryptor, frames: readonly LinkFrame[]): DecodeResult {
  const stages: Stages = { cipher: null, tag: 'none', plaintext: null, body: null };
  const trace = (): PushTrace => ({ frames, discarded: null, apdu, ...stages });
  try {
    let meter: MeterIdentity = { id: null, systemTitle: null, manufacturer: null };
    let extracted: ExtractedReadings;
    if (apdu[0] === GENERAL_GLO_CIPHERING) {
      const cipher = parseGloCiphering(apdu);
      stages.cipher = cipher;
      const decrypted = decryptor.decrypt(apdu, cipher);
      stages.tag = decrypted.tag;
      stages.plaintext = decrypted.plaintext;
      meter = { id: null, systemTitle: toHex(cipher.systemTitle), manufacturer: manufacturerOf(cipher.systemTitle) };
      try {
        extracted = decodePlaintext(decrypted.plaintext, stages);
      } catch (e) {
        // Without a verified tag a wrong key only shows as a plaintext that does not parse (protocol.md §4).
        if (isMeterError(e) && e.stage === 'structure' && decrypted.tag !== 'verified' && (cipher.securityControl & 0x20)) {
          throw new MeterError('CRYPTO_WRONG_KEY', e.detail);
        }
        throw e;
      }
    } else if (apdu[0] === DATA_NOTIFICATION || isDsmrTelegram(apdu)) {
      stages.plaintext = apdu;
      extracted = decodePlaintext(apdu, stages);
    } else {
      throw new MeterError('APDU_UNKNOWN', `APDU tag 0x${toHex(apdu, 0, 1)}`);
    }
    meter = { ...meter, id: meterNumber(extracted) };
    const push = { meter, time: extracted.time, readings: extracted.readings, layout: extracted.layout };
    return { ok: true, push, trace: trace() };
  } catch (e) {
    const error = isMeterError(e) ? e : new MeterError('AXDR_INVALID', `unexpected: ${(e as Error).message}`);
    return { ok: false, error, trace: trace() };
  }
}
