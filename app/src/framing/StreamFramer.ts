/**
 * Sans-IO framer: bytes in, `FrameEvent`s out (style.md principle 3). One bounded buffer, a hunt for the
 * next start byte, and per-framing matchers that say "frame", "need more" or "invalid here".
 *
 * Framing is detected from the stream: M-Bus (`68`) and HDLC (`7E`) frames carry checksums and are always
 * recognised; bare APDUs (`DB`, `0F`) have none and are recognised only until the first link frame is seen
 * (after that a `DB` inside a damaged M-Bus frame must not be mistaken for a push). DSMR P1 text telegrams
 * (`/` … `!CRC`) are recognised beside them: they are printable ASCII only, so a `/` inside a binary frame
 * is rejected at the first non-text byte; CR/LF between telegrams is the line's idle state, not noise.
 *
 * M-Bus link control that carries no data is skipped silently where M-Bus is possible: the short frame
 * `10 C A CS 16` (the AMIS meter's SND_NKE search frame) and, once an M-Bus short or long frame was seen, the
 * single-character acknowledgement `E5` (a reader's own `E5` echoed by an IR head, EN 13757-2 §5.2).
 *
 * Every decision depends only on the bytes, never on how they were chunked, so feeding a stream byte by
 * byte or at once yields the same events.
 */
import { buildDsmrFrame, DSMR_START, dsmrResumePoint, matchDsmr } from './dsmr/dsmrTelegram.js';
import { buildHdlcFrame, HDLC_FLAG, matchHdlc } from './hdlc/hdlcFrame.js';
import { buildMbusFrame, MBUS_START, matchMbus } from './mbus/mbusFrame.js';
import { MBUS_ACK, MBUS_SHORT_LENGTH, MBUS_SHORT_START, matchMbusShort } from './mbus/mbusShortFrame.js';
import { buildRawFrame, isRawStart, MAX_RAW_APDU, rawMatcher, type NotificationMeasure } from './raw/rawApdu.js';
import type { Discarded, FrameEvent, Framing, MatchResult } from './types.js';

/**
 * `amis`: M-Bus as the Netz Oberösterreich AMIS meters speak it (the reader also answers the meter's link
 * protocol, see mbus/AmisLink.ts); for the framer it is M-Bus.
 */
export type FramingMode = 'auto' | 'amis' | Framing;

export interface StreamFramerOptions {
  /** Which link layer to accept. Default `auto`. */
  readonly framing?: FramingMode;
  /** Skipped bytes are reported in runs of at most this many bytes. Default 512. */
  readonly maxDiscardRun?: number;
  /**
   * Measures a bare data-notification (an A-XDR parse, which belongs to dlms: the decoder passes
   * `notificationLength`). Without it bare `0F …` APDUs are not framed; bare `DB …` ones carry their length.
   */
  readonly measureNotification?: NotificationMeasure;
}

/** Longest frame any matcher may wait for (HDLC: 2047 + 2; raw APDU and DSMR telegram: 4096). */
const MAX_FRAME = MAX_RAW_APDU;

/** Bytes that may start the next push right after a bare APDU. */
const isPushStart = (b: number) => b === MBUS_START || b === HDLC_FLAG || isRawStart(b);

type Matcher = (buf: Uint8Array, start: number, end: number) => MatchResult;

const SEVERITY: Record<Discarded['reason'], number> = { noise: 0, truncated: 1, unsupported: 2, checksum: 3 };

export class StreamFramer {
  private readonly mode: FramingMode;
  private readonly maxDiscardRun: number;
  private buf = Buffer.allocUnsafe(1024);
  private start = 0;
  private end = 0;
  /**
   * Frames are views into `buf`, not copies: bytes before this offset belong to frames handed out and are never
   * written again. When room is needed below it, a fresh buffer is taken instead (the old one lives on only as
   * long as its frames do).
   */
  private handedOut = 0;
  /** A link layer with checksums was seen: stop treating bare `DB`/`0F` as pushes. */
  private linkLocked = false;
  private discard: number[] = [];
  private discardReason: Discarded['reason'] = 'noise';
  private detected: Framing | null = null;
  /** An M-Bus short or long frame was seen: a lone `E5` is an acknowledgement (or its echo), not noise. */
  private mbusSeen = false;
  /**
   * Bytes of the DSMR telegram candidate at `start` already checked while waiting for its end line, so a
   * telegram arriving byte by byte is not scanned again from `/` for every byte (0: none).
   */
  private dsmrChecked = 0;

  /** Bare APDUs (raw/rawApdu.ts), with the decoder's data-notification measure. */
  private readonly matchRaw: Matcher;

  constructor(options: StreamFramerOptions = {}) {
    this.matchRaw = rawMatcher(options.measureNotification ?? null);
    const framing = options.framing ?? 'auto';
    this.mode = framing === 'amis' ? 'mbus' : framing;
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

  /**
   * End of stream (or a long idle gap): a frame still waiting for bytes will not get them. Its first byte is
   * reported as truncated and the rest is scanned again, so a push behind a cut-off frame is not lost.
   */
  flush(): FrameEvent[] {
    const events: FrameEvent[] = [];
    this.scan(events, true);
    this.emitDiscard(events);
    return events;
  }

  private matcherFor(b: number): Matcher | null {
    const mode = this.mode;
    if (b === MBUS_START && (mode === 'auto' || mode === 'mbus')) return matchMbus;
    if (b === HDLC_FLAG && (mode === 'auto' || mode === 'hdlc')) return matchHdlc;
    if (isRawStart(b) && (mode === 'raw' || (mode === 'auto' && !this.linkLocked))) return this.matchRaw;
    if (b === DSMR_START && (mode === 'auto' || mode === 'dsmr')) return matchDsmr;
    return null;
  }

  private scan(events: FrameEvent[], endOfStream = false): void {
    const buf = this.buf;
    while (this.start < this.end) {
      const at = this.start;
      const mbusPossible = this.mode === 'auto' || this.mode === 'mbus';
      if (mbusPossible && buf[at] === MBUS_SHORT_START) {
        const short = matchMbusShort(buf, at, this.end);
        if (short === 'need' && !endOfStream) break;
        if (short === 'frame') {
          this.mbusSeen = true;
          this.start += MBUS_SHORT_LENGTH;
          continue;
        }
      }
      if (mbusPossible && buf[at] === MBUS_ACK && (this.mbusSeen || this.mode === 'mbus') && this.discard.length === 0) {
        this.start++;
        continue;
      }
      const matcher = this.matcherFor(buf[at]!);
      if (matcher === null) {
        // the line break after a telegram's `!CRC`, or blank lines between telegrams: idle, not noise
        const idleLine = (buf[at] === 0x0d || buf[at] === 0x0a) && this.detected === 'dsmr' && this.discard.length === 0;
        this.skip(1, 'noise', events, idleLine);
        continue;
      }
      const resume = this.dsmrChecked;
      this.dsmrChecked = 0;
      const r = matcher === matchDsmr ? matchDsmr(buf, at, this.end, resume, endOfStream) : matcher(buf, at, this.end);
      if (matcher === this.matchRaw && r.kind !== 'invalid') {
        // A bare APDU has no checksum: if a checksummed link frame starts inside its span, trust that one.
        const link = this.findLinkFrame(at + 1, r.kind === 'frame' ? at + r.length : this.end);
        if (link === 'pending') {
          if (!endOfStream) break;
        } else if (link >= 0) {
          this.skip(link - at, 'noise', events);
          continue;
        }
        // …and it must be followed by the start of another push (or by silence), else it is not one.
        if (r.kind === 'frame') {
          const next = at + r.length;
          if (next === this.end && !endOfStream) break;
          if (next < this.end && !isPushStart(buf[next]!)) {
            this.skip(1, 'noise', events);
            continue;
          }
        }
      }
      if (r.kind === 'need') {
        if (endOfStream) {
          // idle or closing flags at the very end are not a truncated frame
          const idleFlag = buf[at] === HDLC_FLAG && (at + 1 === this.end || buf[at + 1] === HDLC_FLAG);
          this.skip(1, 'truncated', events, idleFlag);
          continue;
        }
        if (r.total <= MAX_FRAME) {
          if (matcher === matchDsmr) this.dsmrChecked = dsmrResumePoint(this.end - at);
          break;
        }
        this.skip(1, 'noise', events);
        continue;
      }
      if (r.kind === 'invalid') {
        // a link header that failed only its checksum is evidence enough of the link layer
        if (r.reason === 'checksum' && matcher !== this.matchRaw) this.linkLocked = true;
        if (buf[at] === HDLC_FLAG && r.reason === 'noise') {
          // an idle flag, or the closing flag of the previous frame not followed by another frame: not noise
          this.start++;
          continue;
        }
        this.skip(1, r.reason, events);
        continue;
      }
      // a view, no copy: bytes handed out are never overwritten (see handedOut)
      const bytes = buf.subarray(at, at + r.length);
      this.handedOut = at + r.length;
      const frame =
        matcher === matchMbus
          ? buildMbusFrame(bytes)
          : matcher === matchHdlc
            ? buildHdlcFrame(bytes)
            : matcher === matchDsmr
              ? buildDsmrFrame(bytes)
              : buildRawFrame(bytes);
      this.emitDiscard(events);
      events.push(frame);
      this.detected = frame.framing;
      if (frame.framing === 'mbus' || frame.framing === 'hdlc') this.linkLocked = true;
      if (frame.framing === 'mbus') this.mbusSeen = true;
      if (frame.framing === 'hdlc') {
        // leave the closing flag: it may be the opening flag of the next frame
        this.start = at + r.length - 1;
      } else {
        this.start = at + r.length;
      }
    }
    this.compact();
  }

  /**
   * Offset of the first complete, valid M-Bus or HDLC frame or DSMR telegram starting in [from, to);
   * `pending` when such a candidate there still waits for bytes; -1 when there is none.
   */
  private findLinkFrame(from: number, to: number): number | 'pending' {
    const buf = this.buf;
    let pending = false;
    for (let i = from; i < to; i++) {
      const b = buf[i];
      if (b !== MBUS_START && b !== HDLC_FLAG && b !== DSMR_START) continue;
      const matcher = this.matcherFor(b);
      if (!matcher) continue;
      const r = matcher(buf, i, this.end);
      if (r.kind === 'frame') return i;
      if (r.kind === 'need' && r.total <= MAX_FRAME) pending = true;
    }
    return pending ? 'pending' : -1;
  }

  private skip(n: number, reason: Discarded['reason'], events: FrameEvent[], silent = false): void {
    if (silent) {
      this.start += n;
      return;
    }
    if (SEVERITY[reason] > SEVERITY[this.discardReason]) this.discardReason = reason;
    for (let i = 0; i < n; i++) {
      this.discard.push(this.buf[this.start++]!);
      if (this.discard.length >= this.maxDiscardRun) this.emitDiscard(events);
    }
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
      if (live + chunk.length <= this.buf.length && this.start > 0 && this.handedOut === 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        // frames still point into the old buffer (or it is too small): move the unread bytes to a new one
        const size = live + chunk.length <= this.buf.length ? this.buf.length : Math.max(this.buf.length * 2, live + chunk.length);
        const fresh = Buffer.allocUnsafe(size);
        this.buf.copy(fresh, 0, this.start, this.end);
        this.buf = fresh;
        this.handedOut = 0;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private compact(): void {
    if (this.start !== this.end) return;
    if (this.buf.length > 16384) {
      // a large chunk grew the buffer: give the memory back
      this.buf = Buffer.allocUnsafe(1024);
      this.handedOut = 0;
      this.start = this.end = 0;
    } else if (this.handedOut === 0) {
      this.start = this.end = 0;
    }
    // else: keep appending after the frames handed out; append() moves on to a new buffer when this one is full
  }
}
