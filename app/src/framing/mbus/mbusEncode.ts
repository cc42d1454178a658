/**
 * Builds M-Bus long frames around a DLMS APDU, as the Austrian meters send them (protocol.md §2): segments of
 * at most 245 APDU bytes (L = 0xFA), CI = segment number with FIN (0x10) on the last, C = 0x53, A = 0xFF
 * (broadcast), STSAP 0x01, DTSAP 0x67. Used by the meter simulator and by tests.
 */
import { mbusChecksum } from '../../shared/crc.js';

export interface MbusEncodeOptions {
  /** APDU bytes per frame. Default 245 (L = 250). */
  readonly segmentSize?: number;
  readonly control?: number;
}

export function encodeMbusFrames(apdu: Uint8Array, options: MbusEncodeOptions = {}): Uint8Array[] {
  const size = options.segmentSize ?? 245;
  if (size < 1 || size > 250) throw new RangeError('segment size must be 1..250');
  const frames: Uint8Array[] = [];
  for (let at = 0, segment = 0; at < apdu.length; at += size, segment++) {
    const part = apdu.subarray(at, at + size);
    const last = at + size >= apdu.length;
    const l = part.length + 5;
    const f = new Uint8Array(l + 6);
    f.set([0x68, l, l, 0x68, options.control ?? 0x53, 0xff, (segment & 0x0f) | (last ? 0x10 : 0), 0x01, 0x67]);
    f.set(part, 9);
    f[4 + l] = mbusChecksum(f, 4, 4 + l);
    f[5 + l] = 0x16;
    frames.push(f);
  }
  return frames;
}
