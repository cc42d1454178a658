import type { ReadingDto } from '../api/contract.js';

/**
 * Picks readings by OBIS value group C.D.E (any A-B), e.g. "1.8.0" for energy import. The OBIS code is the stable
 * identity that every Austrian push carries (or that the backend assigns positionally).
 */
export function byObis(readings: readonly ReadingDto[], cde: string): number | null {
  for (const r of readings) {
    const core = r.obis.replace(/^\d+-\d+:/, '').replace(/\*\d+$/, '');
    // an unscaled raw value (e.g. 9 for 0.09 A) is never shown as the quantity
    if (core === cde && typeof r.value === 'number' && !r.unscaled) return r.value;
  }
  return null;
}

/** Known quantities of the Live page by OBIS C.D.E. */
export const OBIS = {
  energyImport: '1.8.0',
  energyExport: '2.8.0',
  powerImport: '1.7.0',
  powerExport: '2.7.0',
  powerFactor: '13.7.0',
  phases: [
    { name: 'L1', voltage: '32.7.0', current: '31.7.0', pf: '33.7.0' },
    { name: 'L2', voltage: '52.7.0', current: '51.7.0', pf: '53.7.0' },
    { name: 'L3', voltage: '72.7.0', current: '71.7.0', pf: '73.7.0' },
  ],
} as const;
