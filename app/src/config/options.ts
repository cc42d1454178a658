/**
 * The add-on options (mirrors `schema` in config.yaml) → one frozen, validated Config.
 *
 * Sources, later ones winning: defaults, then `/data/options.json` (add-on) or a YAML file (`--config`,
 * standalone), then environment variables `SMR_<OPTION>` (e.g. SMR_KEY), then command-line flags
 * `--<option-with-dashes>` (development). Every problem is reported at once, with the option's name.
 */
import type { FramingMode } from '../framing/StreamFramer.js';
import { parseKey } from '../shared/hex.js';
import type { LogLevel } from '../shared/logger.js';

export const SERIAL_SETTINGS = ['auto', '2400_8E1', '2400_8N1', '9600_8N1', '9600_8E1', '9600_7E1', '115200_8N1'] as const;
export type SerialSettingsOption = (typeof SERIAL_SETTINGS)[number];
export const FRAMINGS = ['auto', 'mbus', 'hdlc', 'raw', 'dsmr', 'amis'] as const;
const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;

type OptionSpec =
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly hint?: string; readonly default?: string }
  | { readonly type: 'key' }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly default: string }
  | { readonly type: 'bool'; readonly default?: boolean }
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly default?: number };

/** Every option the add-on accepts: the same keys and rules as `schema` in config.yaml (a test compares them). */
export const OPTION_SPECS = {
  serial_port: { type: 'string' },
  tcp_address: { type: 'string', pattern: /^tcp:\/\/[^\s/:]+:[0-9]{1,5}$/, hint: 'tcp://host:port' },
  key: { type: 'key' },
  auth_key: { type: 'key' },
  serial_settings: { type: 'enum', values: SERIAL_SETTINGS, default: 'auto' },
  framing: { type: 'enum', values: FRAMINGS, default: 'auto' },
  mqtt_host: { type: 'string' },
  mqtt_port: { type: 'int', min: 1, max: 65535 },
  mqtt_username: { type: 'string' },
  mqtt_password: { type: 'string' },
  mqtt_tls: { type: 'bool' },
  mqtt_base_topic: { type: 'string', pattern: /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, hint: 'letters, digits, _ - and /', default: 'smartmeter' },
  discovery: { type: 'bool', default: true },
  discovery_prefix: { type: 'string', pattern: /^[A-Za-z0-9_-]+$/, hint: 'letters, digits, _ and -', default: 'homeassistant' },
  watchdog_seconds: { type: 'int', min: 5, max: 3600, default: 30 },
  main_fuse_amps: { type: 'int', min: 6, max: 400, default: 63 },
  phases: { type: 'int', min: 1, max: 3, default: 3 },
  log_level: { type: 'enum', values: LOG_LEVELS, default: 'info' },
} as const satisfies Record<string, OptionSpec>;

/**
 * The fields of one entry of the `meters` list (config.yaml `schema.meters[0]`, a test compares them). Fields left
 * empty take the top-level value (serial_settings, framing, main_fuse_amps, phases); keys are never taken over
 * from the top level: each meter has its own.
 */
export const METER_FIELD_SPECS = {
  name: { type: 'string' },
  serial_port: OPTION_SPECS.serial_port,
  tcp_address: OPTION_SPECS.tcp_address,
  key: OPTION_SPECS.key,
  auth_key: OPTION_SPECS.auth_key,
  serial_settings: OPTION_SPECS.serial_settings,
  framing: OPTION_SPECS.framing,
  main_fuse_amps: OPTION_SPECS.main_fuse_amps,
  phases: OPTION_SPECS.phases,
} as const satisfies Record<string, OptionSpec>;
export type MeterFieldKey = keyof typeof METER_FIELD_SPECS;
export const METER_FIELD_KEYS = Object.keys(METER_FIELD_SPECS) as MeterFieldKey[];
/** Fields of a `meters` entry that take the top-level value when left empty. */
const INHERITED_METER_FIELDS: readonly MeterFieldKey[] = ['serial_settings', 'framing', 'main_fuse_amps', 'phases'];

/** The list option: handled apart from OPTION_SPECS (its value is a list of mappings, not one value). */
export const METERS_OPTION = 'meters';
export type OptionKey = keyof typeof OPTION_SPECS;
export const OPTION_KEYS = Object.keys(OPTION_SPECS) as OptionKey[];
/** Every top-level option key, including the `meters` list. */
export const ALL_OPTION_KEYS: readonly string[] = [...OPTION_KEYS, METERS_OPTION];
/** Options whose values are secrets: masked in every log line, never sent to the panel. */
export const SECRET_OPTIONS: readonly OptionKey[] = ['key', 'auth_key', 'mqtt_password'];

export type RawOptions = Partial<Record<string, unknown>>;

export interface OptionProblem {
  readonly option: string;
  readonly message: string;
}

export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

/** One meter: its own source, keys, line settings and plausibility limit; its own device in Home Assistant. */
export interface MeterOptions {
  /** Slug of the name ([a-z0-9_]): topics, unique ids, `?meter=` in the panel's API. Stable while the name is. */
  readonly id: string;
  readonly name: string;
  /**
   * The first meter keeps the topics, unique ids and Home Assistant device of the single-meter add-on, so an
   * existing installation keeps its entities and history when more meters are added.
   */
  readonly legacy: boolean;
  /** Where it was configured, for messages: `options` (the top-level options) or `meters[i]`. */
  readonly origin: string;
  readonly serialPort: string | null;
  readonly tcpAddress: TcpAddress | null;
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly serialSettings: SerialSettingsOption;
  readonly framing: FramingMode;
  /** The connection's maximum power in W: phases × 230 V × main fuse (plausibility of energy counters). */
  readonly maxPowerW: number;
}

/** Validated option values. Keys are 16-byte arrays; absent optional values are null. */
export interface Options {
  readonly serialPort: string | null;
  readonly tcpAddress: { readonly host: string; readonly port: number } | null;
  readonly key: Uint8Array | null;
  readonly authKey: Uint8Array | null;
  readonly serialSettings: SerialSettingsOption;
  readonly framing: FramingMode;
  readonly mqtt: {
    readonly host: string | null;
    readonly port: number | null;
    readonly username: string | null;
    readonly password: string | null;
    readonly tls: boolean;
  };
  readonly baseTopic: string;
  readonly discovery: boolean;
  readonly discoveryPrefix: string;
  readonly watchdogSeconds: number;
  /** The connection's maximum power in W: phases × 230 V × main fuse (plausibility of energy counters). */
  readonly maxPowerW: number;
  readonly logLevel: LogLevel;
  /**
   * Every meter to read, at least one. The top-level serial_port/tcp_address (with key, auth_key …) is the first
   * meter, as before; each `meters` entry adds one. Without the top-level port the first entry takes its place.
   */
  readonly meters: readonly MeterOptions[];
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** Coerces one raw value (from JSON, YAML, env or a flag) per its spec; returns [value, problem]. */
function coerce(name: string, spec: OptionSpec, raw: unknown): [unknown, string | null] {
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return [null, 'must be text'];
      const s = String(raw).trim();
      if (spec.pattern && !spec.pattern.test(s)) return [null, `must look like ${spec.hint}`];
      return [s, null];
    }
    case 'key': {
      if (typeof raw !== 'string') return [null, 'must be 32 hex digits'];
      const key = parseKey(raw);
      // never echo the value: it is (part of) a secret
      if (!key) return [null, `must be 32 hex digits (16 bytes); got ${raw.replace(/0x|[\s,:;-]/gi, '').length} characters after removing spaces and 0x`];
      return [key, null];
    }
    case 'enum': {
      const s = String(raw).trim();
      if (!spec.values.includes(s)) return [null, `must be one of ${spec.values.join(', ')}`];
      return [s, null];
    }
    case 'bool': {
      if (typeof raw === 'boolean') return [raw, null];
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(s)) return [true, null];
      if (['false', 'no', 'off', '0'].includes(s)) return [false, null];
      return [null, 'must be true or false'];
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) return [null, `must be a whole number from ${spec.min} to ${spec.max}`];
      return [n, null];
    }
  }
  void name;
}

/**
 * Validates merged raw options. Unknown keys are reported too (a typo would otherwise be silently ignored).
 * Returns the options (with defaults for invalid values) and every problem found.
 */
export function validateOptions(
  raw: RawOptions,
  /** A development source (simulator, replay) stands in for the top-level port: the top-level meter is read. */
  context: { readonly topLevelSource?: boolean } = {},
): { options: Options; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const v: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [OptionKey, OptionSpec][]) {
    const value = raw[name];
    const fallback = 'default' in spec ? spec.default : null;
    if (isBlank(value)) {
      v[name] = fallback ?? null;
      continue;
    }
    const [coerced, problem] = coerce(name, spec, value);
    if (problem) {
      problems.push({ option: name, message: `${name} ${problem}` });
      v[name] = fallback ?? null;
    } else {
      v[name] = coerced;
    }
  }
  for (const name of Object.keys(raw)) {
    if (!(name in OPTION_SPECS) && name !== METERS_OPTION) problems.push({ option: name, message: `${name} is not an option (known: ${ALL_OPTION_KEYS.join(', ')})` });
  }
  const tcpAddress = parseTcpAddress(v.tcp_address as string | null, 'tcp_address', problems);
  const maxPowerW = maxPowerOf(v);
  // the top-level meter options: the first meter, and the single-meter options as before
  const topLevel = meterFieldsOf(v, tcpAddress);
  const topLevelMeter: MeterOptions = { id: LEGACY_METER_ID, name: LEGACY_METER_NAME, legacy: true, origin: 'options', ...topLevel, maxPowerW };
  const meters = validateMeters(raw[METERS_OPTION], v, topLevelMeter, context.topLevelSource === true, problems);
  const options: Options = {
    ...topLevel,
    mqtt: {
      host: v.mqtt_host as string | null,
      port: v.mqtt_port as number | null,
      username: v.mqtt_username as string | null,
      password: v.mqtt_password as string | null,
      tls: (v.mqtt_tls as boolean | null) ?? false,
    },
    baseTopic: v.mqtt_base_topic as string,
    discovery: v.discovery as boolean,
    discoveryPrefix: v.discovery_prefix as string,
    watchdogSeconds: v.watchdog_seconds as number,
    maxPowerW,
    logLevel: v.log_level as LogLevel,
    meters,
  };
  return { options, problems };
}

/** Id and name of the meter described by the top-level options (the single-meter add-on's meter). */
export const LEGACY_METER_ID = 'meter';
export const LEGACY_METER_NAME = 'Meter';

/** The per-meter fields of validated option values (top level or a `meters` entry). */
function meterFieldsOf(v: Record<string, unknown>, tcpAddress: TcpAddress | null) {
  return {
    serialPort: v.serial_port as string | null,
    tcpAddress,
    key: v.key as Uint8Array | null,
    authKey: v.auth_key as Uint8Array | null,
    serialSettings: v.serial_settings as SerialSettingsOption,
    framing: v.framing as FramingMode,
  };
}

/** The connection's maximum power in W: phases × 230 V × main fuse. */
const maxPowerOf = (v: Record<string, unknown>): number => (v.phases as number) * 230 * (v.main_fuse_amps as number);

function parseTcpAddress(text: string | null, option: string, problems: OptionProblem[], label = option): TcpAddress | null {
  const m = text ? /^tcp:\/\/([^\s/:]+):([0-9]{1,5})$/.exec(text) : null;
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) {
    problems.push({ option, message: `${label} port must be from 1 to 65535` });
    return null;
  }
  return { host: m[1]!, port };
}

/**
 * The meter id: a slug of the name (lower case; umlauts and accents spelled out in ASCII; anything else `_`), e.g.
 * "Wärmepumpe 2" → `waermepumpe_2`. Empty when the name has no letter or digit.
 */
export function meterIdOf(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
}

const hasSource = (m: MeterOptions): boolean => m.serialPort !== null || m.tcpAddress !== null;

/**
 * Validates the `meters` list. Every problem names the entry and the field (`meters[1].key of meter "Heat pump" …`).
 * The top-level meter comes first when it has a port (or when the list is empty: the add-on then runs with one
 * meter without a source, as before); otherwise the first entry takes its place and keeps its topics.
 */
function validateMeters(
  rawList: unknown,
  topLevel: Record<string, unknown>,
  topLevelMeter: MeterOptions,
  topLevelSource: boolean,
  problems: OptionProblem[],
): MeterOptions[] {
  let list: unknown[] = [];
  if (Array.isArray(rawList)) list = rawList;
  else if (!isBlank(rawList)) problems.push({ option: METERS_OPTION, message: `${METERS_OPTION} must be a list of meters (each with name and serial_port or tcp_address)` });
  const entries: MeterOptions[] = [];
  list.forEach((entry, index) => {
    const at = `${METERS_OPTION}[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ option: at, message: `${at} must be a mapping with name and serial_port or tcp_address` });
      return;
    }
    const raw = entry as Record<string, unknown>;
    const rawName = typeof raw.name === 'string' || typeof raw.name === 'number' ? String(raw.name).trim() : '';
    const label = (field: string): string => `${at}.${field}${rawName ? ` of meter "${rawName}"` : ''}`;
    const v: Record<string, unknown> = {};
    let broken = false;
    for (const [field, spec] of Object.entries(METER_FIELD_SPECS) as [MeterFieldKey, OptionSpec][]) {
      const value = raw[field];
      if (isBlank(value)) {
        v[field] = INHERITED_METER_FIELDS.includes(field) ? topLevel[field] : null;
        continue;
      }
      const [coerced, problem] = coerce(field, spec, value);
      if (problem) {
        problems.push({ option: `${at}.${field}`, message: `${label(field)} ${problem}` });
        broken = true;
        v[field] = INHERITED_METER_FIELDS.includes(field) ? topLevel[field] : null;
      } else v[field] = coerced;
    }
    for (const field of Object.keys(raw)) {
      if (!(field in METER_FIELD_SPECS)) {
        problems.push({ option: `${at}.${field}`, message: `${label(field)} is not a meter option (known: ${METER_FIELD_KEYS.join(', ')})` });
      }
    }
    const name = (v.name as string | null) ?? '';
    const id = meterIdOf(name);
    if (name === '') {
      problems.push({ option: `${at}.name`, message: `${at}.name is required: a short name for the meter, e.g. Heat pump` });
      broken = true;
    } else if (id === '') {
      problems.push({ option: `${at}.name`, message: `${label('name')} must contain a letter or digit (it gives the meter's id in topics)` });
      broken = true;
    }
    const tcpAddress = parseTcpAddress(v.tcp_address as string | null, `${at}.tcp_address`, problems, label('tcp_address'));
    if (v.tcp_address !== null && tcpAddress === null) broken = true;
    const meter: MeterOptions = { id, name, legacy: false, origin: at, ...meterFieldsOf(v, tcpAddress), maxPowerW: maxPowerOf(v) };
    if (meter.serialPort !== null && meter.tcpAddress !== null) {
      problems.push({ option: `${at}.tcp_address`, message: `${label('tcp_address')} and serial_port are both set: a meter is read from one of them` });
      broken = true;
    } else if (!broken && !hasSource(meter) && isBlank(raw.tcp_address)) {
      problems.push({ option: `${at}.serial_port`, message: `${label('serial_port')} or tcp_address is required: where the meter's bytes come from` });
      broken = true;
    }
    if (!broken) entries.push(meter);
  });

  const meters: MeterOptions[] = [];
  if (hasSource(topLevelMeter) || topLevelSource || entries.length === 0) meters.push(topLevelMeter);
  for (const meter of entries) meters.push(meters.length === 0 ? { ...meter, legacy: true } : meter);

  // Two entries for one meter would publish every value twice under two devices; two equal ids would share topics.
  const seenIds = new Map<string, MeterOptions>();
  const seenSources = new Map<string, MeterOptions>();
  const describe = (m: MeterOptions): string => (m.origin === 'options' ? 'the top-level options' : `${m.origin} ("${m.name}")`);
  for (const meter of meters) {
    const other = seenIds.get(meter.id);
    if (other) {
      problems.push({ option: `${meter.origin}.name`, message: `${meter.origin}.name of meter "${meter.name}" gives the id ${meter.id}, already used by ${describe(other)}: give each meter its own name` });
    } else seenIds.set(meter.id, meter);
    const source = meter.serialPort ?? (meter.tcpAddress ? `tcp://${meter.tcpAddress.host.toLowerCase()}:${meter.tcpAddress.port}` : null);
    if (source === null) continue;
    const field = meter.serialPort ? 'serial_port' : 'tcp_address';
    const first = seenSources.get(source);
    if (first) {
      problems.push({ option: `${meter.origin === 'options' ? '' : `${meter.origin}.`}${field}`, message: `${meter.origin === 'options' ? '' : `${meter.origin}.`}${field} of meter "${meter.name}" is ${source}, already read by ${describe(first)}: one port carries one meter` });
    } else seenSources.set(source, meter);
  }
  return meters;
}

/** Secret option values as given (for the log redactor), before normalisation; the meters' keys included. */
export function secretValues(raw: RawOptions): string[] {
  const values: unknown[] = SECRET_OPTIONS.map((k) => raw[k]);
  const meters = raw[METERS_OPTION];
  if (Array.isArray(meters)) {
    for (const m of meters) if (m !== null && typeof m === 'object') values.push((m as Record<string, unknown>).key, (m as Record<string, unknown>).auth_key);
  }
  return values.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
