/**
 * Notification body → readings. Three strategies (protocol.md §6 "A decoder needs three payload strategies"):
 * 1. OBIS-tagged: the body's leaves (nested structures flattened, see axdr/leaves.ts) are paired as
 *    "octet-string(6) OBIS, value, optional {scaler, unit}" (Netz NÖ flat triples, TINETZ/Salzburg nested
 *    triples, L+G E450 pairs without scaler, Aidon arrays). Values without a code are recognised by type:
 *    a date-time is the clock, a text after the first position is the meter number.
 *    Only a consistent shape is paired (see extractTagged): never "any 6-byte string and whatever follows".
 * 2. Positional layouts from `layouts.ts` when the body carries no value OBIS codes.
 * 3. DSMR telegrams are handled before this (see dsmr.ts); pushes with their own capture-object list
 *    (self-describing, compact descriptors) before it too (see selfDescribing.ts).
 */
import { MeterError } from '../shared/errors.js';
import { toHex } from '../shared/hex.js';
import { isNumberTag, TAG } from '../dlms/axdr/tags.js';
import { Leaves, SCALER_UNIT, TYPE_OF_TAG } from '../dlms/axdr/leaves.js';
import { POSITIONAL_LAYOUTS, type PositionalLayout, type Slot } from './layouts.js';
import { applyListConvention } from './listScalings.js';
import { isValueObis, OBIS_CLOCK, OBIS_METER_NUMBER } from '../dlms/obis.js';
import { canonicalReading } from './normalise.js';
import { implausibleAs, QUANTITY_BY_CD } from './quantities.js';
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { RepeatedShape } from './repeatedShape.js';
import { applyScaler, unitSymbol } from './units.js';

const utf8 = new TextDecoder('utf-8');

/** Text of printable ASCII bytes, or null. */
function asText(bytes: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null;
  let text = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return null;
    text += String.fromCharCode(b);
  }
  return text;
}

/** Reads the leaves of one body out of the bytes they were collected from. */
export class View {
  constructor(
    readonly b: Uint8Array,
    readonly l: Leaves,
  ) {}

  isObis(i: number): boolean {
    return this.l.tag[i] === TAG.octetString && isValueObis(this.b, this.l.start[i]!, this.l.length(i));
  }

  clock(i: number): string | null {
    const tag = this.l.tag[i];
    if ((tag === TAG.octetString || tag === TAG.dateTime) && this.l.length(i) === 12) {
      return this.l.clocks.iso(this.b, this.l.start[i]!);
    }
    return null;
  }

  /** The OBIS code of leaf i (an octet-string of 6 bytes). */
  obis(i: number): string {
    const start = this.l.start[i]!;
    const known = this.l.obisMemo.get(i, this.b, start);
    if (known !== undefined) return known;
    const text = this.l.obisTexts.format(this.b, start);
    this.l.obisMemo.set(i, this.b, start, text);
    return text;
  }

  text(i: number): string | null {
    const tag = this.l.tag[i]!;
    const start = this.l.start[i]!;
    const end = this.l.end[i]!;
    // octet and visible strings give the same text for the same bytes, so one memo serves both
    if (tag !== TAG.octetString && tag !== TAG.visibleString) return this.makeText(tag, start, end);
    const known = this.l.textMemo.get(i, this.b, start, end);
    if (known !== undefined) return known;
    const text = this.makeText(tag, start, end);
    // binary values (a clock, changing every push) fail fast in makeText and are not worth remembering
    if (text !== null) this.l.textMemo.set(i, this.b, start, end, text);
    return text;
  }

  private makeText(tag: number, start: number, end: number): string | null {
    if (tag === TAG.octetString || tag === TAG.visibleString) {
      // fixed-width texts padded with NUL bytes (L+G tariff name "RATE2\0\0\0")
      let textEnd = end;
      while (textEnd > start && this.b[textEnd - 1] === 0) textEnd--;
      return asText(this.b, start, textEnd);
    }
    if (tag === TAG.utf8String) {
      const s = utf8.decode(this.b.subarray(start, end));
      return /^[\x20-\x7e]+$/.test(s) ? s : null;
    }
    return null;
  }

  hex(i: number): string {
    return toHex(this.b, this.l.start[i]!, this.l.end[i]!);
  }

  /** A tagged value as a reading: numbers scaled, clocks as ISO text, strings as text (hex if binary). */
  reading(obis: string, i: number, su: number): Reading | null {
    const l = this.l;
    const tag = l.tag[i]!;
    if (isNumberTag(tag)) {
      const raw = l.num[i]!;
      if (su < 0) return { value: raw };
      const unit = unitSymbol(l.start[su]!);
      const value = applyScaler(raw, l.num[su]!);
      return unit ? { value, unit } : { value };
    }
    switch (tag) {
      case TAG.octetString:
      case TAG.dateTime: {
        const clock = this.clock(i);
        if (clock !== null) return { value: clock };
        if (obis === OBIS_CLOCK) throw new MeterError('DATETIME_INVALID', 'clock_value', { hex: this.hex(i) });
        return { value: this.text(i) ?? this.hex(i) };
      }
      case TAG.visibleString:
        return { value: this.text(i) ?? latin1(this.b, l.start[i]!, l.end[i]!) };
      case TAG.utf8String:
        return { value: utf8.decode(this.b.subarray(l.start[i]!, l.end[i]!)) };
      case TAG.boolean:
        return { value: l.num[i] ? 1 : 0 };
      case TAG.enum:
        return { value: l.num[i]! };
      default:
        return null;
    }
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Memos of the readings layer for one decoder (one meter): DecodeContext owns one, nothing is kept at module
 * level, so one meter's pushes never change what another meter's decode returns.
 */
export class ReadingsMemo {
  /** The shape of the last OBIS-tagged push, replayed for the next ones (repeatedShape.ts). */
  readonly shape: RepeatedShape;
  private reasonPairs = -1;
  private reasonScalerUnits = -1;
  private reasonText = '';

  /** @param replayShapes false: every push is read the full way (tests compare both ways, the bench measures both) */
  constructor(replayShapes = true) {
    this.shape = new RepeatedShape(replayShapes);
  }

  /** `14 OBIS-tagged values, 12 with {scaler, unit}`: a meter sends the same shape every push, so one string. */
  taggedReason(pairs: number, scalerUnits: number): string {
    if (this.reasonPairs !== pairs || this.reasonScalerUnits !== scalerUnits) {
      this.reasonPairs = pairs;
      this.reasonScalerUnits = scalerUnits;
      this.reasonText = `${pairs} OBIS-tagged values, ${scalerUnits} with {scaler, unit}`;
    }
    return this.reasonText;
  }
}

/**
 * The tagged strategy, only for a consistent shape: every OBIS code is followed directly (no structure or
 * array in between) by a leaf value, optionally by its {scaler, unit}; numbers without an OBIS code, or an
 * OBIS code inside a capture-object descriptor {class-id, OBIS, attribute, data index}, mean the push is
 * something else, and pairing anyway would publish e.g. the attribute index 2 as a reading.
 */
function extractTagged(v: View, memo: ReadingsMemo, headerTime: string | null): ExtractedReadings {
  const l = v.l;
  const n = l.count;
  const shape = memo.shape;
  const readings: Readings = {};
  let clock: string | null = null;
  let untaggedText: string | null = null;
  let pairs = 0;
  let scalerUnits = 0;
  let uncheckedQuantities = 0;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && l.tag[i + 1] !== SCALER_UNIT && v.isObis(i)) {
      const obis = v.obis(i);
      // the value's tag byte must come right after the OBIS bytes: nothing nested in between
      if (v.b[l.end[i]!] !== l.tag[i + 1]) throw new MeterError('LAYOUT_UNKNOWN', 'obis_without_value', { obis });
      if (i > 0 && l.tag[i - 1] === TAG.uint16 && l.tag[i + 1] === TAG.int8 && i + 2 < n && l.tag[i + 2] === TAG.uint16) {
        throw new MeterError('LAYOUT_UNKNOWN', 'obis_in_descriptor', { obis });
      }
      const su = i + 2 < n && l.tag[i + 2] === SCALER_UNIT && v.b[l.end[i + 1]!] === TAG.structure ? i + 2 : -1;
      const reading = v.reading(obis, i + 1, su);
      if (reading) readings[obis] = reading;
      pairs++;
      if (su >= 0) scalerUnits++;
      // plausibility right here for numbers with their own scaler (Netz NÖ, TINETZ …), from the leaves: the
      // common case costs a few comparisons and no lookup by string later
      const at = l.start[i]!;
      const d = v.b[at + 3]!;
      const q = v.b[at] === 1 && (d === 7 || d === 8) ? (QUANTITY_BY_CD[(d - 7) * 256 + v.b[at + 2]!] ?? null) : null;
      if (q !== null) {
        if (su < 0 || !reading) uncheckedQuantities++;
        else {
          // the common case: a number in the canonical unit (enum compared, no lookup) inside the range
          const value = reading.value;
          if (!(typeof value === 'number' && l.start[su] === q.unitCode && value >= q.min && value <= q.max)) {
            const implausible = implausibleAs(q, obis, reading, 'obis');
            if (implausible !== null) throw implausible;
            readings[obis] = canonicalReading(q, reading)!; // a unit other than the canonical one (`%`): normalise.ts
            shape.unfit();
          }
        }
      }
      shape.pair(v.b, l, obis, i + 1, su, reading, q);
      i += su >= 0 ? 2 : 1;
      continue;
    }
    const tag = l.tag[i]!;
    if (tag === SCALER_UNIT) throw new MeterError('LAYOUT_UNKNOWN', 'scaler_without_obis', { index: i + 1 });
    // values without an OBIS code (Netz NÖ: the clock first, the meter number last)
    const c = v.clock(i);
    if (c !== null) {
      clock ??= c;
      shape.untaggedClock(l, i);
      continue;
    }
    if (isNumberTag(tag)) throw new MeterError('LAYOUT_UNKNOWN', 'number_without_obis', { index: i + 1 });
    // a text in first place is a list identifier (Kamstrup "Kamstrup_V0001", Kaifa "KFM_001"), not a meter number
    if (i > 0 && untaggedText === null) untaggedText = v.text(i);
  }
  shape.counted({ pairs, scalerUnits, uncheckedQuantities }, untaggedText);
  return taggedResult(readings, clock, headerTime, untaggedText, memo, pairs, scalerUnits, uncheckedQuantities);
}

/** The tagged strategy's result from its readings, clocks, texts and counts (the full way and the replay). */
function taggedResult(
  readings: Readings,
  clock: string | null,
  headerTime: string | null,
  untaggedText: string | null,
  memo: ReadingsMemo,
  pairs: number,
  scalerUnits: number,
  uncheckedQuantities: number,
): ExtractedReadings {
  const time = (readings[OBIS_CLOCK]?.value as string | undefined) ?? clock ?? headerTime;
  addUntagged(readings, time, untaggedText);
  const reason = memo.taggedReason(pairs, scalerUnits);
  return uncheckedQuantities === 0
    ? { readings, time, layout: 'obis', reason, scalerUnits, plausibilityChecked: true }
    : { readings, time, layout: 'obis', reason, scalerUnits };
}

/**
 * The repeated-shape path (repeatedShape.ts): the readings of a push whose body at `bodyStart` has the shape of
 * the last OBIS-tagged push read the full way, or null (then read it the full way: collectLeaves, then
 * extractReadings). Where it gives a result, it is the one the full way gives.
 */
export function replayTagged(bytes: Uint8Array, bodyStart: number, leaves: Leaves, headerTime: string | null, memo: ReadingsMemo): ExtractedReadings | null {
  const values = memo.shape.replay(bytes, bodyStart, leaves.clocks);
  if (values === null) return null;
  const s = values.shape;
  const result = taggedResult(values.readings, values.clock, headerTime, s.untaggedText, memo, s.pairs, s.scalerUnits, s.uncheckedQuantities);
  // the list convention depends on fixed bytes only, so it left the learnt push alone and leaves this one alone
  return applyListConvention(result, s.firstText) === result ? result : null;
}

/** Adds the clock and the untagged meter number where the push has no tagged ones. */
function addUntagged(readings: Readings, time: string | null, meterNumber: string | null): void {
  if (time !== null && !readings[OBIS_CLOCK]) readings[OBIS_CLOCK] = { value: time };
  if (meterNumber !== null && !readings[OBIS_METER_NUMBER]) readings[OBIS_METER_NUMBER] = { value: meterNumber };
}

/** The result of a strategy: the readings with the clock and untagged meter number added. */
export function finish(readings: Readings, time: string | null, meterNumber: string | null, layout: string, reason: string): ExtractedReadings {
  addUntagged(readings, time, meterNumber);
  return { readings, time, layout, reason };
}

function slotMatches(slot: Slot, v: View, i: number): boolean {
  const type = TYPE_OF_TAG[v.l.tag[i]!];
  switch (slot.kind) {
    case 'clock':
      return v.clock(i) !== null;
    case 'value':
      return type !== undefined && slot.types.includes(type);
    case 'text':
      return v.text(i) !== null;
    case 'skip':
      if (type === undefined || !slot.types.includes(type)) return false;
      return slot.hex === undefined || (v.l.tag[i] === TAG.octetString && v.hex(i) === slot.hex);
  }
}

const positionalReasonText = (layout: PositionalLayout) => `positional layout ${layout.id}: ${layout.slots.length} values of the expected types`;

/** The reason text of each positional layout, made once when the module loads and never changed (no string per push). */
const POSITIONAL_REASONS: ReadonlyMap<PositionalLayout, string> = new Map(POSITIONAL_LAYOUTS.map((layout) => [layout, positionalReasonText(layout)]));

function positionalReason(layout: PositionalLayout): string {
  return POSITIONAL_REASONS.get(layout) ?? positionalReasonText(layout);
}

function extractPositional(layout: PositionalLayout, v: View, headerTime: string | null): ExtractedReadings {
  const readings: Readings = {};
  let clock: string | null = null;
  layout.slots.forEach((slot, i) => {
    switch (slot.kind) {
      case 'clock':
        clock = v.clock(i);
        break;
      case 'value': {
        const value = applyScaler(v.l.num[i]!, slot.scaler);
        readings[slot.obis] = slot.unit ? { value, unit: slot.unit } : { value };
        break;
      }
      case 'text':
        readings[slot.obis] = { value: v.text(i)! };
        break;
      case 'skip':
        break;
    }
  });
  return finish(readings, clock ?? headerTime, null, layout.id, positionalReason(layout));
}

/**
 * Turns the leaves of a data-notification body into readings.
 * @param bytes the buffer the leaves were collected from
 * @param headerTime ISO clock from the notification header (used when the body has none)
 * @param memo the decoder's readings memo (DecodeContext)
 * @param bodyStart where the body starts in `bytes` (it ends with them): given, the shape of an OBIS-tagged push
 *   is kept for `replayTagged`
 * @throws MeterError LAYOUT_UNKNOWN when the body has neither OBIS codes nor a known positional layout
 */
export function extractReadings(bytes: Uint8Array, leaves: Leaves, headerTime: string | null, memo = new ReadingsMemo(), bodyStart = -1): ExtractedReadings {
  const v = new View(bytes, leaves);
  const n = leaves.count;
  // list conventions (listScalings.ts): unscaled tagged lists named by their first, untagged value
  for (let i = 0; i + 1 < n; i++) {
    if (!v.isObis(i)) continue;
    memo.shape.begin();
    const firstText = n > 0 ? v.text(0) : null;
    const tagged = extractTagged(v, memo, headerTime);
    const result = applyListConvention(tagged, firstText);
    if (result === tagged && bodyStart >= 0) memo.shape.learn(bytes, bodyStart, firstText);
    return result;
  }
  for (const layout of POSITIONAL_LAYOUTS) {
    if (layout.slots.length === n && layout.slots.every((s, i) => slotMatches(s, v, i))) return extractPositional(layout, v, headerTime);
  }
  // the first values by type; the whole shape is in the error's signature (decodeApdu adds it)
  const shown = Math.min(n, 12);
  const shape = Array.from(leaves.tag.subarray(0, shown), (t) => (t === SCALER_UNIT ? 'scaler-unit' : (TYPE_OF_TAG[t] ?? t))).join(', ');
  throw new MeterError('LAYOUT_UNKNOWN', 'positional_unknown', { count: n, shape: `${shape}${n > shown ? ', …' : ''}` });
}
