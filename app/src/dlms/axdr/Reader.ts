/**
 * Bounds-checked reader of the fixed fields of APDU headers (invoke ids, frame counters, lengths). Every read
 * past the end throws `AxdrTruncated`. A-XDR data is walked by the cursor (cursor.ts), not by this.
 */
import { BER_NEED_MORE, berSize, berValue, readBerLength } from '../../shared/ber.js';
import { AxdrInvalid, AxdrTruncated } from './cursor.js';

export { AxdrTruncated };

export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
    readonly end = bytes.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new AxdrTruncated(`need ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A view (no copy) of the next n bytes. */
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A-XDR / BER length (shared/ber.ts). */
  length(): number {
    const packed = readBerLength(this.bytes, this.pos, this.end);
    if (packed === BER_NEED_MORE) throw new AxdrTruncated(`length missing at offset ${this.pos}`);
    if (packed < 0) throw new AxdrInvalid('AXDR_INVALID', `unsupported length form 0x${this.bytes[this.pos]!.toString(16)} at offset ${this.pos}`);
    this.pos += berSize(packed);
    return berValue(packed);
  }
}
