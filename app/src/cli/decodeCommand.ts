/**
 * `decode` command: a captured stream (raw bytes or hex text) → one JSON line per push or failure.
 * Kept free of process I/O so the golden tests run exactly this code path.
 */
import { toRecord, type PushRecord } from '../decoder/records.js';
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { FramingMode } from '../framing/StreamFramer.js';

export interface DecodeOptions {
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly framing: FramingMode;
  /** Feed the decoder in chunks of these sizes (cycled); default: the whole input at once. Tests use it. */
  readonly chunkSizes?: readonly number[];
}

export function decodeCapture(bytes: Uint8Array, options: DecodeOptions): PushRecord[] {
  const decoder = new StreamDecoder({ key: options.key, authKey: options.authKey, framing: options.framing });
  const records: PushRecord[] = [];
  const sizes = options.chunkSizes;
  if (!sizes || sizes.length === 0) {
    for (const r of decoder.push(bytes)) records.push(toRecord(r));
  } else {
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const size = Math.max(1, sizes[i % sizes.length]!);
      for (const r of decoder.push(bytes.subarray(at, at + size))) records.push(toRecord(r));
      at += size;
    }
  }
  for (const r of decoder.flush()) records.push(toRecord(r));
  return records;
}
