/** GET api/history (relative URL: works under the ingress prefix). */
import type { HistoryDto } from './contract.js';

export async function getHistory(signal?: AbortSignal): Promise<HistoryDto> {
  const res = await fetch('api/history', { cache: 'no-store', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`api/history: HTTP ${res.status}`);
  return (await res.json()) as HistoryDto;
}
