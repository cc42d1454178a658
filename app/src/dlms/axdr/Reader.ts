/** Bounds-checked cursor over a byte buffer. Every read past the end throws `AxdrTruncated`. */

/** Thrown when the data ends before the value does; framers use it to wait for more bytes. */
export class AxdrTruncated extends Error {
  override readonly name = 'AxdrTruncated';
}

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

  /**
   * A-XDR / BER length (IEC 62056-6-2 §4.1.3, X.690 §8.1.3): one byte < 0x80, or 0x81..0x84 followed by
   * that many big-endian length bytes.
   */
  length(): number {
    const first = this.u8();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count === 0 || count > 3) throw new RangeError(`unsupported length form 0x${first.toString(16)}`);
    let n = 0;
    for (let i = 0; i < count; i++) n = n * 256 + this.u8();
    return n;
  }
}
