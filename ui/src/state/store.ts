/**
 * The panel's state as module-level signals, filled by api/live.ts (and the HTTP snapshot fallback).
 * Components only read these.
 */
import { computed, signal } from '@preact/signals';
import type { FrameRecordDto, HealthDto, HistoryPointDto, LiveDto, LiveMessage, SnapshotDto } from '../api/contract.js';

/** Frames kept in the browser (the backend's ring buffer decides what the snapshot holds). */
export const MAX_FRAMES = 50;
/** The chart shows the last hour. */
export const HISTORY_MS = 3_600_000;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export const connection = signal<ConnectionState>('connecting');
export const version = signal<string | null>(null);
export const live = signal<LiveDto | null>(null);
export const health = signal<HealthDto | null>(null);
/** Newest first. */
export const frames = signal<readonly FrameRecordDto[]>([]);
/** Oldest first, trimmed to the last hour. */
export const history = signal<readonly HistoryPointDto[]>([]);

/** Wall clock for ages, ticking once a second. */
export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 1000);

/** Name for the header: meter number, else system title. */
export const meterName = computed(() => {
  const m = live.value?.meter;
  return m?.id ?? m?.systemTitle ?? null;
});

export function applySnapshot(s: SnapshotDto): void {
  version.value = s.version;
  live.value = s.live;
  health.value = s.health;
  frames.value = s.frames.slice(0, MAX_FRAMES);
  history.value = s.history;
}

function addFrame(frame: FrameRecordDto): void {
  frames.value = [frame, ...frames.value.filter((f) => f.id !== frame.id)].slice(0, MAX_FRAMES);
}

function addPoint(p: HistoryPointDto): void {
  const from = p.t - HISTORY_MS;
  const kept = history.value.filter((h) => h.t >= from && h.t < p.t);
  history.value = [...kept, p];
}

export function applyMessage(m: LiveMessage): void {
  switch (m.type) {
    case 'snapshot':
      applySnapshot(m.snapshot);
      break;
    case 'push':
      live.value = m.live;
      health.value = m.health;
      addFrame(m.frame);
      if (m.point) addPoint(m.point);
      break;
    case 'frame':
      health.value = m.health;
      addFrame(m.frame);
      break;
    case 'health':
      health.value = m.health;
      break;
  }
}
