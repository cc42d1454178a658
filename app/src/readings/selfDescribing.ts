/**
 * Pushes that carry their own capture-object list, so every value is named by the push itself.
 *
 * 1. Self-describing (L+G E450/E570 CII pushes: Swiss operators, Energie Klagenfurt, Cyprus; HDLC + GBT):
 *
 *      02 M                                       structure of M elements
 *        01 K                                     array of K capture_object_definition (Blue Book, push setup
 *          02 04 12 cc cc  09 06 <6 bytes>  0F aa  12 dd dd     attribute 3: class-id, logical name,
 *          …                                      attribute index, data index)
 *        <value> …                                one value per capture object
 *
 *    When the first capture object is the push setup's own attribute 2 (class 40, `push_object_list`), the
 *    array IS its value and M = K; otherwise the values follow the array and M = K + 1. Any other count is
 *    LAYOUT_UNKNOWN (scs/smartmeter-datacollector tests/testdata/lg_e450.py, lg_e570.py).
 *
 * 2. Compact descriptors (Sagemcom XT211 on the Czech ČEZ / PRE / EG.D RS-485 interface): each value comes
 *    with its attribute descriptor written WITHOUT A-XDR type tags:
 *
 *      02 02  16 ee  01 N                         structure{enum, array of N}
 *        02 02  cc cc  <6 bytes OBIS>  aa  <tagged value>     structure(2): class-id (u16), logical name,
 *        …                                        attribute (u8), then an ordinary A-XDR value
 *
 *    (esphome-libs/dlms_parser tests/dumps/raw_sagecom_xt211.log and raw_egd_example.log, the latter from
 *    the EG.D document "ega_2025_komunikacni_rozhrani_rs485"). The leading enum's meaning is not stated in
 *    those sources (it is 1 in both); it is read and ignored.
 *
 * Mapping (both forms): class 8 (clock) attribute 2 is the push time, class 40 (push setup) is no reading,
 * class 3/4 (register, extended register) attribute 2 and class 5 (demand register) attribute 2/3 are values
 * whose scaler is attribute 3 (class 5: 4) of the same object — applied when the push captures it too.
 * Without it the value is published raw, without a unit and marked `unscaled`: no public source states the
 * default scalers per meter type in a way the push lets us identify (the L+G E450 and E570 send the same
 * FLAG id and list, yet smartmeter-datacollector's captures show 1-0:1.7.0 in W on the E450 and in 0.01 W
 * on the E570), so a guessed scaler would be a wrong number. Class 1 (data) attribute 2 and the value
 * attributes of other classes (disconnect control, limiter) are published as they are.
 */
import { berSize, berValue, readBerLength } from '../shared/ber.js';
import { MeterError, type DetailId, type ParamsArg } from '../shared/errors.js';
import { COMPACT_DESCRIPTOR_LENGTH } from '../dlms/axdr/compactDescriptors.js';
import { TAG } from '../dlms/axdr/decode.js';
import { collectLeaves, Leaves, SCALER_UNIT } from '../dlms/axdr/leaves.js';
import { typeSignature } from '../dlms/axdr/signature.js';
import { finish, View } from './extract.js';
import { formatObis } from '../dlms/obis.js';
import { quantityOf } from './quantities.js';
import type { ExtractedReadings, Reading, Readings } from './readings.js';
import { applyScaler, unitSymbol } from './units.js';

/** What both strategies read: the plaintext, the notification body's range, the decoder's leaves, the header clock. */
type BodyArgs = [b: Uint8Array, bodyStart: number, end: number, leaves: Leaves, headerTime: string | null];

const CLASS_DATA = 1;
const CLASS_REGISTER = 3;
const CLASS_EXTENDED_REGISTER = 4;
const CLASS_DEMAND_REGISTER = 5;
const CLASS_CLOCK = 8;
const CLASS_PUSH_SETUP = 40;
const PUSH_OBJECT_LIST = 2;

interface Descriptor {
  readonly classId: number;
  /** Offset of the 6 logical-name bytes in the buffer. */
  readonly obisAt: number;
  readonly attribute: number;
  readonly dataIndex: number;
}

/**
 * The A-XDR element count at `pos`, packed as shared/ber.ts readBerLength packs it (berValue / berSize: one
 * number, no tuple and no module state), or -1 when malformed or longer than two length bytes.
 */
function countAt(b: Uint8Array, pos: number, end: number): number {
  const packed = readBerLength(b, pos, end);
  return packed < 0 || berSize(packed) > 3 ? -1 : packed;
}

/** Tagged capture_object_definition: 02 04 12 cc cc 09 06 <6> 0F aa 12 dd dd (18 bytes). */
const TAGGED_DESCRIPTOR_LENGTH = 18;

function isTaggedDescriptor(b: Uint8Array, p: number, end: number): boolean {
  return (
    p + TAGGED_DESCRIPTOR_LENGTH <= end &&
    b[p] === TAG.structure &&
    b[p + 1] === 4 &&
    b[p + 2] === TAG.uint16 &&
    b[p + 5] === TAG.octetString &&
    b[p + 6] === 6 &&
    b[p + 13] === TAG.int8 &&
    b[p + 15] === TAG.uint16
  );
}

/** Collects the readings of descriptor → value pairs; one per push. */
class Assembler {
  readonly readings: Readings = {};
  time: string | null = null;
  private readonly scalers = new Map<string, [number, number]>();
  skipped = 0;

  constructor(readonly v: View) {}

  /** Maps the value in leaf `i` to what descriptor `d` names. */
  add(d: Descriptor, i: number): void {
    const v = this.v;
    const tag = v.l.tag[i]!;
    if (d.classId === CLASS_PUSH_SETUP) return; // the list itself or the push setup's name: not a reading
    const obis = v.l.obisTexts.format(v.b, d.obisAt);
    if (d.classId === CLASS_CLOCK) {
      if (d.attribute !== 2) return;
      const clock = v.clock(i);
      if (clock === null) throw new MeterError('DATETIME_INVALID', 'clock_obis', { obis, value: tag === SCALER_UNIT ? 'structure' : v.hex(i) });
      this.time ??= clock;
      return;
    }
    if (d.dataIndex !== 0) {
      // one element of an array attribute (selective access): which element it is cannot be published safely
      this.skipped++;
      return;
    }
    const isRegister = d.classId === CLASS_REGISTER || d.classId === CLASS_EXTENDED_REGISTER || d.classId === CLASS_DEMAND_REGISTER;
    const scalerAttribute = d.classId === CLASS_DEMAND_REGISTER ? 4 : 3;
    if (isRegister && d.attribute === scalerAttribute) {
      if (tag !== SCALER_UNIT) throw new MeterError('LAYOUT_UNKNOWN', 'scaler_unit_shape', { obis });
      this.scalers.set(obis, [v.l.num[i]!, v.l.start[i]!]);
      return;
    }
    const isValue = isRegister ? d.attribute === 2 || (d.classId === CLASS_DEMAND_REGISTER && d.attribute === 3) : d.attribute >= 2;
    if (!isValue || tag === SCALER_UNIT || this.readings[obis] !== undefined) {
      this.skipped++;
      return;
    }
    const reading = v.reading(obis, i, -1);
    if (reading === null) {
      this.skipped++;
      return;
    }
    // a number without its scaler: a register's raw content, or a data object holding a physical quantity
    const raw = typeof reading.value === 'number' && (isRegister || (d.classId === CLASS_DATA && quantityOf(obis) !== null));
    this.readings[obis] = raw ? { value: reading.value, unscaled: true } : reading;
  }

  /** Applies the scalers the push captured itself; the rest stays unscaled. */
  done(layout: string, reason: string, headerTime: string | null): ExtractedReadings {
    let unscaled = 0;
    for (const obis in this.readings) {
      const r: Reading = this.readings[obis]!;
      if (!r.unscaled) continue;
      const su = this.scalers.get(obis);
      if (su === undefined) {
        unscaled++;
        continue;
      }
      const value = applyScaler(r.value as number, su[0]);
      const unit = unitSymbol(su[1]);
      this.readings[obis] = unit ? { value, unit } : { value };
    }
    const notes = [reason];
    if (unscaled > 0) notes.push(`${unscaled} without scaler (unscaled)`);
    if (this.skipped > 0) notes.push(`${this.skipped} not published`);
    return finish(this.readings, this.time ?? headerTime, null, layout, notes.join(', '));
  }
}

/** Collects the single value at `pos` into leaf `leaves.count - 1`; returns the position after it, or -1. */
function oneValue(b: Uint8Array, pos: number, end: number, leaves: Leaves): number {
  const before = leaves.count;
  const after = collectLeaves(b, pos, end, leaves);
  return leaves.count === before + 1 ? after : -1;
}

/**
 * A self-describing push at `bodyStart`, or null when the body does not start with a capture-object list.
 * Throws LAYOUT_UNKNOWN (with the body's type signature) when it does but the rest does not fit.
 */
export function extractSelfDescribing(...[b, bodyStart, end, leaves, headerTime]: BodyArgs): ExtractedReadings | null {
  // cheap prefix test first: 02 M 01 K 02 04 12 …
  if (b[bodyStart] !== TAG.structure) return null;
  const elementsField = countAt(b, bodyStart + 1, end);
  if (elementsField < 0) return null;
  const elements = berValue(elementsField);
  const arrayAt = bodyStart + 1 + berSize(elementsField);
  if (b[arrayAt] !== TAG.array) return null;
  const countField = countAt(b, arrayAt + 1, end);
  if (countField < 0) return null;
  const count = berValue(countField);
  const listStart = arrayAt + 1 + berSize(countField);
  if (count <= 0 || !isTaggedDescriptor(b, listStart, end)) return null;
  const unknown = <D extends DetailId<'LAYOUT_UNKNOWN'>>(detailId: D, ...params: ParamsArg<'LAYOUT_UNKNOWN', D>) =>
    new MeterError('LAYOUT_UNKNOWN', detailId, ...params).withSignature(typeSignature(b, bodyStart, end));

  const descriptors: Descriptor[] = new Array(count);
  let pos = listStart;
  for (let k = 0; k < count; k++) {
    if (!isTaggedDescriptor(b, pos, end)) throw unknown('descriptor_shape', { index: k + 1, count });
    descriptors[k] = {
      classId: (b[pos + 3]! << 8) | b[pos + 4]!,
      obisAt: pos + 7,
      attribute: (b[pos + 14]! << 24) >> 24,
      dataIndex: (b[pos + 16]! << 8) | b[pos + 17]!,
    };
    pos += TAGGED_DESCRIPTOR_LENGTH;
  }
  const first = descriptors[0]!;
  const listIsFirstValue = first.classId === CLASS_PUSH_SETUP && first.attribute === PUSH_OBJECT_LIST;
  const values = elements - 1;
  let firstValued: number;
  if (listIsFirstValue && values === count - 1) firstValued = 1;
  else if (!listIsFirstValue && values === count) firstValued = 0;
  else throw unknown('descriptor_count', { count, values });

  leaves.reset();
  const assembler = new Assembler(new View(b, leaves));
  for (let k = firstValued; k < count; k++) {
    if (pos >= end) throw unknown('ends_early', { index: k + 1, count });
    const next = oneValue(b, pos, end, leaves);
    if (next < 0) throw unknown('structure_value', { index: k + 1, obis: formatObis(b, descriptors[k]!.obisAt) });
    assembler.add(descriptors[k]!, leaves.count - 1);
    pos = next;
  }
  if (pos !== end) throw new MeterError('AXDR_INVALID', 'trailing_bytes', { bytes: end - pos });
  const reason = listIsFirstValue ? `${count} capture objects (the first is the list itself), ${values} values` : `${count} capture objects, ${values} values`;
  return assembler.done('self-describing', reason, headerTime);
}

const COMPACT_HEADER = COMPACT_DESCRIPTOR_LENGTH;

/**
 * A compact-descriptor push (Sagemcom XT211) at `bodyStart`, or null when the body does not have that exact
 * shape from its first to its last byte. decodeApdu tries it only when the ordinary A-XDR reading fails (not
 * A-XDR, or no known layout), so it can never take over a push another strategy reads.
 */
export function extractCompactDescriptors(...[b, bodyStart, end, leaves, headerTime]: BodyArgs): ExtractedReadings | null {
  // 02 02 16 ee 01 N
  if (b[bodyStart] !== TAG.structure || b[bodyStart + 1] !== 2 || b[bodyStart + 2] !== TAG.enum || b[bodyStart + 4] !== TAG.array) return null;
  const countField = countAt(b, bodyStart + 5, end);
  if (countField < 0) return null;
  const count = berValue(countField);
  if (count <= 0) return null;
  let pos = bodyStart + 5 + berSize(countField);
  leaves.reset();
  const assembler = new Assembler(new View(b, leaves));
  try {
    for (let k = 0; k < count; k++) {
      if (pos + COMPACT_HEADER >= end || b[pos] !== TAG.structure || b[pos + 1] !== 2) return null;
      const classId = (b[pos + 2]! << 8) | b[pos + 3]!;
      const attribute = b[pos + 10]!;
      if (classId === 0 || classId > 0xff || attribute === 0 || attribute > 32) return null;
      const next = oneValue(b, pos + COMPACT_HEADER, end, leaves);
      if (next < 0) return null;
      assembler.add({ classId, obisAt: pos + 4, attribute, dataIndex: 0 }, leaves.count - 1);
      pos = next;
    }
  } catch (e) {
    if (e instanceof MeterError) throw e;
    return null; // not A-XDR after a descriptor: not this shape
  }
  if (pos !== end) return null;
  return assembler.done('compact-descriptors', `${count} untagged descriptors with values`, headerTime);
}

