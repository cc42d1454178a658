/**
 * The reader's side of the Netz Oberösterreich AMIS link protocol (Siemens TD-3511/TD-3512), sans-IO: bytes in,
 * "write E5" decisions out, time passed in by the caller. Netz OÖ, "Technische Spezifikation: AMIS-Zähler
 * Kundenschnittstelle" (05.11.2021):
 *
 * - The meter is the M-Bus master, the reader a slave with primary address 240 (0xF0) (§2.1, §2.3.6).
 * - While no reader answers, the meter sends the search frame SND_NKE `10 40 F0 30 16` (every 60 s, §2.2.2);
 *   the reader must answer `E5` within 0.5 s (§2.3.7).
 * - Then it sends one SND_UD long frame per second (C `53`/`73`, A `F0`, CI `5B`) and expects `E5` after each;
 *   after 10 missing acknowledgements it returns to searching (§2.2.3).
 * - The reader sends nothing but `E5` (§2.3.10).
 *
 * So this machine answers exactly two things with `E5`: a checksum-valid SND_NKE and a checksum-valid SND_UD,
 * both addressed to 0xF0. Nothing else ever makes it write: a meter that is not an AMIS meter (DLMS M-Bus
 * pushes go to address 0xFF or 0x01, P1 and HDLC streams have no such frames) never gets a byte from us.
 *
 * States: `listening` (no AMIS frame seen yet), `search` (the meter searches; we acknowledged and wait for
 * data), `synced` (data frames arrive and are acknowledged), `lost` (synced before, but no data frame for
 * `lostAfterMs`; the meter will search again).
 *
 * Diagnostics it counts: answered search frames that no data followed (our `E5` does not reach the meter: a
 * receive-only or misaligned head), `E5` bytes received (the head echoes our own acknowledgements), and
 * the signatures of AMIS frames read with the wrong parity (9600 8N1 instead of 8E1: every byte with an even
 * number of one bits arrives as a framing error, read as 00, so SND_NKE becomes `10 40 00 00 16` and the long
 * frame header `68 00 00 68`).
 */
import { mbusChecksum } from '../../shared/crc.js';
import { C_SND_NKE, MBUS_ACK, MBUS_SHORT_LENGTH, MBUS_SHORT_START, MBUS_STOP } from './mbusShortFrame.js';

export type AmisLinkStateId = 'listening' | 'search' | 'synced' | 'lost';

/** A decision of the machine: write these bytes (always the single `E5`). */
export interface AmisWrite {
  readonly type: 'write';
  readonly bytes: Uint8Array;
  /** What is acknowledged. */
  readonly answers: 'snd_nke' | 'snd_ud';
}

export interface AmisLinkView {
  readonly state: AmisLinkStateId;
  /** When the current state began (caller's clock, ms). */
  readonly since: number;
  readonly searchFrames: number;
  /** Search frames since the last data frame that came after an earlier, answered one. */
  readonly searchesWithoutData: number;
  /**
   * We answered a search frame and no data frame followed within `noDataAfterMs` (the meter sends data within a
   * second of the E5): our `E5` does not reach the meter (a receive-only or misaligned head).
   */
  readonly searchUnanswered: boolean;
  readonly dataFrames: number;
  readonly acknowledgements: number;
  /** `E5` bytes received: an IR head that echoes our own acknowledgements. */
  readonly echoes: number;
  /** AMIS frames seen as 9600 8N1 would read 9600 8E1 (parity bits taken for stop bits). */
  readonly paritySignatures: number;
  readonly lastSearchAt: number | null;
  readonly lastDataAt: number | null;
}

export interface AmisLinkOptions {
  /** The reader's primary address. Default 240 (0xF0), fixed by the AMIS spec. */
  readonly address?: number;
  /** Synced without a data frame for this long → `lost`. Default 3500 ms (data comes every second). */
  readonly lostAfterMs?: number;
  /** An answered search frame without data for this long → `searchUnanswered`. Default 5000 ms. */
  readonly noDataAfterMs?: number;
}

const LONG_START = 0x68;
const MAX_BUFFER = 512;
const ACK = Uint8Array.of(MBUS_ACK);
/** SND_UD: PRM set, function 3; FCB (0x20) toggles, FCV (0x10) set or clear. */
const isSndUd = (c: number) => (c & 0x4f) === 0x43;

export class AmisLink {
  private readonly address: number;
  private readonly lostAfterMs: number;
  private readonly noDataAfterMs: number;
  private searchUnanswered = false;
  private buf = new Uint8Array(MAX_BUFFER);
  private length = 0;
  private stateId: AmisLinkStateId = 'listening';
  private stateSince = 0;
  private counts = { searchFrames: 0, searchesWithoutData: 0, dataFrames: 0, acknowledgements: 0, echoes: 0, paritySignatures: 0 };
  private lastSearchAt: number | null = null;
  private lastDataAt: number | null = null;
  private changed = false;

  constructor(options: AmisLinkOptions = {}) {
    this.address = options.address ?? 0xf0;
    this.lostAfterMs = options.lostAfterMs ?? 3500;
    this.noDataAfterMs = options.noDataAfterMs ?? 5000;
  }

  get state(): AmisLinkStateId {
    return this.stateId;
  }

  get view(): AmisLinkView {
    return {
      state: this.stateId,
      since: this.stateSince,
      ...this.counts,
      searchUnanswered: this.searchUnanswered,
      lastSearchAt: this.lastSearchAt,
      lastDataAt: this.lastDataAt,
    };
  }

  /** True once since the last call when the state or a diagnostic counter changed (for the status). */
  takeChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }

  /** Bytes from the meter at time `now` → what to write, in order. */
  push(chunk: Uint8Array, now: number): AmisWrite[] {
    const writes: AmisWrite[] = [];
    for (let i = 0; i < chunk.length; ) {
      const n = Math.min(chunk.length - i, MAX_BUFFER - this.length);
      this.buf.set(chunk.subarray(i, i + n), this.length);
      this.length += n;
      i += n;
      this.scan(now, writes);
      // a full buffer that holds no frame start any more: drop the oldest byte
      if (this.length === MAX_BUFFER) this.consume(1);
    }
    return writes;
  }

  /** Time passes: synced without data for `lostAfterMs` → lost; an answered search without data → searchUnanswered. */
  tick(now: number): void {
    if (this.stateId === 'synced' && this.lastDataAt !== null && now - this.lastDataAt >= this.lostAfterMs) this.enter('lost', now);
    if (this.stateId === 'search' && !this.searchUnanswered && this.lastSearchAt !== null && now - this.lastSearchAt >= this.noDataAfterMs) {
      this.searchUnanswered = true;
      this.changed = true;
    }
  }

  private enter(state: AmisLinkStateId, now: number): void {
    if (this.stateId === state) return;
    this.stateId = state;
    this.stateSince = now;
    this.changed = true;
  }

  private scan(now: number, writes: AmisWrite[]): void {
    const b = this.buf;
    let at = 0;
    while (at < this.length) {
      const first = b[at]!;
      const left = this.length - at;
      if (first === MBUS_ACK) {
        // we never receive an E5 from the meter (it is the master): this is our own, echoed by the head
        if (this.counts.acknowledgements > 0) {
          this.counts.echoes++;
          this.changed = true;
        }
        at++;
        continue;
      }
      if (first === MBUS_SHORT_START) {
        if (left < MBUS_SHORT_LENGTH) break;
        const c = b[at + 1]!;
        const a = b[at + 2]!;
        const valid = ((c + a) & 0xff) === b[at + 3] && b[at + 4] === MBUS_STOP;
        if (valid && c === C_SND_NKE && a === this.address) {
          this.counts.searchFrames++;
          // a search after our acknowledgement of the previous one: that E5 never reached the meter
          if (this.lastSearchAt !== null && (this.lastDataAt === null || this.lastDataAt < this.lastSearchAt)) this.counts.searchesWithoutData++;
          this.lastSearchAt = now;
          this.acknowledge('snd_nke', writes);
          this.enter('search', now);
          at += MBUS_SHORT_LENGTH;
          continue;
        }
        if (!valid && c === C_SND_NKE && a === 0x00 && b[at + 3] === 0x00 && b[at + 4] === MBUS_STOP) {
          // `10 40 F0 30 16` sent at 8E1, read at 8N1
          this.counts.paritySignatures++;
          this.changed = true;
          at += MBUS_SHORT_LENGTH;
          continue;
        }
        at++;
        continue;
      }
      if (first === LONG_START) {
        if (left < 4) break;
        const l = b[at + 1]!;
        if (b[at + 2] !== l || b[at + 3] !== LONG_START) {
          at++;
          continue;
        }
        if (l === 0) {
          // `68 5F 5F 68` read at 8N1 (0x5F has an even number of one bits)
          this.counts.paritySignatures++;
          this.changed = true;
          at += 4;
          continue;
        }
        const total = l + 6;
        if (left < total) break;
        const valid = l >= 3 && b[at + 5 + l] === MBUS_STOP && mbusChecksum(b, at + 4, at + 4 + l) === b[at + 4 + l];
        if (!valid) {
          at++;
          continue;
        }
        if (isSndUd(b[at + 4]!) && b[at + 5] === this.address) {
          this.counts.dataFrames++;
          this.counts.searchesWithoutData = 0;
          this.searchUnanswered = false;
          this.lastDataAt = now;
          this.acknowledge('snd_ud', writes);
          this.enter('synced', now);
        }
        at += total;
        continue;
      }
      at++;
    }
    this.consume(at);
  }

  private acknowledge(answers: AmisWrite['answers'], writes: AmisWrite[]): void {
    this.counts.acknowledgements++;
    this.changed = true;
    writes.push({ type: 'write', bytes: ACK, answers });
  }

  private consume(n: number): void {
    if (n <= 0) return;
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }
}
