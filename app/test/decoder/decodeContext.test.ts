/**
 * Every memo of the decode path (leaves, OBIS and text memos, the clock, the system title, the readings memo) lives in the
 * DecodeContext of one StreamDecoder: two decoders (two meters) fed at the same time give exactly what each
 * gives alone.
 */
import { describe, expect, it } from 'vitest';
import { StreamDecoder } from '../../src/decoder/StreamDecoder.js';
import type { DecodeResult } from '../../src/decoder/types.js';
import { StreamFramer } from '../../src/framing/StreamFramer.js';
import { encodeNetzNoePush, type NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';
import { keyOf, sharedVectors, streamOf } from '../support/vectors.js';
import { decodePlain, notification } from './axdrBuild.js';

const keyA = Uint8Array.from(Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'));
const keyB = Uint8Array.from(Buffer.from('F0E0D0C0B0A090807060504030201000', 'hex'));
const titleA = Uint8Array.from(Buffer.from('4B464D6750000009', 'hex'));
const titleB = Uint8Array.from(Buffer.from('5341475900000001', 'hex'));

/** Pushes of one meter: the same layout for both meters, so every memo sees the same leaf positions. */
function meterStream(key: Uint8Array, title: Uint8Array, meterNumber: string, offset: number, base: number): Uint8Array {
  const pushes: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const values: NetzNoeValues = {
      time: new Date(Date.UTC(2026, 10, 24, 8, 0, 0) + i * 5000 + base * 1000),
      utcOffsetMinutes: offset,
      energyImportWh: 10_000 * base + i,
      energyExportWh: 500 + base,
      powerImportW: 100 * base + i,
      powerExportW: base,
      voltage: [230 + base / 10, 231, 229],
      current: [1 + base / 100, 0.5, 0.25],
      powerFactor: 0.9,
      meterNumber,
    };
    pushes.push(encodeNetzNoePush(values, key, title, 100 * base + i));
  }
  return Uint8Array.from(Buffer.concat(pushes));
}

/** What a result says: values or the error code with its detail (not the trace's byte views). */
const summary = (results: DecodeResult[]) =>
  results.map((r) => (r.ok ? { ok: true, meter: r.push.meter, time: r.push.time, readings: r.push.readings, layout: r.push.layout, reason: r.push.reason } : { ok: false, code: r.error.code, detail: r.error.detail }));

function alone(options: ConstructorParameters<typeof StreamDecoder>[0], stream: Uint8Array, chunk: number) {
  const decoder = new StreamDecoder(options);
  const results: DecodeResult[] = [];
  for (let at = 0; at < stream.length; at += chunk) results.push(...decoder.push(stream.subarray(at, at + chunk)));
  results.push(...decoder.flush());
  return summary(results);
}

describe('DecodeContext: one per decoder', () => {
  it('two interleaved decoders with different pushes give the same results as each alone', () => {
    // a real capture of another family (Wiener Netze, HDLC, Iskraemeco AM550)
    const wien = sharedVectors().find((v) => v.name === 'pocki80-wienernetze-am550')!;
    const streams = [
      { options: { key: keyA }, bytes: meterStream(keyA, titleA, '181220000009', 60, 1) },
      { options: { key: keyB }, bytes: meterStream(keyB, titleB, 'SAG0000000001', 120, 2) },
      { options: { key: keyOf(wien.key), authKey: keyOf(wien.auth_key) }, bytes: streamOf(wien) },
    ];
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [0, 2],
    ] as const) {
      const first = streams[a]!;
      const second = streams[b]!;
      for (const chunk of [7, 64, 300]) {
        const expectedFirst = alone(first.options, first.bytes, chunk);
        const expectedSecond = alone(second.options, second.bytes, chunk);
        expect(expectedFirst.length).toBeGreaterThan(0);
        expect(expectedFirst.every((r) => r.ok)).toBe(true);
        expect(expectedSecond.every((r) => r.ok)).toBe(true);
        const one = new StreamDecoder(first.options);
        const two = new StreamDecoder(second.options);
        const got1: DecodeResult[] = [];
        const got2: DecodeResult[] = [];
        const n = Math.max(first.bytes.length, second.bytes.length);
        for (let at = 0; at < n; at += chunk) {
          if (at < first.bytes.length) got1.push(...one.push(first.bytes.subarray(at, at + chunk)));
          if (at < second.bytes.length) got2.push(...two.push(second.bytes.subarray(at, at + chunk)));
        }
        got1.push(...one.flush());
        got2.push(...two.flush());
        expect(summary(got1)).toEqual(expectedFirst);
        expect(summary(got2)).toEqual(expectedSecond);
      }
    }
    // the two simulated meters differ in every memoised value: title, clock offset, meter number
    const a = alone(streams[0]!.options, streams[0]!.bytes, 300)[0] as { meter: { id: string; systemTitle: string }; time: string };
    const b = alone(streams[1]!.options, streams[1]!.bytes, 300)[0] as { meter: { id: string; systemTitle: string }; time: string };
    expect([a.meter.id, a.meter.systemTitle, a.time.slice(-6)]).toEqual(['181220000009', '4B464D6750000009', '+01:00']);
    expect([b.meter.id, b.meter.systemTitle, b.time.slice(-6)]).toEqual(['SAG0000000001', '5341475900000001', '+02:00']);
  });
});

describe('raw framing without dlms', () => {
  const plain = sharedVectors().find((v) => v.framing === 'raw' && Buffer.from(v.frames[0]!, 'hex')[0] === 0x0f)!;

  it('the framer alone frames no bare data-notification: measuring one is an A-XDR walk, which the decoder hands in', () => {
    const bytes = Uint8Array.from([...streamOf(plain), ...streamOf(plain)]);
    const framed = (framer: StreamFramer) => [...framer.push(bytes), ...framer.flush()].filter((e) => e.type === 'frame').length;
    expect(framed(new StreamFramer({ framing: 'raw' }))).toBe(0);
    const decoded = alone({ framing: 'raw' }, bytes, 50);
    expect(decoded.filter((r) => r.ok)).toHaveLength(2);
  });
});

describe('A-XDR failures keep their own code through decodeApdu', () => {
  it('unknown tag, truncation, nesting depth; AXDR_INVALID for what remains; all at the structure stage', () => {
    const cases: [number[], string][] = [
      [[0x02, 0x02, 0x11, 0x01, 0xee], 'AXDR_UNKNOWN_TAG'],
      [[0x02, 0x03, 0x11, 0x01, 0x12, 0x00], 'AXDR_TRUNCATED'],
      [[...Array.from({ length: 17 }, () => [0x02, 0x01]).flat(), 0x00], 'AXDR_TOO_DEEP'],
      [[0x09, 0x80, 0x00], 'AXDR_INVALID'],
      [[0x11, 0x01, 0x11], 'AXDR_INVALID'], // bytes after the body
    ];
    for (const [body, code] of cases) {
      const r = decodePlain(notification(body));
      expect(r.ok, code).toBe(false);
      if (r.ok) continue;
      expect(r.error.code, Buffer.from(body).toString('hex')).toBe(code);
      expect(r.error.stage).toBe('structure');
    }
  });
});
