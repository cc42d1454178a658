/**
 * The history file: fixed-size binary records, each with a CRC-32, appended one write per record batch, and
 * rewritten only as a whole through a temporary file, fsync and an atomic rename (compaction). A crash or power
 * loss can leave at most a torn tail (a partial record, or zeros where the file system had allocated but not
 * written): it fails its length or checksum, is skipped on load and cut off before the next append.
 *
 * Record layout (36 bytes, little endian; format version 1):
 *   0  u8   kind   'S' sample, 'B' baseline (a sample that books nothing), 'P' minute power, 'H' hour, 'D' day
 *   1  u8   format version (1)
 *   2  u16  reserved (0)
 *   4  u32  tag    identity hash (S/B), samples in the minute (P), yyyymmdd (D), 0 (H)
 *   8  f64  t      epoch ms: sample time, minute start, hour start; 0 for D
 *  16  f64  a      import Wh (S/B/H/D) or mean net power W (P)
 *  24  f64  b      export Wh (S/B/H/D), 0 for P
 *  32  u32  CRC-32 (ISO-HDLC, zlib) of bytes 0–31
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

export type RecordKind = 'S' | 'B' | 'P' | 'H' | 'D';

export interface HistoryRecord {
  readonly kind: RecordKind;
  readonly tag: number;
  readonly t: number;
  readonly a: number;
  readonly b: number;
}

export interface DecodedLog {
  readonly records: HistoryRecord[];
  /** Records that failed their checksum or kind (skipped). */
  readonly skipped: number;
  /** Bytes up to the end of the last valid record: everything after it is a torn tail. */
  readonly validLength: number;
}

/** How records become bytes; the binary codec is the one in use (bench/historyStore.mjs compares JSON lines). */
export interface RecordCodec {
  readonly name: string;
  encode(records: readonly HistoryRecord[]): Buffer;
  decode(bytes: Buffer): DecodedLog;
}

export const RECORD_BYTES = 36;
const VERSION = 1;
const KINDS = new Set<number>(['S', 'B', 'P', 'H', 'D'].map((k) => k.charCodeAt(0)));

export const binaryCodec: RecordCodec = {
  name: 'binary',
  encode(records) {
    const out = Buffer.alloc(records.length * RECORD_BYTES);
    records.forEach((r, i) => {
      const o = i * RECORD_BYTES;
      out.writeUInt8(r.kind.charCodeAt(0), o);
      out.writeUInt8(VERSION, o + 1);
      out.writeUInt32LE(r.tag >>> 0, o + 4);
      out.writeDoubleLE(r.t, o + 8);
      out.writeDoubleLE(r.a, o + 16);
      out.writeDoubleLE(r.b, o + 24);
      out.writeUInt32LE(crc32(out.subarray(o, o + 32)), o + 32);
    });
    return out;
  },
  decode(bytes) {
    const records: HistoryRecord[] = [];
    let skipped = 0;
    let validLength = 0;
    for (let o = 0; o + RECORD_BYTES <= bytes.length; o += RECORD_BYTES) {
      const kind = bytes.readUInt8(o);
      const ok = KINDS.has(kind) && bytes.readUInt8(o + 1) === VERSION && bytes.readUInt32LE(o + 32) === crc32(bytes.subarray(o, o + 32));
      if (!ok) {
        skipped++;
        continue;
      }
      records.push({
        kind: String.fromCharCode(kind) as RecordKind,
        tag: bytes.readUInt32LE(o + 4),
        t: bytes.readDoubleLE(o + 8),
        a: bytes.readDoubleLE(o + 16),
        b: bytes.readDoubleLE(o + 24),
      });
      validLength = o + RECORD_BYTES;
    }
    // invalid records after the last valid one are the torn tail, not damage in the middle
    const tail = Math.floor((bytes.length - validLength) / RECORD_BYTES);
    return { records, skipped: skipped - tail, validLength };
  },
};

/** One append-only file of records; not thread-safe, one instance per file. */
export class RecordLog {
  private fd: number | null = null;
  private bytes = 0;

  constructor(
    readonly path: string,
    private readonly codec: RecordCodec = binaryCodec,
  ) {}

  /** Current file size in bytes. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Reads every valid record, cuts off a torn tail and opens the file for appending. `cut` is the number of tail
   * bytes removed. Throws on I/O errors (the caller decides what to do without the file).
   */
  open(): DecodedLog & { readonly cut: number } {
    mkdirSync(dirname(this.path), { recursive: true });
    rmSync(`${this.path}.tmp`, { force: true }); // a compaction interrupted before its rename
    const data = existsSync(this.path) ? readFileSync(this.path) : Buffer.alloc(0);
    const decoded = this.codec.decode(data);
    this.fd = openSync(this.path, 'a+');
    let cut = 0;
    if (decoded.validLength < data.length) {
      cut = data.length - decoded.validLength;
      ftruncateSync(this.fd, decoded.validLength);
      fdatasyncSync(this.fd);
    }
    this.bytes = decoded.validLength;
    return { ...decoded, cut };
  }

  /** Appends records in one write (no fsync: a lost tail is recovered from the cumulative counters). */
  append(records: readonly HistoryRecord[]): void {
    if (this.fd === null) throw new Error(`${this.path} is not open`);
    if (records.length === 0) return;
    const buf = this.codec.encode(records);
    writeSync(this.fd, buf);
    this.bytes += buf.length;
  }

  /** Replaces the whole file atomically: temporary file, fsync, rename, fsync of the directory; then appends there. */
  rewrite(records: readonly HistoryRecord[]): void {
    const tmp = `${this.path}.tmp`;
    const buf = this.codec.encode(records);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, buf);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(dirname(this.path));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.bytes = buf.length;
  }

  /** Flushes to disk and closes. */
  close(): void {
    if (this.fd === null) return;
    try {
      fdatasyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Makes a rename durable (POSIX: the directory entry lives in the directory's own blocks). */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
