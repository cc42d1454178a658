/**
 * Register keys: which stable key each known OBIS code (`A-B:C.D.E`) has, e.g. `1-0:1.8.0` → `energy_import`. The
 * readings layer knows which quantity an OBIS code is (quantities.ts: its unit and range); this table names it once
 * for everything downstream: the Home Assistant entity key and state JSON key (outputs/homeassistant/registry.ts
 * adds names, device classes and the published unit), the panel's reading key (ReadingDto.key) and the panel's
 * display names (ui/src/i18n, keyed by this key). Never rename a key: Home Assistant entity ids hang on it.
 * Order = entity order in the discovery payload.
 */
export const REGISTER_KEYS: ReadonlyArray<readonly [obis: string, key: string]> = [
  ['1-0:1.8.0', 'energy_import'],
  ['1-0:2.8.0', 'energy_export'],
  ['1-0:1.8.1', 'energy_import_t1'],
  ['1-0:1.8.2', 'energy_import_t2'],
  ['1-0:2.8.1', 'energy_export_t1'],
  ['1-0:2.8.2', 'energy_export_t2'],
  ['1-0:3.8.0', 'reactive_energy_import'],
  ['1-0:4.8.0', 'reactive_energy_export'],
  ['1-0:3.8.1', 'reactive_energy_import_t1'],
  ['1-0:3.8.2', 'reactive_energy_import_t2'],
  ['1-0:4.8.1', 'reactive_energy_export_t1'],
  ['1-0:4.8.2', 'reactive_energy_export_t2'],
  ['1-0:1.7.0', 'power_import'],
  ['1-0:2.7.0', 'power_export'],
  ['1-0:3.7.0', 'reactive_power_import'],
  ['1-0:4.7.0', 'reactive_power_export'],
  ['1-0:9.7.0', 'apparent_power_import'],
  ['1-0:10.7.0', 'apparent_power_export'],
  ['1-0:21.7.0', 'power_import_l1'],
  ['1-0:22.7.0', 'power_export_l1'],
  ['1-0:41.7.0', 'power_import_l2'],
  ['1-0:42.7.0', 'power_export_l2'],
  ['1-0:61.7.0', 'power_import_l3'],
  ['1-0:62.7.0', 'power_export_l3'],
  ['1-0:23.7.0', 'reactive_power_import_l1'],
  ['1-0:24.7.0', 'reactive_power_export_l1'],
  ['1-0:43.7.0', 'reactive_power_import_l2'],
  ['1-0:44.7.0', 'reactive_power_export_l2'],
  ['1-0:63.7.0', 'reactive_power_import_l3'],
  ['1-0:64.7.0', 'reactive_power_export_l3'],
  ['1-0:32.7.0', 'voltage_l1'],
  ['1-0:52.7.0', 'voltage_l2'],
  ['1-0:72.7.0', 'voltage_l3'],
  ['1-0:31.7.0', 'current_l1'],
  ['1-0:51.7.0', 'current_l2'],
  ['1-0:71.7.0', 'current_l3'],
  ['1-0:13.7.0', 'power_factor'],
  ['1-0:33.7.0', 'power_factor_l1'],
  ['1-0:53.7.0', 'power_factor_l2'],
  ['1-0:73.7.0', 'power_factor_l3'],
  ['1-0:14.7.0', 'frequency'],
  // Netz Oberösterreich AMIS (Siemens TD-3511/3512): "Inkassozählwerk", signed (AMIS spec Tabelle 2)
  ['1-0:1.128.0', 'inkasso_register'],
  // text registers: kept in the state JSON, shown on the device card rather than as entities
  ['0-0:96.1.0', 'meter_number'],
  ['0-0:42.0.0', 'device_name'],
  ['0-0:1.0.0', 'meter_time'],
];

const KEY_BY_OBIS: ReadonlyMap<string, string> = new Map(REGISTER_KEYS);

/** The stable key of an OBIS code, or null for codes no consumer knows (kept under the code itself). */
export function registerKey(obis: string): string | null {
  return KEY_BY_OBIS.get(obis) ?? null;
}
