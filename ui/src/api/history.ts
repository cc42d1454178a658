/** GET api/history of the selected meter (relative URL: works under the ingress prefix). */
import { apiUrl } from './client.js';
import type { HistoryDto } from './contract.js';

export async function getHistory(signal?: AbortSignal): Promise<HistoryDto> {
  const res = await fetch(apiUrl('history'), { cache: 'no-store', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw new Error(`api/history: HTTP ${res.status}`);
  return (await res.json()) as HistoryDto;
}
