/**
 * Sans-IO framer: bytes in, `FrameEvent`s out (style.md principle 3). One bounded buffer, a hunt for the
 * next start byte, and per-framing matchers that say "frame", "need more" or "invalid here".
 *
 * Framing is detected from the stream: M-Bus (`68`) and HDLC (`7E`) frames carry checksums and are always
 * recognised; bare APDUs (`DB`, `0F`) have none and are recognised only until the first link frame is seen
 * (after that a `DB` inside a damaged M-Bus frame must not be mistaken for a push).
 *
 * Every decision depends only on the bytes, never on how they were chunked, so feeding a stream byte by
 * byte or at once yields the same events.
 */
import { HDLC_FLAG, matchHdlc } from './hdlc/hdlcFrame.js';
import { MBUS_START, matchMbus } from './mbus/mbusFrame.js';
import { isRawStart, matchRaw, MAX_RAW_APDU } from './raw/rawApdu.js';
import type { Discarded, FrameEvent, Framing, MatchResult } from './types.js';

export type FramingMode = 'auto' | Framing;

export interface StreamFramerOptions {
  /** Which link layer to accept. Default `auto`. */
  readonly framing?: FramingMode;
  /** Skipped bytes are reported in runs of at most this many bytes. Default 512. */
  readonly maxDiscardRun?: number;
}

/** Longest frame any matcher may wait for (HDLC: 2047 + 2; raw APDU: 4096). */
const MAX_FRAME = MAX_RAW_APDU;

type Matcher = (buf: Uint8Array, start: number, end: number) => MatchResult;

const SEVERITY: Record<Discarded['reason'], number> = { noise: 0, truncated: 1, unsupported: 2, checksum: 3 };

export class StreamFramer {
  private readonly mode: FramingMode;
  private readonly maxDiscardRun: number;
  private buf = new Uint8Array(1024);
  private start = 0;
  private end = 0;
  /** A link layer with checksums was seen: stop treating bare `DB`/`0F` as pushes. */
  private linkLocked = false;
  /** The byte at `start` is the closing flag of the previous HDLC frame (it may open the next one). */
  private sharedFlag = false;
  private discard: number[] = [];
  private discardReason: Discarded['reason'] = 'noise';
  private detected: Framing | null = null;

  constructor(options: StreamFramerOptions = {}) {
    this.mode = options.framing ?? 'auto';
    this.maxDiscardRun = options.maxDiscardRun ?? 512;
  }

  /** The link layer of the last frame found, or null before the first. */
  get framing(): Framing | null {
    return this.detected;
  }

  /** Bytes held while waiting for the rest of a frame (never more than the longest frame). */
  get bufferedBytes(): number {
    return this.end - this.start + this.discard.length;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    this.append(chunk);
    const events: FrameEvent[] = [];
    this.scan(events);
    return events;
  }

  /** End of stream: whatever is buffered cannot become a frame any more. */
  flush(): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.sharedFlag && this.end > this.start && this.buf[this.start] === HDLC_FLAG) this.start++;
    if (this.end > this.start) {
      const pending = this.matcherFor(this.buf[this.start]!) !== null;
      for (let i = this.start; i < this.end; i++) this.discard.push(this.buf[i]!);
      if (pending && SEVERITY.truncated > SEVERITY[this.discardReason]) this.discardReason = 'truncated';
      this.start = this.end = 0;
    }
    this.emitDiscard(events);
    this.sharedFlag = false;
    return events;
  }

  private matcherFor(b: number): Matcher | null {
    const mode = this.mode;
    if (b === MBUS_START && (mode === 'auto' || mode === 'mbus')) return matchMbus;
    if (b === HDLC_FLAG && (mode === 'auto' || mode === 'hdlc')) return matchHdlc;
    if (isRawStart(b) && (mode === 'raw' || (mode === 'auto' && !this.linkLocked))) return matchRaw;
    return null;
  }

  private scan(events: FrameEvent[]): void {
    const buf = this.buf;
    while (this.start < this.end) {
      const at = this.start;
      const matcher = this.matcherFor(buf[at]!);
      if (matcher === null) {
        this.skip(1, 'noise', events);
        continue;
      }
      const r = matcher(buf, at, this.end);
      if (r.kind === 'need') {
        if (r.total <= MAX_FRAME) break;
        this.skip(1, 'noise', events);
        continue;
      }
      if (r.kind === 'invalid') {
        if (this.sharedFlag && buf[at] === HDLC_FLAG) {
          // the closing flag of the previous frame, not followed by another frame: not noise
          this.start++;
          this.sharedFlag = false;
          continue;
        }
        this.skip(1, r.reason, events);
        continue;
      }
      const bytes = buf.slice(at, at + r.length);
      const frame = r.build(bytes);
      this.emitDiscard(events);
      events.push(frame);
      this.detected = frame.framing;
      if (frame.framing !== 'raw') this.linkLocked = true;
      if (frame.framing === 'hdlc') {
        // leave the closing flag: it may be the opening flag of the next frame
        this.start = at + r.length - 1;
        this.sharedFlag = true;
      } else {
        this.start = at + r.length;
        this.sharedFlag = false;
      }
    }
    this.compact();
  }

  private skip(n: number, reason: Discarded['reason'], events: FrameEvent[]): void {
    for (let i = 0; i < n; i++) this.discard.push(this.buf[this.start + i]!);
    if (SEVERITY[reason] > SEVERITY[this.discardReason]) this.discardReason = reason;
    this.start += n;
    this.sharedFlag = false;
    if (this.discard.length >= this.maxDiscardRun) this.emitDiscard(events);
  }

  private emitDiscard(events: FrameEvent[]): void {
    if (this.discard.length === 0) return;
    events.push({ type: 'discarded', bytes: Uint8Array.from(this.discard), reason: this.discardReason });
    this.discard = [];
    this.discardReason = 'noise';
  }

  private append(chunk: Uint8Array): void {
    const needed = this.end + chunk.length;
    if (needed > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, live + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private compact(): void {
    if (this.start === this.end) {
      this.start = this.end = 0;
      // a large chunk grew the buffer: give the memory back
      if (this.buf.length > 16384) this.buf = new Uint8Array(1024);
    }
  }
}
