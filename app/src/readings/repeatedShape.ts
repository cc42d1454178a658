/**
 * The repeated-shape path of the OBIS-tagged strategy. A meter sends the same shape in every push: the same
 * OBIS codes, types, lengths, scalers, units and texts at the same offsets; only its numbers and clocks change
 * (protocol.md §5: a Netz NÖ push every 5 s, the same 13 values). So after a push was read the full way
 * (A-XDR walk in leaves.ts, pairing in extract.ts), its shape is kept:
 * - the bytes every decision of the full way depends on ("fixed": tags, lengths, OBIS codes, {scaler, unit},
 *   texts), as 32-bit words of the push with the values' bytes masked out;
 * - one step per reading the full way made, in its order: where the value's bytes are and how they become the
 *   reading (scaler, unit, plausible range).
 * A later push of the same length whose fixed bytes are all equal walks the same way through the same leaves,
 * so only its values are read. The result is the one the full way gives (test/readings/repeatedShape.test.ts
 * compares both over random and mutated pushes). Everything off the ordinary path returns null and goes the
 * full way, which gives the error, the conversion or the other reading: a value outside its plausible range, a
 * clock that does not parse, any byte of the shape that differs.
 *
 * One per decoder (ReadingsMemo in extract.ts, held by the DecodeContext): one meter's shape never serves another.
 */
import { fixedSize, numberAt } from '../dlms/axdr/cursor.js';
import type { DateTimeMemo } from '../dlms/axdr/dateTime.js';
import { isNumberTag, TAG } from '../dlms/axdr/tags.js';
import type { Leaves } from '../dlms/axdr/leaves.js';
import type { QuantitySpec } from './quantities.js';
import type { Reading, Readings } from './readings.js';
import { applyScaler, unitSymbol } from './units.js';

/** How a step's bytes become its reading. */
const NUMBER = 0; // a number without {scaler, unit}: the raw value
const SCALED = 1; // a number with its own {scaler, unit}, checked against its quantity's range when it has one
const BOOLEAN = 2;
const ENUM = 3;
const CLOCK = 4; // a 12-byte date-time (octet-string or date-time tag)
const FIXED_TEXT = 5; // a text or hex value: its bytes are fixed, so the value is the one of the learnt push

interface Step {
  readonly kind: number;
  readonly obis: string;
  readonly tag: number;
  /** Offset of the value's content in the push. */
  readonly at: number;
  readonly scaler: number;
  readonly unit: string | null;
  /** SCALED: the quantity whose plausible range the value must be in (extract.ts checks the same). */
  readonly quantity: QuantitySpec | null;
  readonly text: string;
}

/** A learnt shape. */
export interface LearntShape extends TaggedCounts {
  readonly bytes: Uint8Array;
  readonly bodyStart: number;
  /**
   * The fixed bytes of the body as 32-bit words from `bodyStart` (little-endian, values masked out) and their
   * masks (0 over the bytes of values); the last `length % 4` bytes are compared one by one with `tailMask`.
   */
  readonly words: Int32Array;
  readonly masks: Int32Array;
  readonly tailMask: Uint8Array;
  /** The readings' keys in the full way's order (values null): each replay starts from a copy. */
  readonly keys: Readings;
  readonly steps: readonly Step[];
  /** Offsets of the clocks without an OBIS code, in leaf order. */
  readonly untaggedClocks: Int32Array;
  /** The full way's counts and texts for the result (extract.ts taggedResult). */
  readonly untaggedText: string | null;
  readonly firstText: string | null;
}

export interface TaggedCounts {
  readonly pairs: number;
  readonly scalerUnits: number;
  readonly uncheckedQuantities: number;
}

/** What a replayed push gives extract.ts, which makes the result the same way the full way does. */
export interface ReplayedValues {
  readonly readings: Readings;
  readonly clock: string | null;
  readonly shape: LearntShape;
}

export class RepeatedShape {
  private shape: LearntShape | null = null;
  // --- the recording of the push being read the full way ---------------------------------------------------
  private recording = false;
  private steps: Step[] = [];
  /** [from, to) ranges of the values (bytes that may change), in offset order. */
  private variable: number[] = [];
  private clocks: number[] = [];
  private counts: TaggedCounts = { pairs: 0, scalerUnits: 0, uncheckedQuantities: 0 };
  private untaggedText: string | null = null;
  /** Pushes read by replaying the learnt shape (the tests check that the replay was taken). */
  replayed = 0;

  constructor(private readonly enabled = true) {}

  /** extract.ts starts reading a push the full way with the tagged strategy. */
  begin(): void {
    this.recording = this.enabled;
    this.steps = [];
    this.variable = [];
    this.clocks = [];
  }

  /** The push cannot be replayed (a reading was converted): the full way stays the way for its shape. */
  unfit(): void {
    this.recording = false;
  }

  /**
   * extract.ts paired the OBIS code `obis` with leaf `i` of the body in `b` (and with the {scaler, unit} leaf `su`,
   * or -1) and made `reading` of it; `quantity` is the code's quantity (a physical quantity, quantities.ts).
   */
  pair(b: Uint8Array, l: Leaves, obis: string, i: number, su: number, reading: Reading | null, quantity: QuantitySpec | null): void {
    if (!this.recording || reading === null) return;
    const tag = l.tag[i]!;
    const at = l.start[i]!;
    if (isNumberTag(tag)) {
      const size = fixedSize(tag);
      if (su < 0) this.step(NUMBER, obis, tag, at, size, 0, null, null, '');
      else {
        // extract.ts checks a quantity's value quickly only in its canonical unit: anything else is converted
        if (quantity !== null && l.start[su] !== quantity.unitCode) return this.unfit();
        // no unit symbol (255 "count", unknown enums): a reading without unit, as extract.ts View.reading makes it
        this.step(SCALED, obis, tag, at, size, l.num[su]!, unitSymbol(l.start[su]!) || null, quantity, '');
      }
    } else if (tag === TAG.boolean || tag === TAG.enum) {
      if (quantity !== null && su >= 0) return this.unfit();
      this.step(tag === TAG.boolean ? BOOLEAN : ENUM, obis, tag, at, 1, 0, null, null, '');
    } else if (quantity !== null && su >= 0) {
      this.unfit(); // not a number where a number was due: extract.ts decides
    } else if ((tag === TAG.octetString || tag === TAG.dateTime) && l.end[i]! - at === 12 && l.clocks.iso(b, at) !== null) {
      // read as a clock (extract.ts View.clock), not as text or hex: its bytes change
      this.step(CLOCK, obis, tag, at, 12, 0, null, null, '');
    } else if (typeof reading.value === 'string') {
      this.step(FIXED_TEXT, obis, tag, at, 0, 0, null, null, reading.value);
    } else this.unfit();
  }

  /** extract.ts took leaf i, a date-time without an OBIS code, as a clock. */
  untaggedClock(l: Leaves, i: number): void {
    if (!this.recording) return;
    const at = l.start[i]!;
    this.clocks.push(at);
    this.variable.push(at, at + 12);
  }

  private step(kind: number, obis: string, tag: number, at: number, size: number, scaler: number, unit: string | null, quantity: QuantitySpec | null, text: string): void {
    this.steps.push({ kind, obis, tag, at, scaler, unit, quantity, text });
    if (size > 0) this.variable.push(at, at + size);
  }

  /** extract.ts read the whole body: its counts and its text without an OBIS code (the meter number). */
  counted(counts: TaggedCounts, untaggedText: string | null): void {
    this.counts = counts;
    this.untaggedText = untaggedText;
  }

  /**
   * The push read the full way gave this OBIS-tagged result (no list convention changed it): keep its shape.
   * `bytes[bodyStart, end)` is the body the leaves were collected from; `firstText` the text of its first leaf.
   */
  learn(bytes: Uint8Array, bodyStart: number, firstText: string | null): void {
    if (!this.recording) return;
    this.recording = false;
    const length = bytes.length - bodyStart;
    const mask = new Uint8Array(length).fill(0xff);
    for (let k = 0; k < this.variable.length; k += 2) mask.fill(0, this.variable[k]! - bodyStart, this.variable[k + 1]! - bodyStart);
    const copy = bytes.slice();
    const ref = new DataView(copy.buffer);
    const maskView = new DataView(mask.buffer);
    const wordCount = length >> 2;
    const words = new Int32Array(wordCount);
    const masks = new Int32Array(wordCount);
    for (let w = 0; w < wordCount; w++) {
      masks[w] = maskView.getInt32(4 * w, true);
      words[w] = ref.getInt32(bodyStart + 4 * w, true) & masks[w]!;
    }
    const keys: Record<string, null> = {};
    for (const step of this.steps) keys[step.obis] = null;
    this.shape = {
      bytes: copy,
      bodyStart,
      words,
      masks,
      tailMask: mask.slice(wordCount * 4),
      keys: keys as unknown as Readings,
      steps: this.steps,
      untaggedClocks: Int32Array.from(this.clocks),
      ...this.counts,
      untaggedText: this.untaggedText,
      firstText,
    };
  }

  /**
   * The values of a push whose body starts at `bodyStart`, if it has the learnt shape and every value is on the
   * ordinary path; else null (read it the full way).
   */
  replay(b: Uint8Array, bodyStart: number, clocks: DateTimeMemo): ReplayedValues | null {
    const shape = this.shape;
    if (shape === null || b.length !== shape.bytes.length || bodyStart !== shape.bodyStart) return null;
    // the fixed bytes, a word at a time (a DataView reads at any offset)
    const view = new DataView(b.buffer, b.byteOffset, b.length);
    const words = shape.words;
    const masks = shape.masks;
    for (let w = 0, at = bodyStart; w < words.length; w++, at += 4) if ((view.getInt32(at, true) & masks[w]!) !== words[w]) return null;
    const tail = shape.tailMask;
    const ref = shape.bytes;
    for (let k = 0, i = bodyStart + words.length * 4; k < tail.length; k++, i++) if (tail[k] !== 0 && b[i] !== ref[i]) return null;
    let clock: string | null = null;
    const untagged = shape.untaggedClocks;
    for (let k = 0; k < untagged.length; k++) {
      const c = clocks.iso(b, untagged[k]!);
      if (c === null) return null;
      clock ??= c;
    }
    const readings: Readings = { ...shape.keys };
    const steps = shape.steps;
    for (let k = 0; k < steps.length; k++) {
      const step = steps[k]!;
      let reading: Reading;
      switch (step.kind) {
        case SCALED: {
          const value = applyScaler(numberAt(b, step.tag, step.at), step.scaler);
          const q = step.quantity;
          if (q !== null && !(value >= q.min && value <= q.max)) return null;
          reading = step.unit === null ? { value } : { value, unit: step.unit };
          break;
        }
        case NUMBER:
          reading = { value: numberAt(b, step.tag, step.at) };
          break;
        case BOOLEAN:
          reading = { value: b[step.at] ? 1 : 0 };
          break;
        case ENUM:
          reading = { value: b[step.at]! };
          break;
        case CLOCK: {
          const c = clocks.iso(b, step.at);
          if (c === null) return null;
          reading = { value: c };
          break;
        }
        default:
          reading = { value: step.text };
      }
      readings[step.obis] = reading;
    }
    this.replayed++;
    return { readings, clock, shape };
  }
}
