/** The JSON line records the `decode` command prints (and tests compare against the shared vectors). */
import { toErrorRecord, type ErrorRecord } from '../shared/errors.js';
import type { DecodedPush, DecodeResult } from './types.js';

export type PushRecord =
  | {
      readonly ok: true;
      readonly meter: DecodedPush['meter'];
      readonly time: string | null;
      readonly readings: DecodedPush['readings'];
    }
  | { readonly ok: false; readonly error: ErrorRecord };

export function toRecord(result: DecodeResult): PushRecord {
  if (!result.ok) return { ok: false, error: toErrorRecord(result.error) };
  const { meter, time, readings } = result.push;
  return { ok: true, meter, time, readings };
}
