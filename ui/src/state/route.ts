/** Hash routing (#/live, #/history, #/frames, #/frames/<id>, #/health): the ingress iframe always opens the panel root. */
import { signal } from '@preact/signals';

export type Tab = 'live' | 'history' | 'frames' | 'health';
export interface Route {
  readonly tab: Tab;
  /** Open frame in the inspector (#/frames/<id>). */
  readonly frameId: number | null;
}

export function parseHash(hash: string): Route {
  const [, tab, id] = hash.replace(/^#/, '').split('/');
  const frameId = id !== undefined && /^\d+$/.test(id) ? Number(id) : null;
  if (tab === 'frames') return { tab, frameId };
  if (tab === 'health' || tab === 'history') return { tab, frameId: null };
  return { tab: 'live', frameId: null };
}

export const route = signal<Route>(parseHash(location.hash));
addEventListener('hashchange', () => (route.value = parseHash(location.hash)));

export const href = (tab: Tab, frameId?: number): string => `#/${tab}${frameId === undefined ? '' : `/${frameId}`}`;
