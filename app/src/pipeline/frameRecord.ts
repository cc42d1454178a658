/**
 * A decode result → the frame inspector's record (web/contract.ts FrameRecordDto): stage chips, annotated
 * hex blocks (link frames, APDU, plaintext) and the A-XDR tree with OBIS codes and scaled values.
 * Built only for pushes kept in the ring buffer, never on the decode hot path.
 */
import type { DecodeResult } from '../decoder/types.js';
import { parseDataNotification } from '../dlms/apdu/dataNotification.js';
import type { GloCiphered } from '../dlms/apdu/gloCiphering.js';
import { parseDateTime } from '../dlms/axdr/dateTime.js';
import type { DlmsValue } from '../dlms/axdr/decode.js';
import { formatObis, isValueObis } from '../dlms/obis/obis.js';
import type { Readings } from '../dlms/obis/readings.js';
import { describeFrame } from '../framing/describe.js';
import { isEncryptedMbusFrame, isMbusApplicationFrame } from '../framing/mbus/mbusFrame.js';
import { AMIS_RECORDS } from '../mbus/amisRecords.js';
import { walkRecords } from '../mbus/records.js';
import type { LinkFrame } from '../framing/types.js';
import { toHex } from '../shared/hex.js';
import type {
  FrameRecordDto,
  HexBlockDto,
  HexFieldDto,
  ReadingDto,
  StageDto,
  StageId,
  StageStatus,
  TreeNodeDto,
} from '../web/contract.js';

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

const frameTitle = (f: LinkFrame, i: number, n: number) =>
  `${f.framing === 'mbus' ? 'M-Bus frame' : f.framing === 'hdlc' ? 'HDLC frame' : f.framing === 'dsmr' ? 'DSMR telegram' : 'APDU without link layer'}${n > 1 ? ` ${i + 1} of ${n}` : ''}`;

function fieldKind(label: string): HexFieldDto['kind'] {
  if (/checksum|HCS|FCS/i.test(label)) return 'checksum';
  if (/^(start|stop|flag)$/.test(label)) return 'flag';
  if (/data|information|APDU/i.test(label)) return 'payload';
  return 'header';
}

function cipherFields(c: GloCiphered, apdu: Uint8Array, manufacturer: string | null): HexFieldDto[] {
  const sc = c.securityControl;
  const scText = `suite ${sc & 0x0f}${sc & 0x20 ? ', encrypted' : ''}${sc & 0x10 ? ', authenticated (tag)' : ', no tag'}`;
  const fields: HexFieldDto[] = [
    { start: 0, length: 1, label: 'general-glo-ciphering', value: 'tag 0xDB', kind: 'header' },
    { start: 1, length: 1, label: 'system title length', kind: 'header' },
    { start: 2, length: 8, label: 'system title', value: manufacturer ? `${manufacturer} ${toHex(c.systemTitle, 3)}` : toHex(c.systemTitle), kind: 'title' },
    { start: 10, length: c.scAt - 10, label: 'length', value: `${apdu.length - c.scAt} bytes`, kind: 'header' },
    { start: c.scAt, length: 1, label: 'security control', value: `0x${sc.toString(16).padStart(2, '0')}: ${scText}`, kind: 'security' },
    { start: c.scAt + 1, length: 4, label: 'frame counter', value: String(c.frameCounter), kind: 'counter' },
    { start: c.cipherStart, length: c.cipherEnd - c.cipherStart, label: 'ciphertext', kind: 'ciphertext' },
  ];
  if (c.tag) fields.push({ start: c.cipherEnd, length: c.tag.length, label: 'authentication tag', kind: 'tag' });
  return fields;
}

function plaintextFields(p: Uint8Array): HexFieldDto[] {
  // M-Bus records after the 2F 2F verification bytes (AMIS), DSMR text starts with '/' (also 0x2F)
  if (p[0] === 0x2f && p[1] === 0x2f) return [{ start: 0, length: p.length, label: 'M-Bus data records (DIF/VIF)', kind: 'payload' }];
  if (p[0] !== 0x0f || p.length < 6) return [{ start: 0, length: p.length, label: p[0] === 0x2f ? 'DSMR telegram' : 'payload', kind: 'payload' }];
  const fields: HexFieldDto[] = [
    { start: 0, length: 1, label: 'data-notification', value: 'tag 0x0F', kind: 'header' },
    { start: 1, length: 4, label: 'invoke id and priority', kind: 'header' },
  ];
  let at = 5;
  if (p[at] === 0x0c && p.length >= at + 13) {
    fields.push({ start: at, length: 13, label: 'date-time', value: parseDateTime(p, at + 1)?.iso ?? 'not plausible', kind: 'counter' });
    at += 13;
  } else if (p[at] === 0x09 && p[at + 1] === 0x0c && p.length >= at + 14) {
    fields.push({ start: at, length: 14, label: 'date-time', value: parseDateTime(p, at + 2)?.iso ?? 'not plausible', kind: 'counter' });
    at += 14;
  } else if (p[at] === 0x00) {
    fields.push({ start: at, length: 1, label: 'date-time', value: 'absent', kind: 'counter' });
    at += 1;
  }
  if (at < p.length) fields.push({ start: at, length: p.length - at, label: 'notification body (A-XDR)', kind: 'payload' });
  return fields;
}

/** DIF/VIF records of a decrypted M-Bus application frame, each labelled with its meaning from the AMIS table. */
function mbusRecordFields(p: Uint8Array): HexFieldDto[] {
  let records;
  try {
    records = walkRecords(p, 0, p.length);
  } catch {
    return [{ start: 0, length: p.length, label: 'M-Bus data records (DIF/VIF, not parseable)', kind: 'payload' }];
  }
  const fields: HexFieldDto[] = [{ start: 0, length: 2, label: 'verification bytes', value: '2F 2F', kind: 'security' }];
  for (const r of records) {
    const m = AMIS_RECORDS[r.header];
    const headerLength = r.dataAt - r.at;
    fields.push({ start: r.at, length: headerLength, label: 'DIF/VIF', value: r.header, kind: 'header' });
    fields.push({ start: r.dataAt, length: r.dataLength, label: m ? `${m.obis} ${m.name}` : 'record not in the table (left out)', kind: 'payload' });
  }
  return fields;
}

const clip = (b: Uint8Array) => (b.length > MAX_BLOCK_BYTES ? b.subarray(0, MAX_BLOCK_BYTES) : b);

function blocksOf(result: DecodeResult, manufacturer: string | null): HexBlockDto[] {
  const t = result.trace;
  const blocks: HexBlockDto[] = [];
  if (t.discarded) {
    blocks.push({
      title: `${t.discarded.bytes.length} skipped bytes (${t.discarded.reason})`,
      hex: toHex(clip(t.discarded.bytes)),
      fields: [],
    });
  }
  t.frames.forEach((f, i) => {
    const fields = describeFrame(f).map((d) => ({ ...d, kind: fieldKind(d.label) }) as HexFieldDto);
    blocks.push({ title: frameTitle(f, i, t.frames.length), hex: toHex(clip(f.bytes)), fields });
  });
  if (t.frames.some(isMbusApplicationFrame)) {
    // AMIS: the frame block already shows the transport header; after a crypto failure the "plaintext" is noise
    if (t.plaintext && (result.ok || result.error.stage !== 'crypto')) {
      blocks.push({ title: 'Decrypted M-Bus data records', hex: toHex(clip(t.plaintext)), fields: mbusRecordFields(t.plaintext) });
    }
    return blocks;
  }
  if (t.apdu && (t.frames.length > 1 || (t.frames[0]?.framing !== 'raw' && t.frames[0]?.framing !== 'dsmr') || t.cipher)) {
    const fields = t.cipher ? cipherFields(t.cipher, t.apdu, manufacturer) : plaintextFields(t.apdu);
    blocks.push({ title: t.cipher ? 'APDU (general-glo-ciphering)' : 'APDU', hex: toHex(clip(t.apdu)), fields });
  }
  if (t.plaintext && t.cipher) {
    blocks.push({ title: 'Decrypted data-notification', hex: toHex(clip(t.plaintext)), fields: plaintextFields(t.plaintext) });
  }
  return blocks;
}

function scaledText(obis: string, readings: Readings): string | undefined {
  const r = readings[obis];
  if (!r) return undefined;
  return r.unit ? `${r.value} ${r.unit}` : String(r.value);
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
          const scaled = scaledText(obis, readings);
          children[i + 1] = { ...children[i + 1]!, obis, ...(key ? { key } : {}), ...(scaled ? { scaled } : {}) };
        }
      });
      return { type: `${v.type}(${v.items.length})`, children };
    }
    case 'octet-string': {
      const bytes = v.bytes;
      const text = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b <= 0x7e) ? ` "${Buffer.from(bytes).toString('latin1')}"` : '';
      const clock = bytes.length === 12 ? parseDateTime(bytes) : null;
      return { type: `octet-string(${bytes.length})`, raw: toHex(bytes) + text, ...(clock ? { scaled: clock.iso } : {}) };
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
    default:
      return { type: v.type, raw: String(v.value) };
  }
}

function readingsOf(readings: Readings, keyOf: KeyOf): ReadingDto[] {
  // unscaled raw values (readings.ts) are no registry quantity: no key, so no panel tile shows them as V, A, W …
  return Object.entries(readings).map(([obis, r]) =>
    r.unscaled ? { obis, key: null, value: r.value, unit: null, unscaled: true as const } : { obis, key: keyOf(obis), value: r.value, unit: r.unit ?? null },
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
  /** Plausibility rejection (code: detail), or null. */
  readonly rejected: { readonly code: string; readonly detail: string } | null;
}

export function toFrameRecord(input: RecordInput, keyOf: KeyOf): FrameRecordDto {
  const { result, rejected } = input;
  const t = result.trace;
  const manufacturer = result.ok ? result.push.meter.manufacturer : null;
  const readings = result.ok ? result.push.readings : {};
  const error = rejected
    ? { stage: 'layout' as const, code: rejected.code, message: `${rejected.code}: implausible values, push dropped (${rejected.detail})`, detail: rejected.detail }
    : result.ok
      ? null
      : {
          stage: result.error.stage,
          code: result.error.code,
          message: result.error.message,
          detail: result.error.detail,
          ...(result.error.signature === undefined ? {} : { signature: result.error.signature }),
        };
  return {
    id: input.id,
    at: input.at.toISOString(),
    ok: result.ok && !rejected,
    framing: t.frames[0]?.framing ?? null,
    stages: stagesOf(result, rejected ? rejected.code : null),
    error,
    blocks: blocksOf(result, manufacturer),
    tree: treeOf(t.plaintext, readings, keyOf),
    security: t.cipher
      ? {
          systemTitle: toHex(t.cipher.systemTitle),
          manufacturer: result.ok ? result.push.meter.manufacturer : null,
          securityControl: t.cipher.securityControl,
          frameCounter: t.cipher.frameCounter,
          tag: t.tag,
        }
      : null,
    readings: readingsOf(readings, keyOf),
  };
}

/** The raw bytes of a push as received (frames, or skipped bytes), for the capture download. */
export function rawBytesOf(result: DecodeResult): Uint8Array {
  const t = result.trace;
  if (t.discarded) return t.discarded.bytes;
  return Uint8Array.from(Buffer.concat(t.frames.map((f) => f.bytes)));
}

export { readingsOf };
