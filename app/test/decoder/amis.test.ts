/**
 * Netz Oberösterreich AMIS (Siemens TD-3511/3512): the operator's example decodes exactly, a wrong key gives
 * CRYPTO_WRONG_KEY and never values, CP48 with the summer-time flag, signed vs unsigned per the spec, and records
 * read by DIF/VIF through the table (any order, unknown ones left out, truncated ones rejected).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { mbusChecksum } from '../../src/shared/crc.js';
import { encodeAmisFrame, encodeAmisPlaintext, type AmisValues } from '../../src/mbus/amisEncode.js';
import { cp48Iso, encodeCp48, parseCp48 } from '../../src/mbus/cp48.js';
import { decodeAmisRecords } from '../../src/decoder/decodeMbus.js';
import { encryptMode5, mode5Iv } from '../../src/mbus/mode5.js';
import { walkRecords } from '../../src/mbus/records.js';
import { parseLongHeader } from '../../src/framing/mbus/transportHeader.js';
import { parseKey } from '../../src/shared/hex.js';
import { keyOf, ownCaptures, streamOf, type Vector } from '../support/vectors.js';

const spec = ownCaptures().find((v) => v.name === 'netzooe-spec-amis-td3511')!;
const SPEC_KEY = keyOf(spec.key)!;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

const values = (overrides: Partial<AmisValues> = {}): AmisValues => ({
  localTime: new Date(Date.UTC(2026, 0, 15, 12, 30, 5)),
  summerTime: false,
  energyImportWh: 1_000_000,
  energyExportWh: 2_000,
  reactiveImportVarh: 3_000,
  reactiveExportVarh: 4_000,
  powerImportW: 500,
  powerExportW: 0,
  reactivePowerImportVar: 10,
  reactivePowerExportVar: 0,
  collectionWh: 0,
  ...overrides,
});

/** A mode-5 frame around any plaintext (padded with 2F to whole blocks), for record-level tests. */
function frameAround(plaintext: number[], key = SPEC_KEY, access = 7): Uint8Array {
  const body = [...plaintext];
  while (body.length % 16 !== 0) body.push(0x2f);
  const blocks = body.length / 16;
  const header = Uint8Array.from([0, 0, 0, 0, 0x2d, 0x4c, 0x01, 0x0e, access, 0, (blocks << 4) & 0xff, 0x05]);
  const cipher = encryptMode5(parseLongHeader(header, 0), Uint8Array.from(body), key);
  const l = 3 + 12 + cipher.length;
  const f = new Uint8Array(l + 6);
  f.set([0x68, l, l, 0x68, 0x53, 0xf0, 0x5b]);
  f.set(header, 7);
  f.set(cipher, 19);
  f[4 + l] = mbusChecksum(f, 4, 4 + l);
  f[5 + l] = 0x16;
  return f;
}

const decode = (bytes: Uint8Array, key: Uint8Array | null = SPEC_KEY) => decodeCapture(bytes, { key, authKey: null, framing: 'auto' });

describe('AMIS: the operator example (Netz OÖ spec §2.4.2.9)', () => {
  it('builds the IV the spec states and decrypts to the spec plaintext', () => {
    const frame = streamOf(spec);
    const header = parseLongHeader(frame, 7);
    expect(header).toMatchObject({ manufacturer: 'SAM', id: '00000000', version: 1, medium: 0x0e, accessNumber: 0x0d, mode: 5, encryptedBlocks: 5 });
    expect(hex(mode5Iv(header))).toBe('2D4C00000000010E0D0D0D0D0D0D0D0D');
    const plain = encryptMode5(header, fromHex((spec as Vector & { expected_plaintext: string }).expected_plaintext), SPEC_KEY);
    expect(hex(plain)).toBe(hex(frame.subarray(19, 99)));
  });

  it('decodes to exactly the ten values of the spec table, the clock at 08:12:31 local (summer time)', () => {
    const [record] = decode(streamOf(spec));
    expect(record).toEqual({
      ok: true,
      meter: { id: null, systemTitle: '000000002D4C010E', manufacturer: 'SAM', manufacturerName: 'Siemens' },
      time: '2014-07-01T08:12:31+02:00',
      readings: {
        '0-0:1.0.0': { value: '2014-07-01T08:12:31+02:00' },
        '1-0:1.8.0': { value: 684544, unit: 'Wh' },
        '1-0:2.8.0': { value: 129412, unit: 'Wh' },
        '1-0:3.8.1': { value: 357918, unit: 'varh' },
        '1-0:4.8.1': { value: 81446, unit: 'varh' },
        '1-0:1.7.0': { value: 0, unit: 'W' },
        '1-0:2.7.0': { value: 117, unit: 'W' },
        '1-0:3.7.0': { value: 0, unit: 'var' },
        '1-0:4.7.0': { value: 0, unit: 'var' },
        '1-0:1.128.0': { value: 20, unit: 'Wh' },
      },
    });
  });

  it('accepts the key in lower case and with spaces, as users paste it', () => {
    const key = parseKey('00112233 44556677 8899aabb ccddeeff')!;
    expect(decode(streamOf(spec), key)[0]!.ok).toBe(true);
  });

  it('decodes exactly through the CLI (decode and decode --explain)', () => {
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'smr-amis-cli-'));
    try {
      const file = join(dir, 'amis.hex');
      writeFileSync(file, `# Netz OÖ spec example\n${spec.frames[0]}\n`);
      const r = spawnSync(process.execPath, [cli, 'decode', '--key', spec.key, file], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(decode(streamOf(spec))[0]);
      const e = spawnSync(process.execPath, [cli, 'decode', '--explain', '--framing', 'amis', '--key', spec.key, file], { encoding: 'utf8' });
      expect(e.status).toBe(0);
      expect(e.stdout).toMatch(/CI: 0x5b: long transport header/);
      expect(e.stdout).toMatch(/configuration: security mode 5, 5 encrypted blocks/);
      expect(e.stdout).toMatch(/0x0046 0483FF04 +4 data bytes {2}1-0:1.128.0 Inkassozählwerk \(signed, Wh\)/);
      expect(e.stdout).toMatch(/1-0:2\.7\.0 +117 W/);
      expect(e.stdout + e.stderr).not.toMatch(/00112233445566778899AABBCCDDEEFF/i);
      const wrong = spawnSync(process.execPath, [cli, 'decode', '--key', 'FF112233445566778899AABBCCDDEEFF', file], { encoding: 'utf8' });
      expect(wrong.status).toBe(1);
      expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, error: { stage: 'crypto', code: 'CRYPTO_WRONG_KEY' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AMIS: keys', () => {
  it('a wrong key fails the 2F 2F check: CRYPTO_WRONG_KEY, never values', () => {
    for (let i = 0; i < 16; i++) {
      const wrong = SPEC_KEY.slice();
      wrong[i]! ^= 1 << (i % 8);
      const records = decode(streamOf(spec), wrong);
      expect(records).toEqual([{ ok: false, error: expect.objectContaining({ code: 'CRYPTO_WRONG_KEY', message: expect.stringContaining('2F 2F') }) }]);
    }
  });

  it('no key: CRYPTO_NO_KEY', () => {
    expect(decode(streamOf(spec), null)).toEqual([{ ok: false, error: expect.objectContaining({ code: 'CRYPTO_NO_KEY' }) }]);
  });

  it('another security mode is not guessed at: CRYPTO_UNSUPPORTED', () => {
    const frame = streamOf(spec).slice();
    frame[18] = 0x07; // configuration word 0x0750: mode 7
    frame[99] = mbusChecksum(frame, 4, 99);
    expect(decode(frame)).toEqual([{ ok: false, error: expect.objectContaining({ code: 'CRYPTO_UNSUPPORTED' }) }]);
  });
});

describe('AMIS: CP48 date and time', () => {
  it('reads the spec bytes 5F 0C 48 C1 17 1B: 2014-07-01 08:12:31, Tuesday, week 27, summer time', () => {
    const t = parseCp48(fromHex('5F0C48C1171B'), 0);
    expect(t).toEqual({ year: 2014, month: 7, day: 1, hour: 8, minute: 12, second: 31, dayOfWeek: 2, week: 27, summerTime: true, invalid: false });
    expect(cp48Iso(t)).toBe('2014-07-01T08:12:31+02:00');
  });

  it('without the summer-time flag the offset is +01:00 (winter)', () => {
    const bytes = encodeCp48(new Date(Date.UTC(2026, 11, 24, 18, 5, 9)), false);
    expect(cp48Iso(parseCp48(bytes, 0))).toBe('2026-12-24T18:05:09+01:00');
    expect(parseCp48(bytes, 0)).toMatchObject({ dayOfWeek: 4, week: 52, summerTime: false });
  });

  it('the summer-time flag of a frame decides the published offset', () => {
    const summer = decode(encodeAmisFrame(values({ localTime: new Date(Date.UTC(2026, 6, 1, 14, 0, 0)), summerTime: true }), SPEC_KEY, 1));
    const winter = decode(encodeAmisFrame(values({ localTime: new Date(Date.UTC(2026, 0, 1, 14, 0, 0)), summerTime: false }), SPEC_KEY, 2));
    expect(summer[0]).toMatchObject({ ok: true, time: '2026-07-01T14:00:00+02:00' });
    expect(winter[0]).toMatchObject({ ok: true, time: '2026-01-01T14:00:00+01:00' });
  });

  it('a time marked invalid or out of range is rejected (DATETIME_INVALID), not guessed', () => {
    const invalid = encodeAmisPlaintext(values());
    invalid[5]! |= 0x80; // b1 bit 7 of the clock record (2F 2F 06 6D at 0..3, data from 4)
    expect(() => decodeAmisRecords(invalid)).toThrow(expect.objectContaining({ code: 'DATETIME_INVALID' }));
    const month13 = encodeAmisPlaintext(values());
    month13[8] = (month13[8]! & 0xf0) | 13;
    expect(() => decodeAmisRecords(month13)).toThrow(expect.objectContaining({ code: 'DATETIME_INVALID' }));
  });
});

describe('AMIS: signed and unsigned values (spec "Anmerkung zur Kodierung")', () => {
  it('the Inkassozählwerk is two\'s complement: FF FF FF FF is -1 Wh, and negative balances come through', () => {
    for (const v of [-1, -4321, -2_147_483_648, 2_147_483_647]) {
      const [r] = decode(encodeAmisFrame(values({ collectionWh: v }), SPEC_KEY, 3));
      expect(r).toMatchObject({ ok: true, readings: { '1-0:1.128.0': { value: v, unit: 'Wh' } } });
    }
  });

  it('counters are unsigned: A+ with the top bit set stays a large positive count, never negative', () => {
    const [r] = decode(encodeAmisFrame(values({ energyImportWh: 0x80000001 }), SPEC_KEY, 4));
    expect(r).toMatchObject({ ok: true, readings: { '1-0:1.8.0': { value: 2_147_483_649, unit: 'Wh' } } });
  });

  it('a power of FF FF FF FF is 4.29 GW unsigned, not -1 W: rejected as implausible, nothing published', () => {
    const [r] = decode(encodeAmisFrame(values({ powerExportW: 0xffffffff }), SPEC_KEY, 5));
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALUE_IMPLAUSIBLE' }) });
  });
});

describe('AMIS: records by DIF/VIF through the table', () => {
  const rec = {
    clock: [0x06, 0x6d, 0x5f, 0x0c, 0x48, 0xc1, 0x17, 0x1b],
    aPlus: [0x04, 0x03, 0x00, 0x72, 0x0a, 0x00],
    inkasso: [0x04, 0x83, 0xff, 0x04, 0xec, 0xff, 0xff, 0xff],
    rMinus: [0x84, 0x10, 0xfb, 0x82, 0xf3, 0x3c, 0x26, 0x3e, 0x01, 0x00],
  };

  it('walks DIF, DIFE, VIF and VIFE chains by their extension bits', () => {
    const records = walkRecords(Uint8Array.from([0x2f, 0x2f, ...rec.rMinus, ...rec.clock, 0x2f]), 0, 2 + 10 + 8 + 1);
    expect(records.map((r) => [r.at, r.header, r.dataLength])).toEqual([
      [2, '8410FB82F33C', 4],
      [12, '066D', 6],
    ]);
  });

  it('the same records in another order give the same readings (no fixed offsets)', () => {
    const a = decode(frameAround([0x2f, 0x2f, ...rec.clock, ...rec.aPlus, ...rec.inkasso, ...rec.rMinus]));
    const b = decode(frameAround([0x2f, 0x2f, ...rec.rMinus, ...rec.inkasso, ...rec.aPlus, ...rec.clock]));
    expect(a[0]).toMatchObject({
      ok: true,
      readings: { '1-0:1.8.0': { value: 684544, unit: 'Wh' }, '1-0:1.128.0': { value: -20, unit: 'Wh' }, '1-0:4.8.1': { value: 81446, unit: 'varh' } },
    });
    expect(b[0]!.ok && a[0]!.ok && b[0]!.readings).toEqual(a[0]!.ok && a[0]!.readings);
  });

  it('a record the table does not know is left out and named in the layout reason', () => {
    const unknownVolume = [0x04, 0x13, 0x01, 0x00, 0x00, 0x00]; // EN 13757-3 VIF 13: volume in litres
    const [r] = decode(frameAround([0x2f, 0x2f, ...rec.aPlus, ...unknownVolume]));
    expect(r).toMatchObject({ ok: true, readings: { '1-0:1.8.0': { value: 684544, unit: 'Wh' } } });
    if (r!.ok) expect(Object.keys(r!.readings)).toEqual(['1-0:1.8.0']);
  });

  it('a record cut off by the end of the data is an error (MBUS_RECORD_INVALID), not a short number', () => {
    const plain = Uint8Array.from([0x2f, 0x2f, ...rec.aPlus, 0x04, 0x2b, 0x01, 0x02]);
    expect(() => decodeAmisRecords(plain)).toThrow(expect.objectContaining({ code: 'MBUS_RECORD_INVALID' }));
  });

  it('records without any known meaning: LAYOUT_UNKNOWN', () => {
    expect(decode(frameAround([0x2f, 0x2f, 0x04, 0x13, 1, 0, 0, 0]))[0]).toEqual({ ok: false, error: expect.objectContaining({ code: 'LAYOUT_UNKNOWN' }) });
  });
});

describe('AMIS: public live captures', () => {
  for (const name of ['vzlogger-netzooe-amis-2015', 'amisreader-netzooe-amis-2022']) {
    it(`${name}: the whole link stream (search frame, E5 echoes, consecutive frames) decodes frame by frame`, () => {
      const v = ownCaptures().find((x) => x.name === name) as Vector & { link_stream: string[] };
      const stream = fromHex(v.link_stream.join(''));
      const records = decode(stream, keyOf(v.key));
      const frames = v.link_stream.filter((f) => f.startsWith('68'));
      expect(records).toHaveLength(frames.length);
      expect(records.every((r) => r.ok)).toBe(true);
      // consecutive frames: one second apart, counters never fall
      const times = records.map((r) => (r.ok ? Date.parse(r.time!) : 0));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
      const aPlus = records.map((r) => (r.ok ? (r.readings['1-0:1.8.0']!.value as number) : 0));
      for (let i = 1; i < aPlus.length; i++) expect(aPlus[i]!).toBeGreaterThanOrEqual(aPlus[i - 1]!);
      // with an echoing head the reader's E5 bytes sit between the frames: same result
      const withEchoes = fromHex(v.link_stream.join('E5'));
      expect(decode(withEchoes, keyOf(v.key))).toEqual(records);
    });
  }

  it('vzlogger states 23:36:03 on 2015-06-20 for the frame with access number 01', () => {
    const v = ownCaptures().find((x) => x.name === 'vzlogger-netzooe-amis-2015')!;
    expect(decode(streamOf(v), keyOf(v.key))[0]).toMatchObject({ ok: true, time: '2015-06-20T23:36:03+02:00' });
  });
});

describe('AMIS: the frame inspector record', () => {
  it('shows the transport header, the decrypted records labelled with OBIS codes, and the decryption stage', async () => {
    const { StreamDecoder } = await import('../../src/decoder/StreamDecoder.js');
    const { toFrameRecord } = await import('../../src/monitor/frameRecord.js');
    const { lookupObis } = await import('../../src/outputs/homeassistant/registry.js');
    const [result] = new StreamDecoder({ key: SPEC_KEY }).push(streamOf(spec));
    const record = toFrameRecord({ id: 1, at: new Date(0), result: result!, rejected: null }, (o) => lookupObis(o)?.key ?? null);
    expect(record.stages.map((s) => `${s.id}:${s.status}`)).toEqual(['bytes:pass', 'frames:pass', 'checksum:pass', 'decryption:pass', 'structure:pass', 'readings:pass']);
    expect(record.blocks.map((b) => b.title)).toEqual([{ code: 'block_mbus', params: { index: 1, count: 1 } }, { code: 'block_mbus_records' }]);
    expect(record.blocks[0]!.fields).toContainEqual(expect.objectContaining({ label: 'configuration', value: 'security mode 5, 5 encrypted blocks' }));
    expect(record.blocks[1]!.fields).toContainEqual(expect.objectContaining({ start: 74, length: 4, label: 'mbus_record', value: '1-0:1.128.0' }));
    expect(record.readings.find((r) => r.key === 'inkasso_register')).toMatchObject({ value: 20 });
    const [wrong] = new StreamDecoder({ key: new Uint8Array(16) }).push(streamOf(spec));
    const failed = toFrameRecord({ id: 2, at: new Date(0), result: wrong!, rejected: null }, () => null);
    expect(failed.stages.find((s) => s.id === 'decryption')!.status).toBe('fail');
    expect(failed.blocks.map((b) => b.title)).toEqual([{ code: 'block_mbus', params: { index: 1, count: 1 } }]);
  });
});
