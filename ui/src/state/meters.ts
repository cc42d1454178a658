/**
 * The add-on's meters (GET api/meters) and the one the panel shows. The selection is the ONE place the panel adds
 * `?meter=<id>` to its API and WebSocket URLs (`withMeter`); no selection means the backend's default, the first
 * meter, so a single-meter add-on never sees a meter parameter at all.
 */
import { signal } from '@preact/signals';
import type { MeterSummaryDto, MetersDto } from '../api/contract.js';

const STORAGE_KEY = 'smr.meter';
/** The overview refreshes this often while there are several meters. */
const POLL_MS = 5000;

export const meters = signal<readonly MeterSummaryDto[]>([]);
/** Selected meter id, or null for the default (first) meter. */
export const selectedMeter = signal<string | null>(readStored());

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (privacy settings): the selection lasts for this page only
  }
}

/** A relative API or WebSocket URL for the selected meter. */
export function withMeter(url: string, meter: string | null = selectedMeter.value): string {
  if (meter === null) return url;
  return `${url}${url.includes('?') ? '&' : '?'}meter=${encodeURIComponent(meter)}`;
}

export function selectMeter(id: string): void {
  // the first meter is the default: keep its URLs free of the parameter
  const next = meters.value[0]?.id === id ? null : id;
  if (next === selectedMeter.value) return;
  try {
    if (next === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not persisted; still switched
  }
  selectedMeter.value = next;
}

/** The id of the meter on screen (the first one when none is selected). */
export function shownMeterId(): string | null {
  return selectedMeter.value ?? meters.value[0]?.id ?? null;
}

async function refresh(): Promise<void> {
  const res = await fetch('api/meters', { cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const list = ((await res.json()) as MetersDto).meters;
  meters.value = list;
  // a stored meter that the options no longer have: back to the default
  if (selectedMeter.value !== null && !list.some((m) => m.id === selectedMeter.value)) selectMeter(list[0]?.id ?? '');
}

/** Loads the meters, and keeps the overview current while there are two or more. */
export function watchMeters(): void {
  const tick = (): void => {
    refresh().then(
      () => {
        if (meters.value.length > 1) setTimeout(tick, POLL_MS);
      },
      () => setTimeout(tick, POLL_MS * 2),
    );
  };
  tick();
}
