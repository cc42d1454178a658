/**
 * Reads the configuration from wherever this process runs: the add-on's /data/options.json, a YAML file
 * (standalone, `--config`), environment variables and command-line flags. Pure apart from reading files.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_OPTIONS_PATH, DEFAULT_SUPERVISOR_API, INGRESS_PORT } from './addon.js';
import {
  METERS_OPTION,
  OPTION_KEYS,
  secretValues,
  validateOptions,
  type MeterOptions,
  type OptionProblem,
  type Options,
  type RawOptions,
} from './options.js';

/** Where the bytes come from. */
export type SourceChoice =
  | { readonly kind: 'serial'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'replay'; readonly file: string; readonly speed: number; readonly loop: boolean }
  | { readonly kind: 'simulator'; readonly intervalMs: number; readonly meter: SimulatedMeter }
  | { readonly kind: 'none' };

/** One meter to read: its validated options and where its bytes come from. */
export interface MeterConfig extends MeterOptions {
  readonly source: SourceChoice;
}

export interface RuntimeConfig {
  readonly options: Options;
  /** Every meter, at least one; the first keeps the single-meter topics and ids (`legacy`). */
  readonly meters: readonly MeterConfig[];
  /** Every problem found, with the option's name. */
  readonly problems: readonly OptionProblem[];
  /** Under the Supervisor (SUPERVISOR_TOKEN set): ingress guard on, MQTT service lookup. */
  readonly addonMode: boolean;
  /** The first meter's source (kept for the single-meter code paths and messages). */
  readonly source: SourceChoice;
  readonly web: { readonly enabled: boolean; readonly host: string; readonly port: number };
  readonly supervisor: { readonly api: string; readonly token: string } | null;
  /** Directory for persistent state (the energy history): `--data-dir`, else in the add-on the folder of options.json (/data), else none (memory). */
  readonly dataDir: string | null;
  /** Secret strings as the user typed them, for the log redactor. */
  readonly secrets: readonly string[];
  /** Where the options came from, for the start-up log line. */
  readonly origin: string;
}

/** Which meter the built-in simulator plays: a Netz NÖ Kaifa (DLMS push) or a Netz OÖ AMIS meter (M-Bus, E5 link). */
export type SimulatedMeter = 'netznoe' | 'amis';
const SIMULATED_METERS: readonly SimulatedMeter[] = ['netznoe', 'amis'];

/** The key published in the Netz NÖ customer-interface leaflet; the simulator encrypts with it. */
export const SIMULATOR_KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';

const DEV_FLAGS = {
  config: { type: 'string' },
  simulator: { type: 'boolean' },
  'simulator-interval': { type: 'string' },
  'simulator-meter': { type: 'string' },
  replay: { type: 'string' },
  'replay-speed': { type: 'string' },
  'replay-loop': { type: 'boolean' },
  'web-port': { type: 'string' },
  'web-host': { type: 'string' },
  'no-web': { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const USAGE = `usage: node app/dist/main.js [options]
  --config FILE              YAML file with the add-on options (standalone use)
  --simulator                built-in Netz NÖ meter simulator instead of a serial port
  --simulator-interval MS    push interval of the simulator (default 5000; amis: search frame interval)
  --simulator-meter M        netznoe (default) or amis: a Netz OÖ AMIS meter that waits for E5 acknowledgements
  --replay FILE              replay a captured stream (hex or raw bytes)
  --replay-speed N           1 = wire speed, 0 = as fast as possible (default 1)
  --replay-loop              start the capture again at its end
  --web-port N               panel port (default ${INGRESS_PORT}); --no-web to disable
  --data-dir DIR             keep the energy history in DIR (or SMR_DATA_DIR; default /data in the add-on, otherwise memory only)
  --<option> VALUE           any add-on option, e.g. --serial-port /dev/ttyUSB0 --key … --mqtt-host 127.0.0.1
  --meters YAML              the meters list as YAML or JSON, e.g. '[{name: Heat pump, serial_port: /dev/ttyUSB1}]'
  --simulator and --replay stand in for the top-level serial_port (the first meter).
Options: ${OPTION_KEYS.join(', ')}, ${METERS_OPTION}`;

export class UsageError extends Error {}

function readOptionsFile(path: string): RawOptions {
  const text = readFileSync(path, 'utf8');
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${path}: expected a mapping of option names to values`);
  return data as RawOptions;
}

function positiveNumber(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}`);
  return n;
}

/**
 * Two meters on one serial device under two names (`/dev/serial/by-id/…` is a link to `/dev/ttyUSB0`): the options
 * check compares the paths as written, this one where they lead. A path that does not exist yet is skipped (the
 * converter may be plugged in later; the port status says so).
 */
function sameDeviceProblems(meters: readonly MeterOptions[], problems: OptionProblem[]): void {
  const seen = new Map<string, MeterOptions>();
  for (const meter of meters) {
    if (!meter.serialPort) continue;
    let device: string;
    try {
      device = realpathSync(meter.serialPort);
    } catch {
      continue;
    }
    const first = seen.get(device);
    if (!first) {
      seen.set(device, meter);
      continue;
    }
    if (first.serialPort === meter.serialPort) continue; // already reported by the options check
    const option = meter.origin === 'options' ? 'serial_port' : `${meter.origin}.serial_port`;
    const other = first.origin === 'options' ? 'the top-level options' : `${first.origin} ("${first.name}")`;
    problems.push({ option, message: `${option} of meter "${meter.name}" is ${meter.serialPort}, the same device (${device}) as ${first.serialPort} of ${other}: one port carries one meter` });
  }
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): RuntimeConfig {
  const optionFlags = Object.fromEntries([...OPTION_KEYS, METERS_OPTION].map((k) => [k.replace(/_/g, '-'), { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...DEV_FLAGS, ...optionFlags }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help) throw new UsageError('');

  const token = env.SUPERVISOR_TOKEN ?? env.HASSIO_TOKEN ?? null;
  const addonMode = token !== null && token !== '';
  let raw: RawOptions = {};
  let origin = 'defaults';
  const optionsPath = env.OPTIONS_PATH ?? DEFAULT_OPTIONS_PATH;
  try {
    if (typeof flags.config === 'string') {
      raw = readOptionsFile(flags.config);
      origin = flags.config;
    } else if (addonMode || env.OPTIONS_PATH) {
      if (existsSync(optionsPath)) {
        raw = readOptionsFile(optionsPath);
        origin = optionsPath;
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read the options (${(e as Error).message})`);
  }
  for (const key of OPTION_KEYS) {
    const fromEnv = env[`SMR_${key.toUpperCase()}`];
    if (fromEnv !== undefined) raw = { ...raw, [key]: fromEnv };
    const fromFlag = flags[key.replace(/_/g, '-')];
    if (typeof fromFlag === 'string') raw = { ...raw, [key]: fromFlag };
  }
  // The meters list from the environment or a flag: YAML (or JSON, a subset of it).
  for (const [text, where] of [
    [env[`SMR_${METERS_OPTION.toUpperCase()}`], `SMR_${METERS_OPTION.toUpperCase()}`],
    [flags[METERS_OPTION], `--${METERS_OPTION}`],
  ] as const) {
    if (typeof text !== 'string') continue;
    try {
      raw = { ...raw, [METERS_OPTION]: parseYaml(text) as unknown };
    } catch (e) {
      throw new UsageError(`${where}: not a YAML or JSON list (${(e as Error).message.split('\n')[0]})`);
    }
  }

  let source: SourceChoice;
  if (flags.simulator) {
    const meter = (flags['simulator-meter'] ?? 'netznoe') as SimulatedMeter;
    if (!SIMULATED_METERS.includes(meter)) throw new UsageError(`--simulator-meter must be one of ${SIMULATED_METERS.join(', ')}`);
    source = { kind: 'simulator', intervalMs: positiveNumber('simulator-interval', flags['simulator-interval'] as string | undefined, 5000, 50), meter };
    // the simulator speaks the Netz NÖ leaflet's example: decrypt with its key unless told otherwise
    if (raw.key === undefined || raw.key === '') raw = { ...raw, key: SIMULATOR_KEY_HEX };
  } else if (typeof flags.replay === 'string') {
    source = {
      kind: 'replay',
      file: flags.replay,
      speed: positiveNumber('replay-speed', flags['replay-speed'] as string | undefined, 1),
      loop: flags['replay-loop'] === true,
    };
  } else {
    source = { kind: 'none' };
  }

  const { options, problems } = validateOptions(raw, { topLevelSource: source.kind !== 'none' });
  const sourceOf = (m: MeterOptions): SourceChoice => {
    if (m.serialPort) return { kind: 'serial', path: m.serialPort };
    if (m.tcpAddress) return { kind: 'tcp', ...m.tcpAddress };
    return { kind: 'none' };
  };
  sameDeviceProblems(options.meters, problems);
  // --simulator / --replay stand in for the top-level port (the first meter)
  const meters: MeterConfig[] = options.meters.map((m, i) => ({ ...m, source: i === 0 && source.kind !== 'none' ? source : sourceOf(m) }));
  source = meters[0]!.source;
  return {
    options,
    meters,
    problems,
    addonMode,
    source,
    web: {
      enabled: flags['no-web'] !== true,
      host: typeof flags['web-host'] === 'string' ? flags['web-host'] : '0.0.0.0',
      port: positiveNumber('web-port', flags['web-port'] as string | undefined, INGRESS_PORT),
    },
    supervisor: addonMode ? { api: env.SUPERVISOR_API ?? DEFAULT_SUPERVISOR_API, token: token! } : null,
    // the add-on's persistent folder is where the Supervisor puts options.json: /data
    dataDir:
      typeof flags['data-dir'] === 'string' && flags['data-dir'] !== ''
        ? flags['data-dir']
        : env.SMR_DATA_DIR
          ? env.SMR_DATA_DIR
          : addonMode
            ? dirname(optionsPath)
            : null,
    secrets: secretValues(raw),
    origin,
  };
}
