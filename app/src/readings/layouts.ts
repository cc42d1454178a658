/**
 * Positional payload layouts: pushes that carry values without OBIS codes (protocol.md §6). Each layout is
 * data: the exact sequence of body values (nested structures flattened) and what each position means.
 * A push matches a layout only when every position has the expected type, so layouts cannot be confused.
 */
import type { DlmsType } from '../dlms/axdr/decode.js';
import { OBIS_METER_NUMBER } from '../dlms/obis.js';

export type Slot =
  /** The meter clock as a 12-byte COSEM date-time (octet-string or date-time tag). */
  | { readonly kind: 'clock' }
  /** A number with a fixed OBIS code, scaler and unit. */
  | {
      readonly kind: 'value';
      readonly obis: string;
      readonly types: readonly DlmsType[];
      readonly scaler: number;
      readonly unit: string | null;
    }
  /** A string (octet-string or visible-string) with a fixed OBIS code, e.g. the meter number. */
  | { readonly kind: 'text'; readonly obis: string }
  /** A position that is read but not published; `hex` pins an exact octet-string (e.g. a list id). */
  | { readonly kind: 'skip'; readonly types: readonly DlmsType[]; readonly hex?: string };

export interface PositionalLayout {
  readonly id: string;
  /** Operators and meters known to send it, for the panel and the docs. */
  readonly description: string;
  readonly slots: readonly Slot[];
}

const U32: readonly DlmsType[] = ['uint32'];
const U16: readonly DlmsType[] = ['uint16'];
const U32_OR_U64: readonly DlmsType[] = ['uint32', 'uint64'];

/** Meter type / model text (NVE HAN lists: 0-0:96.1.7). */
export const OBIS_METER_TYPE = '0-0:96.1.7';
const STRING: readonly DlmsType[] = ['octet-string', 'visible-string', 'utf8-string'];
const ANY_SKIPPABLE: readonly DlmsType[] = [...STRING, 'null', 'uint8', 'uint16', 'uint32', 'enum'];

const value = (obis: string, unit: string | null, types = U32, scaler = 0): Slot => ({
  kind: 'value',
  obis,
  types,
  scaler,
  unit,
});

/** +A, −A, +R, −R (energy registers, Wh/varh). */
const ENERGY_4: readonly Slot[] = [
  value('1-0:1.8.0', 'Wh'),
  value('1-0:2.8.0', 'Wh'),
  value('1-0:3.8.0', 'varh'),
  value('1-0:4.8.0', 'varh'),
];
/** +P, −P (active power, W). */
const POWER_2: readonly Slot[] = [value('1-0:1.7.0', 'W'), value('1-0:2.7.0', 'W')];
/** +Q, −Q (reactive power, var). */
const REACTIVE_POWER_2: readonly Slot[] = [value('1-0:3.7.0', 'var'), value('1-0:4.7.0', 'var')];

/** Push-setup list identifier 0-6:25.9.0.255 that the P1 firmware of AM550/IM350 puts first. */
const P1_LIST_ID: Slot = { kind: 'skip', types: ['octet-string'], hex: '0006190900FF' };

/** The P1 push of AM550/IM350 (Kärnten, Wels): list id, meter number, time, date, ±A, ±R, ±P. */
const P1_VALUES: readonly Slot[] = [
  P1_LIST_ID,
  { kind: 'text', obis: '0-0:96.1.0' },
  { kind: 'skip', types: ['octet-string', 'time'] },
  { kind: 'skip', types: ['octet-string', 'date'] },
  ...ENERGY_4,
  ...POWER_2,
];

/**
 * Kaifa MA304 (3-phase) and MA105 (1-phase) on the Norwegian/Swedish HAN port (NVE "HAN-grensesnitt",
 * Kaifa "HAN OBIS codes KFM_001"): plain HDLC at 2400 8E1, values without OBIS codes, list id `KFM_001`
 * first. Resolutions as published there and applied by UtilitechAS/amsreader-firmware
 * src/decoder/src/IEC6205675.cpp (KFM_001 branch): power W / var, current mA, voltage 0.1 V, energy Wh / varh.
 * Lists: 1 = +P only (every 2 s), 2 = id, meter id, type, ±P, ±Q, I, U (every 10 s), 3 = list 2 + clock and
 * the cumulative ±A, ±R (every hour).
 */
const KFM_LIST_ID: Slot = { kind: 'skip', types: ['octet-string'], hex: '4B464D5F303031' }; // "KFM_001"
const KFM_HEAD: readonly Slot[] = [
  KFM_LIST_ID,
  { kind: 'text', obis: OBIS_METER_NUMBER },
  { kind: 'text', obis: OBIS_METER_TYPE },
  ...POWER_2,
  ...REACTIVE_POWER_2,
];
const KFM_1_PHASE: readonly Slot[] = [value('1-0:31.7.0', 'A', U32, -3), value('1-0:32.7.0', 'V', U32, -1)];
const KFM_3_PHASE: readonly Slot[] = [
  value('1-0:31.7.0', 'A', U32, -3),
  value('1-0:51.7.0', 'A', U32, -3),
  value('1-0:71.7.0', 'A', U32, -3),
  value('1-0:32.7.0', 'V', U32, -1),
  value('1-0:52.7.0', 'V', U32, -1),
  value('1-0:72.7.0', 'V', U32, -1),
];
/** Cumulative energies of list 3 (uint64 on transformer-rated MA304T4 per the operator breakdown in amsreader issue #242). */
const KFM_ENERGY: readonly Slot[] = [
  value('1-0:1.8.0', 'Wh', U32_OR_U64),
  value('1-0:2.8.0', 'Wh', U32_OR_U64),
  value('1-0:3.8.0', 'varh', U32_OR_U64),
  value('1-0:4.8.0', 'varh', U32_OR_U64),
];

const KAIFA_LAYOUTS: readonly PositionalLayout[] = [
  {
    id: 'kaifa-kfm001-list2-1p',
    description: 'Kaifa MA105 HAN list 2 (Norway/Sweden): KFM_001, meter id, type, ±P, ±Q, I, U',
    slots: [...KFM_HEAD, ...KFM_1_PHASE],
  },
  {
    id: 'kaifa-kfm001-list2-3p',
    description: 'Kaifa MA304 HAN list 2 (Norway/Sweden): KFM_001, meter id, type, ±P, ±Q, I L1–L3, U L1–L3',
    slots: [...KFM_HEAD, ...KFM_3_PHASE],
  },
  {
    id: 'kaifa-kfm001-list3-1p',
    description: 'Kaifa MA105 HAN list 3 (Norway/Sweden): list 2, clock, ±A, ±R',
    slots: [...KFM_HEAD, ...KFM_1_PHASE, { kind: 'clock' }, ...KFM_ENERGY],
  },
  {
    id: 'kaifa-kfm001-list3-3p',
    description: 'Kaifa MA304 HAN list 3 (Norway/Sweden): list 2, clock, ±A, ±R',
    slots: [...KFM_HEAD, ...KFM_3_PHASE, { kind: 'clock' }, ...KFM_ENERGY],
  },
  {
    // List 1 carries a single uint32 and no list id, so it is the one layout not pinned by a text. No other
    // known push is a lone unsigned number without an OBIS code.
    id: 'kaifa-kfm001-list1',
    description: 'Kaifa MA304/MA105 HAN list 1 (Norway/Sweden): +P only',
    slots: [value('1-0:1.7.0', 'W')],
  },
];

export const POSITIONAL_LAYOUTS: readonly PositionalLayout[] = [
  {
    id: 'wiener-netze-ir',
    description: 'Wiener Netze infrared interface (Iskraemeco AM550, L+G E450): clock, ±A, ±R, ±P, ±Q',
    slots: [{ kind: 'clock' }, ...ENERGY_4, ...POWER_2, ...REACTIVE_POWER_2],
  },
  {
    id: 'wiener-netze-ir-meter-id',
    description: 'Wiener Netze infrared interface (Siemens IM350): meter number, clock, ±A, ±R, ±P, ±Q',
    slots: [{ kind: 'text', obis: '0-0:96.1.0' }, { kind: 'clock' }, ...ENERGY_4, ...POWER_2, ...REACTIVE_POWER_2],
  },
  {
    id: 'p1-am550-im350',
    description: 'KNG-Kärnten Netz P1 (Iskraemeco AM550, Siemens IM350): list id, meter number, time, date, ±A, ±R, ±P, info text, info code',
    slots: [...P1_VALUES, { kind: 'skip', types: ANY_SKIPPABLE }, { kind: 'skip', types: ANY_SKIPPABLE }],
  },
  {
    id: 'p1-im350-short',
    description: 'eww / Netz Wels and other Siemens IM350 P1 pushes: list id, meter number, time, date, ±A, ±R, ±P',
    slots: P1_VALUES,
  },
  {
    // Netz Burgenland "Spezifikation Kundenschnittstelle E450" (korr. 2): 14 values without OBIS codes, the
    // clock is in the notification header. Checked against two real pushes (UtilitechAS/amsreader-firmware
    // issue #501, test/payloads/landis-gyr/gh501-1.hex and -2.hex, keys from that issue): uint16 volts,
    // uint16 1/100 A, uint32 W, uint32 Wh, uint16 angles, octet-string meter number.
    // The angles are whole degrees: with 29 W and 0.04 A / 0.26 A at 237 V on L2/L3, the raw 53 and 295
    // give 237 × (0.04 cos 53° + 0.26 cos 295°) = 31 W (raw/10 would give 63 W). The spec's order is
    // "Winkel Spannung L1 zu Strom L1" …, i.e. angle U(Lx) → I(Lx): IEC 62056-6-1 C = 81, E = 4 / 15 / 26.
    id: 'burgenland-e450',
    description: 'Netz Burgenland customer interface (L+G E450): U L1–L3, I L1–L3, ±P, ±A, angles U–I L1–L3, meter number',
    slots: [
      value('1-0:32.7.0', 'V', U16),
      value('1-0:52.7.0', 'V', U16),
      value('1-0:72.7.0', 'V', U16),
      value('1-0:31.7.0', 'A', U16, -2),
      value('1-0:51.7.0', 'A', U16, -2),
      value('1-0:71.7.0', 'A', U16, -2),
      ...POWER_2,
      value('1-0:1.8.0', 'Wh'),
      value('1-0:2.8.0', 'Wh'),
      value('1-0:81.7.4', '°', U16),
      value('1-0:81.7.15', '°', U16),
      value('1-0:81.7.26', '°', U16),
      { kind: 'text', obis: OBIS_METER_NUMBER },
    ],
  },
  ...KAIFA_LAYOUTS,
];
