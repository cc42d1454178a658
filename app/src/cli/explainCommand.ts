/**
 * `decode --explain`: the layers of every push as text a user can paste into a bug report — link frames
 * with their header fields, the APDU, the security header, the A-XDR tree with byte offsets, the layout
 * chosen and why, and the readings or the error. Built on the frame inspector's field descriptions.
 * Key material never appears: only the system title, security byte and frame counter are shown.
 */
import { StreamDecoder } from '../decoder/StreamDecoder.js';
import type { DecodeResult } from '../decoder/types.js';
import { DATA_NOTIFICATION, parseNotificationHeader } from '../dlms/apdu/dataNotification.js';
import { outlineAxdr } from '../dlms/axdr/outline.js';
import { isMbusApplicationFrame } from '../framing/mbus/mbusFrame.js';
import { AMIS_RECORDS } from '../mbus/amisRecords.js';
import { walkRecords } from '../mbus/records.js';
import { toFrameRecord } from '../monitor/frameRecord.js';
import { toErrorRecord } from '../shared/errors.js';
import type { HexFieldDto, MessageDto } from '../contract/dto.js';
import type { DecodeOptions } from './decodeCommand.js';

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** English block titles for the CLI (the panel translates the same codes in ui/src/i18n). */
function blockTitle(title: MessageDto): string {
  const p = title.params ?? {};
  const of = Number(p.count) > 1 ? ` ${p.index} of ${p.count}` : '';
  switch (title.code) {
    case 'block_skipped':
      return `${p.bytes} skipped bytes (${p.reason})`;
    case 'block_mbus':
      return `M-Bus frame${of}`;
    case 'block_hdlc':
      return `HDLC frame${of}`;
    case 'block_dsmr':
      return `DSMR telegram${of}`;
    case 'block_raw':
      return `APDU without link layer${of}`;
    case 'block_apdu_ciphered':
      return 'APDU (general-glo-ciphering)';
    case 'block_plaintext':
      return 'Decrypted data-notification';
    case 'block_plaintext_invalid':
      return 'Decryption output: not a valid data-notification';
    default:
      return title.code === 'block_apdu' ? 'APDU' : title.code;
  }
}

/** A field in English: label codes with underscores read as words; params give the meaning of the value. */
function fieldText(f: HexFieldDto): string {
  const label = f.label.replace(/_/g, ' ');
  const p = f.params;
  let value = f.value ?? '';
  if (p && typeof p.suite === 'number') value = `${value}: suite ${p.suite}${p.encrypted ? ', encrypted' : ''}${p.authenticated ? ', authenticated (tag)' : ', no tag'}`;
  else if (p && typeof p.bytes === 'number') value = `${p.bytes} bytes`;
  else if (p?.state === 'absent') value = 'absent';
  else if (p?.state === 'implausible') value = 'not plausible';
  return value ? `${label}: ${value}` : label;
}

function fieldLines(fields: readonly HexFieldDto[]): string[] {
  return fields.map((f) => `    ${hex4(f.start)} +${f.length}  ${fieldText(f)}`);
}

function axdrLines(plaintext: Uint8Array): string[] {
  if (plaintext[0] !== DATA_NOTIFICATION) return [];
  let bodyStart: number;
  try {
    bodyStart = parseNotificationHeader(plaintext).bodyStart;
  } catch (e) {
    return [`  A-XDR: the data-notification header does not parse (${(e as Error).message})`];
  }
  return [
    '  A-XDR body (offsets in the data-notification):',
    ...outlineAxdr(plaintext, bodyStart).map((l) => `    ${hex4(l.offset)} ${'  '.repeat(l.depth)}${l.text}`),
  ];
}

/** The DIF/VIF records of a decrypted M-Bus application frame, with their meaning from the AMIS table. */
function mbusRecordLines(plaintext: Uint8Array): string[] {
  try {
    const records = walkRecords(plaintext, 0, plaintext.length);
    return [
      `  M-Bus data records (offsets in the plaintext; 2F 2F verification bytes ${plaintext[0] === 0x2f && plaintext[1] === 0x2f ? 'present' : 'missing'}):`,
      ...records.map((r) => {
        const m = AMIS_RECORDS[r.header];
        const meaning = m ? `${m.obis} ${m.name}${m.kind === 'number' ? ` (${m.signed ? 'signed' : 'unsigned'}, ${m.unit})` : ''}` : 'not in the table: left out';
        return `    ${hex4(r.at)} ${r.header.padEnd(14)} ${r.dataLength} data bytes  ${meaning}`;
      }),
    ];
  } catch (e) {
    return [`  M-Bus data records do not parse (${(e as Error).message})`];
  }
}

/** The explanation of one decode result, as lines. */
export function explainResult(result: DecodeResult, index: number): string[] {
  const record = toFrameRecord({ id: index, at: new Date(0), result, rejected: null }, () => null);
  const t = result.trace;
  const out: string[] = [];
  out.push(`push ${index}: ${result.ok ? 'ok' : `FAILED at ${result.error.stage}: ${result.error.code}`}`);
  out.push(`  stages: ${record.stages.map((s) => `${s.id} ${s.status}`).join(', ')}`);
  for (const block of record.blocks) {
    const bytes = block.hex.length / 2;
    out.push(`  ${blockTitle(block.title)} (${bytes} bytes)`);
    out.push(...fieldLines(block.fields));
  }
  if (record.security) {
    const s = record.security;
    out.push(
      `  security: system title ${s.systemTitle}${s.manufacturer ? ` (${s.manufacturer})` : ''}, security control 0x${s.securityControl
        .toString(16)
        .padStart(2, '0')}, frame counter ${s.frameCounter}, authentication tag ${s.tag}`,
    );
  }
  // after a crypto failure the "plaintext" is noise: an outline of it would only mislead
  if (t.plaintext && (result.ok || result.error.stage !== 'crypto')) {
    out.push(...(t.frames.some(isMbusApplicationFrame) ? mbusRecordLines(t.plaintext) : axdrLines(t.plaintext)));
  }
  if (result.ok) {
    const push = result.push;
    const why = (push as { reason?: string }).reason;
    out.push(`  layout: ${push.layout}${why ? ` (${why})` : ''}`);
    out.push(`  meter: ${push.meter.id ?? '-'}, time ${push.time ?? '-'}`);
    for (const [obis, r] of Object.entries(push.readings)) {
      out.push(`    ${obis.padEnd(12)} ${r.value}${r.unit ? ` ${r.unit}` : ''}`);
    }
  } else {
    const e = toErrorRecord(result.error);
    out.push(`  error: ${e.message}`);
    for (const [k, v] of Object.entries(e)) {
      if (k !== 'message' && k !== 'stage' && k !== 'code') out.push(`  ${k}: ${String(v)}`);
    }
  }
  return out;
}

/** Explains every push of a capture; one block of lines per push, separated by a blank line. */
export function explainCapture(bytes: Uint8Array, options: DecodeOptions): { text: string; anyOk: boolean } {
  const decoder = new StreamDecoder({ key: options.key, authKey: options.authKey, framing: options.framing });
  const results = [...decoder.push(bytes), ...decoder.flush()];
  const text = results.map((r, i) => explainResult(r, i + 1).join('\n')).join('\n\n');
  return { text: results.length ? `${text}\n` : 'no push found in the input\n', anyOk: results.some((r) => r.ok) };
}
