/**
 * general-block-transfer (IEC 62056-5-3 §9.4.6.13, tag 0xE0), as the L+G E450 sends long pushes:
 *
 *   E0 | block-control (bit 7 last-block, bit 6 streaming, bits 0–5 window) | block-number (u16)
 *      | block-number-ack (u16) | block-data (BER length + bytes)
 */
import { MeterError } from '../../shared/errors.js';
import { Reader } from '../axdr/Reader.js';

export const GENERAL_BLOCK_TRANSFER = 0xe0;

export interface Block {
  readonly last: boolean;
  readonly number: number;
  readonly data: Uint8Array;
}

export function parseBlock(apdu: Uint8Array): Block {
  try {
    const r = new Reader(apdu);
    r.u8();
    const control = r.u8();
    const number = r.u16();
    r.u16();
    const length = r.length();
    const data = r.take(length);
    if (r.remaining !== 0) throw new RangeError(`${r.remaining} bytes after the block data`);
    return { last: (control & 0x80) !== 0, number, data };
  } catch (e) {
    throw new MeterError('APDU_BLOCK', 'malformed', { cause: (e as Error).message });
  }
}

/** Collects blocks 1..n (in order) until the last-block bit; returns the joined APDU then. */
export class BlockAssembler {
  private parts: Uint8Array[] = [];
  private expected = 1;

  /** Returns the reassembled APDU on the last block, null while more blocks are due. Throws on a gap. */
  push(block: Block): Uint8Array | null {
    if (block.number === 1) {
      this.parts = [];
      this.expected = 1;
    }
    if (block.number !== this.expected) {
      const expected = this.expected;
      this.reset();
      throw new MeterError('APDU_BLOCK', 'out_of_order', { received: block.number, expected });
    }
    this.parts.push(block.data);
    this.expected++;
    if (!block.last) return null;
    const joined = Buffer.concat(this.parts);
    this.reset();
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
  }

  get pending(): boolean {
    return this.parts.length > 0;
  }

  reset(): void {
    this.parts = [];
    this.expected = 1;
  }
}
