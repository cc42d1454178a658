/**
 * Netz Burgenland (L+G E450): the two real, decryptable pushes of UtilitechAS/amsreader-firmware #501
 * (fixtures amsreader-burgenland-lg-e450*.json) decode to the operator's 14 values, and only a push of exactly
 * that shape is read with the Burgenland layout.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { encodeHdlcFrame } from '../../src/framing/hdlc/hdlcEncode.js';
import { ownCaptures, keyOf, streamOf } from '../support/vectors.js';

const captures = ownCaptures().filter((v) => v.name.startsWith('amsreader-burgenland-lg-e450'));

function decode(name: string, authKey?: string) {
  const v = captures.find((c) => c.name === name)!;
  return decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: keyOf(authKey ?? v.auth_key), framing: 'auto' });
}

describe('Netz Burgenland E450 (real pushes, amsreader-firmware #501)', () => {
  it('has both captures', () => {
    expect(captures.map((c) => c.name).sort()).toEqual(['amsreader-burgenland-lg-e450', 'amsreader-burgenland-lg-e450-2']);
  });

  it('reads voltages in V, currents in A, power in W, energy in Wh, angles in degrees and the meter number', () => {
    const [record] = decode('amsreader-burgenland-lg-e450');
    expect(record).toEqual({
      ok: true,
      meter: { id: '30137181', systemTitle: '4C475A6772A9A111', manufacturer: 'LGZ', manufacturerName: 'Landis+Gyr' },
      time: '2023-03-28T19:11:20',
      readings: {
        '1-0:32.7.0': { value: 236, unit: 'V' },
        '1-0:52.7.0': { value: 237, unit: 'V' },
        '1-0:72.7.0': { value: 236, unit: 'V' },
        '1-0:31.7.0': { value: 0, unit: 'A' },
        '1-0:51.7.0': { value: 0.04, unit: 'A' },
        '1-0:71.7.0': { value: 0.26, unit: 'A' },
        '1-0:1.7.0': { value: 29, unit: 'W' },
        '1-0:2.7.0': { value: 0, unit: 'W' },
        '1-0:1.8.0': { value: 31358606, unit: 'Wh' },
        '1-0:2.8.0': { value: 7619, unit: 'Wh' },
        '1-0:81.7.4': { value: 400, unit: '°' },
        '1-0:81.7.15': { value: 53, unit: '°' },
        '1-0:81.7.26': { value: 295, unit: '°' },
        '0-0:96.1.0': { value: '30137181' },
        '0-0:1.0.0': { value: '2023-03-28T19:11:20' },
      },
    });
  });

  it('takes the clock from the notification header of each push', () => {
    const [record] = decode('amsreader-burgenland-lg-e450-2');
    expect(record!.ok && record!.time).toBe('2023-03-28T19:11:25');
    expect(record!.ok && record!.readings['1-0:81.7.15']).toEqual({ value: 64, unit: '°' });
  });

  it('authenticates with the operator authentication key (security control 0x30) and rejects a wrong one', () => {
    const wrong = 'C0C1C2C3C4C5C6C7C8C9CACBCCCDCEC0';
    const [record] = decode('amsreader-burgenland-lg-e450', wrong);
    expect(record).toEqual({ ok: false, error: expect.objectContaining({ code: 'CRYPTO_AUTH_FAILED' }) });
  });

  it('does not read a push with a binary meter number or a missing value as Burgenland', () => {
    const u16 = (n: number) => [0x12, n >> 8, n & 0xff];
    const u32 = (n: number) => [0x06, 0, 0, n >> 8, n & 0xff];
    const values = [...u16(230), ...u16(231), ...u16(232), ...u16(1), ...u16(2), ...u16(3), ...u32(5), ...u32(0), ...u32(7), ...u32(0)];
    const angles = [...u16(10), ...u16(20), ...u16(30)];
    const push = (count: number, tail: number[]) =>
      encodeHdlcFrame(Uint8Array.from([0xe6, 0xe7, 0x00, 0x0f, 0, 0, 0, 1, 0x00, 0x02, count, ...values, ...tail]));
    const binaryId = push(14, [...angles, 0x09, 0x04, 0x01, 0x02, 0x03, 0x04]);
    const noAngles = push(11, [0x09, 0x08, ...Buffer.from('30137181')]);
    for (const frame of [binaryId, noAngles]) {
      const [record] = decodeCapture(frame, { key: null, authKey: null, framing: 'auto' });
      expect(record).toEqual({ ok: false, error: expect.objectContaining({ code: 'LAYOUT_UNKNOWN' }) });
    }
  });
});
