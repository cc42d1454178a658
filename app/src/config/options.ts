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
const FRAMINGS = ['auto', 'mbus', 'hdlc', 'raw', 'dsmr', 'amis'] as const;
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

export type OptionKey = keyof typeof OPTION_SPECS;
export const OPTION_KEYS = Object.keys(OPTION_SPECS) as OptionKey[];
/** Options whose values are secrets: masked in every log line, never sent to the panel. */
export const SECRET_OPTIONS: readonly OptionKey[] = ['key', 'auth_key', 'mqtt_password'];

export type RawOptions = Partial<Record<string, unknown>>;

export interface OptionProblem {
  readonly option: string;
  readonly message: string;
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
export function validateOptions(raw: RawOptions): { options: Options; problems: OptionProblem[] } {
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
    if (!(name in OPTION_SPECS)) problems.push({ option: name, message: `${name} is not an option (known: ${OPTION_KEYS.join(', ')})` });
  }
  const tcp = v.tcp_address as string | null;
  const tcpMatch = tcp ? /^tcp:\/\/([^\s/:]+):([0-9]{1,5})$/.exec(tcp) : null;
  if (tcpMatch && (Number(tcpMatch[2]) < 1 || Number(tcpMatch[2]) > 65535)) {
    problems.push({ option: 'tcp_address', message: 'tcp_address port must be from 1 to 65535' });
  }
  const options: Options = {
    serialPort: v.serial_port as string | null,
    tcpAddress: tcpMatch ? { host: tcpMatch[1]!, port: Number(tcpMatch[2]) } : null,
    key: v.key as Uint8Array | null,
    authKey: v.auth_key as Uint8Array | null,
    serialSettings: v.serial_settings as SerialSettingsOption,
    framing: v.framing as FramingMode,
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
    maxPowerW: (v.phases as number) * 230 * (v.main_fuse_amps as number),
    logLevel: v.log_level as LogLevel,
  };
  return { options, problems };
}

/** Secret option values as given (for the log redactor), before normalisation. */
export function secretValues(raw: RawOptions): string[] {
  return SECRET_OPTIONS.map((k) => raw[k]).filter((s): s is string => typeof s === 'string' && s.length > 0);
}
