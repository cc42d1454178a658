/**
 * One complete APDU → readings: unwrap general-glo-ciphering, decrypt, parse the data-notification (or
 * DSMR telegram) and extract readings. Pure apart from the decryptor's cached cipher and the caller's
 * DecodeContext (scratch and memos of one decoder; nothing is kept at module level).
 */
import { DATA_NOTIFICATION, parseNotificationHeader } from '../dlms/apdu/dataNotification.js';
import { GENERAL_GLO_CIPHERING, parseGloCiphering, type GloCiphered } from '../dlms/apdu/gloCiphering.js';
import { axdrCodeOf } from '../dlms/axdr/cursor.js';
import { TAG } from '../dlms/axdr/tags.js';
import { collectLeaves, Leaves } from '../dlms/axdr/leaves.js';
import { typeSignature } from '../dlms/axdr/signature.js';
import { isDsmrTelegram, parseDsmr } from '../readings/dsmr.js';
import { extractReadings, ReadingsMemo, replayTagged } from '../readings/extract.js';
import { OBIS_DEVICE_NAME, OBIS_METER_NUMBER } from '../dlms/obis.js';
import { checkAndNormalise, derivedOf, unscaledWithoutUnits } from '../readings/normalise.js';
import type { ExtractedReadings } from '../readings/readings.js';
import { extractCompactDescriptors, extractSelfDescribing } from '../readings/selfDescribing.js';
import type { Decryptor, TagStatus } from '../dlms/security/decrypt.js';
import type { LinkFrame } from '../framing/types.js';
import { isMeterError, MeterError } from '../shared/errors.js';
import { toHex } from '../shared/hex.js';
import { meterIdentity } from './manufacturers.js';
import type { DecodeResult } from './types.js';

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
  // COSEM logical device name (L+G self-describing pushes: "LGZ1030655933512"), unique per meter
  const deviceName = extracted.readings[OBIS_DEVICE_NAME]?.value;
  if (typeof deviceName === 'string' && deviceName !== '') return deviceName;
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
function decodePlaintext(plaintext: Uint8Array, leaves: Leaves, memo: ReadingsMemo): ExtractedReadings {
  if (isDsmrTelegram(plaintext)) return parseDsmr(plaintext);
  if (plaintext[0] !== DATA_NOTIFICATION) {
    throw new MeterError('AXDR_INVALID', 'not_notification', { tag: toHex(plaintext, 0, 1) });
  }
  let header;
  try {
    header = parseNotificationHeader(plaintext);
  } catch (e) {
    throw new MeterError(axdrCodeOf(e), 'notification', { cause: (e as Error).message });
  }
  let headerTime: string | null = null;
  if (header.dateTimeAt >= 0) {
    headerTime = leaves.clocks.iso(plaintext, header.dateTimeAt);
    if (headerTime === null) throw new MeterError('DATETIME_INVALID', 'header', { hex: toHex(plaintext, header.dateTimeAt, header.dateTimeAt + 12) });
  }
  const body = header.bodyStart;
  const end = plaintext.length;
  // a capture-object list first (02 n 01 k 02 04 12 …): its descriptors would otherwise look OBIS-tagged
  if (plaintext[body] === TAG.structure && (plaintext[body + 2] === TAG.array || plaintext[body + 3] === TAG.array)) {
    let described: ExtractedReadings | null;
    try {
      described = extractSelfDescribing(plaintext, body, end, leaves, headerTime);
    } catch (e) {
      if (isMeterError(e)) throw withSignature(e, plaintext, body);
      throw new MeterError(axdrCodeOf(e), 'notification', { cause: (e as Error).message });
    }
    if (described) return described;
  }
  // the shape of the last OBIS-tagged push again (every push of a meter): only its values are read
  const replayed = replayTagged(plaintext, body, leaves, headerTime, memo);
  if (replayed !== null) return replayed;
  let axdrError: MeterError | null = null;
  try {
    leaves.reset();
    const after = collectLeaves(plaintext, body, end, leaves);
    if (after !== end) axdrError = new MeterError('AXDR_INVALID', 'trailing_bytes', { bytes: end - after });
  } catch (e) {
    axdrError = isMeterError(e) ? e : new MeterError(axdrCodeOf(e), 'notification', { cause: (e as Error).message });
  }
  // compact untagged descriptors (Sagemcom XT211) only where the ordinary reading fails: they are no A-XDR
  if (axdrError !== null) {
    const described = compactDescriptors(plaintext, body, leaves, headerTime);
    if (described) return described;
    throw axdrError;
  }
  try {
    return extractReadings(plaintext, leaves, headerTime, memo, body);
  } catch (e) {
    if (!isMeterError(e)) throw e;
    if (e.code === 'LAYOUT_UNKNOWN') {
      const described = compactDescriptors(plaintext, body, leaves, headerTime);
      if (described) return described;
    }
    throw withSignature(e, plaintext, body);
  }
}

function compactDescriptors(plaintext: Uint8Array, body: number, leaves: Leaves, headerTime: string | null): ExtractedReadings | null {
  try {
    return extractCompactDescriptors(plaintext, body, plaintext.length, leaves, headerTime);
  } catch (e) {
    throw isMeterError(e) ? withSignature(e, plaintext, body) : e;
  }
}

/** A layout we do not know gets the body's shape (types only, no values) for the bug report. */
function withSignature(e: MeterError, plaintext: Uint8Array, body: number): MeterError {
  if (e.code !== 'LAYOUT_UNKNOWN' || e.signature !== undefined) return e;
  return e.withSignature(typeSignature(plaintext, body, plaintext.length));
}

/** The last system title seen and its text forms (a meter sends the same one every push). */
class SystemTitleMemo {
  private last: { bytes: Uint8Array; hex: string; manufacturer: string | null } | null = null;

  of(apdu: Uint8Array, at: number): { hex: string; manufacturer: string | null } {
    const last = this.last;
    if (last) {
      let same = true;
      for (let i = 0; i < 8; i++) {
        if (last.bytes[i] !== apdu[at + i]) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const bytes = apdu.slice(at, at + 8);
    this.last = { bytes, hex: toHex(bytes), manufacturer: manufacturerOf(bytes) };
    return this.last;
  }
}

/**
 * Scratch and memos of one decoder (one meter): the leaves with their OBIS, text and clock memos, the readings
 * memo and the system title. StreamDecoder owns one; two decoders never share one, so the results of one meter never
 * depend on another meter's pushes.
 */
export class DecodeContext {
  readonly leaves = new Leaves();
  readonly titles = new SystemTitleMemo();
  /** The readings layer's memo (readings/extract.ts), with the shape of the last OBIS-tagged push. */
  readonly readings: ReadingsMemo;

  /** @param replayShapes false: every push is read the full way (readings/repeatedShape.ts) */
  constructor(replayShapes = true) {
    this.readings = new ReadingsMemo(replayShapes);
  }
}

/**
 * Decodes one complete APDU (general-glo-ciphering or a plain data-notification).
 * Never throws: failures come back as `{ ok: false, error }` with the stages reached.
 */
export function decodeApdu(apdu: Uint8Array, decryptor: Decryptor, frames: readonly LinkFrame[], context = new DecodeContext()): DecodeResult {
  const leaves = context.leaves;
  let cipher: GloCiphered | null = null;
  let tag: TagStatus = 'none';
  let plaintext: Uint8Array | null = null;
  try {
    let systemTitle: string | null = null;
    let manufacturer: string | null = null;
    let extracted: ExtractedReadings;
    if (apdu[0] === GENERAL_GLO_CIPHERING) {
      cipher = parseGloCiphering(apdu);
      const decrypted = decryptor.decrypt(apdu, cipher);
      tag = decrypted.tag;
      plaintext = decrypted.plaintext;
      const title = context.titles.of(apdu, cipher.titleAt);
      systemTitle = title.hex;
      manufacturer = title.manufacturer;
      try {
        extracted = decodePlaintext(plaintext, leaves, context.readings);
      } catch (e) {
        // Without a verified tag a wrong key only shows as a plaintext that does not parse (protocol.md §4).
        if (isMeterError(e) && e.stage === 'structure' && tag !== 'verified' && (cipher.securityControl & 0x20)) {
          throw new MeterError('CRYPTO_WRONG_KEY', 'plaintext_invalid', { cause: e.code, causeDetail: e.detailId });
        }
        throw e;
      }
    } else if (apdu[0] === DATA_NOTIFICATION || isDsmrTelegram(apdu)) {
      plaintext = apdu;
      extracted = decodePlaintext(apdu, leaves, context.readings);
    } else {
      throw new MeterError('APDU_UNKNOWN', 'tag', { tag: toHex(apdu, 0, 1) });
    }
    extracted = unscaledWithoutUnits(extracted, manufacturer);
    // the tagged extractor checked and normalised every quantity already (hot path)
    if (!extracted.plausibilityChecked) checkAndNormalise(extracted.readings, extracted.layout);
    const meter = meterIdentity(meterNumber(extracted), systemTitle, manufacturer);
    const push = { meter, time: extracted.time, readings: extracted.readings, derived: derivedOf(extracted.readings), layout: extracted.layout, reason: extracted.reason ?? extracted.layout };
    return { ok: true, push, trace: { frames, discarded: null, apdu, cipher, tag, plaintext } };
  } catch (e) {
    const error = isMeterError(e) ? e : new MeterError('AXDR_INVALID', 'unexpected', { cause: (e as Error).message });
    return { ok: false, error, trace: { frames, discarded: null, apdu, cipher, tag, plaintext } };
  }
}
