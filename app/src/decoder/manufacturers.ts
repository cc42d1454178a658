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

/** The manufacturer's name for a FLAG id; the id itself when it is not in the table. */
export function manufacturerName(flag: string): string {
  return MANUFACTURERS[flag] ?? flag;
}
