/**
 * Builds one HDLC frame (IEC 62056-46 frame format type 3) around an information field, with HCS and FCS.
 * Addresses as the Wiener Netze AM550 sends them (destination 0xCF, source 0x0223, control 0x13). Tests only.
 */
import { crc16x25 } from '../../shared/crc.js';

export interface HdlcEncodeOptions {
  readonly destination?: readonly number[];
  readonly source?: readonly number[];
  readonly control?: number;
  /** Set the segmentation bit (more frames follow). */
  readonly segmented?: boolean;
}

export function encodeHdlcFrame(info: Uint8Array, options: HdlcEncodeOptions = {}): Uint8Array {
  const dst = options.destination ?? [0xcf];
  const src = options.source ?? [0x02, 0x23];
  const header = 2 + dst.length + src.length + 1;
  const length = header + 2 + info.length + 2;
  if (length > 0x7ff) throw new RangeError('information field too long for one frame');
  const f = new Uint8Array(length + 2);
  f[0] = 0x7e;
  f[1] = 0xa0 | (options.segmented ? 0x08 : 0) | (length >> 8);
  f[2] = length & 0xff;
  f.set([...dst, ...src, options.control ?? 0x13], 3);
  const hcs = crc16x25(f, 1, 1 + header);
  f[1 + header] = hcs & 0xff;
  f[2 + header] = hcs >> 8;
  f.set(info, 3 + header);
  const fcsAt = 3 + header + info.length;
  const fcs = crc16x25(f, 1, fcsAt);
  f[fcsAt] = fcs & 0xff;
  f[fcsAt + 1] = fcs >> 8;
  f[fcsAt + 2] = 0x7e;
  return f;
}
