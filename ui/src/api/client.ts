/**
 * HTTP API. Every URL is RELATIVE (no leading slash): under ingress the panel lives at
 * /api/hassio_ingress/<token>/ and 'api/snapshot' resolves below it.
 */
import type { SnapshotDto } from './contract.js';

export const CAPTURE_URL = 'api/capture';

export async function getSnapshot(signal?: AbortSignal): Promise<SnapshotDto> {
  const res = await fetch('api/snapshot', { cache: 'no-store', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`api/snapshot: HTTP ${res.status}`);
  return (await res.json()) as SnapshotDto;
}
