/**
 * The AMIS link state machine (framing/mbus/AmisLink.ts), sans-IO with fake time: what it answers with E5 and
 * what never, its states, and the diagnostics it counts.
 */
import { describe, expect, it } from 'vitest';
import { AmisLink } from '../../src/framing/mbus/AmisLink.js';
import { AMIS_SND_NKE, encodeAmisFrame, type AmisValues } from '../../src/mbus/amisEncode.js';
import { keyOf, ownCaptures, sharedVectors, streamOf, type Vector } from '../support/vectors.js';

const KEY = keyOf('00112233445566778899AABBCCDDEEFF')!;
const values: AmisValues = {
  localTime: new Date(Date.UTC(2026, 0, 15, 12, 0, 0)),
  summerTime: false,
  energyImportWh: 1,
  energyExportWh: 2,
  reactiveImportVarh: 3,
  reactiveExportVarh: 4,
  powerImportW: 5,
  powerExportW: 6,
  reactivePowerImportVar: 7,
  reactivePowerExportVar: 8,
  collectionWh: -9,
};
const data = (access: number) => encodeAmisFrame(values, KEY, access, access % 2 === 1);
const writesOf = (link: AmisLink, bytes: Uint8Array, now: number) => link.push(bytes, now).map((w) => [...w.bytes]);

describe('AmisLink', () => {
  it('answers a search frame and every data frame addressed to 240 with E5, and nothing else', () => {
    const link = new AmisLink();
    expect(link.state).toBe('listening');
    expect(writesOf(link, AMIS_SND_NKE, 0)).toEqual([[0xe5]]);
    expect(link.state).toBe('search');
    for (let i = 0; i < 5; i++) expect(writesOf(link, data(i), 1000 * (i + 1))).toEqual([[0xe5]]);
    expect(link.state).toBe('synced');
    expect(link.view).toMatchObject({ searchFrames: 1, dataFrames: 5, acknowledgements: 6, echoes: 0, searchesWithoutData: 0 });
  });

  it('gives the same decisions byte by byte as at once', () => {
    const stream = Buffer.concat([AMIS_SND_NKE, data(0), data(1), Uint8Array.of(0xe5), data(2)]);
    const whole = new AmisLink();
    const atOnce = whole.push(stream, 0).map((w) => w.answers);
    const single = new AmisLink();
    const byByte = [...stream].flatMap((b) => single.push(Uint8Array.of(b), 0).map((w) => w.answers));
    expect(byByte).toEqual(atOnce);
    expect(atOnce).toEqual(['snd_nke', 'snd_ud', 'snd_ud', 'snd_ud']);
    expect(single.view).toEqual(whole.view);
  });

  it('does not answer frames to another address, other C fields, damaged frames or noise', () => {
    const link = new AmisLink();
    const toOther = Uint8Array.from([0x10, 0x40, 0xfd, 0x3d, 0x16]); // SND_NKE to 253
    const reqUd2 = Uint8Array.from([0x10, 0x5b, 0xf0, 0x4b, 0x16]); // REQ_UD2 to 240
    const damaged = data(0).slice();
    damaged[50]! ^= 0x01; // checksum no longer matches
    const broadcast = data(1).slice();
    broadcast[5] = 0xff; // to 255, as Netz NÖ DLMS pushes go
    broadcast[99] = (broadcast[99]! + 0xff - 0xf0) & 0xff;
    const noise = Uint8Array.from({ length: 400 }, (_, i) => (i * 97 + 13) & 0xff);
    for (const bytes of [toOther, reqUd2, damaged, broadcast, noise]) expect(link.push(bytes, 0)).toEqual([]);
    expect(link.state).toBe('listening');
  });

  it('writes nothing for any DLMS, HDLC or DSMR capture (auto-detection must not talk to other meters)', () => {
    const others = [...sharedVectors(), ...ownCaptures()].filter((v) => !v.name.includes('amis'));
    expect(others.length).toBeGreaterThan(30);
    for (const v of others) {
      const link = new AmisLink();
      expect(link.push(streamOf(v), 0), v.name).toEqual([]);
    }
  });

  it('vzlogger\'s capture: SND_NKE and two frames give exactly three E5 (as its test states)', () => {
    const v = ownCaptures().find((x) => x.name === 'vzlogger-netzooe-amis-2015') as Vector & { link_stream: string[] };
    const link = new AmisLink();
    const writes = link.push(Uint8Array.from(Buffer.from(v.link_stream.slice(0, 3).join(''), 'hex')), 0);
    expect(writes.map((w) => w.answers)).toEqual(['snd_nke', 'snd_ud', 'snd_ud']);
  });

  it('ignores its own E5 echoed by the head and counts it', () => {
    const link = new AmisLink();
    link.push(AMIS_SND_NKE, 0);
    expect(link.push(Uint8Array.of(0xe5), 5)).toEqual([]);
    expect(writesOf(link, Buffer.concat([data(0), Uint8Array.of(0xe5)]), 1000)).toEqual([[0xe5]]);
    expect(link.view.echoes).toBe(2);
    expect(link.takeChanged()).toBe(true);
  });

  it('synced → lost after 3.5 s without data → search on the next search frame', () => {
    const link = new AmisLink();
    link.push(AMIS_SND_NKE, 0);
    link.push(data(0), 1000);
    link.tick(4000);
    expect(link.state).toBe('synced');
    link.tick(4500);
    expect(link.state).toBe('lost');
    expect(link.view.since).toBe(4500);
    link.push(AMIS_SND_NKE, 60_000);
    expect(link.state).toBe('search');
    link.push(data(0), 61_000);
    expect(link.state).toBe('synced');
  });

  it('an answered search frame without data for 5 s: searchUnanswered (cleared by the next data frame)', () => {
    const link = new AmisLink();
    link.push(AMIS_SND_NKE, 0);
    link.tick(4900);
    expect(link.view.searchUnanswered).toBe(false);
    link.takeChanged();
    link.tick(5000);
    expect(link.view.searchUnanswered).toBe(true);
    expect(link.takeChanged()).toBe(true);
    link.push(data(0), 6000);
    expect(link.view).toMatchObject({ state: 'synced', searchUnanswered: false });
  });

  it('counts search frames that no data followed: our E5 did not reach the meter', () => {
    const link = new AmisLink();
    link.push(AMIS_SND_NKE, 0);
    expect(link.view.searchesWithoutData).toBe(0);
    link.push(AMIS_SND_NKE, 60_000);
    link.push(AMIS_SND_NKE, 120_000);
    expect(link.view).toMatchObject({ state: 'search', searchFrames: 3, searchesWithoutData: 2 });
    link.push(data(0), 121_000);
    expect(link.view.searchesWithoutData).toBe(0);
  });

  it('recognises AMIS frames read at 8N1 instead of 8E1 (bytes with even parity arrive as 00) and does not answer them', () => {
    const link = new AmisLink();
    const snd_nke8N1 = Uint8Array.from([0x10, 0x40, 0x00, 0x00, 0x16]);
    const header8N1 = Uint8Array.from([0x68, 0x00, 0x00, 0x68, 0x00, 0x00]);
    expect(link.push(Buffer.concat([snd_nke8N1, header8N1, snd_nke8N1]), 0)).toEqual([]);
    expect(link.view.paritySignatures).toBe(3);
    expect(link.view.acknowledgements).toBe(0);
  });
});
