/**
 * Details of the frames the user opens or pins, fetched over HTTP (GET api/frames/:id) instead of riding along every
 * push. Pinned frames keep theirs after the add-on's ring buffer dropped the push.
 */
import { signal } from '@preact/signals';
import { getFrame } from '../api/client.js';
import type { FrameRecordDto } from '../api/contract.js';
import { pinned } from './store.js';

export type Detail = FrameRecordDto | 'loading' | 'gone' | 'error';

export const details = signal<ReadonlyMap<number, Detail>>(new Map());
/** Details kept besides those of pinned frames. */
const MAX_CACHED = 10;

function set(id: number, d: Detail): void {
  const next = new Map(details.value);
  next.delete(id);
  next.set(id, d);
  // forget the oldest details of frames that are not pinned
  for (const key of next.keys()) {
    if (next.size <= MAX_CACHED + pinned.value.size) break;
    if (!pinned.value.has(key) && key !== id) next.delete(key);
  }
  details.value = next;
}

/** Loads the details of a frame once (again after a failure). */
export function loadDetail(id: number): void {
  const have = details.value.get(id);
  if (have !== undefined && have !== 'error') return;
  set(id, 'loading');
  getFrame(id).then(
    (frame) => set(id, frame ?? 'gone'),
    () => set(id, 'error'),
  );
}
