/**
 * The add-on options as one TypeBox schema: every option with its type, its rule (range, list, pattern, key
 * format) and its default, the same as `schema` and `options` in config.yaml (app/test/addon/addonFiles.test.ts
 * compares them rule by rule). `readFields` validates a mapping of raw values (options.json, YAML, environment
 * variables, flags) against it and names every problem: which option, what is wrong, what is expected.
 */
import { Type, type Static, type TObject, type TSchema, type TString } from 'typebox';
import { Compile } from 'typebox/compile';
import type { FramingMode } from '../framing/StreamFramer.js';
import { parseKey } from '../shared/hex.js';
import type { LogLevel } from '../shared/logger.js';
import { SERIAL_SETTINGS, type SerialSettingsOption } from '../shared/serialSettings.js';

export { SERIAL_SETTINGS };
export const FRAMINGS = ['auto', 'mbus', 'hdlc', 'raw', 'dsmr', 'amis'] as const satisfies readonly FramingMode[];
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const satisfies readonly LogLevel[];

/**
 * Annotations beyond JSON Schema (TypeBox keeps them on the schema): `expected` says in words what a pattern
 * wants; `secret` marks values masked in every log line and never sent to the panel; `device` marks a serial
 * device path (the Supervisor's `device(subsystem=tty)`).
 */
interface Annotations {
  readonly expected?: string;
  readonly secret?: true;
  readonly device?: 'tty';
}
/** The JSON Schema keywords of an option's schema that validation and messages read. */
export interface Field extends TSchema, Annotations {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly default?: unknown;
}

const text = () => Type.String();
const device = () => Type.String({ device: 'tty' });
const oneOf = <const V extends readonly string[]>(values: V, fallback?: V[number]) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...(fallback !== undefined ? { default: fallback } : {}) });
const wholeNumber = (minimum: number, maximum: number, fallback?: number) =>
  Type.Integer({ minimum, maximum, ...(fallback !== undefined ? { default: fallback } : {}) });
const matching = (pattern: string, expected: string, fallback?: string) =>
  Type.String({ pattern, expected, ...(fallback !== undefined ? { default: fallback } : {}) });
/** A 16-byte key as typed: 32 hex digits, with spaces, `0x`, commas or colons allowed (shared/hex.ts parseKey). */
const key = () =>
  Type.Refine<TString, unknown>(
    Type.String({ secret: true }),
    (value) => typeof value === 'string' && parseKey(value) !== null,
    // never echo the value: it is (part of) a secret
    (value) =>
      typeof value === 'string'
        ? `must be 32 hex digits (16 bytes); got ${value.replace(/0x|[\s,:;-]/gi, '').length} characters after removing spaces and 0x`
        : 'must be 32 hex digits',
  );

const TCP_ADDRESS = matching('^tcp://[^\\s/:]+:[0-9]{1,5}$', 'tcp://host:port');

/**
 * The options of one meter: the top-level ones (the first meter) and each `meters` entry share these rules. The
 * ones with a default take it at the top level; in a `meters` entry they are optional and left empty take the
 * top-level value.
 */
const meterFields = {
  serial_port: Type.Optional(device()),
  tcp_address: Type.Optional(TCP_ADDRESS),
  key: Type.Optional(key()),
  auth_key: Type.Optional(key()),
  serial_settings: (fallback?: SerialSettingsOption) => oneOf(SERIAL_SETTINGS, fallback),
  framing: (fallback?: FramingMode & (typeof FRAMINGS)[number]) => oneOf(FRAMINGS, fallback),
  main_fuse_amps: (fallback?: number) => wholeNumber(6, 400, fallback),
  phases: (fallback?: number) => wholeNumber(1, 3, fallback),
};

/** Every top-level option except the `meters` list; required ones have a default (config.yaml `options`). */
export const ScalarOptionsSchema = Type.Object({
  serial_port: meterFields.serial_port,
  tcp_address: meterFields.tcp_address,
  key: meterFields.key,
  auth_key: meterFields.auth_key,
  serial_settings: meterFields.serial_settings('auto'),
  framing: meterFields.framing('auto'),
  mqtt_host: Type.Optional(text()),
  mqtt_port: Type.Optional(wholeNumber(1, 65535)),
  mqtt_username: Type.Optional(text()),
  mqtt_password: Type.Optional(Type.String({ secret: true })),
  mqtt_tls: Type.Optional(Type.Boolean()),
  mqtt_base_topic: matching('^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$', 'letters, digits, _ - and /', 'smartmeter'),
  discovery: Type.Boolean({ default: true }),
  discovery_prefix: matching('^[A-Za-z0-9_-]+$', 'letters, digits, _ and -', 'homeassistant'),
  watchdog_seconds: wholeNumber(5, 3600, 30),
  main_fuse_amps: meterFields.main_fuse_amps(63),
  phases: meterFields.phases(3),
  log_level: oneOf(LOG_LEVELS, 'info'),
});
export type ScalarOptionValues = Static<typeof ScalarOptionsSchema>;

/**
 * One entry of the `meters` list (config.yaml `schema.meters[0]`): a name, and the meter fields, all optional.
 * Fields left empty take the top-level value (serial_settings, framing, main_fuse_amps, phases); keys are never
 * taken over from the top level: each meter has its own.
 */
export const MeterEntrySchema = Type.Object({
  name: Type.String(),
  serial_port: meterFields.serial_port,
  tcp_address: meterFields.tcp_address,
  key: meterFields.key,
  auth_key: meterFields.auth_key,
  serial_settings: Type.Optional(meterFields.serial_settings()),
  framing: Type.Optional(meterFields.framing()),
  main_fuse_amps: Type.Optional(meterFields.main_fuse_amps()),
  phases: Type.Optional(meterFields.phases()),
});
export type MeterEntryValues = Static<typeof MeterEntrySchema>;

/** The whole options document: the scalar options and the `meters` list (empty by default). */
export const OptionsSchema = Type.Object({
  ...ScalarOptionsSchema.properties,
  meters: Type.Array(MeterEntrySchema, { default: [] }),
});

/** A YAML/JSON mapping (not a list, not null). */
export function isMapping(v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** True for a value that counts as not given: absent, null, or only blanks. */
export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

/**
 * A raw value in the type its field wants: environment variables and flags are text, YAML may give a number for a
 * text. A value that cannot be turned into that type is returned as it is, and fails the check.
 */
function coerce(field: Field, raw: unknown): unknown {
  switch (field.type) {
    case 'integer':
      return typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
    case 'boolean': {
      const word = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
      return typeof word === 'string' && TRUE_WORDS.includes(word) ? true : typeof word === 'string' && FALSE_WORDS.includes(word) ? false : raw;
    }
    case 'string':
      if (field.enum) return String(raw).trim();
      // a key is text as typed: a number is no key (and is not turned into one)
      if (Type.IsRefine(field)) return raw;
      return typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : raw;
    default:
      return raw;
  }
}

/** What is wrong with a value that fails its field, in words (never the value itself: it may be a secret). */
function problemOf(field: Field, value: unknown): string {
  const refinement = Type.IsRefine(field) ? field['~refine'][0] : undefined;
  if (refinement) return refinement.error(value);
  if (field.enum) return `must be one of ${field.enum.join(', ')}`;
  if (field.type === 'integer') return `must be a whole number from ${String(field.minimum)} to ${String(field.maximum)}`;
  if (field.type === 'boolean') return 'must be true or false';
  if (typeof value !== 'string') return 'must be text';
  return `must look like ${field.expected ?? String(field.pattern)}`;
}

const checkers = new WeakMap<TSchema, ReturnType<typeof Compile>>();
function checkerOf(schema: TSchema): ReturnType<typeof Compile> {
  let checker = checkers.get(schema);
  if (!checker) checkers.set(schema, (checker = Compile(schema)));
  return checker;
}

/** A field that failed: its name and what is wrong with it. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/**
 * Reads the fields of `schema` from `raw`: blank values take the field's default (or stay absent), the others are
 * coerced to their type and checked. A value that fails is reported and takes the default. `skip` names fields
 * the caller reads itself (the `meters` list); any other key not in the schema is reported as unknown.
 */
export function readFields(schema: TObject, raw: Readonly<Record<string, unknown>>, skip: readonly string[] = []) {
  const values: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [name, field] of Object.entries(schema.properties as Record<string, Field>)) {
    if (skip.includes(name)) continue;
    const given = raw[name];
    if (!isBlank(given)) {
      const value = coerce(field, given);
      if (checkerOf(field).Check(value)) {
        values[name] = value;
        continue;
      }
      problems.push({ field: name, problem: problemOf(field, value) });
    }
    if (field.default !== undefined) values[name] = field.default;
  }
  const unknown = Object.keys(raw).filter((name) => !(name in schema.properties) && !skip.includes(name));
  return { values, problems, unknown };
}

/** Narrows values read by readFields to the schema's type (a failed check is a bug of the schema: thrown). */
export function checked<S extends TObject>(schema: S, values: Record<string, unknown>): Static<S> {
  const checker = Compile(schema);
  if (checker.Check(values)) return values;
  const first = checker.Errors(values)[0];
  throw new Error(`options schema: ${first ? `${first.instancePath} ${first.message}` : 'values do not match'}`);
}

/** Names of the options whose values are secrets (`secret` in the schema). */
export const secretFields = <S extends TObject>(schema: S): (keyof S['properties'] & string)[] =>
  Object.keys(schema.properties).filter((name) => (schema.properties[name] as Field).secret === true);
