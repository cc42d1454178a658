import type { MeterIdentity } from './types.js';

/** Manufacturer FLAG ids (the first three bytes of a DLMS system title, DLMS UA FLAG register) → names. */
const MANUFACTURERS: Readonly<Record<string, string>> = {
  KFM: 'Kaifa',
  SAG: 'Sagemcom',
  LGZ: 'Landis+Gyr',
  ISK: 'Iskraemeco',
  SMS: 'Siemens',
  KAM: 'Kamstrup',
  // M-Bus manufacturer code of the Netz OÖ AMIS meters (TD-3511/TD-3512 long header `2D 4C`)
  SAM: 'Siemens',
};

/** The manufacturer's name for a FLAG id; the id itself when it is not in the table; null without an id. */
export function manufacturerName(flag: string | null): string | null {
  return flag === null ? null : (MANUFACTURERS[flag] ?? flag);
}

/** The FLAG id in a system title (hex): its first three bytes when they are upper-case letters, else null. */
export function flagOfSystemTitle(systemTitle: string | null): string | null {
  if (systemTitle === null || !/^[0-9a-fA-F]{6}/.test(systemTitle)) return null;
  const flag = String.fromCharCode(...[0, 2, 4].map((i) => parseInt(systemTitle.slice(i, i + 2), 16)));
  return /^[A-Z]{3}$/.test(flag) ? flag : null;
}

/**
 * The meter identity with the manufacturer's name (from the FLAG id, else from the system title's first bytes),
 * built once by the decoder and used as is by every output: nothing downstream derives it again.
 */
export function meterIdentity(id: string | null, systemTitle: string | null, manufacturer: string | null): MeterIdentity {
  return { id, systemTitle, manufacturer, manufacturerName: manufacturerName(manufacturer ?? flagOfSystemTitle(systemTitle)) };
}
