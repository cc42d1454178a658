/**
 * What the records of a Netz Oberösterreich AMIS frame mean (Siemens TD-3511/TD-3512), keyed by DIB+VIB as on
 * the wire: Netz OÖ, "Technische Spezifikation: AMIS-Zähler Kundenschnittstelle" (05.11.2021), Tabelle 2, and its
 * note "Anmerkung zur Kodierung": every counter and power is an unsigned 32-bit integer; only the
 * Inkassozählwerk (1.128.0) is signed (two's complement).
 *
 * EN 13757-3 meaning of the headers, for reference: `03` energy Wh, `2B` power W, VIFE `3C` backward flow
 * (export), `FB` first extension table (`FB 82 73` reactive energy ×10⁻³ → varh, `FB 14` reactive power var),
 * DIFE `10` tariff 1, `FF 04` manufacturer specific. The units here are the spec's, not derived.
 *
 * A record whose header is not in the table is left out (listed in the layout reason for `decode --explain`),
 * never guessed.
 */
import { OBIS_CLOCK } from '../dlms/obis.js';

export type RecordMeaning =
  | { readonly kind: 'clock'; readonly obis: string; readonly name: string }
  | { readonly kind: 'number'; readonly obis: string; readonly name: string; readonly unit: string; readonly signed: boolean };

const number = (obis: string, name: string, unit: string, signed = false): RecordMeaning => ({ kind: 'number', obis, name, unit, signed });

export const AMIS_RECORDS: Readonly<Record<string, RecordMeaning>> = {
  '066D': { kind: 'clock', obis: OBIS_CLOCK, name: 'Datum+Uhrzeit (CP48)' },
  '0403': number('1-0:1.8.0', 'Zählerstand Energie A+', 'Wh'),
  '04833C': number('1-0:2.8.0', 'Zählerstand Energie A−', 'Wh'),
  '8410FB8273': number('1-0:3.8.1', 'Zählerstand Energie R+', 'varh'),
  '8410FB82F33C': number('1-0:4.8.1', 'Zählerstand Energie R−', 'varh'),
  '042B': number('1-0:1.7.0', 'momentane Wirkleistung P+', 'W'),
  '04AB3C': number('1-0:2.7.0', 'momentane Wirkleistung P−', 'W'),
  '04FB14': number('1-0:3.7.0', 'momentane Blindleistung Q+', 'var'),
  '04FB943C': number('1-0:4.7.0', 'momentane Blindleistung Q−', 'var'),
  '0483FF04': number('1-0:1.128.0', 'Inkassozählwerk', 'Wh', true),
};
