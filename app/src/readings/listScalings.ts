/**
 * List conventions: OBIS-tagged pushes whose values carry no {scaler, unit}, keyed by the list identifier the
 * meter sends as the first, untagged value. Data, not code: which code a value really is (the meter's
 * channel-1 codes `1-1:…` become the usual `1-0:…` codes Home Assistant's entities use), its unit and its
 * scaler.
 *
 * Kamstrup (`Kamstrup_V0001`, Norway/Sweden HAN and Danish Omnipower): Kamstrup "HAN-NVE interface
 * description" rev 3.1 (§2.7.1, copy in UtilitechAS/amsreader-firmware doc/Norway/), applied in that
 * firmware's src/decoder/src/IEC6205675.cpp: power W / var, voltage 1 V, current 0.01 A, power factor 0.01,
 * energy 0.01 kWh (10 Wh). Some Swedish and Danish meters were reconfigured to send the voltage with two
 * decimals (amsreader-firmware issue #970, frames/KamstrupOmnipower_Bornholm_DK_5digitVoltage_9sep25.log:
 * 0x56B7 = 221.99 V); the push does not say which, so the voltage scaler is the one that gives a mains voltage.
 *
 * Kaifa (`KFM_001`, Swedish MA304H4 list with OBIS codes): the same values as the Norwegian positional
 * KFM_001 lists (layouts.ts), tagged with 1-0 codes but still without scaler/unit: current mA, voltage 0.1 V
 * (toreamun/amshan tests/test_kaifa.py `se_list`: 6781 → 6.781 A, 2322 → 232.2 V). There the list id is the
 * value of 1-0:0.2.129 ("OBIS list version identifier", NVE) instead of an untagged first value.
 */
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { applyScaler } from './units.js';
import { OBIS_CLOCK, OBIS_METER_NUMBER } from '../dlms/obis.js';
import { OBIS_METER_TYPE } from './layouts.js';

export interface ListQuantity {
  readonly unit: string | null;
  /** Candidate scalers, first match wins; more than one only where meters differ without saying so. */
  readonly scalers: readonly number[];
  /** With several scalers: the range a non-zero scaled value must fall in for a scaler to be taken. */
  readonly range?: readonly [min: number, max: number];
}

export interface ListConvention {
  /** Exact text of the list identifier (first value of the push, no OBIS code). */
  readonly listId: string;
  /** Whole codes renamed as they are (meter number, meter type, clock). */
  readonly rename: Readonly<Record<string, string>>;
  /** `A-B:` prefix → `A-B:` prefix for the value codes, e.g. `1-1:` → `1-0:`. */
  readonly group: readonly [from: string, to: string];
  /** Quantity by `C.D.E` of the renamed code; numbers of codes not listed stay unscaled without unit. */
  readonly quantities: Readonly<Record<string, ListQuantity>>;
}

const W: ListQuantity = { unit: 'W', scalers: [0] };
const VAR: ListQuantity = { unit: 'var', scalers: [0] };
const A: ListQuantity = { unit: 'A', scalers: [-2] };
const V: ListQuantity = { unit: 'V', scalers: [0, -2], range: [80, 300] };
const WH: ListQuantity = { unit: 'Wh', scalers: [1] };
const VARH: ListQuantity = { unit: 'varh', scalers: [1] };
const PF: ListQuantity = { unit: null, scalers: [-2] };
const MILLI_A: ListQuantity = { unit: 'A', scalers: [-3] };
const DECI_V: ListQuantity = { unit: 'V', scalers: [-1] };

export const LIST_CONVENTIONS: readonly ListConvention[] = [
  {
    listId: 'Kamstrup_V0001',
    rename: {
      '1-1:0.0.5': OBIS_METER_NUMBER, // meter id (GS1 number), Norway/Sweden
      '1-1:0.0.1': OBIS_METER_NUMBER, // meter number, Danish Omnipower (uint32)
      '1-1:96.1.1': OBIS_METER_TYPE, // meter type, Norway/Sweden
      '0-1:1.0.0': OBIS_CLOCK,
    },
    group: ['1-1:', '1-0:'],
    quantities: {
      '1.7.0': W,
      '2.7.0': W,
      '3.7.0': VAR,
      '4.7.0': VAR,
      '21.7.0': W,
      '41.7.0': W,
      '61.7.0': W,
      '22.7.0': W,
      '42.7.0': W,
      '62.7.0': W,
      '31.7.0': A,
      '51.7.0': A,
      '71.7.0': A,
      '32.7.0': V,
      '52.7.0': V,
      '72.7.0': V,
      '13.7.0': PF,
      '33.7.0': PF,
      '53.7.0': PF,
      '73.7.0': PF,
      '1.8.0': WH,
      '2.8.0': WH,
      '3.8.0': VARH,
      '4.8.0': VARH,
      '21.8.0': WH,
      '41.8.0': WH,
      '61.8.0': WH,
      '22.8.0': WH,
      '42.8.0': WH,
      '62.8.0': WH,
    },
  },
  {
    listId: 'KFM_001',
    rename: {},
    group: ['1-0:', '1-0:'],
    quantities: {
      '1.7.0': W,
      '2.7.0': W,
      '3.7.0': VAR,
      '4.7.0': VAR,
      '31.7.0': MILLI_A,
      '51.7.0': MILLI_A,
      '71.7.0': MILLI_A,
      '32.7.0': DECI_V,
      '52.7.0': DECI_V,
      '72.7.0': DECI_V,
      '1.8.0': { unit: 'Wh', scalers: [0] },
      '2.8.0': { unit: 'Wh', scalers: [0] },
      '3.8.0': { unit: 'varh', scalers: [0] },
      '4.8.0': { unit: 'varh', scalers: [0] },
    },
  },
];

/** The NVE list version identifier, when the push tags it with an OBIS code (Aidon: 1-1, Kaifa SE: 1-0). */
const LIST_ID_CODES = ['1-0:0.2.129', '1-1:0.2.129'];

const BY_LIST_ID = new Map(LIST_CONVENTIONS.map((c) => [c.listId, c]));

function taggedListId(readings: Readings): string | null {
  for (const code of LIST_ID_CODES) {
    const value = readings[code]?.value;
    if (typeof value === 'string') return value;
  }
  return null;
}

/** The scaled value, or null when no candidate scaler gives a value in range (the reading is then left out). */
function scaled(raw: number, q: ListQuantity): number | null {
  if (q.scalers.length === 1 || raw === 0) return applyScaler(raw, q.scalers[0]!);
  for (const s of q.scalers) {
    const v = applyScaler(raw, s);
    if (!q.range || (v >= q.range[0] && v <= q.range[1])) return v;
  }
  return null;
}

function converted(reading: Reading, q: ListQuantity | undefined): Reading | null {
  if (typeof reading.value !== 'number' || reading.unit !== undefined || q === undefined) return reading;
  const value = scaled(reading.value, q);
  if (value === null) return null;
  return q.unit === null ? { value } : { value, unit: q.unit };
}

/**
 * Applies the convention of `listId` (the push's untagged first text, else its tagged 0.2.129 list id; if one
 * is known) to readings of an OBIS-tagged push: renames codes,
 * scales unscaled numbers and adds their unit. Readings that already carry a unit are left as they are.
 * The meter clock of the body (renamed to 0-0:1.0.0) becomes the push time.
 */
export function applyListConvention(extracted: ExtractedReadings, listId: string | null): ExtractedReadings {
  const id = listId ?? taggedListId(extracted.readings);
  const convention = id === null ? undefined : BY_LIST_ID.get(id);
  if (!convention) return extracted;
  const [from, to] = convention.group;
  const out: Readings = {};
  let bodyClock: string | null = null;
  for (const [code, reading] of Object.entries(extracted.readings)) {
    const renamed = convention.rename[code];
    if (renamed === OBIS_CLOCK && typeof reading.value === 'string') bodyClock = reading.value;
    if (renamed !== undefined) {
      out[renamed] = typeof reading.value === 'number' ? { value: String(reading.value) } : { value: reading.value };
      continue;
    }
    if (!code.startsWith(from)) {
      if (!(code in out)) out[code] = reading;
      continue;
    }
    const mapped = to + code.slice(from.length);
    const r = converted(reading, convention.quantities[code.slice(from.length)]);
    if (r !== null) out[mapped] = r;
  }
  if (bodyClock !== null) {
    out[OBIS_CLOCK] = { value: bodyClock };
    return { readings: out, time: bodyClock, layout: extracted.layout, reason: `${extracted.reason ?? 'OBIS-tagged'}; list convention ${id}` };
  }
  return { readings: out, time: extracted.time, layout: extracted.layout, reason: `${extracted.reason ?? 'OBIS-tagged'}; list convention ${id}` };
}
