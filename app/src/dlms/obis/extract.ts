/**
 * DlmsValue body → readings. Three strategies (protocol.md §6 "A decoder needs three payload strategies"):
 * 1. OBIS-tagged: flatten nested structures and pair "octet-string(6) OBIS, value, optional {scaler, unit}"
 *    (Netz NÖ flat triples, TINETZ/Salzburg nested triples, L+G E450 pairs without scaler, Aidon arrays).
 *    Values without a code are recognised by type: a date-time is the clock, a text is the meter number.
 * 2. Positional layouts from `layouts.ts` when the body carries no value OBIS codes.
 * 3. DSMR telegrams are handled before this (see dsmr.ts).
 */
import { MeterError } from '../../shared/errors.js';
import { toHex } from '../../shared/hex.js';
import { parseDateTime } from '../axdr/dateTime.js';
import { numericValue, type DlmsValue } from '../axdr/decode.js';
import { POSITIONAL_LAYOUTS, type PositionalLayout, type Slot } from './layouts.js';
import { formatObis, isValueObis, OBIS_CLOCK, OBIS_METER_NUMBER } from './obis.js';
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { applyScaler, unitSymbol } from './units.js';

/** A flattened body element: a value, or a {scaler, unit} structure recognised while flattening. */
type Leaf = DlmsValue | { readonly type: 'scaler-unit'; readonly scaler: number; readonly unit: number };

function flatten(v: DlmsValue, out: Leaf[]): void {
  if (v.type === 'structure' || v.type === 'array') {
    const items = v.items;
    if (v.type === 'structure' && items.length === 2 && items[0]!.type === 'int8' && items[1]!.type === 'enum') {
      out.push({ type: 'scaler-unit', scaler: items[0]!.value, unit: items[1]!.value });
      return;
    }
    for (const item of items) flatten(item, out);
    return;
  }
  out.push(v);
}

const PRINTABLE = /^[\x20-\x7e]+$/;

/** Text of a printable octet string, or null. */
function asText(bytes: Uint8Array, start = 0, end = bytes.length): string | null {
  if (end <= start) return null;
  let text = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return null;
    text += String.fromCharCode(b);
  }
  return text;
}

function clockOf(leaf: Leaf): string | null {
  if (leaf.type === 'octet-string' && leaf.length === 12) return parseDateTime(leaf.data, leaf.start)?.iso ?? null;
  if (leaf.type === 'date-time') return parseDateTime(leaf.bytes)?.iso ?? null;
  return null;
}

function textOf(leaf: Leaf): string | null {
  if (leaf.type === 'octet-string') return asText(leaf.data, leaf.start, leaf.end);
  if (leaf.type === 'visible-string' || leaf.type === 'utf8-string') return PRINTABLE.test(leaf.value) ? leaf.value : null;
  return null;
}

/** A tagged value as a reading: numbers scaled, clocks as ISO text, strings as text (hex if binary). */
function toReading(obis: string, leaf: Leaf, scalerUnit: { scaler: number; unit: number } | null): Reading | null {
  const n = numericValue(leaf as DlmsValue);
  if (n !== null) {
    if (!scalerUnit) return { value: n };
    const unit = unitSymbol(scalerUnit.unit);
    const value = applyScaler(n, scalerUnit.scaler);
    return unit ? { value, unit } : { value };
  }
  switch (leaf.type) {
    case 'octet-string':
    case 'date-time': {
      const clock = clockOf(leaf);
      if (clock !== null) return { value: clock };
      if (obis === OBIS_CLOCK) throw new MeterError('DATETIME_INVALID', `clock value ${toHex(leaf.bytes)}`);
      return { value: textOf(leaf) ?? toHex(leaf.bytes) };
    }
    case 'visible-string':
    case 'utf8-string':
      return { value: leaf.value };
    case 'boolean':
      return { value: leaf.value ? 1 : 0 };
    case 'enum':
      return { value: leaf.value };
    default:
      return null;
  }
}

function extractTagged(leaves: Leaf[], headerTime: string | null): ExtractedReadings {
  const readings: Readings = {};
  let clock: string | null = null;
  let untaggedText: string | null = null;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const next = leaves[i + 1];
    if (leaf.type === 'octet-string' && next && next.type !== 'scaler-unit' && isValueObis(leaf.data, leaf.start, leaf.length)) {
      const obis = formatObis(leaf.data, leaf.start);
      const after = leaves[i + 2];
      const scalerUnit = after?.type === 'scaler-unit' ? after : null;
      i += scalerUnit ? 2 : 1;
      const reading = toReading(obis, next, scalerUnit);
      if (reading) readings[obis] = reading;
      continue;
    }
    // values without an OBIS code (Netz NÖ: the clock first, the meter number last)
    const c = clockOf(leaf);
    if (c !== null) {
      clock ??= c;
      continue;
    }
    // a text in first place is a list identifier (Kamstrup "Kamstrup_V0001", Kaifa "KFM_001"), not a meter number
    const text = i === 0 ? null : textOf(leaf);
    if (text !== null && untaggedText === null) untaggedText = text;
  }
  const time = (readings[OBIS_CLOCK]?.value as string | undefined) ?? clock ?? headerTime;
  return finish(readings, time, untaggedText, 'obis');
}

/** Adds the clock and the untagged meter number where the push has no tagged ones. */
function finish(readings: Readings, time: string | null, meterNumber: string | null, layout: string): ExtractedReadings {
  if (time !== null && !readings[OBIS_CLOCK]) readings[OBIS_CLOCK] = { value: time };
  if (meterNumber !== null && !readings[OBIS_METER_NUMBER]) readings[OBIS_METER_NUMBER] = { value: meterNumber };
  return { readings, time, layout };
}

function slotMatches(slot: Slot, leaf: Leaf): boolean {
  switch (slot.kind) {
    case 'clock':
      return clockOf(leaf) !== null;
    case 'value':
      return slot.types.includes(leaf.type as DlmsValue['type']);
    case 'text':
      return textOf(leaf) !== null;
    case 'skip':
      if (!slot.types.includes(leaf.type as DlmsValue['type'])) return false;
      return slot.hex === undefined || (leaf.type === 'octet-string' && toHex(leaf.bytes) === slot.hex);
  }
}

function extractPositional(layout: PositionalLayout, leaves: Leaf[], headerTime: string | null): ExtractedReadings {
  const readings: Readings = {};
  let clock: string | null = null;
  layout.slots.forEach((slot, i) => {
    const leaf = leaves[i]!;
    switch (slot.kind) {
      case 'clock':
        clock = clockOf(leaf);
        break;
      case 'value': {
        const value = applyScaler(numericValue(leaf as DlmsValue)!, slot.scaler);
        readings[slot.obis] = slot.unit ? { value, unit: slot.unit } : { value };
        break;
      }
      case 'text':
        readings[slot.obis] = { value: textOf(leaf)! };
        break;
      case 'skip':
        break;
    }
  });
  return finish(readings, clock ?? headerTime, null, layout.id);
}

/**
 * Turns a data-notification body into readings.
 * @param headerTime ISO clock from the notification header (used when the body has none)
 * @throws MeterError LAYOUT_UNKNOWN when the body has neither OBIS codes nor a known positional layout
 */
export function extractReadings(body: DlmsValue, headerTime: string | null): ExtractedReadings {
  const leaves: Leaf[] = [];
  flatten(body, leaves);
  let tagged = 0;
  for (let i = 0; i + 1 < leaves.length; i++) {
    const leaf = leaves[i]!;
    if (leaf.type === 'octet-string' && isValueObis(leaf.data, leaf.start, leaf.length)) tagged++;
  }
  if (tagged > 0) return extractTagged(leaves, headerTime);
  for (const layout of POSITIONAL_LAYOUTS) {
    if (layout.slots.length === leaves.length && layout.slots.every((s, i) => slotMatches(s, leaves[i]!))) {
      return extractPositional(layout, leaves, headerTime);
    }
  }
  const shape = leaves.map((l) => l.type).join(', ');
  throw new MeterError('LAYOUT_UNKNOWN', `${leaves.length} values without OBIS codes: ${shape}`);
}
