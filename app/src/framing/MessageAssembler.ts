/**
 * Link frames → link messages (the APDU bytes of one push).
 * - M-Bus: payloads joined in CI segment order (0, 1, …) until the FIN bit (protocol.md §2). Assembly goes
 *   by the CI byte, never by fixed offsets or sizes.
 * - HDLC: information fields joined while the segmentation bit is set; the LLC header (`E6 E7 00`
 *   response / `E6 E6 00` command, IEC 62056-46 §6.4.4.4.3) is removed from the first segment.
 * - raw: one frame is one message.
 */
import { MeterError, type DetailId, type ParamsArg } from '../shared/errors.js';
import type { LinkFrame } from './types.js';

export type AssemblyResult =
  | { readonly type: 'message'; readonly apdu: Uint8Array; readonly frames: readonly LinkFrame[] }
  | { readonly type: 'error'; readonly error: MeterError; readonly frames: readonly LinkFrame[] };

function hasLlc(b: Uint8Array, at: number, end: number): boolean {
  return end - at >= 3 && b[at] === 0xe6 && (b[at + 1] === 0xe7 || b[at + 1] === 0xe6) && b[at + 2] === 0x00;
}

/** Where a frame's share of the APDU starts: the LLC header of a message's first HDLC frame is not part of it. */
function payloadStartOf(frame: LinkFrame, first: boolean): number {
  const start = frame.payloadStart;
  return first && frame.framing === 'hdlc' && hasLlc(frame.bytes, start, frame.payloadEnd) ? start + 3 : start;
}

function payloadOf(frame: LinkFrame, first: boolean): Uint8Array {
  return frame.bytes.subarray(payloadStartOf(frame, first), frame.payloadEnd);
}

export class MessageAssembler {
  private frames: LinkFrame[] = [];

  /** Adds a frame; returns a message (or a segment error) when one completes, else an empty list. */
  push(frame: LinkFrame): AssemblyResult[] {
    const results: AssemblyResult[] = [];
    const pending = this.frames[0];
    if (pending && pending.framing !== frame.framing) {
      results.push(this.fail('framing_changed', { framing: frame.framing, pending: pending.framing }));
    }
    if (frame.framing === 'mbus') {
      if (frame.segment === 0 && this.frames.length > 0) {
        results.push(this.fail('push_cut', { segment: this.frames.length - 1 }));
      } else if (frame.segment !== this.frames.length) {
        const partial = this.frames.length;
        this.frames.push(frame);
        results.push(this.fail('out_of_order', { received: frame.segment, expected: partial }));
        return results;
      }
    }
    this.frames.push(frame);
    if (frame.final) results.push(this.complete());
    return results;
  }

  /** Frames of an unfinished message (at end of stream). */
  flush(): AssemblyResult[] {
    return this.frames.length > 0 ? [this.fail('stream_ended')] : [];
  }

  private fail<D extends DetailId<'FRAME_SEGMENT'>>(detailId: D, ...params: ParamsArg<'FRAME_SEGMENT', D>): AssemblyResult {
    const frames = this.frames;
    this.frames = [];
    return { type: 'error', error: new MeterError('FRAME_SEGMENT', detailId, ...params), frames };
  }

  private complete(): AssemblyResult {
    const frames = this.frames;
    this.frames = [];
    if (frames.length === 1) return { type: 'message', apdu: payloadOf(frames[0]!, true), frames };
    // join the payloads with plain loops: no array or typed-array view per push on this path
    let length = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      length += f.payloadEnd - payloadStartOf(f, i === 0);
    }
    const apdu = Buffer.allocUnsafe(length);
    let at = 0;
    for (let i = 0; i < frames.length; i++) {
      const { bytes, payloadEnd } = frames[i]!;
      const start = payloadStartOf(frames[i]!, i === 0);
      // framers hand out Buffers (memcpy); anything else is copied byte by byte
      if (Buffer.isBuffer(bytes)) bytes.copy(apdu, at, start, payloadEnd);
      else for (let j = start; j < payloadEnd; j++) apdu[at + j - start] = bytes[j]!;
      at += payloadEnd - start;
    }
    return { type: 'message', apdu, frames };
  }
}
