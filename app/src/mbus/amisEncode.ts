/**
 * Builds AMIS frames as a Netz OÖ TD-3511/3512 sends them (spec §2.4.2, Tabelle 1 and 2): the SND_NKE search frame
 * and 101-byte SND_UD long frames, CI `5B`, fixed dummy address (ID 00000000, SAM, version 01, medium 0E),
 * security mode 5 over five blocks. Used by the simulator and by tests.
 */
import { mbusChecksum } from '../shared/crc.js';
import { encodeCp48 } from './cp48.js';
import { encryptMode5 } from './mode5.js';
import { parseLongHeader } from '../framing/mbus/transportHeader.js';

/** SND_NKE to the reader's primary address 240: the meter's search frame, sent until a reader answers `E5`. */
export const AMIS_SND_NKE = Uint8Array.from([0x10, 0x40, 0xf0, 0x30, 0x16]);
/** The single-character acknowledgement of EN 13757-2. */
export const MBUS_ACK = 0xe5;

export interface AmisValues {
  /** Wall-clock time of the meter (its UTC fields are read as local time). */
  readonly localTime: Date;
  readonly summerTime: boolean;
  readonly energyImportWh: number;
  readonly energyExportWh: number;
  readonly reactiveImportVarh: number;
  readonly reactiveExportVarh: number;
  readonly powerImportW: number;
  readonly powerExportW: number;
  readonly reactivePowerImportVar: number;
  readonly reactivePowerExportVar: number;
  /** Inkassozählwerk, signed. */
  readonly collectionWh: number;
}

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** The 80-byte plaintext: `2F 2F`, the ten records in spec order, `2F 2F`. */
export function encodeAmisPlaintext(v: AmisValues): Uint8Array {
  const body = [
    0x2f, 0x2f,
    0x06, 0x6d, ...encodeCp48(v.localTime, v.summerTime),
    0x04, 0x03, ...u32(v.energyImportWh),
    0x04, 0x83, 0x3c, ...u32(v.energyExportWh),
    0x84, 0x10, 0xfb, 0x82, 0x73, ...u32(v.reactiveImportVarh),
    0x84, 0x10, 0xfb, 0x82, 0xf3, 0x3c, ...u32(v.reactiveExportVarh),
    0x04, 0x2b, ...u32(v.powerImportW),
    0x04, 0xab, 0x3c, ...u32(v.powerExportW),
    0x04, 0xfb, 0x14, ...u32(v.reactivePowerImportVar),
    0x04, 0xfb, 0x94, 0x3c, ...u32(v.reactivePowerExportVar),
    0x04, 0x83, 0xff, 0x04, ...u32(v.collectionWh | 0),
  ];
  while (body.length % 16 !== 0) body.push(0x2f);
  return Uint8Array.from(body);
}

/** One SND_UD frame as on the wire. `fcb` toggles the frame count bit (C = 0x73 instead of 0x53). */
export function encodeAmisFrame(v: AmisValues, key: Uint8Array, accessNumber: number, fcb = false): Uint8Array {
  const plaintext = encodeAmisPlaintext(v);
  const blocks = plaintext.length / 16;
  const config = 0x0500 | (blocks << 4);
  const headerBytes = Uint8Array.from([0, 0, 0, 0, 0x2d, 0x4c, 0x01, 0x0e, accessNumber & 0xff, 0x00, config & 0xff, config >> 8]);
  const cipher = encryptMode5(parseLongHeader(headerBytes, 0), plaintext, key);
  const l = 3 + headerBytes.length + cipher.length;
  const f = new Uint8Array(l + 6);
  f.set([0x68, l, l, 0x68, fcb ? 0x73 : 0x53, 0xf0, 0x5b]);
  f.set(headerBytes, 7);
  f.set(cipher, 7 + headerBytes.length);
  f[4 + l] = mbusChecksum(f, 4, 4 + l);
  f[5 + l] = 0x16;
  return f;
}
