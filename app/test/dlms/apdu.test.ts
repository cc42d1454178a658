/**
 * APDUs (IEC 62056-5-3): data-notification (0x0F), general-glo-ciphering (0xDB), general-block-transfer (0xE0).
 */
import { describe, expect, it } from 'vitest';
import { BlockAssembler, parseBlock } from '../../src/dlms/apdu/blockTransfer.js';
import {
  measureDataNotification,
  NOTIFICATION_INVALID,
  NOTIFICATION_NEED_MORE,
  notificationLength,
  parseDataNotification,
  parseNotificationHeader,
} from '../../src/dlms/apdu/dataNotification.js';
import { GCM_TAG_LENGTH, isAuthenticated, isEncrypted, parseGloCiphering } from '../../src/dlms/apdu/gloCiphering.js';
import { encodeGloCiphering } from '../../src/dlms/apdu/gloCipheringEncode.js';
import { AxdrInvalid, AxdrTruncated } from '../../src/dlms/axdr/cursor.js';
import { Decryptor } from '../../src/dlms/security/decrypt.js';
import { isMeterError } from '../../src/shared/errors.js';
import { CLOCK, OBIS, S, scalerUnit, U32 } from '../decoder/axdrBuild.js';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const key = hex('000102030405060708090A0B0C0D0E0F');
const title = hex('4B464D6750000009');
const clockBytes = CLOCK.slice(2); // 12 bytes without `09 0C`
const body = S(OBIS('1-0:1.8.0'), U32(7), scalerUnit(0, 30));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isMeterError(e) ? e.code : (e as Error).name;
  }
  return undefined;
}

describe('data-notification', () => {
  it('reads the invoke id and the three date-time forms (absent, `0C`, `09 0C`)', () => {
    const absent = Uint8Array.from([0x0f, 0x80, 0x00, 0x00, 0x2a, 0x00, ...body]);
    expect(parseNotificationHeader(absent)).toEqual({ invokeId: 0x8000002a, dateTimeAt: -1, bodyStart: 6 });
    const lengthOnly = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x0c, ...clockBytes, ...body]);
    expect(parseNotificationHeader(lengthOnly)).toEqual({ invokeId: 1, dateTimeAt: 6, bodyStart: 18 });
    const tagged = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x09, 0x0c, ...clockBytes, ...body]);
    expect(parseNotificationHeader(tagged)).toEqual({ invokeId: 1, dateTimeAt: 7, bodyStart: 19 });
    const parsed = parseDataNotification(tagged);
    expect([...parsed.dateTime!]).toEqual(clockBytes);
    expect(parsed.body.type).toBe('structure');
    expect(parsed.bodyStart).toBe(19);
  });

  it('rejects another tag, a date-time of another length, and bytes after the body', () => {
    expect(() => parseNotificationHeader(hex('0E 00000001 00'))).toThrow(RangeError);
    expect(() => parseNotificationHeader(hex('0F 00000001 05 0102030405'))).toThrow(RangeError);
    expect(() => parseNotificationHeader(hex('0F 00000001 09 0B'))).toThrow(RangeError);
    expect(() => parseNotificationHeader(hex('0F 0000'))).toThrow(AxdrTruncated);
    expect(() => parseDataNotification(Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, ...body, 0x00]))).toThrow(AxdrInvalid);
  });

  it('measures a notification in a longer stream, and says "need more" or "invalid" without throwing', () => {
    const apdu = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, ...body]);
    const stream = Uint8Array.from([...apdu, 0x0f, 0x00]);
    expect(measureDataNotification(stream, 0, stream.length)).toBe(apdu.length);
    expect(notificationLength(stream, 0, stream.length)).toBe(apdu.length);
    expect(notificationLength(stream, 0, apdu.length - 1)).toBe(NOTIFICATION_NEED_MORE);
    expect(notificationLength(hex('0F 00000001 00 EE'), 0, 7)).toBe(NOTIFICATION_INVALID);
    expect(notificationLength(hex('0F 00000001 07'), 0, 6)).toBe(NOTIFICATION_INVALID);
  });
});

describe('general-glo-ciphering', () => {
  it('finds SC, frame counter and ciphertext for a short and a long (0x82) length', () => {
    for (const size of [20, 300]) {
      const plaintext = new Uint8Array(size).fill(0x5a);
      const apdu = encodeGloCiphering(plaintext, key, title, 0x01020304);
      const c = parseGloCiphering(apdu);
      const lengthBytes = size + 5 < 0x80 ? 1 : size + 5 < 0x100 ? 2 : 3;
      expect(c.scAt).toBe(10 + lengthBytes);
      expect([c.securityControl, c.frameCounter]).toEqual([0x20, 0x01020304]);
      expect([c.cipherStart, c.cipherEnd]).toEqual([c.scAt + 5, apdu.length]);
      expect([...c.systemTitle]).toEqual([...title]);
      expect(c.tag).toBeNull();
      expect(isEncrypted(c.securityControl) && !isAuthenticated(c.securityControl)).toBe(true);
    }
  });

  it('keeps a 12-byte tag apart when SC has the A bit', () => {
    const apdu = encodeGloCiphering(new Uint8Array(40), key, title, 9, 0x30);
    const withTag = Uint8Array.from([...apdu, ...new Uint8Array(GCM_TAG_LENGTH).fill(0xee)]);
    withTag[10] = withTag[10]! + GCM_TAG_LENGTH; // the length counts the tag
    const c = parseGloCiphering(withTag);
    expect(c.cipherEnd).toBe(withTag.length - GCM_TAG_LENGTH);
    expect([...c.tag!]).toEqual(new Array(12).fill(0xee));
  });

  it('CRYPTO_HEADER for a wrong title length, a length that does not match, no ciphertext, or a cut header', () => {
    const apdu = encodeGloCiphering(new Uint8Array(20), key, title, 1);
    const badTitle = apdu.slice();
    badTitle[1] = 7;
    expect(codeOf(() => parseGloCiphering(badTitle))).toBe('CRYPTO_HEADER');
    expect(codeOf(() => parseGloCiphering(apdu.subarray(0, apdu.length - 1)))).toBe('CRYPTO_HEADER');
    expect(codeOf(() => parseGloCiphering(hex('DB 08 4B464D6750000009 05 20 00000001')))).toBe('CRYPTO_HEADER');
    expect(codeOf(() => parseGloCiphering(hex('DB 08 4B464D67')))).toBe('CRYPTO_HEADER');
  });

  it('what the encoder wraps, the decryptor unwraps', () => {
    const plaintext = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, ...body]);
    const apdu = encodeGloCiphering(plaintext, key, title, 77);
    const out = new Decryptor(key).decrypt(apdu, parseGloCiphering(apdu));
    expect([...out.plaintext]).toEqual([...plaintext]);
    expect(out.tag).toBe('none');
  });
});

describe('general-block-transfer', () => {
  const block = (control: number, number: number, data: number[]) =>
    Uint8Array.from([0xe0, control, number >> 8, number & 0xff, 0, 0, ...(data.length < 0x80 ? [data.length] : [0x81, data.length]), ...data]);

  it('reads the last-block bit, the block number and the data (long lengths too)', () => {
    expect(parseBlock(block(0x01, 1, [1, 2, 3]))).toMatchObject({ last: false, number: 1 });
    const long = Array.from({ length: 200 }, (_, i) => i & 0xff);
    const parsed = parseBlock(block(0x81, 2, long));
    expect([parsed.last, parsed.number, parsed.data.length, parsed.data[199]]).toEqual([true, 2, 200, 199]);
  });

  it('APDU_BLOCK for bytes after the data or data cut short', () => {
    expect(codeOf(() => parseBlock(Uint8Array.from([...block(0x81, 1, [1]), 0])))).toBe('APDU_BLOCK');
    expect(codeOf(() => parseBlock(block(0x81, 1, [1, 2]).subarray(0, 8)))).toBe('APDU_BLOCK');
  });

  it('joins blocks 1..n and refuses a gap, starting afresh at block 1', () => {
    const assembler = new BlockAssembler();
    expect(assembler.push(parseBlock(block(0x01, 1, [1, 2])))).toBeNull();
    expect(assembler.pending).toBe(true);
    expect([...assembler.push(parseBlock(block(0x81, 2, [3])))!]).toEqual([1, 2, 3]);
    expect(assembler.pending).toBe(false);
    assembler.push(parseBlock(block(0x01, 1, [9])));
    expect(codeOf(() => assembler.push(parseBlock(block(0x81, 3, [9]))))).toBe('APDU_BLOCK');
    expect(assembler.pending).toBe(false);
    assembler.push(parseBlock(block(0x01, 1, [4])));
    expect([...assembler.push(parseBlock(block(0x81, 2, [5])))!]).toEqual([4, 5]);
  });
});
