/**
 * Every code the backend can send the panel has a translation in English and German (issue 11: "a test fails when
 * a code has no translation in either"). The codes come from the backend's own catalogues, so a code added there
 * without a translation fails here: the error catalogue (shared/errors.ts), the guard codes, the reader statuses,
 * the health layers' hint ids and detail codes, the frame inspector's block titles and field labels, the skipped-
 * bytes reasons, the error stages and the API's 4xx codes. Placeholders must name parameters the backend sends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { describeFrame } from '../../src/framing/describe.js';
import { StreamFramer } from '../../src/framing/StreamFramer.js';
import type { Readings } from '../../src/readings/readings.js';
import { GUARD_CODES, PlausibilityGuard, type GuardResult } from '../../src/judge/guards.js';
import { BLOCK_TITLES, FIELD_LABELS } from '../../src/monitor/frameRecord.js';
import { HINT_IDS, LAYER_MESSAGES, READER_STATUSES, STATUS_TEXT } from '../../src/monitor/health.js';
import { ERROR_CODES, codeInfo, type CatalogueCode, type ErrorLayer, type ErrorStage } from '../../src/shared/errors.js';
import { API_ERROR_CODES, type StageId } from '../../src/contract/dto.js';
import { panelMessages, type PanelMessages } from '../support/panelI18n.js';
import { ownCaptures, sharedVectors, streamOf } from '../support/vectors.js';

let en: PanelMessages;
let de: PanelMessages;
beforeAll(async () => {
  ({ en, de } = await panelMessages());
});

const langs = () => [
  ['en', en],
  ['de', de],
] as const;

const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** The parameters each guard code carries, taken from real rejections of the guard. */
function guardParams(): Record<string, readonly string[]> {
  const push = (wh: number, extra: Readings = {}): Readings => ({ '1-0:1.8.0': { value: wh, unit: 'Wh' }, '1-0:1.7.0': { value: 300, unit: 'W' }, ...extra });
  const failures: GuardResult[] = [];
  const g = new PlausibilityGuard();
  failures.push(g.check(push(1000, { '1-0:32.7.0': { value: 900, unit: 'V' } }), 0));
  g.check(push(1000), 0, 'A');
  g.check(push(1000), 5000, 'A');
  failures.push(g.check(push(500), 10_000, 'A'), g.check(push(1_000_000_000), 15_000, 'A'), g.check(push(1000), 20_000, 'B'));
  const out: Record<string, readonly string[]> = {};
  for (const f of failures) if (!f.ok) out[f.code] = Object.keys(f.params);
  expect(Object.keys(out).sort()).toEqual([...GUARD_CODES].sort());
  return out;
}
const BLOCK_PARAMS: Record<(typeof BLOCK_TITLES)[number], readonly string[]> = {
  block_skipped: ['bytes', 'reason'],
  block_mbus: ['index', 'count'],
  block_hdlc: ['index', 'count'],
  block_dsmr: ['index', 'count'],
  block_raw: ['index', 'count'],
  block_apdu: [],
  block_apdu_ciphered: [],
  block_plaintext: [],
  block_plaintext_invalid: [],
  block_mbus_records: [],
};
const API_PARAMS: Record<(typeof API_ERROR_CODES)[number], readonly string[]> = {
  KEY_FORMAT: ['field', 'digits'],
  REQUEST_INVALID: ['field'],
  FRAME_GONE: ['id'],
  NOT_FOUND: [],
  METER_UNKNOWN: ['meter'],
  HISTORY_NOT_KEPT: ['meter'],
  INGRESS_ONLY: [],
  SERVER_ERROR: [],
};
const ERROR_STAGES: readonly ErrorStage[] = ['framing', 'crypto', 'structure', 'layout'];
const STAGE_IDS: readonly StageId[] = ['bytes', 'frames', 'checksum', 'decryption', 'structure', 'readings'];
const DISCARD_REASONS = ['noise', 'checksum', 'truncated', 'unsupported'];

function expectTranslated(catalogue: Record<string, string>, codes: readonly string[], params: (code: string) => readonly string[], where: string): void {
  for (const code of codes) {
    const text = catalogue[code];
    expect(text, `${where}: ${code} has no translation`).toEqual(expect.any(String));
    expect(text!.trim(), `${where}: ${code} is empty`).not.toBe('');
    for (const name of placeholders(text!)) expect(params(code), `${where}: ${code} uses {${name}}, which the backend does not send`).toContain(name);
  }
}

describe('every backend code has an English and a German text', () => {
  it('decode error codes and guard codes (the sentence shown for a failed push or key test)', () => {
    const params = guardParams();
    for (const [lang, m] of langs()) {
      const decodeCodes = (Object.keys(ERROR_CODES) as CatalogueCode[]).filter((c) => codeInfo(c).stage !== undefined);
      expectTranslated(m.codes.errors, decodeCodes, () => [], `${lang} codes.errors`);
      expectTranslated(m.codes.errors, GUARD_CODES, (c) => params[c]!, `${lang} codes.errors`);
      expectTranslated(m.codes.errors, ['UNKNOWN'], () => [], `${lang} codes.errors`);
      expectTranslated(m.codes.stages, ERROR_STAGES, () => [], `${lang} codes.stages`);
      expectTranslated(m.frames.stages, STAGE_IDS, () => [], `${lang} frames.stages`);
    }
  });

  it('every code of the error catalogue (shared/errorCatalogue.ts) has its text in en and de, over the same parameters the backend sends', () => {
    // where the panel keeps a layer's texts
    const section = (m: PanelMessages, layer: ErrorLayer): Record<string, string> =>
      layer === 'transport' ? m.codes.hints : layer === 'api' ? m.codes.api : layer === 'store' ? m.history.problems : m.codes.errors;
    // the parameters a code is sent with: the placeholders of its situations' templates
    const sent = (code: string): string[] => [...new Set(Object.values(codeInfo(code as CatalogueCode).messages).flatMap(placeholders))];
    const codes = Object.keys(ERROR_CODES) as CatalogueCode[];
    expect(codes.length).toBeGreaterThanOrEqual(48);
    for (const code of codes) {
      const layer = codeInfo(code).layer;
      for (const [lang, m] of langs()) expectTranslated(section(m, layer), [code], sent, `${lang} ${layer} ${code}`);
      // both languages use the same parameters, so no value goes missing in one of them
      expect(placeholders(section(de, layer)[code]!).sort(), `${code}: de and en name different parameters`).toEqual(placeholders(section(en, layer)[code]!).sort());
    }
  });

  it('reader statuses: name and one sentence with cause and next step (the status line)', () => {
    for (const [lang, m] of langs()) {
      expectTranslated(m.health.readerStatus.names, READER_STATUSES, () => [], `${lang} readerStatus.names`);
      expectTranslated(m.health.readerStatus.advice, READER_STATUSES, () => [], `${lang} readerStatus.advice`);
    }
  });

  it('health layers: hint ids and detail codes with exactly the parameters the backend sends', () => {
    for (const [lang, m] of langs()) {
      expectTranslated(m.codes.hints, HINT_IDS, () => [], `${lang} codes.hints`);
      const layerCodes = Object.keys(LAYER_MESSAGES) as (keyof typeof LAYER_MESSAGES)[];
      expectTranslated(m.codes.layers, layerCodes, (c) => LAYER_MESSAGES[c as keyof typeof LAYER_MESSAGES], `${lang} codes.layers`);
      // and every parameter the backend sends is used, so no number goes missing in one language
      for (const code of layerCodes) expect(placeholders(m.codes.layers[code]!).sort(), `${lang} ${code}`).toEqual([...LAYER_MESSAGES[code]].sort());
    }
  });

  it('frame inspector: block titles, skipped-bytes reasons and field labels', () => {
    for (const [lang, m] of langs()) {
      expectTranslated(m.codes.blocks, BLOCK_TITLES, (c) => BLOCK_PARAMS[c as keyof typeof BLOCK_PARAMS], `${lang} codes.blocks`);
      expectTranslated(m.codes.reasons, DISCARD_REASONS, () => [], `${lang} codes.reasons`);
      expectTranslated(m.codes.fields, FIELD_LABELS, () => [], `${lang} codes.fields`);
    }
    // the framers' labels are translated, or are the spec's abbreviations (C, CI, HCS …) shown as they are
    const labels = new Set<string>();
    const framings = new Set<string>();
    for (const v of [...sharedVectors(), ...ownCaptures()]) {
      for (const e of new StreamFramer({ framing: v.framing === 'raw' ? 'raw' : 'auto' }).push(streamOf(v))) {
        if (e.type !== 'frame') continue;
        framings.add(e.framing);
        for (const f of describeFrame(e)) labels.add(f.label);
      }
    }
    // a bare APDU is framed only at the end of a burst (idle flush): its one label from a frame made here
    const raw = Uint8Array.from([0x0f, 0, 0, 0, 1, 0, 0x02, 0]);
    for (const bytes of [raw, Uint8Array.from([0xdb, ...raw])]) {
      for (const f of describeFrame({ type: 'frame', framing: 'raw', bytes, payloadStart: 0, payloadEnd: bytes.length, segment: 0, final: true })) labels.add(f.label);
    }
    expect([...framings].sort()).toEqual(['dsmr', 'hdlc', 'mbus']);
    for (const label of labels) {
      if (/^[A-Z]{1,5}$/.test(label)) continue;
      for (const [lang, m] of langs()) expect(m.codes.fields[label], `${lang}: framer label "${label}"`).toEqual(expect.any(String));
    }
  });

  it('API answers (4xx codes and the field names they carry)', () => {
    for (const [lang, m] of langs()) {
      expectTranslated(m.codes.api, API_ERROR_CODES, (c) => API_PARAMS[c as keyof typeof API_PARAMS], `${lang} codes.api`);
      expectTranslated(m.codes.apiFields, ['key', 'authKey'], () => [], `${lang} codes.apiFields`);
    }
  });

  it('German sentences are German: none equals its English text or the backend English text for Home Assistant', () => {
    const english = new Set([...Object.values(STATUS_TEXT), ...Object.values(ERROR_CODES).map((c) => c.hint)]);
    const pairs: [string, Record<string, string>, Record<string, string>][] = [
      ['errors', en.codes.errors, de.codes.errors],
      ['hints', en.codes.hints, de.codes.hints],
      ['layers', en.codes.layers, de.codes.layers],
      ['advice', en.health.readerStatus.advice, de.health.readerStatus.advice],
      ['api', en.codes.api, de.codes.api],
    ];
    for (const [where, a, b] of pairs) {
      for (const [code, text] of Object.entries(b)) {
        expect(text, `de ${where}.${code} is the English text`).not.toBe(a[code]);
        expect(english.has(text), `de ${where}.${code}`).toBe(false);
      }
    }
  });
});
