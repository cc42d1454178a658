/**
 * A decode result → the frame inspector's record (contract/dto.ts FrameRecordDto): stage chips, annotated
 * hex blocks (link frames, APDU, plaintext) and the A-XDR tree with OBIS codes and scaled values.
 * Built only for pushes kept in the ring buffer, never on the decode hot path.
 */
import type { DecodeResult } from '../decoder/types.js';
import { parseDataNotification } from '../dlms/apdu/dataNotification.js';
import type { GloCiphered } from '../dlms/apdu/gloCiphering.js';
import { parseDateTime } from '../dlms/axdr/dateTime.js';
import type { DlmsValue } from '../dlms/axdr/decode.js';
import { formatObis, isValueObis } from '../dlms/obis.js';
import type { Readings } from '../readings/readings.js';
import { registerKey } from '../readings/registers.js';
import { describeFrame } from '../framing/describe.js';
import { isEncryptedMbusFrame, isMbusApplicationFrame } from '../framing/mbus/mbusFrame.js';
import { AMIS_RECORDS } from '../mbus/amisRecords.js';
import { walkRecords } from '../mbus/records.js';
import { toHex } from '../shared/hex.js';
import type {
  ErrorDto,
  FrameRecordDto,
  FrameSummaryDto,
  HexBlockDto,
  HexFieldDto,
  ReadingDto,
  StageDto,
  StageId,
  StageStatus,
  TreeNodeDto,
} from '../contract/dto.js';

/** Maps an OBIS code to the registry key of its quantity (energy_import …), injected by the composition root. */
export type KeyOf = (obis: string) => string | null;

const STAGES: readonly StageId[] = ['bytes', 'frames', 'checksum', 'decryption', 'structure', 'readings'];
const MAX_BLOCK_BYTES = 2048;

/** Where a failure sits in the chip row; `code` refines framing failures. */
function failedStage(result: DecodeResult, rejected: string | null): StageId | null {
  if (rejected) return 'readings';
  if (result.ok) return null;
  const { error, trace } = result;
  switch (error.stage) {
    case 'framing':
      if (error.code === 'FRAME_CHECKSUM') return 'checksum';
      return trace.discarded?.reason === 'checksum' ? 'checksum' : 'frames';
    case 'crypto':
      return 'decryption';
    case 'structure':
      return 'structure';
    case 'layout':
      return 'readings';
  }
}

function stagesOf(result: DecodeResult, rejected: string | null): StageDto[] {
  const failed = failedStage(result, rejected);
  const encrypted = result.trace.cipher !== null || (!result.ok && result.error.code === 'CRYPTO_NO_KEY') || result.trace.frames.some(isEncryptedMbusFrame);
  let reachedFailure = false;
  return STAGES.map((id) => {
    let status: StageStatus;
    if (reachedFailure) status = 'skip';
    else if (id === failed) {
      status = 'fail';
      reachedFailure = true;
    } else if (id === 'decryption' && !encrypted && result.trace.plaintext !== null) status = 'skip';
    else status = 'pass';
    return { id, status };
  });
}

const FRAME_BLOCK = { mbus: 'block_mbus', hdlc: 'block_hdlc', dsmr: 'block_dsmr', raw: 'block_raw' } as const;

/** Title codes of the hex blocks (translated by the panel). */
export const BLOCK_TITLES = [
  'block_skipped',
  'block_mbus',
  'block_hdlc',
  'block_dsmr',
  'block_raw',
  'block_apdu',
  'block_apdu_ciphered',
  'block_plaintext',
  'block_plaintext_invalid',
  'block_mbus_records',
] as const;

/** Field labels this file gives (the framers' labels are the spec's abbreviations and names, framing/describe.ts). */
export const FIELD_LABELS = [
  'general_glo_ciphering',
  'system_title_length',
  'system_title',
  'length',
  'security_control',
  'frame_counter',
  'ciphertext',
  'authentication_tag',
  'data_notification',
  'invoke_id',
  'date_time',
  'notification_body',
  'payload',
  'dsmr_telegram',
  'mbus_records',
  'mbus_records_unparseable',
  'verification_bytes',
  'dif_vif',
  'mbus_record',
  'mbus_record_unknown',
] as const;
type FieldLabel = (typeof FIELD_LABELS)[number];

const field = (start: number, length: number, label: FieldLabel, kind: HexFieldDto['kind'], more: Partial<HexFieldDto> = {}): HexFieldDto => ({
  start,
  length,
  label,
  kind,
  ...more,
});

function fieldKind(label: string): HexFieldDto['kind'] {
  if (/checksum|HCS|FCS/i.test(label)) return 'checksum';
  if (/^(start|stop|flag)$/.test(label)) return 'flag';
  if (/data|information|APDU/i.test(label)) return 'payload';
  return 'header';
}

function cipherFields(c: GloCiphered, apdu: Uint8Array, manufacturer: string | null): HexFieldDto[] {
  const sc = c.securityControl;
  const fields: HexFieldDto[] = [
    field(0, 1, 'general_glo_ciphering', 'header', { value: '0xDB' }),
    field(1, 1, 'system_title_length', 'header', { value: '8' }),
    field(2, 8, 'system_title', 'title', { value: manufacturer ? `${manufacturer} ${toHex(c.systemTitle, 3)}` : toHex(c.systemTitle) }),
    field(10, c.scAt - 10, 'length', 'header', { value: String(apdu.length - c.scAt), params: { bytes: apdu.length - c.scAt } }),
    // security control byte (DLMS Green Book 9.2.7.2.4.1): bits 0-3 suite, bit 4 authentication, bit 5 encryption
    field(c.scAt, 1, 'security_control', 'security', {
      value: `0x${sc.toString(16).padStart(2, '0')}`,
      params: { suite: sc & 0x0f, encrypted: sc & 0x20 ? 1 : 0, authenticated: sc & 0x10 ? 1 : 0 },
    }),
    field(c.scAt + 1, 4, 'frame_counter', 'counter', { value: String(c.frameCounter) }),
    field(c.cipherStart, c.cipherEnd - c.cipherStart, 'ciphertext', 'ciphertext'),
  ];
  if (c.tag) fields.push(field(c.cipherEnd, c.tag.length, 'authentication_tag', 'tag'));
  return fields;
}

function dateTimeField(p: Uint8Array, start: number, length: number, at: number): HexFieldDto {
  const iso = parseDateTime(p, at)?.iso;
  return field(start, length, 'date_time', 'counter', iso ? { value: iso } : { params: { state: 'implausible' } });
}

function plaintextFields(p: Uint8Array): HexFieldDto[] {
  // M-Bus records after the 2F 2F verification bytes (AMIS), DSMR text starts with '/' (also 0x2F)
  if (p[0] === 0x2f && p[1] === 0x2f) return [field(0, p.length, 'mbus_records', 'payload')];
  if (p[0] !== 0x0f || p.length < 6) return [field(0, p.length, p[0] === 0x2f ? 'dsmr_telegram' : 'payload', 'payload')];
  // data-notification (IEC 62056-6-2 / Green Book 9.5): tag 0x0F, long-invoke-id-and-priority (4), date-time, body
  const fields: HexFieldDto[] = [field(0, 1, 'data_notification', 'header', { value: '0x0F' }), field(1, 4, 'invoke_id', 'header')];
  let at = 5;
  if (p[at] === 0x0c && p.length >= at + 13) {
    fields.push(dateTimeField(p, at, 13, at + 1));
    at += 13;
  } else if (p[at] === 0x09 && p[at + 1] === 0x0c && p.length >= at + 14) {
    fields.push(dateTimeField(p, at, 14, at + 2));
    at += 14;
  } else if (p[at] === 0x00) {
    fields.push(field(at, 1, 'date_time', 'counter', { params: { state: 'absent' } }));
    at += 1;
  }
  if (at < p.length) fields.push(field(at, p.length - at, 'notification_body', 'payload'));
  return fields;
}

/** DIF/VIF records of a decrypted M-Bus application frame, each labelled with its meaning from the AMIS table. */
function mbusRecordFields(p: Uint8Array): HexFieldDto[] {
  let records;
  try {
    records = walkRecords(p, 0, p.length);
  } catch {
    return [field(0, p.length, 'mbus_records_unparseable', 'payload')];
  }
  const fields: HexFieldDto[] = [field(0, 2, 'verification_bytes', 'security', { value: '2F 2F' })];
  for (const r of records) {
    const m = AMIS_RECORDS[r.header];
    fields.push(field(r.at, r.dataAt - r.at, 'dif_vif', 'header', { value: r.header }));
    // the record's OBIS code is the technical value; records not in the table are left out of the readings
    fields.push(m ? field(r.dataAt, r.dataLength, 'mbus_record', 'payload', { value: m.obis }) : field(r.dataAt, r.dataLength, 'mbus_record_unknown', 'payload'));
  }
  return fields;
}

const clip = (b: Uint8Array) => (b.length > MAX_BLOCK_BYTES ? b.subarray(0, MAX_BLOCK_BYTES) : b);

function blocksOf(result: DecodeResult, manufacturer: string | null): HexBlockDto[] {
  const t = result.trace;
  const blocks: HexBlockDto[] = [];
  if (t.discarded) {
    blocks.push({
      title: { code: 'block_skipped', params: { bytes: t.discarded.bytes.length, reason: t.discarded.reason } },
      hex: toHex(clip(t.discarded.bytes)),
      fields: [],
    });
  }
  t.frames.forEach((f, i) => {
    const fields = describeFrame(f).map((d) => ({ ...d, kind: fieldKind(d.label) }) as HexFieldDto);
    blocks.push({ title: { code: FRAME_BLOCK[f.framing], params: { index: i + 1, count: t.frames.length } }, hex: toHex(clip(f.bytes)), fields });
  });
  if (t.frames.some(isMbusApplicationFrame)) {
    // AMIS: the frame block already shows the transport header; after a crypto failure the "plaintext" is noise
    if (t.plaintext && (result.ok || result.error.stage !== 'crypto')) {
      blocks.push({ title: { code: 'block_mbus_records' }, hex: toHex(clip(t.plaintext)), fields: mbusRecordFields(t.plaintext) });
    }
    return blocks;
  }
  if (t.apdu && (t.frames.length > 1 || (t.frames[0]?.framing !== 'raw' && t.frames[0]?.framing !== 'dsmr') || t.cipher)) {
    const fields = t.cipher ? cipherFields(t.cipher, t.apdu, manufacturer) : plaintextFields(t.apdu);
    blocks.push({ title: { code: t.cipher ? 'block_apdu_ciphered' : 'block_apdu' }, hex: toHex(clip(t.apdu)), fields });
  }
  if (t.plaintext && t.cipher) {
    // a failed decryption (wrong key) leaves random bytes: shown as the failed output, never as a data-notification
    const decrypted = result.ok || (result.error.stage !== 'crypto' && t.plaintext[0] === 0x0f);
    blocks.push(
      decrypted
        ? { title: { code: 'block_plaintext' }, hex: toHex(clip(t.plaintext)), fields: plaintextFields(t.plaintext) }
        : { title: { code: 'block_plaintext_invalid' }, hex: toHex(clip(t.plaintext)), fields: [], failed: true },
    );
  }
  return blocks;
}

function scaledOf(obis: string, readings: Readings): Pick<TreeNodeDto, 'value' | 'unit'> {
  const r = readings[obis];
  if (!r) return {};
  return { value: r.value, unit: r.unscaled ? null : (r.unit ?? null) };
}

function nodeOf(v: DlmsValue, readings: Readings, keyOf: KeyOf, depth = 0): TreeNodeDto {
  switch (v.type) {
    case 'array':
    case 'structure': {
      const children: TreeNodeDto[] = v.items.map((item) => nodeOf(item, readings, keyOf, depth + 1));
      // label values with the OBIS code that precedes them (flat Netz NÖ triples and nested structures alike),
      // but not inside a capture-object descriptor {class-id, OBIS, attribute, data index}: its next item is the
      // attribute index, not the value (self-describing pushes)
      const descriptor =
        v.items.length === 4 && v.items[0]!.type === 'uint16' && v.items[2]!.type === 'int8' && v.items[3]!.type === 'uint16';
      if (!descriptor) v.items.forEach((item, i) => {
        if (item.type === 'octet-string' && isValueObis(item.data, item.start, item.length) && i + 1 < v.items.length) {
          const obis = formatObis(item.data, item.start);
          const key = keyOf(obis) ?? undefined;
          children[i] = { ...children[i]!, obis };
          children[i + 1] = { ...children[i + 1]!, obis, ...(key ? { key } : {}), ...scaledOf(obis, readings) };
        }
      });
      return { type: `${v.type}(${v.items.length})`, children };
    }
    case 'octet-string': {
      const bytes = v.bytes;
      const text = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b <= 0x7e) ? ` "${Buffer.from(bytes).toString('latin1')}"` : '';
      const clock = bytes.length === 12 ? parseDateTime(bytes) : null;
      return { type: `octet-string(${bytes.length})`, raw: toHex(bytes) + text, ...(clock ? { time: clock.iso } : {}) };
    }
    case 'date-time':
    case 'date':
    case 'time':
      return { type: v.type, raw: toHex(v.bytes) };
    case 'bit-string':
      return { type: `bit-string(${v.bits})`, raw: toHex(v.bytes) };
    case 'null':
      return { type: 'null' };
    case 'int64':
    case 'uint64':
      return { type: v.type, raw: v.value.toString() };
    case 'boolean':
    case 'enum':
      return { type: v.type, raw: String(v.value) };
    default:
      return typeof v.value === 'number' ? { type: v.type, num: v.value } : { type: v.type, raw: String(v.value) };
  }
}

function readingsOf(readings: Readings): ReadingDto[] {
  // unscaled raw values (readings.ts) are no registry quantity: no key, so no panel tile shows them as V, A, W …
  return Object.entries(readings).map(([obis, r]) =>
    r.unscaled ? { obis, key: null, value: r.value, unit: null, unscaled: true as const } : { obis, key: registerKey(obis), value: r.value, unit: r.unit ?? null },
  );
}

/** The A-XDR tree of a data-notification, parsed again from the plaintext (only for the inspector). */
function treeOf(plaintext: Uint8Array | null, readings: Readings, keyOf: KeyOf): TreeNodeDto | null {
  if (!plaintext || plaintext[0] !== 0x0f) return null;
  try {
    return nodeOf(parseDataNotification(plaintext).body, readings, keyOf);
  } catch {
    return null; // not a parseable notification (e.g. wrong key): no tree to show
  }
}

export interface RecordInput {
  readonly id: number;
  readonly at: Date;
  readonly result: DecodeResult;
  /** Plausibility rejection (guard code, English detail for the log, params for the panel), or null. */
  readonly rejected: { readonly code: string; readonly detail: string; readonly params?: Readonly<Record<string, string | number>> } | null;
}

/**
 * The error of a push as the panel gets it: code, situation id and params (shared/errorCatalogue.ts), never English
 * prose. Guard rejections carry their params; decode failures their situation id and params as the technical detail.
 */
export function errorOf(input: Pick<RecordInput, 'result' | 'rejected'>): ErrorDto | null {
  const { result, rejected } = input;
  if (rejected) return { stage: 'layout', code: rejected.code, ...(rejected.params ? { params: rejected.params } : {}) };
  if (result.ok) return null;
  const e = result.error;
  return {
    stage: e.stage,
    code: e.code,
    detail: e.detailId,
    ...(Object.keys(e.params).length === 0 ? {} : { params: e.params }),
    ...(e.signature === undefined ? {} : { signature: e.signature }),
  };
}

/** The list entry of a push: no bytes, a few hundred bytes of JSON. */
export function toFrameSummary(input: RecordInput): FrameSummaryDto {
  const { result, rejected } = input;
  return {
    id: input.id,
    at: input.at.toISOString(),
    ok: result.ok && !rejected,
    framing: result.trace.frames[0]?.framing ?? null,
    stages: stagesOf(result, rejected ? rejected.code : null),
    error: errorOf(input),
    size: rawBytesOf(result).length,
  };
}

export function toFrameRecord(input: RecordInput, keyOf: KeyOf, summary: FrameSummaryDto = toFrameSummary(input)): FrameRecordDto {
  const { result } = input;
  const t = result.trace;
  const manufacturer = result.ok ? result.push.meter.manufacturer : null;
  const readings = result.ok ? result.push.readings : {};
  return {
    ...summary,
    blocks: blocksOf(result, manufacturer),
    tree: treeOf(t.plaintext, readings, keyOf),
    security: t.cipher
      ? {
          systemTitle: toHex(t.cipher.systemTitle),
          manufacturer,
          securityControl: t.cipher.securityControl,
          frameCounter: t.cipher.frameCounter,
          tag: t.tag,
        }
      : null,
    readings: readingsOf(readings),
    raw: toHex(rawBytesOf(result)),
  };
}

/** The raw bytes of a push as received (frames, or skipped bytes), for the capture download. */
export function rawBytesOf(result: DecodeResult): Uint8Array {
  const t = result.trace;
  if (t.discarded) return t.discarded.bytes;
  return Uint8Array.from(Buffer.concat(t.frames.map((f) => f.bytes)));
}

export { readingsOf };
