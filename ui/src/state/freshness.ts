/**
 * Whether the values on screen are current: the age of the last accepted push against the meter's own push
 * interval, and whether the reader status says pushes decode. Drives the header badge, the status line and the
 * dimming of stale values.
 */
import { computed } from '@preact/signals';
import type { ReaderStatusId } from '../api/contract.js';
import { connection, health, history, live, now } from './store.js';

/** Values are stale after this many push intervals without a new one… */
const INTERVALS = 3;
/** …but never sooner than this (meters push every 1–10 s) and never later than this. */
const MIN_STALE_MS = 10_000;
const MAX_STALE_MS = 300_000;
const DEFAULT_INTERVAL_MS = 5_000;

/** Statuses under which pushes decode (broker: they decode, only MQTT is down). */
const DECODING: ReadonlySet<ReaderStatusId> = new Set(['ok', 'broker']);

export const staleAfterMs = computed(() => {
  const h = history.value;
  const gap = h.length >= 2 ? h[h.length - 1]!.t - h[h.length - 2]!.t : DEFAULT_INTERVAL_MS;
  return Math.min(MAX_STALE_MS, Math.max(MIN_STALE_MS, INTERVALS * gap));
});

/** Age of the values on screen in ms, null before the first push. */
export const valuesAgeMs = computed(() => {
  const at = live.value?.receivedAt;
  return at ? Math.max(0, now.value - Date.parse(at)) : null;
});

export const stale = computed(() => valuesAgeMs.value !== null && valuesAgeMs.value > staleAfterMs.value);

/** Pushes arrive and decode right now: the only state in which the header badge is green. */
export const decoding = computed(() => {
  const status = health.value?.status.id;
  return connection.value === 'open' && status !== undefined && DECODING.has(status) && valuesAgeMs.value !== null && !stale.value;
});
