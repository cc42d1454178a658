/**
 * The whole decode path for one byte stream, sans-IO: bytes → frames → link messages → (block transfer)
 * → APDU → decrypt → readings. `push(chunk)` returns one result per push found or per failure, in stream
 * order; the output does not depend on how the stream is chunked.
 */
import { BlockAssembler, GENERAL_BLOCK_TRANSFER, parseBlock } from '../dlms/apdu/blockTransfer.js';
import { notificationLength } from '../dlms/apdu/dataNotification.js';
import { AxdrCursor } from '../dlms/axdr/cursor.js';
import { Decryptor } from '../dlms/security/decrypt.js';
import { MessageAssembler } from '../framing/MessageAssembler.js';
import { isMbusApplicationFrame } from '../framing/mbus/mbusFrame.js';
import { decodeMbusApplication } from './decodeMbus.js';
import { StreamFramer, type FramingMode } from '../framing/StreamFramer.js';
import type { Discarded, FrameEvent, Framing, LinkFrame } from '../framing/types.js';
import { isMeterError, MeterError } from '../shared/errors.js';
import { DecodeContext, decodeApdu } from './decodeApdu.js';
import type { DecodeResult } from './types.js';

export interface StreamDecoderOptions {
  /** Encryption key (GUEK), 16 bytes. */
  readonly key?: Uint8Array | null;
  /** Authentication key (GAK), 16 bytes; enables tag verification for SC 0x30 pushes. */
  readonly authKey?: Uint8Array | null;
  readonly framing?: FramingMode;
  /**
   * false: every push is read the full way, none by replaying the last push's shape
   * (readings/repeatedShape.ts); for the tests that compare both ways and the benchmark. Default true.
   */
  readonly replayShapes?: boolean;
}

const DISCARD_CODES: Record<Discarded['reason'], 'FRAME_NOISE' | 'FRAME_CHECKSUM' | 'FRAME_TRUNCATED' | 'FRAME_UNSUPPORTED'> = {
  noise: 'FRAME_NOISE',
  checksum: 'FRAME_CHECKSUM',
  truncated: 'FRAME_TRUNCATED',
  unsupported: 'FRAME_UNSUPPORTED',
};

export class StreamDecoder {
  private readonly framer: StreamFramer;
  private readonly messages = new MessageAssembler();
  private readonly blocks = new BlockAssembler();
  private blockFrames: LinkFrame[] = [];
  private readonly decryptor: Decryptor;
  private readonly key: Uint8Array | null;
  /** This decoder's scratch and memos (leaves, clock, OBIS texts, system title): shared with no other decoder. */
  private readonly context: DecodeContext;

  constructor(options: StreamDecoderOptions = {}) {
    // bare data-notifications are measured by an A-XDR walk (dlms), handed down to the raw framer
    const cursor = new AxdrCursor();
    const measureNotification = (buf: Uint8Array, start: number, end: number) => notificationLength(buf, start, end, cursor);
    this.framer = new StreamFramer(options.framing ? { framing: options.framing, measureNotification } : { measureNotification });
    this.context = new DecodeContext(options.replayShapes ?? true);
    this.key = options.key ?? null;
    this.decryptor = new Decryptor(this.key, options.authKey ?? null);
  }

  /** Link layer detected so far (null before the first valid frame). */
  get framing(): Framing | null {
    return this.framer.framing;
  }

  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    return this.handle(this.framer.push(chunk));
  }

  /** End of stream: reports what was left incomplete. */
  flush(): DecodeResult[] {
    const results = this.handle(this.framer.flush());
    for (const r of this.messages.flush()) if (r.type === 'error') results.push(failure(r.error, r.frames));
    if (this.blocks.pending) {
      results.push(failure(new MeterError('APDU_BLOCK', 'stream_ended'), this.blockFrames));
      this.blocks.reset();
      this.blockFrames = [];
    }
    return results;
  }

  private handle(events: FrameEvent[]): DecodeResult[] {
    const results: DecodeResult[] = [];
    for (const event of events) {
      if (event.type === 'discarded') {
        const error = new MeterError(DISCARD_CODES[event.reason], 'skipped', { bytes: event.bytes.length });
        results.push({ ok: false, error, trace: { ...EMPTY_TRACE, discarded: event } });
        continue;
      }
      if (isMbusApplicationFrame(event)) {
        // M-Bus application layer (AMIS): one frame is one whole push, no DLMS inside
        results.push(decodeMbusApplication(event, this.key));
        continue;
      }
      for (const m of this.messages.push(event)) {
        if (m.type === 'error') results.push(failure(m.error, m.frames));
        else this.message(m.apdu, m.frames, results);
      }
    }
    return results;
  }

  private message(apdu: Uint8Array, frames: readonly LinkFrame[], results: DecodeResult[]): void {
    if (apdu[0] !== GENERAL_BLOCK_TRANSFER) {
      results.push(decodeApdu(apdu, this.decryptor, frames, this.context));
      return;
    }
    try {
      const block = parseBlock(apdu);
      if (block.number === 1) this.blockFrames = [];
      this.blockFrames.push(...frames);
      const joined = this.blocks.push(block);
      if (joined) {
        const all = this.blockFrames;
        this.blockFrames = [];
        results.push(decodeApdu(joined, this.decryptor, all, this.context));
      }
    } catch (e) {
      const all = this.blockFrames.length ? this.blockFrames : frames;
      this.blockFrames = [];
      results.push(failure(isMeterError(e) ? e : new MeterError('APDU_BLOCK', 'unexpected', { cause: String(e) }), all));
    }
  }
}

const EMPTY_TRACE = { frames: [], discarded: null, apdu: null, cipher: null, tag: 'none', plaintext: null } as const;

function failure(error: MeterError, frames: readonly LinkFrame[]): DecodeResult {
  return { ok: false, error, trace: { ...EMPTY_TRACE, frames } };
}
