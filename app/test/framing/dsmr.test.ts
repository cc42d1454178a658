/**
 * DSMR P1 text telegrams: detection beside M-Bus/HDLC/raw, CRC, the CRC-less DSMR 2.2/3 syntax, truncation,
 * noise between telegrams, the bound, and the exact unit normalisation of the parser.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import type { PushRecord } from '../../src/decoder/records.js';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import { parseDsmr } from '../../src/readings/dsmr.js';
import { crc16arc } from '../../src/shared/crc.js';
import { describeFrame } from '../../src/framing/describe.js';
import { MAX_TELEGRAM } from '../../src/framing/dsmr/dsmrTelegram.js';
import { StreamFramer, type FramingMode } from '../../src/framing/StreamFramer.js';
import { profileOf } from '../../src/monitor/profile.js';
import { keyOf, ownCaptures, referenceReadings, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const capture = (name: string): Vector => ownCaptures().find((v) => v.name === name)!;
const v50 = capture('dsmrparser-nl-iskra-dsmr50');
const v22 = capture('dsmrparser-nl-iskra-dsmr22');
const fluvius = capture('dsmrparser-be-fluvius-emucs');
const smarty = capture('nexxtlab-luxembourg-sagemcom-smarty');
const noe = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
const wn = sharedVectors().find((v) => v.name === 'pocki80-wienernetze-am550')!;

const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const text = (v: Vector) => Buffer.from(streamOf(v)).toString('latin1');
/** A telegram with a correct CRC for `body` (from `/` up to and including `!`). */
const withCrc = (body: string) => `${body}${crc16arc(ascii(body), 0, body.length).toString(16).toUpperCase().padStart(4, '0')}\r\n`;

const decode = (bytes: Uint8Array, framing: FramingMode = 'auto', key: Uint8Array | null = null) =>
  decodeCapture(bytes, { key, authKey: null, framing });
const codes = (records: PushRecord[]) => records.map((r) => (r.ok ? 'ok' : r.error.code));

function chunked(bytes: Uint8Array, seed: number): PushRecord[] {
  let x = seed;
  const sizes = Array.from({ length: 300 }, () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 24) % 97 + 1;
  });
  return decodeCapture(bytes, { key: null, authKey: null, framing: 'auto', chunkSizes: sizes });
}

describe('DSMR telegram framing', () => {
  it('finds consecutive telegrams of different DSMR versions, whole, byte by byte and in random chunks', () => {
    const stream = concat(streamOf(v50), streamOf(fluvius), streamOf(v22), streamOf(v50));
    const whole = decode(stream);
    expect(codes(whole)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(whole[1]!.ok && whole[1]!.readings['0-2:24.2.1']).toEqual({ value: 872.234, unit: 'm³', time: '2020-05-12T13:45:58+02:00' });
    expect(decodeCapture(stream, { key: null, authKey: null, framing: 'auto', chunkSizes: [1] })).toEqual(whole);
    for (const seed of [3, 99, 2026]) expect(chunked(stream, seed)).toEqual(whole);
  });

  it('reports a CRC mismatch as DSMR_CRC, publishes nothing from it and decodes the next telegram', () => {
    const broken = text(v50).replace('1-0:1.8.1(000004.426*kWh)', '1-0:1.8.1(000004.427*kWh)');
    const records = decode(concat(ascii(broken), streamOf(v50)));
    expect(records).toEqual([
      { ok: false, error: expect.objectContaining({ stage: 'structure', code: 'DSMR_CRC', message: expect.stringContaining('telegram says 6EEE') }) },
      expect.objectContaining({ ok: true, readings: expect.objectContaining({ '1-0:1.8.1': { value: 4426, unit: 'Wh' } }) }),
    ]);
  });

  it('reports a telegram cut off by the next one as truncated, then decodes the whole one', () => {
    const cut = streamOf(v50).subarray(0, 300);
    const records = decode(concat(cut, streamOf(v50)));
    expect(codes(records)).toEqual(['FRAME_TRUNCATED', 'ok']);
  });

  it('reports a telegram that never reaches "!" before the stream ends as truncated', () => {
    expect(codes(decode(streamOf(v50).subarray(0, 500)))).toEqual(['FRAME_TRUNCATED']);
  });

  it('accepts a capture that ends right after the CRC, without the last line break', () => {
    const cut = streamOf(v50).subarray(0, streamOf(v50).length - 2);
    expect(decode(cut)).toEqual(decode(streamOf(v50)));
    expect(decodeCapture(cut, { key: null, authKey: null, framing: 'auto', chunkSizes: [1] })).toEqual(decode(streamOf(v50)));
    // …while a cut inside the CRC leaves a CRC that does not match: an error, nothing published
    expect(codes(decode(streamOf(v50).subarray(0, streamOf(v50).length - 4)))).toEqual(['DSMR_CRC']);
  });

  it('skips ASCII noise (also with "/" and "!") between telegrams as framing noise', () => {
    const noise = ascii('hello /world! 1-0:1.8.0(12*kWh)\r\n!\r\n/a/b/c ');
    const records = decode(concat(noise, streamOf(v50), noise, streamOf(v50)));
    expect(codes(records)).toEqual(['FRAME_NOISE', 'ok', 'FRAME_NOISE', 'ok']);
  });

  it('treats blank lines between telegrams as the idle line, not noise', () => {
    const records = decode(concat(streamOf(v50), ascii('\r\n\r\n'), streamOf(v50), ascii('\r\n')));
    expect(codes(records)).toEqual(['ok', 'ok']);
  });

  it('accepts a telegram without CRC (DSMR 2.2/3) only with the strict line syntax', () => {
    const sloppy = text(v22).replace('1-0:1.7.0(0001.01*kW)', '1-0:1.7.0(0001.01 kW)');
    expect(codes(decode(ascii(sloppy)))).toEqual(['FRAME_NOISE']);
    const noHeaderGap = text(v22).replace('1004\r\n\r\n', '1004\r\n');
    expect(codes(decode(ascii(noHeaderGap)))).toEqual(['FRAME_NOISE']);
    // …while the same deviation inside a CRC-checked telegram is vouched for by the CRC
    const body = text(v50).slice(0, text(v50).lastIndexOf('!') + 1).replace('1-0:1.7.0(00.244*kW)', '1-0:1.7.0(00.244*kW )');
    const [record] = decode(ascii(withCrc(body)));
    // framed and CRC-checked, but a power value that is no number never reaches Home Assistant
    expect(record).toMatchObject({ ok: false, error: { code: 'VALUE_IMPLAUSIBLE' } });
  });

  it('accepts LF-only line ends and an unpadded CRC', () => {
    // dsmr_parser test/example_telegrams.py TELEGRAM_UNPADDED_CRC: '!B9F' for CRC 0x0B9F
    const warmtelink = [
      '/NWA-WARMTELINK', '', '1-3:0.2.8(50)', '0-0:1.0.0(260215200523W)', '0-0:96.1.1(ADC3100000158491)', '0-0:96.13.1()',
      '0-0:96.13.0()', '0-1:24.1.0(004)', '0-1:96.1.0(621848012D2C0B0C)', '0-1:24.2.1(260215200523W)(240.860*GJ)', '!B9F', '',
    ].join('\r\n');
    const [record] = decode(ascii(warmtelink));
    expect(record).toMatchObject({ ok: true, readings: { '0-1:24.2.1': { value: 240.86, unit: 'GJ', time: '2026-02-15T20:05:23+01:00' } } });
    const lfOnly = text(v50).replace(/\r\n/g, '\n');
    const body = lfOnly.slice(0, lfOnly.lastIndexOf('!') + 1);
    const [lf] = decode(ascii(withCrc(body).replace('\r\n', '\n')));
    expect(lf!.ok && lf!.readings).toEqual(decode(streamOf(v50))[0]!.ok && (decode(streamOf(v50))[0] as { readings: object }).readings);
  });

  it('a "/" in or before binary frames does not hide M-Bus or HDLC pushes', () => {
    const slash = ascii('/ISk5\\2MT');
    const records = decodeCapture(concat(slash, streamOf(noe), ascii('/'), streamOf(noe)), { key: keyOf(noe.key), authKey: null, framing: 'auto' });
    expect(records.filter((r) => r.ok)).toHaveLength(2);
    expect(records.every((r) => r.ok || r.error.stage === 'framing')).toBe(true);
    const hdlc = decodeCapture(concat(ascii('/KFM5'), streamOf(wn)), { key: keyOf(wn.key), authKey: null, framing: 'auto' });
    expect(hdlc.filter((r) => r.ok)).toHaveLength(1);
  });

  it('decodes DSMR telegrams and M-Bus pushes on the same stream', () => {
    const records = decodeCapture(concat(streamOf(noe), streamOf(v50), streamOf(noe)), { key: keyOf(noe.key), authKey: null, framing: 'auto' });
    expect(codes(records)).toEqual(['ok', 'ok', 'ok']);
  });

  it('honours a forced framing', () => {
    expect(codes(decode(streamOf(v50), 'dsmr'))).toEqual(['ok']);
    expect(codes(decode(streamOf(v50), 'mbus'))).toEqual(['FRAME_NOISE', 'FRAME_NOISE']);
  });

  it('never holds more than the longest telegram, whatever text arrives', () => {
    const framer = new StreamFramer();
    const endless = ascii(`/ABC5 ${'1-0:1.8.0(000001.000*kWh)\r\n'.repeat(40)}`);
    for (let i = 0; i < 50; i++) {
      framer.push(endless);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(MAX_TELEGRAM + 512);
    }
  });

  it('labels the telegram for the frame inspector', () => {
    const framer = new StreamFramer();
    const frame = framer.push(streamOf(v50))[0]!;
    expect(frame.type).toBe('frame');
    if (frame.type !== 'frame') return;
    expect(frame.framing).toBe('dsmr');
    expect(describeFrame(frame).map((f) => [f.label, f.value])).toEqual([
      ['identification', 'ISk5\\2MT382-1000'],
      ['data lines', undefined],
      ['end line', 'CRC 6EEE'],
    ]);
  });
});

describe('DSMR parser', () => {
  it('normalises kWh, kW, kvarh and kvar exactly (decimal shift, no float product)', () => {
    expect(1.005 * 1000).not.toBe(1005); // why the digits are shifted instead
    const body = [
      '/XYZ5 test', '', '1-0:1.8.1(000001.005*kWh)', '1-0:1.7.0(00.070*kW)', '1-0:3.8.0(000000.123*kvarh)', '1-0:3.7.0(0.5*kvar)',
      '1-0:1.8.2(1.23456*kWh)', '0-0:17.0.0(999.9*kW)', '1-0:31.7.0(-0.25*A)', '!',
    ].join('\r\n');
    const { readings } = parseDsmr(ascii(withCrc(body)));
    expect(readings).toEqual({
      '1-0:1.8.1': { value: 1005, unit: 'Wh' },
      '1-0:1.7.0': { value: 70, unit: 'W' },
      '1-0:3.8.0': { value: 123, unit: 'varh' },
      '1-0:3.7.0': { value: 500, unit: 'var' },
      '1-0:1.8.2': { value: 1234.56, unit: 'Wh' },
      '0-0:17.0.0': { value: 999900, unit: 'W' },
      '1-0:31.7.0': { value: -0.25, unit: 'A' },
    });
  });

  it('keeps the power failure log and monthly peaks as text and never fails on them', () => {
    const v42 = capture('dsmrparser-nl-kaifa-dsmr42');
    const [record] = decode(streamOf(v42));
    expect(record!.ok && record!.readings['1-0:99.97.0']).toEqual({
      value: '(3)(0-0:96.7.19)(000104180320W)(0000237126*s)(000101000001W)(2147583646*s)(000102000003W)(2317482647*s)',
    });
    const [be] = decode(streamOf(fluvius));
    expect(be!.ok && typeof be!.readings['0-0:98.1.0']?.value).toBe('string');
  });

  it('keeps text messages, tariff and version as sent, and reads the equipment id as the meter number', () => {
    const v3 = [
      '/ISk5\\2MT382-1000', '', '0-0:96.1.1(4B384547303034303436333935353037)', '1-0:1.8.1(12345.678*kWh)', '0-0:96.14.0(0002)',
      '0-0:17.0.0(016*A)', '0-0:96.13.1(303132333435363738)', '0-0:96.13.0(303132333435363738393A3B3C3D3E3F)',
      '0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)', '(00001.001)', '0-1:24.4.0(1)', '!', '',
    ].join('\r\n'); // dsmr_parser test/example_telegrams.py TELEGRAM_V3 (text message shortened)
    const [record] = decode(ascii(v3));
    expect(record).toMatchObject({
      ok: true,
      meter: { id: 'K8EG004046395507' },
      readings: {
        '1-0:1.8.1': { value: 12345678, unit: 'Wh' },
        '0-0:96.14.0': { value: '0002' },
        '0-0:17.0.0': { value: 16, unit: 'A' },
        '0-0:96.13.0': { value: '303132333435363738393A3B3C3D3E3F' },
        '0-1:24.2.1': { value: 1.001, unit: 'm³', time: '2009-02-12T16:00:00' },
      },
    });
  });

  it('reads an F group other than 255 into the key, as the DLMS path writes it', () => {
    const body = ['/XYZ5 test', '', '1-0:1.8.0.255(000001.000*kWh)', '1-0:1.8.0*96(000002.000*kWh)', '!'].join('\r\n');
    expect(parseDsmr(ascii(withCrc(body))).readings).toEqual({
      '1-0:1.8.0': { value: 1000, unit: 'Wh' },
      '1-0:1.8.0*96': { value: 2000, unit: 'Wh' },
    });
  });

  it('rejects an implausible clock instead of guessing', () => {
    const body = ['/XYZ5 test', '', '0-0:1.0.0(171302192002W)', '1-0:1.8.1(000004.426*kWh)', '!'].join('\r\n');
    const [record] = decode(ascii(withCrc(body)));
    expect(record).toMatchObject({ ok: false, error: { code: 'DATETIME_INVALID' } });
  });

  it('names the push profile of plain and encrypted telegrams', () => {
    const plain = new StreamDecoder().push(streamOf(v50))[0]!;
    expect(plain.ok && profileOf(plain.push, 'dsmr', 1)).toBe('meter via DSMR P1 telegram');
    const decoder = new StreamDecoder({ key: keyOf(smarty.key), authKey: keyOf(smarty.auth_key) });
    const lux = [...decoder.push(streamOf(smarty)), ...decoder.flush()][0]!;
    expect(lux.ok && lux.trace.tag).toBe('verified');
    expect(lux.ok && profileOf(lux.push, 'raw', 1)).toBe('Luxembourg Smarty (P1, DSMR): Sagemcom via P1 without link layer');
  });

  it('decodes every DSMR capture to its stated values', () => {
    const dsmr = ownCaptures().filter((v) => v.framing === 'dsmr' || v.name.includes('smarty'));
    expect(dsmr.length).toBeGreaterThanOrEqual(9);
    for (const v of dsmr) {
      const [record] = decodeCapture(streamOf(v), { key: keyOf(v.key), authKey: keyOf(v.auth_key), framing: 'auto' });
      expect(record!.ok, v.name).toBe(true);
      if (record!.ok) expect(record!.readings, v.name).toMatchObject(referenceReadings(v.expected!));
    }
  });
});
