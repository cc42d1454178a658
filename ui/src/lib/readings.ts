import type { ReadingDto } from '../api/contract.js';

/**
 * The value of the reading with a register key (the backend's readings layer names every known OBIS code once,
 * readings/registers.ts: `energy_import`, `voltage_l1` …; ReadingDto.key), or null. The panel never matches OBIS
 * text itself: which code is which quantity, and its unit, come decoded and normalised from the backend.
 */
export function byKey(readings: readonly ReadingDto[], key: string): number | null {
  for (const r of readings) {
    // an unscaled raw value (e.g. 9 for 0.09 A) has no key and is never shown as the quantity
    if (r.key === key && typeof r.value === 'number' && !r.unscaled) return r.value;
  }
  return null;
}

/** Register keys of the Live page's values. */
export const KEYS = {
  energyImport: 'energy_import',
  energyExport: 'energy_export',
  powerImport: 'power_import',
  powerExport: 'power_export',
  powerFactor: 'power_factor',
  phases: [
    { name: 'L1', voltage: 'voltage_l1', current: 'current_l1', pf: 'power_factor_l1' },
    { name: 'L2', voltage: 'voltage_l2', current: 'current_l2', pf: 'power_factor_l2' },
    { name: 'L3', voltage: 'voltage_l3', current: 'current_l3', pf: 'power_factor_l3' },
  ],
} as const;
