/**
 * Every URL the panel uses is built here (HTTP API and the live WebSocket), so a query parameter that selects a
 * meter can be added in one place. Every URL is RELATIVE to the panel (no leading slash): under ingress the panel
 * lives at /api/hassio_ingress/<token>/ and 'api/snapshot' resolves below it.
 */
import { selectedMeter, withMeter } from '../state/meters.js';
import type { ApiErrorDto, FrameRecordDto, KeyTestDto, ParamsDto, SnapshotDto } from './contract.js';

/** A relative API URL (`api/<path>`) of the meter on screen (`?meter=<id>`, state/meters.ts). */
export const apiUrl = (path: string): string => withMeter(`api/${path}`);

/** The capture download of the meter on screen. */
export const captureUrl = (): string => apiUrl('capture');

/** The live WebSocket `ws` next to the panel URL (http→ws, https→wss), for `meter` (null: the default, first meter). */
export function liveUrl(href: string, meter: string | null = selectedMeter.value): string {
  const url = new URL(withMeter('ws', meter), href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.href;
}

export async function getSnapshot(signal?: AbortSignal): Promise<SnapshotDto> {
  const res = await fetch(apiUrl('snapshot'), { cache: 'no-store', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`api/snapshot: HTTP ${res.status}`);
  return (await res.json()) as SnapshotDto;
}

/** One push with its details, or null when the add-on no longer keeps it (404 FRAME_GONE). */
export async function getFrame(id: number): Promise<FrameRecordDto | null> {
  const res = await fetch(apiUrl(`frames/${id}`), { cache: 'no-store', headers: { accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`api/frames: HTTP ${res.status}`);
  return (await res.json()) as FrameRecordDto;
}

/** A key test answer, or the server's code for refusing the input (e.g. KEY_FORMAT: not 32 hex digits). */
export type KeyTestResult =
  | { readonly kind: 'result'; readonly result: KeyTestDto }
  | { readonly kind: 'invalid'; readonly code: string; readonly params?: ParamsDto };

/** Tries a key on the last captured push (POST, relative URL). The key is not stored anywhere. */
export async function testKey(key: string, authKey: string): Promise<KeyTestResult> {
  const body = authKey.trim() ? { key, authKey } : { key };
  const res = await fetch(apiUrl('test-key'), {
    method: 'POST',
    cache: 'no-store',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 400) {
    const answer = (await res.json()) as ApiErrorDto;
    return { kind: 'invalid', code: answer.code, ...(answer.params ? { params: answer.params } : {}) };
  }
  if (!res.ok) throw new Error(`api/test-key: HTTP ${res.status}`);
  return { kind: 'result', result: (await res.json()) as KeyTestDto };
}
