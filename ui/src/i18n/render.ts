/**
 * Renders what the backend sends as codes + params (contract.ts MessageDto, ErrorDto, layer details) in the panel's
 * language. Numbers in params are formatted with Intl for the language, ISO times as local date and time. An unknown
 * code shows as the code itself: never as English text from the backend (it sends none).
 */
import type { ErrorDto, MessageDto, ParamsDto } from '../api/contract.js';
import { dateTime, number } from '../lib/format.js';
import { t } from './index.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A param as text: numbers for the language, ISO times as local date and time, identifiers as they are. */
function paramText(v: string | number): string {
  if (typeof v === 'number') return number(v);
  return ISO.test(v) ? dateTime(v) : v;
}

/** Fills `{name}` placeholders; a missing param stays visible as `{name}` (the coverage test catches it). */
export function fill(template: string, params: ParamsDto | undefined): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => (params && name in params ? paramText(params[name]!) : all));
}

/** A message of one catalogue (t.codes.layers, t.codes.blocks …); the code itself when the catalogue lacks it. */
export function message(catalogue: Readonly<Record<string, string>>, m: MessageDto): string {
  const template = catalogue[m.code];
  return template === undefined ? m.code : fill(template, m.params);
}

/** The sentence for a failed push or key test: the code's translation with its params. */
export function errorSentence(e: Pick<ErrorDto, 'code' | 'params'>): string {
  const params = e.params && typeof e.params.reason === 'string' ? { ...e.params, reason: t.codes.reasons[e.params.reason] ?? e.params.reason } : e.params;
  return message(t.codes.errors, { code: e.code, ...(params ? { params } : {}) });
}

/**
 * The technical detail of a decode failure for bug reports: the situation id and its params as `name = value`, as
 * the backend sent them (identifiers and numbers, no prose; shown untranslated).
 */
export function technicalDetail(e: Pick<ErrorDto, 'detail' | 'params'>): string {
  const params = Object.entries(e.params ?? {}).map(([name, value]) => `${name} = ${value}`);
  return [e.detail ?? '', ...params].filter((part) => part !== '').join(' · ');
}

/** A hex block's title (block_mbus {index,count}, block_skipped {bytes,reason} …), the skip reason translated too. */
export function blockTitle(m: MessageDto): string {
  const reason = m.params?.reason;
  const params = typeof reason === 'string' ? { ...m.params, reason: t.codes.reasons[reason] ?? reason } : m.params;
  return message(t.codes.blocks, { code: m.code, ...(params ? { params } : {}) });
}

/** The layer (stage) a failure belongs to, translated. */
export const stageName = (stage: ErrorDto['stage']): string => t.codes.stages[stage];

/** A 4xx answer of the API. */
export function apiErrorSentence(code: string, params: ParamsDto | undefined): string {
  const field = params && typeof params.field === 'string' ? { ...params, field: t.codes.apiFields[params.field] ?? params.field } : params;
  return message(t.codes.api, { code, ...(field ? { params: field } : {}) });
}
