/**
 * Positional payload layouts: pushes that carry values without OBIS codes (protocol.md §6). Each layout is
 * data: the exact sequence of body values (nested structures flattened) and what each position means.
 * A push matches a layout only when every position has the expected type, so layouts cannot be confused.
 */
import type { DlmsType } from '../axdr/decode.js';

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
    // From the offsets of a published Netz Burgenland reader (tosog/nbsm): the clock is in the notification
    // header, voltages are whole volts, currents in 1/100 A. No capture was available to check it against.
    id: 'burgenland-e450',
    description: 'Netz Burgenland optical interface (L+G E450): U L1–L3, I L1–L3, ±P, ±A (clock in the header)',
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
    ],
  },
];
