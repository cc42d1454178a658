/**
 * The error catalogue (shared/errorCatalogue.ts) is complete and its messages are built from code + params:
 * - every code the backend emits anywhere in app/src (thrown, returned as a verdict or liveness problem, answered by
 *   the API, set as a source status, kept as a history problem) is in the catalogue, found by scanning the source;
 * - the lists other modules keep (guard, watchdog, API codes) are exactly the catalogue's codes of their layer;
 * - every template renders with its params into `CODE: likely cause (what exactly)`, and a MeterError's message,
 *   detail, layer and CLI record come from it.
 * The parameters of each call site are checked by tsc: the params type follows code and situation (see the
 * `@ts-expect-error` lines below, which `npm run typecheck` fails on if they ever compile).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from '../../src/contract/dto.js';
import { GUARD_CODES, PlausibilityGuard } from '../../src/judge/guards.js';
import { HINT_IDS } from '../../src/monitor/health.js';
import { errorOf } from '../../src/monitor/frameRecord.js';
import { LIVENESS_CODES } from '../../src/monitor/liveness.js';
import {
  ERROR_CODES,
  MeterError,
  codeInfo,
  fillTemplate,
  isCatalogueCode,
  isMeterError,
  problemMessage,
  renderMessage,
  toErrorRecord,
  type CatalogueCode,
  type ErrorLayer,
} from '../../src/shared/errors.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The ways a code is emitted, each with the code in its first group. */
const EMITTERS: readonly RegExp[] = [
  /new MeterError\(\s*'(\w+)'/g, // thrown or returned decode errors
  /\b(?:problem|rejected|renderDetail|renderMessage|livenessProblem)\(\s*'(\w+)'/g, // guard verdicts, liveness, log lines
  /\bapiError\(\s*'[^']*',\s*'(\w+)'/g, // 4xx answers
  /\bsendApiError\(\s*\w+,\s*\d+,\s*'(\w+)'/g, // 4xx/5xx answers through the web layer's one error shape
  /\bassertPayload\([^,]+,\s*'(\w+)'/g,
  /\bcode:\s*'([A-Z][A-Z0-9_]+)'/g, // code literals in objects
  /\bsetStatus\(\s*'\w+',\s*(?:`[^`]*`|'[^']*'|[\w.]+),\s*'(\w+)'/g, // a source's status with its problem code
  /\bhintId:\s*'(\w+)'/g,
  /\bthis\.fail\(\s*'([A-Z][A-Z0-9_]+)'/g, // store problems
];

/** Codes a source text emits. */
function emittedCodes(text: string): string[] {
  return EMITTERS.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
}

/** Every quoted UPPER_SNAKE string of the source: a code unless it is one of these (env names, list ids, errno). */
// RESPONSE_INVALID: the internal error (fastify `err.code`) behind a SERVER_ERROR answer, logged as its cause
const NOT_CODES = new Set(['RESPONSE_INVALID', 'SMR_WATCHDOG_INTERVAL_MS', 'SMR_WATCHDOG_BLOCKED_MS', 'SMR_WATCHDOG_HOLD_MS', 'KFM_001', 'SMS_1030_78_8', 'EAI_AGAIN']);
const UPPER_SNAKE = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g;

const files = sourceFiles(SRC).filter((f) => !f.endsWith('shared/errorCatalogue.ts'));
const codes = Object.keys(ERROR_CODES) as CatalogueCode[];
const layerCodes = (layer: ErrorLayer) => codes.filter((c) => codeInfo(c).layer === layer).sort();

describe('the catalogue holds every code the backend emits', () => {
  it('the scanner finds a code in each way one is emitted (so the scan below cannot pass by finding nothing)', () => {
    const snippet = [
      "throw new MeterError('A_ONE', 'x');",
      "return rejected('A_TWO', 'y', { obis });",
      "problems.push(livenessProblem('A_THREE', 'z'));",
      "reply.send(apiError('Bad Request', 'A_FOUR', 'w'));",
      "void sendApiError(reply, 404, 'A_ELEVEN', { id });",
      "assertPayload(n > 0, 'A_FIVE', 'v');",
      "return { code: 'A_SIX', detail };",
      "this.setStatus('error', `${path} gone`, 'a_seven', line.label);",
      "return { detail, hintId: 'a_eight' };",
      "this.fail('A_NINE', e);",
      "log.warning(renderMessage('A_TEN', 'echo'));",
    ].join('\n');
    expect(emittedCodes(snippet).sort()).toEqual(['A_FIVE', 'A_FOUR', 'A_NINE', 'A_ONE', 'A_SIX', 'A_TEN', 'A_THREE', 'A_TWO', 'A_ELEVEN', 'a_eight', 'a_seven'].sort());
  });

  it('every code emitted anywhere in app/src is in the catalogue', () => {
    const found = new Set<string>();
    for (const file of files) {
      for (const code of emittedCodes(readFileSync(file, 'utf8'))) {
        found.add(code);
        expect(isCatalogueCode(code), `${relative(SRC, file)} emits ${code}, which is not in shared/errorCatalogue.ts`).toBe(true);
      }
    }
    // the scan reaches every layer: decode errors, guard, watchdog, API, source status, history store
    for (const code of ['CRYPTO_HEADER', 'LAYOUT_UNKNOWN', 'FRAME_SEGMENT', 'PLAUSIBILITY_ENERGY_JUMP', 'SOURCE_STOPPED', 'EVENT_LOOP_BLOCKED', 'KEY_FORMAT', 'HISTORY_NOT_KEPT', 'no_port', 'port_busy', 'HISTORY_WRITE_FAILED']) {
      expect(found, code).toContain(code);
    }
  });

  it('every quoted UPPER_SNAKE code in app/src is in the catalogue (codes passed through tables and types too)', () => {
    for (const file of files) {
      for (const [, name] of readFileSync(file, 'utf8').matchAll(UPPER_SNAKE)) {
        if (NOT_CODES.has(name!)) continue;
        expect(isCatalogueCode(name!), `${relative(SRC, file)}: '${name}' looks like a code but is not in shared/errorCatalogue.ts`).toBe(true);
      }
    }
  });

  it("the guard's, the watchdog's and the API's code lists are exactly the catalogue's codes of their layer", () => {
    expect([...GUARD_CODES].sort()).toEqual(layerCodes('guard'));
    expect([...LIVENESS_CODES].sort()).toEqual(layerCodes('pipeline'));
    expect([...API_ERROR_CODES].sort()).toEqual(layerCodes('api'));
    // a source's problem codes are the panel's hint ids; the broker's are MQTT_<state>
    for (const code of layerCodes('transport')) expect(HINT_IDS).toContain(code);
    expect(layerCodes('mqtt')).toEqual(['MQTT_AUTH_FAILED', 'MQTT_ERROR', 'MQTT_OFF', 'MQTT_UNREACHABLE']);
  });

  it('decode codes keep their stage (the panel, the CLI JSON and counters use it); the stage is their layer', () => {
    const decode = codes.filter((c) => codeInfo(c).stage !== undefined);
    expect(decode.length).toBeGreaterThanOrEqual(23);
    for (const c of decode) expect(codeInfo(c).stage, c).toBe(codeInfo(c).layer);
    for (const c of codes) if (['framing', 'crypto', 'structure', 'layout'].includes(codeInfo(c).layer)) expect(codeInfo(c).stage, c).toBeDefined();
  });
});

describe('messages are built from code + params', () => {
  it('every template names its params as {word} only, and renders without a placeholder left', () => {
    for (const code of codes) {
      const { hint, messages } = codeInfo(code);
      expect(hint.trim(), code).not.toBe('');
      expect(Object.keys(messages).length, code).toBeGreaterThan(0);
      for (const [id, template] of Object.entries(messages)) {
        expect(template.replace(/\{\w+\}/g, ''), `${code}.${id}: a brace that is no placeholder`).not.toMatch(/[{}]/);
        const params = Object.fromEntries([...template.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, `<${m[1]}>`]));
        const text = renderMessage(code, id as never, params as never);
        expect(text.startsWith(`${code}: ${hint} (`), `${code}.${id}`).toBe(true);
        expect(text, `${code}.${id}`).not.toMatch(/[{}]/);
      }
    }
  });

  it('a MeterError carries code, situation and params; message, detail, stage and layer come from the catalogue', () => {
    const e = new MeterError('CRYPTO_HEADER', 'length_mismatch', { announced: 120, present: 96 });
    expect(isMeterError(e)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'MeterError', code: 'CRYPTO_HEADER', detailId: 'length_mismatch', params: { announced: 120, present: 96 }, stage: 'crypto', layer: 'crypto' });
    expect(e.detail).toBe('length field says 120 bytes, 96 bytes follow');
    expect(e.message).toBe(`CRYPTO_HEADER: ${ERROR_CODES.CRYPTO_HEADER.hint} (length field says 120 bytes, 96 bytes follow)`);
    expect(String(e.stack).split('\n')[0]).toBe(`MeterError: ${e.message}`);
    // the CLI's record keeps its shape: stage, code, message (+ signature)
    expect(Object.keys(toErrorRecord(e))).toEqual(['stage', 'code', 'message']);
    const signed = new MeterError('LAYOUT_UNKNOWN', 'positional_unknown', { count: 3, shape: 'uint32, uint16, int8' }).withSignature('S(U32,U16,I8)');
    expect(toErrorRecord(signed)).toEqual({ stage: 'layout', code: 'LAYOUT_UNKNOWN', message: signed.message, signature: 'S(U32,U16,I8)' });
    expect(signed.detail).toBe('3 values without OBIS codes: uint32, uint16, int8');
  });

  it('guard verdicts carry params and an English detail rendered from the catalogue', () => {
    const verdict = new PlausibilityGuard().check({ '1-0:32.7.0': { value: 900, unit: 'V' } }, 0);
    expect(verdict).toEqual({
      ok: false,
      code: 'PLAUSIBILITY_RANGE',
      detailId: 'out_of_range',
      params: { obis: '1-0:32.7.0', value: 900, unit: 'V' },
      detail: '1-0:32.7.0 = 900 V is out of range',
    });
    if (verdict.ok) return;
    expect(problemMessage(verdict)).toBe(`PLAUSIBILITY_RANGE: ${ERROR_CODES.PLAUSIBILITY_RANGE.hint} (1-0:32.7.0 = 900 V is out of range)`);
  });

  it('an empty param takes its space along; a missing one stays visible (tsc rejects the call that misses it)', () => {
    expect(fillTemplate('{obis} = {value} {unit} is out of range', { obis: '1-0:13.7.0', value: 2, unit: '' })).toBe('1-0:13.7.0 = 2 is out of range');
    expect(fillTemplate('{obis} = {value} {unit}: outside', { obis: '1-0:13.7.0', value: 2, unit: '' })).toBe('1-0:13.7.0 = 2: outside');
    expect(fillTemplate('line "{line}"', { line: 'a  b' })).toBe('line "a  b"'); // a value keeps its own spaces
    // @ts-expect-error length_mismatch needs both `announced` and `present`
    const missing = new MeterError('CRYPTO_HEADER', 'length_mismatch', { announced: 120 });
    expect(missing.detail).toBe('length field says 120 bytes, {present} bytes follow');
    // @ts-expect-error DSMR_CRC mismatch has params, so they are required
    expect(new MeterError('DSMR_CRC', 'mismatch').detail).toBe('CRC {computed}, telegram says {stated}');
    // @ts-expect-error a situation the code does not have
    expect(new MeterError('CRYPTO_HEADER', 'no_such_situation').detail).toBe('no_such_situation');
    // @ts-expect-error guard codes are no decode errors: MeterError takes only codes with a decode stage
    expect(new MeterError('PLAUSIBILITY_RANGE', 'out_of_range', { obis: 'x', value: 1, unit: 'V' }).code).toBe('PLAUSIBILITY_RANGE');
    // a situation without params needs none
    expect(new MeterError('CRYPTO_HEADER', 'no_ciphertext').detail).toBe('no ciphertext');
  });
});

describe('the wire carries code + params, never the English text', () => {
  const trace = { frames: [], discarded: null, apdu: null, cipher: null, tag: 'none', plaintext: null } as const;

  it('a decode failure: stage, code, situation id and params (the panel folds them away as the technical detail)', () => {
    const error = new MeterError('CRYPTO_HEADER', 'length_mismatch', { announced: 120, present: 96 });
    const dto = errorOf({ result: { ok: false, error, trace }, rejected: null });
    expect(dto).toEqual({ stage: 'crypto', code: 'CRYPTO_HEADER', detail: 'length_mismatch', params: { announced: 120, present: 96 } });
    const wire = JSON.stringify(dto);
    expect(wire).not.toContain(error.detail);
    expect(wire).not.toContain(error.hint);
  });

  it('a layout failure keeps its type signature; a failure without params sends none', () => {
    const signed = new MeterError('LAYOUT_UNKNOWN', 'number_without_obis', { index: 2 }).withSignature('S(U32,U16)');
    expect(errorOf({ result: { ok: false, error: signed, trace }, rejected: null })).toEqual({
      stage: 'layout',
      code: 'LAYOUT_UNKNOWN',
      detail: 'number_without_obis',
      params: { index: 2 },
      signature: 'S(U32,U16)',
    });
    const bare = new MeterError('CRYPTO_NO_KEY', 'dlms');
    expect(errorOf({ result: { ok: false, error: bare, trace }, rejected: null })).toEqual({ stage: 'crypto', code: 'CRYPTO_NO_KEY', detail: 'dlms' });
  });
});
