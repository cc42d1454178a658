/** Framing edge cases: firmware quirks, resync after garbage, shared HDLC flags, segmentation, bounds. */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { mbusChecksum } from '../../src/shared/crc.js';
import { encodeHdlcFrame } from '../../src/framing/hdlc/hdlcEncode.js';
import { encodeMbusFrames } from '../../src/framing/mbus/mbusEncode.js';
import { StreamFramer } from '../../src/framing/StreamFramer.js';
import { keyOf, referenceReadings, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const vector = (name: string): Vector => sharedVectors().find((v) => v.name === name)!;
const noe = vector('netznoe-doc-kaifa');
const evn = vector('energyagent-evn-sagemcom');
const wn = vector('pocki80-wienernetze-am550');
const e450 = vector('dlmsparser-steiermark-lg-e450');

const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const decode = (v: Vector, bytes: Uint8Array, framing: 'auto' | 'mbus' | 'hdlc' | 'raw' = 'auto') =>
  decodeCapture(bytes, { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing });
const okRecords = (records: ReturnType<typeof decode>) => records.filter((r) => r.ok);

/** The APDU of a two-frame M-Bus push: each frame's bytes after DTSAP, joined. */
function mbusApdu(v: Vector): Uint8Array {
  return concat(...v.frames.map((hex) => Buffer.from(hex, 'hex')).map((f) => f.subarray(9, f.length - 2)));
}

describe('M-Bus', () => {
  it('accepts the Sagemcom length wrap 68 01 01 68 (257 bytes behind an L of 1)', () => {
    const apdu = mbusApdu(evn);
    expect(apdu.length).toBe(260);
    const body1 = concat(Uint8Array.from([0x53, 0xff, 0x00, 0x01, 0x67]), apdu.subarray(0, 252));
    expect(body1.length).toBe(257);
    const frame1 = concat(Uint8Array.from([0x68, 0x01, 0x01, 0x68]), body1, Uint8Array.from([mbusChecksum(body1, 0, 257), 0x16]));
    const body2 = concat(Uint8Array.from([0x53, 0xff, 0x11, 0x01, 0x67]), apdu.subarray(252));
    const frame2 = concat(Uint8Array.from([0x68, 0x0d, 0x0d, 0x68]), body2, Uint8Array.from([mbusChecksum(body2, 0, 13), 0x16]));
    const records = decode(evn, concat(frame1, frame2, frame1, frame2));
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.readings).toEqual(referenceReadings(evn.decoded!));
    }
  });

  it('reassembles by CI segment, whatever the segment sizes', () => {
    const apdu = mbusApdu(noe);
    for (const size of [245, 100, 37, 260]) {
      const records = decode(noe, concat(...encodeMbusFrames(apdu, { segmentSize: Math.min(size, 250) })));
      expect(records.map((r) => r.ok), `segment size ${size}`).toEqual([true]);
    }
  });

  it('reports a checksum error, then decodes the next push', () => {
    const bad = streamOf(noe).slice();
    bad[100]! ^= 0x55;
    const records = decode(noe, concat(bad, streamOf(noe)));
    expect(records.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code))).toContain('FRAME_CHECKSUM');
    expect(okRecords(records)).toHaveLength(1);
    expect(records.at(-1)!.ok).toBe(true);
  });

  it('reports a missing segment when the next push starts early', () => {
    const first = Buffer.from(noe.frames[0]!, 'hex');
    const records = decode(noe, concat(first, streamOf(noe)));
    expect(records.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['FRAME_SEGMENT', 'ok']);
  });

  it('recovers from a truncated frame followed by a whole push', () => {
    const cut = streamOf(noe).subarray(0, 150);
    const records = decode(noe, concat(cut, streamOf(noe), streamOf(noe)));
    expect(okRecords(records)).toHaveLength(2);
    expect(records.some((r) => !r.ok && r.error.stage === 'framing')).toBe(true);
  });

  it('finds pushes after random garbage, and reports the garbage as framing noise', () => {
    const garbage = Uint8Array.from({ length: 700 }, (_, i) => (i * 37 + 11) & 0xff);
    const records = decode(noe, concat(garbage, streamOf(noe)));
    expect(records.at(-1)!.ok).toBe(true);
    expect(records.filter((r) => !r.ok).every((r) => !r.ok && r.error.stage === 'framing')).toBe(true);
  });

  it('ignores M-Bus bytes when HDLC framing is forced', () => {
    const records = decode(noe, streamOf(noe), 'hdlc');
    expect(okRecords(records)).toHaveLength(0);
    expect(records.every((r) => !r.ok && r.error.code === 'FRAME_NOISE')).toBe(true);
  });
});

describe('HDLC', () => {
  it('accepts frames that share their flags', () => {
    const frames = e450.frames.map((hex) => Buffer.from(hex, 'hex'));
    const shared = concat(frames[0]!, ...frames.slice(1).map((f) => f.subarray(1)));
    const records = decode(e450, concat(shared, shared.subarray(0)));
    expect(records.map((r) => r.ok)).toEqual([true, true]);
  });

  it('accepts extra idle flags between frames without reporting noise', () => {
    const flags = Uint8Array.from([0x7e, 0x7e, 0x7e]);
    const records = decode(wn, concat(flags, streamOf(wn), flags, streamOf(wn), flags));
    expect(records.map((r) => r.ok)).toEqual([true, true]);
  });

  it('joins segmented frames (S bit) and strips the LLC header once', () => {
    const frame = Buffer.from(wn.frames[0]!, 'hex');
    const info = frame.subarray(9, frame.length - 3); // after HCS: E6 E7 00 DB …
    expect([...info.subarray(0, 4)]).toEqual([0xe6, 0xe7, 0x00, 0xdb]);
    const first = encodeHdlcFrame(info.subarray(0, 40), { segmented: true });
    const second = encodeHdlcFrame(info.subarray(40));
    const records = decode(wn, concat(first, second));
    expect(records).toHaveLength(1);
    expect(records[0]!.ok && records[0]!.readings).toEqual(referenceReadings(wn.decoded!));
  });

  it('reports a wrong FCS as a checksum error', () => {
    const bad = streamOf(wn).slice();
    bad[bad.length - 3]! ^= 0x01;
    const records = decode(wn, concat(bad, streamOf(wn)));
    expect(records.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['FRAME_CHECKSUM', 'ok']);
  });
});

describe('bounds', () => {
  it('never holds more than the longest frame, whatever arrives', () => {
    const framer = new StreamFramer();
    let seed = 99;
    for (let round = 0; round < 200; round++) {
      const chunk = Uint8Array.from({ length: 997 }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        // bias towards start bytes so that candidates are tried often
        const b = seed >>> 24;
        return b < 16 ? 0x68 : b < 32 ? 0x7e : b < 40 ? 0xdb : b;
      });
      framer.push(chunk);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(4096 + 512);
    }
  });

  it('decodes a bare APDU with a one-byte length (81 xx) whose chunk ends right after the length', () => {
    // regression: the security byte was read from the reused buffer before it had arrived
    const apdu = mbusApdu(noe);
    expect([apdu[10], apdu[11]]).toEqual([0x81, 0xf8]);
    const whole = decode(noe, apdu, 'raw');
    expect(whole.map((r) => r.ok)).toEqual([true]);
    expect(decodeCapture(apdu, { key: keyOf(noe.key), authKey: null, framing: 'raw', chunkSizes: [12, 4096] })).toEqual(whole);
  });

  it('a bare APDU whose span holds a valid M-Bus frame yields to the M-Bus frame', () => {
    // "DB 08" + 8 bytes + length 0x81 F8 + SC 0x20 … looks like a raw APDU of 248 bytes and would swallow the push
    const fakeRaw = Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0xf8, 0x20, 0, 0, 0, 1]);
    const decoder = new StreamDecoder({ key: keyOf(noe.key) });
    const results = [...decoder.push(concat(fakeRaw, streamOf(noe))), ...decoder.flush()];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe('positional layouts', () => {
  it('reads a Netz Burgenland style push (values only, clock in the header)', async () => {
    const { encodeHdlcFrame } = await import('../../src/framing/hdlc/hdlcEncode.js');
    const u16 = (n: number) => [0x12, n >> 8, n & 0xff];
    const u32 = (n: number) => [0x06, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    const clock = [0x07, 0xea, 0x0b, 0x18, 0x02, 0x0e, 0x05, 0x00, 0x00, 0xff, 0xc4, 0x00];
    const plaintext = Uint8Array.from([
      0x0f, 0x00, 0x00, 0x00, 0x01, 0x0c, ...clock, 0x02, 0x0e,
      ...u16(231), ...u16(229), ...u16(232), ...u16(152), ...u16(37), ...u16(5), ...u32(812), ...u32(0), ...u32(1_234_567), ...u32(89),
      ...u16(12), ...u16(25), ...u16(350), 0x09, 0x08, ...Buffer.from('30137181'),
    ]);
    const frame = encodeHdlcFrame(Uint8Array.from([0xe6, 0xe7, 0x00, ...plaintext]));
    const [record] = decodeCapture(frame, { key: null, authKey: null, framing: 'auto' });
    expect(record).toEqual({
      ok: true,
      meter: { id: '30137181', systemTitle: null, manufacturer: null, manufacturerName: null },
      time: '2026-11-24T14:05:00+01:00',
      readings: {
        '1-0:32.7.0': { value: 231, unit: 'V' },
        '1-0:52.7.0': { value: 229, unit: 'V' },
        '1-0:72.7.0': { value: 232, unit: 'V' },
        '1-0:31.7.0': { value: 1.52, unit: 'A' },
        '1-0:51.7.0': { value: 0.37, unit: 'A' },
        '1-0:71.7.0': { value: 0.05, unit: 'A' },
        '1-0:1.7.0': { value: 812, unit: 'W' },
        '1-0:2.7.0': { value: 0, unit: 'W' },
        '1-0:1.8.0': { value: 1234567, unit: 'Wh' },
        '1-0:2.8.0': { value: 89, unit: 'Wh' },
        '1-0:81.7.4': { value: 12, unit: '°' },
        '1-0:81.7.15': { value: 25, unit: '°' },
        '1-0:81.7.26': { value: 350, unit: '°' },
        '0-0:96.1.0': { value: '30137181' },
        '0-0:1.0.0': { value: '2026-11-24T14:05:00+01:00' },
      },
    });
  });

  it('names an unknown layout instead of guessing', () => {
    const plaintext = Uint8Array.from([0x0f, 0, 0, 0, 1, 0x00, 0x02, 0x03, 0x12, 0, 1, 0x12, 0, 2, 0x12, 0, 3]);
    const [record] = decodeCapture(plaintext, { key: null, authKey: null, framing: 'raw' });
    expect(record).toMatchObject({ ok: false, error: { stage: 'layout', code: 'LAYOUT_UNKNOWN' } });
  });
});

describe('frames are views into the framer buffer', () => {
  it('never overwrites the bytes of a frame handed out, whatever chunk sizes follow', () => {
    // distinct frames, so a frame overwritten by a later one cannot compare equal by accident
    const frames = Array.from({ length: 60 }, (_, i) => encodeMbusFrames(Uint8Array.from({ length: 40 + ((i * 37) % 200) }, (_, k) => (i * 7 + k) & 0xff))[0]!);
    const stream = concat(...frames);
    for (const chunkSize of [1, 7, 100, 1000, 5000, 20000]) {
      const framer = new StreamFramer({ framing: 'mbus' });
      const seen: { bytes: Uint8Array; copy: Buffer }[] = [];
      for (let at = 0; at < stream.length; at += chunkSize) {
        for (const e of framer.push(stream.subarray(at, at + chunkSize))) {
          if (e.type === 'frame') seen.push({ bytes: e.bytes, copy: Buffer.from(e.bytes) });
        }
      }
      expect(seen, `chunks of ${chunkSize}`).toHaveLength(frames.length);
      seen.forEach(({ bytes, copy }, i) => {
        expect(Buffer.from(bytes).equals(copy), `frame ${i}, chunks of ${chunkSize}`).toBe(true);
        expect(copy.equals(Buffer.from(frames[i]!)), `frame ${i}, chunks of ${chunkSize}`).toBe(true);
      });
    }
  });
});
