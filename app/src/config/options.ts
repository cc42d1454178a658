/**
 * The add-on options → one validated Options object, by the options schema (config/schema.ts, the same as
 * `schema` in config.yaml).
 *
 * Sources, later ones winning: defaults, then `/data/options.json` (add-on) or a YAML file (`--config`,
 * standalone), then environment variables `SMR_<OPTION>` (e.g. SMR_KEY), then command-line flags
 * `--<option-with-dashes>` (development). Every problem is reported at once, with the option's name.
 */
import type { FramingMode } from '../framing/StreamFramer.js';
import { parseKey } from '../shared/hex.js';
import type { LogLevel } from '../shared/logger.js';
import type { SerialSettingsOption } from '../shared/serialSettings.js';
import {
  checked,
  isBlank,
  isMapping,
  MeterEntrySchema,
  OptionsSchema,
  readFields,
  ScalarOptionsSchema,
  secretFields,
  type MeterEntryValues,
  type ScalarOptionValues,
} from './schema.js';

export { FRAMINGS, SERIAL_SETTINGS } from './schema.js';
export type { SerialSettingsOption };

/** The list option: read apart from the scalar options (its value is a list of mappings, not one value). */
export const METERS_OPTION = 'meters';
export type OptionKey = keyof typeof ScalarOptionsSchema.properties;
/** Every scalar option key (the schema's, without the `meters` list): the flags and SMR_* variables. */
export const OPTION_KEYS = Object.keys(ScalarOptionsSchema.properties) as OptionKey[];
/** Every top-level option key, including the `meters` list. */
export const ALL_OPTION_KEYS: readonly string[] = Object.keys(OptionsSchema.properties);
export type MeterFieldKey = keyof typeof MeterEntrySchema.properties;
export const METER_FIELD_KEYS = Object.keys(MeterEntrySchema.properties) as MeterFieldKey[];
/** Fields of a `meters` entry that take the top-level value when left empty. */
type InheritedMeterField = 'serial_settings' | 'framing' | 'main_fuse_amps' | 'phases';
/** Options whose values are secrets (`secret` in the schema): masked in every log line, never sent to the panel. */
export const SECRET_OPTIONS: readonly OptionKey[] = secretFields(ScalarOptionsSchema);
const SECRET_METER_FIELDS = secretFields(MeterEntrySchema);

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

/**
 * Validates merged raw options against the options schema (config/schema.ts). Unknown keys are reported too (a
 * typo would otherwise be silently ignored). Returns the options (with defaults for invalid values) and every
 * problem found, each message starting with the option's name.
 */
export function validateOptions(
  raw: RawOptions,
  /** A development source (simulator, replay) stands in for the top-level port: the top-level meter is read. */
  context: { readonly topLevelSource?: boolean } = {},
): { options: Options; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const read = readFields(ScalarOptionsSchema, raw, [METERS_OPTION]);
  for (const { field, problem } of read.problems) problems.push({ option: field, message: `${field} ${problem}` });
  for (const name of read.unknown) problems.push({ option: name, message: `${name} is not an option (known: ${ALL_OPTION_KEYS.join(', ')})` });
  const v = checked(ScalarOptionsSchema, read.values);
  const tcpAddress = parseTcpAddress(v.tcp_address, 'tcp_address', problems);
  const maxPowerW = maxPowerOf(v);
  // the top-level meter options: the first meter, and the single-meter options as before
  const topLevel = meterFieldsOf(v, tcpAddress);
  const topLevelMeter: MeterOptions = { id: LEGACY_METER_ID, name: LEGACY_METER_NAME, legacy: true, origin: 'options', ...topLevel, maxPowerW };
  const meters = validateMeters(raw[METERS_OPTION], v, topLevelMeter, context.topLevelSource === true, problems);
  const options: Options = {
    ...topLevel,
    mqtt: {
      host: v.mqtt_host ?? null,
      port: v.mqtt_port ?? null,
      username: v.mqtt_username ?? null,
      password: v.mqtt_password ?? null,
      tls: v.mqtt_tls ?? false,
    },
    baseTopic: v.mqtt_base_topic,
    discovery: v.discovery,
    discoveryPrefix: v.discovery_prefix,
    watchdogSeconds: v.watchdog_seconds,
    maxPowerW,
    logLevel: v.log_level,
    meters,
  };
  return { options, problems };
}

/** Id and name of the meter described by the top-level options (the single-meter add-on's meter). */
export const LEGACY_METER_ID = 'meter';
export const LEGACY_METER_NAME = 'Meter';

/** The per-meter fields of validated option values (top level, or a `meters` entry with the top level's values filled in). */
function meterFieldsOf(v: ScalarOptionValues | ResolvedMeterEntry, tcpAddress: TcpAddress | null) {
  return {
    serialPort: v.serial_port ?? null,
    tcpAddress,
    // the schema checked them: parseKey succeeds
    key: v.key !== undefined ? parseKey(v.key) : null,
    authKey: v.auth_key !== undefined ? parseKey(v.auth_key) : null,
    serialSettings: v.serial_settings,
    framing: v.framing,
  };
}

/** A `meters` entry whose empty inherited fields took the top-level values. */
type ResolvedMeterEntry = MeterEntryValues & Pick<ScalarOptionValues, InheritedMeterField>;

/** The connection's maximum power in W: phases × 230 V × main fuse. */
const maxPowerOf = (v: Pick<ScalarOptionValues, 'phases' | 'main_fuse_amps'>): number => v.phases * 230 * v.main_fuse_amps;

function parseTcpAddress(text: string | undefined, option: string, problems: OptionProblem[], label = option): TcpAddress | null {
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
  topLevel: ScalarOptionValues,
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
    if (!isMapping(entry)) {
      problems.push({ option: at, message: `${at} must be a mapping with name and serial_port or tcp_address` });
      return;
    }
    const raw = entry;
    const rawName = typeof raw.name === 'string' || typeof raw.name === 'number' ? String(raw.name).trim() : '';
    const label = (field: string): string => `${at}.${field}${rawName ? ` of meter "${rawName}"` : ''}`;
    const read = readFields(MeterEntrySchema, raw);
    let broken = read.problems.length > 0;
    for (const { field, problem } of read.problems) problems.push({ option: `${at}.${field}`, message: `${label(field)} ${problem}` });
    for (const field of read.unknown) {
      problems.push({ option: `${at}.${field}`, message: `${label(field)} is not a meter option (known: ${METER_FIELD_KEYS.join(', ')})` });
    }
    // a missing name is reported below; fields left empty take the top-level value
    const given = checked(MeterEntrySchema, { name: '', ...read.values });
    const v: ResolvedMeterEntry = {
      ...given,
      serial_settings: given.serial_settings ?? topLevel.serial_settings,
      framing: given.framing ?? topLevel.framing,
      main_fuse_amps: given.main_fuse_amps ?? topLevel.main_fuse_amps,
      phases: given.phases ?? topLevel.phases,
    };
    const name = v.name;
    const id = meterIdOf(name);
    if (name === '') {
      problems.push({ option: `${at}.name`, message: `${at}.name is required: a short name for the meter, e.g. Heat pump` });
      broken = true;
    } else if (id === '') {
      problems.push({ option: `${at}.name`, message: `${label('name')} must contain a letter or digit (it gives the meter's id in topics)` });
      broken = true;
    }
    const tcpAddress = parseTcpAddress(v.tcp_address, `${at}.tcp_address`, problems, label('tcp_address'));
    if (v.tcp_address !== undefined && tcpAddress === null) broken = true;
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
    for (const m of meters) if (isMapping(m)) values.push(...SECRET_METER_FIELDS.map((k) => m[k]));
  }
  return values.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
