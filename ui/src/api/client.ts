/**
 * HTTP API. Every URL is RELATIVE (no leading slash): under ingress the panel lives at
 * /api/hassio_ingress/<token>/ and 'api/snapshot' resolves below it.
 */
import { withMeter } from '../state/meters.js';
import type { KeyTestDto, SnapshotDto } from './contract.js';

export const CAPTURE_URL = 'api/capture';
/** The capture download of the meter on screen. */
export const captureUrl = (): string => withMeter(CAPTURE_URL);

export async function getSnapshot(signal?: AbortSignal): Promise<SnapshotDto> {
  const res = await fetch(withMeter('api/snapshot'), { cache: 'no-store', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`api/snapshot: HTTP ${res.status}`);
  return (await res.json()) as SnapshotDto;
}

/** A key test answer, or the server's reason for refusing the input (e.g. not 32 hex digits). */
export type KeyTestResult = { readonly kind: 'result'; readonly result: KeyTestDto } | { readonly kind: 'invalid'; readonly message: string };

/** Tries a key on the last captured push (POST, relative URL). The key is not stored anywhere. */
export async function testKey(key: string, authKey: string): Promise<KeyTestResult> {
  const body = authKey.trim() ? { key, authKey } : { key };
  const res = await fetch(withMeter('api/test-key'), {
    method: 'POST',
    cache: 'no-store',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 400) return { kind: 'invalid', message: ((await res.json()) as { message: string }).message };
  if (!res.ok) throw new Error(`api/test-key: HTTP ${res.status}`);
  return { kind: 'result', result: (await res.json()) as KeyTestDto };
}
