/** Annotated header fields of a link frame, for the frame inspector (never on the decode hot path). */
import { describeDsmrFrame } from './dsmr/dsmrTelegram.js';
import { describeHdlcFrame } from './hdlc/hdlcFrame.js';
import { describeMbusFrame } from './mbus/mbusFrame.js';
import { describeRawFrame } from './raw/rawApdu.js';
import type { FrameField, LinkFrame } from './types.js';

export function describeFrame(frame: LinkFrame): FrameField[] {
  switch (frame.framing) {
    case 'mbus':
      return describeMbusFrame(frame.bytes);
    case 'hdlc':
      return describeHdlcFrame(frame.bytes);
    case 'raw':
      return describeRawFrame(frame.bytes);
    case 'dsmr':
      return describeDsmrFrame(frame.bytes);
  }
}
