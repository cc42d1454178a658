/**
 * One error type for the whole decode path, with stable codes grouped by layer (catalogue: errorCatalogue.ts).
 *
 * A `MeterError` carries its code, the situation id (`detailId`) and named parameters; its English `message` (for
 * the log and the CLI) is rendered from the catalogue. The panel gets code + params and translates them itself.
 * The parameters' type follows the code and situation, so tsc rejects a call site that misses one.
 *
 * Hot path: nothing here runs unless something failed (a params object is built only where an error is thrown).
 */
import { ERROR_CODES, type ErrorLayer, type ErrorStage } from './errorCatalogue.js';

export { ERROR_CODES, type CodeInfo, type ErrorLayer, type ErrorStage } from './errorCatalogue.js';

type Catalogue = typeof ERROR_CODES;
/** Every code of the catalogue. */
export type CatalogueCode = keyof Catalogue;
/** Codes of a layer. */
export type CodeOfLayer<L extends ErrorLayer> = { [C in CatalogueCode]: Catalogue[C]['layer'] extends L ? C : never }[CatalogueCode];
/** The decode codes (those with a decode stage): what a `MeterError` may carry. */
export type ErrorCode = CodeOfLayer<ErrorStage>;
/** The situations of a code (or of every code of a union of codes). */
export type DetailId<C extends CatalogueCode> = keyof Catalogue[C]['messages'] & string;

/** A parameter value: a number or a short identifier, never prose and never key material. */
export type Param = string | number;
export type Params = Readonly<Record<string, Param>>;

/** The `{name}` placeholders of a template, as a union of names. */
export type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

type TemplateOf<C extends CatalogueCode, D extends string> = C extends CatalogueCode ? (D extends keyof Catalogue[C]['messages'] ? Catalogue[C]['messages'][D] : never) : never;

/** The parameters a code's situation needs: every placeholder of its template (more may be given, for the panel). */
export type ParamsOf<C extends CatalogueCode, D extends string> = { readonly [K in Placeholders<TemplateOf<C, D> & string>]: Param } & Params;

/** Required params when the template has placeholders, optional otherwise. */
export type ParamsArg<C extends CatalogueCode, D extends string> = [Placeholders<TemplateOf<C, D> & string>] extends [never] ? [params?: Params] : [params: ParamsOf<C, D>];

/** The catalogue entry of a code (also for codes outside the decode path). */
export function codeInfo(code: CatalogueCode): { readonly layer: ErrorLayer; readonly stage?: ErrorStage; readonly hint: string; readonly messages: Readonly<Record<string, string>> } {
  return ERROR_CODES[code];
}

export function isCatalogueCode(code: string): code is CatalogueCode {
  return Object.hasOwn(ERROR_CODES, code);
}

const PLACEHOLDER = /\{(\w+)\}/g;

const EMPTY = '\uE000'; // a private-use character marks an empty param until its space is removed

/** Fills `{name}` placeholders; an empty parameter takes the space before it along. A missing one stays visible as `{name}`. */
export function fillTemplate(template: string, params: Params | undefined): string {
  const filled = template.replace(PLACEHOLDER, (all, name: string) => {
    if (!params || !Object.hasOwn(params, name)) return all;
    const value = String(params[name]);
    return value === '' ? EMPTY : value;
  });
  return filled.includes(EMPTY) ? filled.replace(/ ?\uE000/g, '') : filled;
}

/** The English detail of a code's situation: the template filled with the params. */
export function renderDetail<C extends CatalogueCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): string {
  const messages: Readonly<Record<string, string>> = ERROR_CODES[code].messages;
  return fillTemplate(messages[detailId] ?? detailId, params[0]);
}

/** The English log line of any catalogue code: `CODE: likely cause (what exactly)`, as MeterError.message. */
export function renderMessage<C extends CatalogueCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): string {
  return `${code}: ${ERROR_CODES[code].hint} (${renderDetail(code, detailId, ...params)})`;
}

/** A coded problem outside the decode path (guard verdicts, liveness, API answers): code, situation, params, English detail. */
export interface CodedProblem<C extends CatalogueCode = CatalogueCode> {
  readonly code: C;
  readonly detailId: string;
  readonly params: Params;
  /** The English detail rendered from the catalogue, for the log. */
  readonly detail: string;
}

/** Builds a coded problem (only on the failure path). */
export function problem<C extends CatalogueCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): CodedProblem<C> {
  return { code, detailId, params: params[0] ?? {}, detail: renderDetail(code, detailId, ...params) };
}

/** The English log line of a coded problem (guard verdict …): `CODE: likely cause (what exactly)`. */
export function problemMessage(p: CodedProblem): string {
  return `${p.code}: ${ERROR_CODES[p.code].hint} (${p.detail})`;
}

const NO_PARAMS: Params = Object.freeze({});

/** The single error class of the decode path. `code` is stable, `message` names the likely cause. */
class DecodeError extends Error {
  override readonly name = 'MeterError';
  readonly stage: ErrorStage;
  readonly layer: ErrorLayer;
  /**
   * LAYOUT_UNKNOWN: the compact A-XDR type signature of the body (no values, see dlms/axdr/signature.ts),
   * for the user to paste into a bug report.
   */
  readonly signature?: string;

  constructor(
    readonly code: ErrorCode,
    /** The situation within the code (catalogue `messages` key), e.g. `length_mismatch`. */
    readonly detailId: string,
    /** Named values of the situation (byte offsets, counts, OBIS codes). Never key material. */
    readonly params: Params = NO_PARAMS,
    signature?: string,
  ) {
    super(); // `message` is rendered on first read (prototype getter below): a failed push that nobody logs costs no string work
    const info: { readonly stage?: ErrorStage; readonly layer: ErrorLayer } = ERROR_CODES[code];
    this.stage = info.stage!;
    this.layer = info.layer;
    if (signature !== undefined) this.signature = signature;
  }

  /** What exactly was wrong, in English (the catalogue template filled with the params). */
  get detail(): string {
    return renderDetail(this.code, this.detailId as never, this.params as never);
  }

  /** The user-facing likely cause, without the technical detail. */
  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }

  /** The same error with the body's type signature (LAYOUT_UNKNOWN). */
  withSignature(signature: string): MeterError {
    return new DecodeError(this.code, this.detailId, this.params, signature);
  }
}

/** `new MeterError(code, detailId, params)`: the params type follows code and situation. */
export interface MeterErrorConstructor {
  new <C extends ErrorCode, D extends DetailId<C>>(code: C, detailId: D, ...params: ParamsArg<C, D>): MeterError;
  readonly prototype: MeterError;
}

// `message`: `CODE: likely cause (what exactly)`, from the catalogue; an accessor, so defined outside the class body
Object.defineProperty(DecodeError.prototype, 'message', {
  configurable: true,
  get(this: DecodeError): string {
    return renderMessage(this.code, this.detailId as never, this.params as never);
  },
});

export type MeterError = DecodeError;
export const MeterError = DecodeError as unknown as MeterErrorConstructor;

export function isMeterError(e: unknown): e is MeterError {
  return e instanceof DecodeError;
}

/** One-line payload assertion for pure parsers (zwave-js `validatePayload` style); params are built only by the caller's arguments. */
export function assertPayload<C extends ErrorCode, D extends DetailId<C>>(condition: boolean, code: C, detailId: D, ...params: ParamsArg<C, D>): asserts condition {
  if (!condition) throw new MeterError(code, detailId, ...params);
}

/** Serialisable error record, as printed by the CLI (`explain --json`, `decode --json`). */
export interface ErrorRecord {
  readonly stage: ErrorStage;
  readonly code: ErrorCode;
  readonly message: string;
  /** LAYOUT_UNKNOWN: type signature of the push body (no values), e.g. `S(O12,11×(O6,U32,S(I8,E)),O12)`. */
  readonly signature?: string;
}

export function toErrorRecord(e: MeterError): ErrorRecord {
  const record = { stage: e.stage, code: e.code, message: e.message };
  return e.signature === undefined ? record : { ...record, signature: e.signature };
}
