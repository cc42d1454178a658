/**
 * The panel's state as module-level signals, filled by api/live.ts (and the HTTP snapshot fallback).
 * Components only read these (the frame inspector also pauses, pins and loads details through the functions here).
 */
import { computed, signal } from '@preact/signals';
import type { FrameSummaryDto, HealthDto, HistoryPointDto, LiveDeltaDto, LiveDto, LiveMessage, ReadingDto, SnapshotDto } from '../api/contract.js';

/** Frames kept in the browser's live list (the backend's ring buffer decides what the snapshot holds). */
export const MAX_FRAMES = 50;
/** Frames held back while the list is paused (the newest are kept). */
const MAX_HELD_BACK = 500;
/** The chart shows the last hour. */
export const HISTORY_MS = 3_600_000;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export const connection = signal<ConnectionState>('connecting');
export const version = signal<string | null>(null);
export const live = signal<LiveDto | null>(null);
export const health = signal<HealthDto | null>(null);
/** The live list, newest first (summaries; details are loaded on demand, state/frameDetails.ts). */
export const frames = signal<readonly FrameSummaryDto[]>([]);
/** Oldest first, trimmed to the last hour. */
export const history = signal<readonly HistoryPointDto[]>([]);

/** The inspector's list holds still: new frames are held back until it resumes. */
export const paused = signal(false);
/** Frames that arrived while paused, newest first. */
export const heldBack = signal<readonly FrameSummaryDto[]>([]);
/** Pinned frames by id: never evicted from the list (their details are kept too). */
export const pinned = signal<ReadonlyMap<number, FrameSummaryDto>>(new Map());

/** What the inspector lists: pinned frames on top (they hold still there), then the live list, newest first. */
export const shownFrames = computed<readonly FrameSummaryDto[]>(() => {
  const pins = pinned.value;
  if (pins.size === 0) return frames.value;
  return [...[...pins.values()].sort((a, b) => b.id - a.id), ...frames.value.filter((f) => !pins.has(f.id))];
});

/** Wall clock for ages, ticking once a second. */
export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 1000);

/** Name for the header: meter number, else system title. */
export const meterName = computed(() => {
  const m = live.value?.meter;
  return m?.id ?? m?.systemTitle ?? null;
});

function mergeFrames(incoming: readonly FrameSummaryDto[], into: readonly FrameSummaryDto[], max: number): FrameSummaryDto[] {
  const ids = new Set(incoming.map((f) => f.id));
  return [...incoming, ...into.filter((f) => !ids.has(f.id))].sort((a, b) => b.id - a.id).slice(0, max);
}

export function applySnapshot(s: SnapshotDto): void {
  version.value = s.version;
  live.value = s.live;
  health.value = s.health;
  history.value = s.history;
  if (paused.value) {
    const newest = frames.value[0]?.id ?? 0;
    heldBack.value = mergeFrames(s.frames.filter((f) => f.id > newest), heldBack.value, MAX_HELD_BACK);
  } else frames.value = s.frames.slice(0, MAX_FRAMES);
}

function addFrame(frame: FrameSummaryDto): void {
  if (paused.value) heldBack.value = mergeFrames([frame], heldBack.value, MAX_HELD_BACK);
  else frames.value = mergeFrames([frame], frames.value, MAX_FRAMES);
}

export function setPaused(on: boolean): void {
  if (!on && paused.value) {
    frames.value = mergeFrames(heldBack.value, frames.value, MAX_FRAMES);
    heldBack.value = [];
  }
  paused.value = on;
}

export function setPinned(frame: FrameSummaryDto, on: boolean): void {
  const next = new Map(pinned.value);
  if (on) next.set(frame.id, frame);
  else next.delete(frame.id);
  pinned.value = next;
}

function addPoint(p: HistoryPointDto): void {
  const from = p.t - HISTORY_MS;
  const kept = history.value.filter((h) => h.t >= from && h.t < p.t);
  history.value = [...kept, p];
}

/** Applies the changed readings of a push to the current live view (same meter, same OBIS codes). */
function applyDelta(d: LiveDeltaDto): void {
  const current = live.value;
  if (!current) return;
  const changed = new Map<string, ReadingDto>(d.readings.map((r) => [r.obis, r]));
  live.value = {
    ...current,
    meterTime: d.meterTime,
    receivedAt: d.receivedAt,
    netPowerW: d.netPowerW,
    readings: current.readings.map((r) => changed.get(r.obis) ?? r),
  };
}

function applyCounters(counters: HealthDto['counters'], full: HealthDto | undefined): void {
  if (full) health.value = full;
  else if (health.value) health.value = { ...health.value, counters };
}

export function applyMessage(m: LiveMessage): void {
  switch (m.type) {
    case 'snapshot':
      applySnapshot(m.snapshot);
      break;
    case 'push':
      if (m.live) live.value = m.live;
      else if (m.delta) applyDelta(m.delta);
      applyCounters(m.counters, m.health);
      addFrame(m.frame);
      if (m.point) addPoint(m.point);
      break;
    case 'frame':
      applyCounters(m.counters, m.health);
      addFrame(m.frame);
      break;
    case 'health':
      health.value = m.health;
      break;
  }
}
