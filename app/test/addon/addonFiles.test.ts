/**
 * Static checks of the add-on packaging files at the repository root (config.yaml, repository.yaml, build.yaml,
 * Dockerfile, .dockerignore, run.sh, translations, images, docs).
 *
 * The Supervisor gives almost no feedback: an invalid config.yaml makes the add-on silently vanish from the
 * store, unknown keys are dropped, a stray config.* anywhere in the repository becomes a phantom add-on. The rules
 * below are ported from the Supervisor (apps/validate.py, apps/options.py, store/data.py) and the add-on linter,
 * as summarised in docs/homeassistant-addon.md ("Concrete checks").
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { INGRESS_PORT } from '../../src/config/addon.js';
import { ALL_OPTION_KEYS, METER_FIELD_KEYS, METERS_OPTION, validateOptions } from '../../src/config/options.js';
import { MeterEntrySchema, ScalarOptionsSchema, type Field } from '../../src/config/schema.js';

type Obj = Record<string, unknown>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const abs = (rel: string): string => path.join(ROOT, rel);
const readText = (rel: string): string => readFileSync(abs(rel), 'utf8');
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Supervisor reads YAML with a YAML 1.1 loader; parse the same way (duplicate keys throw). */
function readYaml(rel: string): Obj {
  const doc: unknown = parse(readText(rel), { version: '1.1' });
  if (!isObj(doc)) throw new Error(`${rel} is not a YAML mapping`);
  return doc;
}

/** Files the repository ships: tracked plus untracked-but-not-ignored (node_modules, dist are git-ignored). */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return [...new Set(out.split('\0').filter((f) => f !== '' && existsSync(abs(f))))];
}

const FILES = repoFiles();
const existsInRepo = (rel: string): boolean => {
  const r = rel.replace(/^\.\//, '').replace(/\/+$/, '');
  if (r === '' || r === '.') return true;
  return FILES.some((f) => f === r || f.startsWith(`${r}/`));
};

const config = readYaml('config.yaml');
const schema = (isObj(config.schema) ? config.schema : {}) as Obj;
const options = (isObj(config.options) ? config.options : {}) as Obj;

// ------------------------------------------------------------------------------------------------------------------
// Supervisor rules, ported
// ------------------------------------------------------------------------------------------------------------------

/** RE_SCHEMA_ELEMENT of supervisor/apps/options.py, rewritten from its grammar. */
const RE_SCHEMA_ELEMENT = new RegExp(
  '^(?:' +
    '|bool' +
    '|email' +
    '|url' +
    '|port' +
    '|device(?:\\((?<filter>subsystem=[a-z]+)\\))?' +
    '|str(?:\\((?<sMin>\\d+)?,(?<sMax>\\d+)?\\))?' +
    '|password(?:\\((?<pMin>\\d+)?,(?<pMax>\\d+)?\\))?' +
    '|int(?:\\((?<iMin>-?\\d+)?,(?<iMax>-?\\d+)?\\))?' +
    '|float(?:\\((?<fMin>-?\\d*\\.?\\d+)?,(?<fMax>-?\\d*\\.?\\d+)?\\))?' +
    '|match\\((?<match>.*)\\)' +
    '|list\\((?<list>.+)\\)' +
    ')\\??$',
);
const RE_SERVICE = /^(?:mqtt|mysql):(?:provide|want|need)$/;
const RE_SLUG = /^[-_.A-Za-z0-9]+$/;
const ARCH_SUPPORTED = new Set(['aarch64', 'amd64']);

/** Top-level keys of _SCHEMA_APP_CONFIG (without the deprecated advanced/codenotary/auto_uart). */
const KNOWN_CONFIG_KEYS = new Set([
  'name', 'version', 'slug', 'description', 'arch', 'machine', 'url', 'startup', 'boot', 'init', 'stage',
  'ports', 'ports_description', 'watchdog', 'webui', 'ingress', 'ingress_port', 'ingress_entry', 'ingress_stream',
  'panel_icon', 'panel_title', 'panel_admin', 'homeassistant', 'host_network', 'host_pid', 'host_ipc', 'host_uts',
  'host_dbus', 'devices', 'uart', 'usb', 'udev', 'gpio', 'video', 'audio', 'kernel_modules', 'devicetree',
  'realtime', 'journald', 'tmpfs', 'map', 'environment', 'privileged', 'apparmor', 'full_access', 'hassio_api',
  'hassio_role', 'homeassistant_api', 'docker_api', 'auth_api', 'stdin', 'legacy', 'services', 'discovery',
  'backup', 'backup_pre', 'backup_post', 'backup_exclude', 'options', 'schema', 'image', 'ulimits', 'timeout',
  'breaking_versions',
]);

/** Supervisor defaults; the add-on linter rejects keys that merely restate them. */
const SUPERVISOR_DEFAULTS: Obj = {
  startup: 'application', boot: 'auto', init: true, stage: 'stable', ingress: false, ingress_port: 8099,
  ingress_stream: false, panel_icon: 'mdi:puzzle', panel_admin: true, host_network: false, host_pid: false,
  host_ipc: false, host_uts: false, host_dbus: false, uart: false, usb: false, udev: false, gpio: false,
  video: false, audio: false, kernel_modules: false, devicetree: false, realtime: false, journald: false,
  tmpfs: false, apparmor: true, full_access: false, hassio_api: false, hassio_role: 'default',
  homeassistant_api: false, docker_api: false, auth_api: false, stdin: false, legacy: false, backup: 'hot',
  timeout: 10, options: {}, map: [], devices: [], privileged: [], environment: {},
};

/** The option keys the backend config loader (app/src/config) is written against. Renaming one breaks it. */
const BACKEND_OPTION_KEYS: readonly string[] = ALL_OPTION_KEYS;

interface SchemaElement {
  type: string;
  optional: boolean;
  groups: Record<string, string | undefined>;
}

function parseElement(element: string): SchemaElement | null {
  const m = RE_SCHEMA_ELEMENT.exec(element);
  const type = /^[a-z]+/.exec(element)?.[0];
  if (!m || type === undefined) return null;
  // A trailing "?" is always the optional marker: match()/list() must otherwise end with ")".
  return { type, optional: element.endsWith('?'), groups: { ...(m.groups ?? {}) } };
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/** Validates a value as the Supervisor would for one schema element; returns an error text or null. */
function validateValue(element: string, value: unknown): string | null {
  const el = parseElement(element);
  if (!el) return `invalid schema element ${element}`;
  const { type, groups: g } = el;
  const inRange = (v: number, min?: number, max?: number): boolean =>
    (min === undefined || v >= min) && (max === undefined || v <= max);
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? null : 'not a bool';
    case 'int':
      return Number.isInteger(value) && inRange(value as number, num(g.iMin), num(g.iMax)) ? null : 'bad int';
    case 'float':
      return typeof value === 'number' && inRange(value, num(g.fMin), num(g.fMax)) ? null : 'bad float';
    case 'port':
      return Number.isInteger(value) && inRange(value as number, 1, 65535) ? null : 'bad port';
    case 'str':
      return typeof value === 'string' && inRange(value.length, num(g.sMin), num(g.sMax)) ? null : 'bad str';
    case 'password':
      return typeof value === 'string' && inRange(value.length, num(g.pMin), num(g.pMax)) ? null : 'bad password';
    case 'email':
      return typeof value === 'string' && /^[^@\s]+@[^@\s]+$/.test(value) ? null : 'bad email';
    case 'url':
      return typeof value === 'string' && URL.canParse(value) ? null : 'bad url';
    case 'device':
      return typeof value === 'string' && value.startsWith('/dev/') ? null : 'bad device';
    case 'match':
      return typeof value === 'string' && new RegExp(g.match ?? '').test(value) ? null : 'does not match';
    case 'list':
      return typeof value === 'string' && (g.list ?? '').split('|').includes(value) ? null : 'not in list';
    default:
      return `unknown type ${type}`;
  }
}

/** Walks a schema like SCHEMA_ELEMENT: strings, one-element lists (not of lists), dicts; depth <= 2. */
function schemaProblems(node: unknown, where: string, depth = 0): string[] {
  if (typeof node === 'string') {
    const el = parseElement(node);
    if (!el) return [`${where}: "${node}" does not match RE_SCHEMA_ELEMENT`];
    if (el.type === 'match') {
      const re = el.groups.match ?? '';
      const problems: string[] = [];
      try {
        new RegExp(re);
      } catch (e) {
        problems.push(`${where}: regex ${re} does not compile: ${String(e)}`);
      }
      // Supervisor uses re.match (prefix match): an unanchored pattern accepts trailing garbage.
      if (!re.startsWith('^') || !re.endsWith('$')) problems.push(`${where}: regex ${re} is not anchored ^...$`);
      return problems;
    }
    return [];
  }
  if (Array.isArray(node)) {
    if (node.length !== 1) return [`${where}: a list schema needs exactly one element`];
    if (Array.isArray(node[0])) return [`${where}: a list may not directly contain a list`];
    // A list holds its element at the same level: DEV docs/apps/configuration.md's own schema example is a list of
    // mappings (`logins: [{username: str, password: str}]`), the UI renders it as one nested level.
    return schemaProblems(node[0], `${where}[]`, depth);
  }
  if (isObj(node)) {
    if (depth >= 2) return [`${where}: nested deeper than two levels`];
    return Object.entries(node).flatMap(([k, v]) => schemaProblems(v, `${where}.${k}`, depth + 1));
  }
  return [`${where}: unsupported schema node ${JSON.stringify(node)}`];
}

// ------------------------------------------------------------------------------------------------------------------
// Dockerfile / .dockerignore helpers
// ------------------------------------------------------------------------------------------------------------------

interface Instruction {
  cmd: string;
  args: string;
  stage: number;
}

function dockerInstructions(text: string): Instruction[] {
  const logical = text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  let stage = -1;
  return logical.map((line) => {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    const cmd = (m?.[1] ?? '').toUpperCase();
    if (cmd === 'FROM') stage += 1;
    return { cmd, args: (m?.[2] ?? '').trim(), stage };
  });
}

const dockerfile = dockerInstructions(readText('Dockerfile'));
const lastStage = Math.max(...dockerfile.map((i) => i.stage));

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  stage: number;
}

function copies(): Copy[] {
  return dockerfile
    .filter((i) => i.cmd === 'COPY' || i.cmd === 'ADD')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const rest = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] ?? '', stage: i.stage };
    });
}

function dockerignorePatterns(): RegExp[] {
  return readText('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'))
    .map((p) => {
      const clean = p.replace(/^\/+/, '').replace(/\/+$/, '');
      const re = clean
        .split('/')
        .map((seg) =>
          seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/^\.\*\//, '(?:.*/)?')
        .replace(/\/\.\*\//g, '(?:/.*/|/)');
      return new RegExp(`^${re}$`);
    });
}
const IGNORE = dockerignorePatterns();
/** True when .dockerignore removes the path (or one of its parent folders) from the build context. */
const dockerIgnored = (rel: string): boolean => {
  const parts = rel.replace(/^\.\//, '').split('/');
  return parts.some((_, i) => IGNORE.some((re) => re.test(parts.slice(0, i + 1).join('/'))));
};

function pngSize(rel: string): { width: number; height: number } {
  const buf = readFileSync(abs(rel));
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${rel} magic`).toBe(
    true,
  );
  expect(buf.subarray(12, 16).toString('ascii'), `${rel} first chunk`).toBe('IHDR');
  expect(buf.subarray(buf.length - 8, buf.length - 4).toString('ascii'), `${rel} last chunk`).toBe('IEND');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function packageJson(rel: string): Obj {
  const v: unknown = JSON.parse(readText(rel));
  if (!isObj(v)) throw new Error(`${rel} is not an object`);
  return v;
}

// ------------------------------------------------------------------------------------------------------------------

describe('repository layout (Supervisor store globs)', () => {
  it('repository.yaml at the root has a name and a valid url', () => {
    const repo = readYaml('repository.yaml');
    expect(typeof repo.name === 'string' && repo.name.trim() !== '').toBe(true);
    if (repo.url !== undefined) expect(URL.canParse(String(repo.url))).toBe(true);
    if (repo.maintainer !== undefined) expect(typeof repo.maintainer).toBe('string');
    expect(Object.keys(repo).filter((k) => !['name', 'url', 'maintainer'].includes(k))).toEqual([]);
  });

  it.each(['config', 'build', 'repository'])('exactly one %s.{yaml,yml,json} is found, at the root', (stem) => {
    // store/data.py: path.glob("**/<stem>.*"), skipping dot-dirs and rootfs, suffix yaml/yml/json.
    const found = FILES.filter((f) => {
      const parts = f.split('/');
      const base = parts[parts.length - 1] ?? '';
      if (parts.slice(0, -1).some((p) => p.startsWith('.') || p === 'rootfs' || p === 'node_modules')) return false;
      return base.startsWith(`${stem}.`) && ['.yaml', '.yml', '.json'].includes(path.extname(base));
    });
    expect(found).toEqual([`${stem}.yaml`]);
  });
});

describe('config.yaml', () => {
  it('parses identically as YAML 1.1 (Supervisor) and YAML 1.2', () => {
    expect(parse(readText('config.yaml'))).toEqual(config);
  });

  it('has the required keys with the right types and only known keys', () => {
    for (const k of ['name', 'version', 'slug', 'description']) {
      expect(typeof config[k] === 'string' && (config[k] as string).trim() !== '', k).toBe(true);
    }
    expect(config.slug).toMatch(RE_SLUG);
    expect(config.slug).toMatch(/^[a-z0-9_]+$/);
    expect(Array.isArray(config.arch) && config.arch.length > 0).toBe(true);
    expect(Object.keys(config).filter((k) => !KNOWN_CONFIG_KEYS.has(k))).toEqual([]);
    expect(URL.canParse(String(config.url))).toBe(true);
  });

  it('only lists supported architectures', () => {
    for (const a of config.arch as unknown[]) expect(ARCH_SUPPORTED.has(String(a)), String(a)).toBe(true);
  });

  it('sets init: false (s6-overlay must be PID 1) and uses ingress on the backend port', () => {
    expect(config.init).toBe(false);
    expect(config.ingress).toBe(true);
    expect(config.ingress_port).toBe(INGRESS_PORT);
    expect(config.ingress_port).not.toBe(0);
    expect(config).not.toHaveProperty('webui');
    expect(config).not.toHaveProperty('ports');
  });

  it('asks for the MQTT service and has a valid panel icon', () => {
    const services = config.services as unknown[];
    expect(Array.isArray(services)).toBe(true);
    for (const s of services) expect(String(s)).toMatch(RE_SERVICE);
    expect(services.some((s) => s === 'mqtt:want' || s === 'mqtt:need')).toBe(true);
    expect(config.panel_icon).toMatch(/^mdi:[a-z0-9-]+$/);
  });

  it('restates no Supervisor default', () => {
    const redundant = Object.entries(SUPERVISOR_DEFAULTS)
      .filter(([k, def]) => k in config && JSON.stringify(config[k]) === JSON.stringify(def))
      .map(([k]) => k);
    expect(redundant).toEqual([]);
  });

  it('has an image without tag, if any, and a stop timeout in range', () => {
    if (config.image !== undefined) expect(String(config.image)).toMatch(/^[a-z0-9{][a-z0-9.\-_{}/]*$/);
    if (config.timeout !== undefined) {
      expect(Number.isInteger(config.timeout)).toBe(true);
      expect(config.timeout as number).toBeGreaterThanOrEqual(10);
      expect(config.timeout as number).toBeLessThanOrEqual(300);
    }
  });
});

describe('options and schema', () => {
  it('schema has exactly the option keys the backend loader reads', () => {
    expect(Object.keys(schema).sort()).toEqual([...BACKEND_OPTION_KEYS].sort());
  });

  it('every schema element is valid for the Supervisor; match() regexes compile and are anchored', () => {
    expect(schemaProblems(schema, 'schema')).toEqual([]);
    for (const [k, v] of Object.entries(schema)) expect(String(v).replace(/\?$/, ''), k).not.toBe('');
  });

  it('options give defaults exactly for the non-optional keys, and each default is valid', () => {
    // _check_missing_options: a missing key is fine only when its element (a list's element) is a string ending in ?
    const required = Object.entries(schema)
      .filter(([, v]) => {
        const element: unknown = Array.isArray(v) ? v[0] : v;
        return typeof element !== 'string' || !parseElement(element)?.optional;
      })
      .map(([k]) => k)
      .sort();
    expect(Object.keys(options).filter((k) => !(k in schema))).toEqual([]);
    // A default makes an option mandatory, so optional keys must not have one.
    expect(Object.keys(options).sort()).toEqual(required);
    for (const [k, v] of Object.entries(options)) {
      if (Array.isArray(schema[k])) expect(v, k).toEqual([]);
      else expect(validateValue(String(schema[k]), v), k).toBeNull();
    }
  });

  it('meters is a list of meter mappings with the fields the backend reads; shared fields match the top level', () => {
    const list = schema[METERS_OPTION];
    expect(Array.isArray(list) && list.length === 1 && isObj(list[0])).toBe(true);
    const fields = (list as Obj[])[0]!;
    expect(Object.keys(fields).sort()).toEqual([...METER_FIELD_KEYS].sort());
    expect(fields.name).toBe('str');
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'name') continue;
      // every field but the name may stay empty (it takes the top-level value or none)
      expect(parseElement(String(v))?.optional, k).toBe(true);
      // the same element as the top-level option (a value added there must be accepted per meter too)
      expect(String(v).replace(/\?$/, ''), k).toBe(String(schema[k]).replace(/\?$/, ''));
    }
  });

  it('serial port is a tty device picker; secrets are masked password fields', () => {
    expect(schema.serial_port).toBe('device(subsystem=tty)?');
    for (const k of ['key', 'auth_key', 'mqtt_password']) {
      expect(parseElement(String(schema[k]))?.type, k).toBe('password');
    }
  });

  /** The Supervisor element the backend's options schema (config/schema.ts) stands for: its type and rule. */
  function supervisorElement(field: Field, optional: boolean): string {
    let element: string;
    if (field.secret) element = 'password';
    else if (field.device) element = `device(subsystem=${field.device})`;
    else if (field.enum) element = `list(${field.enum.join('|')})`;
    else if (field.type === 'boolean') element = 'bool';
    else if (field.type === 'integer') element = field.minimum === 1 && field.maximum === 65535 ? 'port' : `int(${field.minimum},${field.maximum})`;
    else if (field.pattern) element = `match(${field.pattern})`;
    else element = 'str';
    return `${element}${optional ? '?' : ''}`;
  }
  const isOptional = (field: Field): boolean => '~optional' in field;

  it('the backend options schema has the same type, rule and default per option as config.yaml', () => {
    for (const [k, field] of Object.entries(ScalarOptionsSchema.properties as Record<string, Field>)) {
      // required exactly when it has a default, as in config.yaml (a default makes an option mandatory)
      expect(isOptional(field), k).toBe(field.default === undefined);
      expect(supervisorElement(field, isOptional(field)), k).toBe(schema[k]);
      expect(field.default, `default of ${k}`).toEqual(options[k]);
    }
    const entry = (schema[METERS_OPTION] as Obj[])[0]!;
    for (const [k, field] of Object.entries(MeterEntrySchema.properties as Record<string, Field>)) {
      expect(field.default, `meters[].${k} takes the top-level value, no default`).toBeUndefined();
      expect(supervisorElement(field, isOptional(field)), `meters[].${k}`).toBe(entry[k]);
    }
    expect(options[METERS_OPTION]).toEqual([]);
    // and the backend accepts the defaults of config.yaml as they are
    expect(validateOptions(options).problems).toEqual([]);
  });

  it('match() regexes accept good values and reject bad ones', () => {
    const ok = (k: string, v: string): string | null => validateValue(String(schema[k]), v);
    expect(ok('tcp_address', 'tcp://192.168.1.20:3333')).toBeNull();
    expect(ok('tcp_address', 'tcp://ser2net.local:2000')).toBeNull();
    expect(ok('tcp_address', '192.168.1.20:3333')).not.toBeNull();
    expect(ok('tcp_address', 'tcp://host:3333/path')).not.toBeNull();
    expect(ok('mqtt_base_topic', 'smartmeter/house_1')).toBeNull();
    expect(ok('mqtt_base_topic', 'smartmeter/')).not.toBeNull();
    expect(ok('mqtt_base_topic', 'smart meter')).not.toBeNull();
    expect(ok('mqtt_base_topic', 'a/#')).not.toBeNull();
    expect(ok('discovery_prefix', 'homeassistant')).toBeNull();
    expect(ok('discovery_prefix', 'home/assistant')).not.toBeNull();
    expect(validateValue(String(schema.watchdog_seconds), 4)).not.toBeNull();
    expect(validateValue(String(schema.watchdog_seconds), 3600)).toBeNull();
  });
});

describe('translations and documentation', () => {
  it.each(['en', 'de'])('translations/%s.yaml describes exactly the schema keys', (lang) => {
    const t = readYaml(`translations/${lang}.yaml`);
    expect(Object.keys(t).filter((k) => !['configuration', 'network'].includes(k))).toEqual([]);
    const conf = t.configuration as Obj;
    expect(isObj(conf)).toBe(true);
    expect(Object.keys(conf).sort()).toEqual(Object.keys(schema).sort());
    for (const [k, entry] of Object.entries(conf)) {
      expect(isObj(entry), k).toBe(true);
      const e = entry as Obj;
      expect(typeof e.name === 'string' && e.name.trim() !== '', `${lang} ${k} name`).toBe(true);
      expect(typeof e.description === 'string' && e.description.trim() !== '', `${lang} ${k} description`).toBe(true);
    }
    // nested fields (SCHEMA_TRANSLATION_CONFIGURATION: fields {str: {name, description}}) for a list of mappings
    for (const [k, element] of Object.entries(schema)) {
      if (!Array.isArray(element) || !isObj(element[0])) continue;
      const fields = (conf[k] as Obj).fields;
      expect(isObj(fields), `${lang} ${k}.fields`).toBe(true);
      expect(Object.keys(fields as Obj).sort(), `${lang} ${k}.fields`).toEqual(Object.keys(element[0]).sort());
      for (const [f, entry] of Object.entries(fields as Obj)) {
        const e = entry as Obj;
        expect(typeof e.name === 'string' && e.name.trim() !== '', `${lang} ${k}.${f} name`).toBe(true);
        expect(typeof e.description === 'string' && e.description.trim() !== '', `${lang} ${k}.${f} description`).toBe(true);
      }
    }
    const ports = isObj(config.ports) ? Object.keys(config.ports).sort() : [];
    expect(isObj(t.network) ? Object.keys(t.network).sort() : []).toEqual(ports);
  });

  it('DOCS.md option table lists exactly the schema keys', () => {
    const docs = readText('DOCS.md');
    for (const k of Object.keys(schema)) expect(docs, k).toContain(`\`${k}\``);
    const section = docs.split(/^## /m).find((s) => s.startsWith('Configuration')) ?? '';
    const rows = [...section.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.keys(schema).sort());
  });

  it.each(['README.md', 'DOCS.md', 'CHANGELOG.md'])('%s exists and is not empty', (f) => {
    expect(existsSync(abs(f)), f).toBe(true);
    expect(readText(f).trim().length).toBeGreaterThan(0);
  });

  it('icon.png is a square PNG, logo.png a landscape PNG', () => {
    const icon = pngSize('icon.png');
    expect(icon.width).toBe(icon.height);
    expect(icon.width).toBeGreaterThanOrEqual(64);
    const logo = pngSize('logo.png');
    expect(logo.width).toBeGreaterThan(logo.height);
  });
});

describe('panel under the ingress prefix', () => {
  const uiSources = FILES.filter((f) => /^ui\/src\/.+\.(?:[cm]?[jt]sx?)$/.test(f));

  it('Vite builds with relative asset URLs (base "./")', () => {
    const viteConfig = FILES.find((f) => /^ui\/vite\.config\.[cm]?[jt]s$/.test(f));
    expect(viteConfig, 'ui/vite.config.*').toBeDefined();
    expect(readText(viteConfig ?? '')).toMatch(/\bbase\s*:\s*['"]\.\/['"]/);
    // ui/dist is a build output (git-ignored): check it when it has been built.
    if (existsSync(abs('ui/dist/index.html'))) {
      expect(readText('ui/dist/index.html')).not.toMatch(/\b(?:src|href)="\//);
    }
  });

  it('panel sources use no absolute API, WebSocket or EventSource URLs', () => {
    expect(uiSources.length).toBeGreaterThan(0);
    for (const f of uiSources) {
      const text = readText(f);
      expect(text, f).not.toMatch(/\b(?:fetch|EventSource)\(\s*['"`]\//);
      expect(text, f).not.toMatch(/['"`]\/api\//);
      expect(text, f).not.toMatch(/['"`]wss?:\/\/['"`$]/);
    }
  });
});

describe('versions', () => {
  const version = String(config.version);

  it('config.yaml and the package.json files agree on a semver version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    const pkgs = ['package.json', 'app/package.json', 'ui/package.json'].filter((p) => existsSync(abs(p)));
    expect(pkgs).toContain('package.json');
    for (const p of pkgs) expect(packageJson(p).version, p).toBe(version);
  });

  it('the top released CHANGELOG.md entry is the config.yaml version', () => {
    expect(existsSync(abs('CHANGELOG.md')), 'CHANGELOG.md').toBe(true);
    const top = /^##\s+\[?v?(\d+\.\d+\.\d+[^\]\s]*)\]?/m.exec(readText('CHANGELOG.md'));
    expect(top?.[1], 'top released CHANGELOG entry').toBe(version);
  });
});

describe('run.sh', () => {
  const text = readText('run.sh');
  const lines = text.split('\n');

  it('is executable (git mode 100755, or on disk when not yet tracked)', () => {
    const staged = execFileSync('git', ['ls-files', '-s', 'run.sh'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (staged !== '') expect(staged.split(/\s+/)[0]).toBe('100755');
    else expect(statSync(abs('run.sh')).mode & 0o111).toBe(0o111);
  });

  it('has LF endings, the bashio shebang and ends by exec-ing node, without building anything', () => {
    expect(text.includes('\r')).toBe(false);
    expect(lines[0]).toMatch(/^#!(?:\/usr\/bin|\/command)\/with-contenv bashio$/);
    // Node flags (memory sizing for a small add-on) may precede the script
    expect(code[code.length - 1]).toMatch(/^exec node (?:\$NODE_FLAGS |--[a-z-]+(?:=\S+)? )*\S+\.js$/);
    expect(text).not.toMatch(/\b(?:npm|npx|tsc|vite)\b/);
  });

  const code = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const target = /^exec node (?:\$NODE_FLAGS |--[a-z-]+(?:=\S+)? )*(\S+)$/.exec(code[code.length - 1] ?? '')?.[1] ?? '';

  it('starts a file the build produces', () => {
    // app/dist/<x>.js is compiled from app/src/<x>.ts (tsconfig.build.json: rootDir src, outDir dist).
    const m = /^app\/dist\/(.+)\.js$/.exec(target);
    expect(m, `node target ${target}`).not.toBeNull();
    expect(existsInRepo(`app/src/${m?.[1] ?? ''}.ts`), `app/src/${m?.[1] ?? ''}.ts`).toBe(true);
  });

  it('runs in the folder the Dockerfile fills with app/dist', () => {
    const dir = /^cd\s+(\S+)/m.exec(code.join('\n'))?.[1] ?? '';
    expect(dir).not.toBe('');
    expect(target.startsWith('app/dist/')).toBe(true);
    const finalCopies = copies().filter((c) => c.stage === lastStage);
    const workdir = dockerfile.filter((i) => i.stage === lastStage && i.cmd === 'WORKDIR').pop()?.args ?? '/';
    const destOf = (d: string): string => path.posix.resolve(workdir, d);
    const appDist = finalCopies.filter((c) => c.sources.some((s) => s.endsWith('/app/dist')));
    expect(appDist.map((c) => destOf(c.dest))).toEqual([`${dir}/app/dist`]);
  });

  it('is shellcheck-clean', () => {
    const r = spawnSync('shellcheck', ['--shell=bash', 'run.sh'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.error, 'shellcheck must be installed').toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Dockerfile, build.yaml, .dockerignore', () => {
  const firstArg = dockerfile.find((i) => i.cmd === 'ARG' && i.stage === -1)?.args ?? '';
  const argDefault = /^BUILD_FROM=(\S+)$/.exec(firstArg)?.[1];

  it('declares ARG BUILD_FROM=<image> before the first FROM, and every stage starts FROM ${BUILD_FROM}', () => {
    expect(argDefault).toBeDefined();
    const froms = dockerfile.filter((i) => i.cmd === 'FROM');
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f.args).toMatch(/^\$\{BUILD_FROM\}(?:\s+AS\s+\S+)?$/i);
  });

  it('build.yaml (deprecated but kept) names the same base image for exactly the config arches, no squash', () => {
    const build = readYaml('build.yaml');
    expect(Object.keys(build).filter((k) => !['build_from', 'args', 'labels'].includes(k))).toEqual([]);
    const from = build.build_from as Obj;
    expect(isObj(from)).toBe(true);
    expect(Object.keys(from).sort()).toEqual([...(config.arch as string[])].sort());
    for (const v of Object.values(from)) expect(v).toBe(argDefault);
  });

  it('runs /run.sh through the base image entrypoint, with a health check on the ingress port', () => {
    expect(dockerfile.filter((i) => i.cmd === 'ENTRYPOINT')).toEqual([]);
    const cmds = dockerfile.filter((i) => i.cmd === 'CMD');
    expect(cmds.length).toBe(1);
    expect(cmds[0]?.stage).toBe(lastStage);
    expect(JSON.parse(cmds[0]?.args ?? 'null')).toEqual(['/run.sh']);
    const runSh = copies().filter((c) => c.from === undefined && c.sources.includes('run.sh'));
    expect(runSh.map((c) => [c.stage, c.dest])).toEqual([[lastStage, '/']]);
    const hc = dockerfile.filter((i) => i.cmd === 'HEALTHCHECK');
    expect(hc.length).toBe(1);
    expect(hc[0]?.stage).toBe(lastStage);
    const port = /127\.0\.0\.1:(\d+)\//.exec(hc[0]?.args ?? '')?.[1];
    expect(Number(port)).toBe(INGRESS_PORT);
  });

  it('copies only sources that exist in the repository and are not dockerignored', () => {
    const local = copies().filter((c) => c.from === undefined);
    expect(local.length).toBeGreaterThan(0);
    for (const c of local) {
      for (const s of c.sources) {
        expect(existsInRepo(s), `COPY source ${s}`).toBe(true);
        if (s !== '.') expect(dockerIgnored(s), `COPY source ${s} is dockerignored`).toBe(false);
      }
    }
  });

  it('copies from the build stage only what npm ci and npm run build produce', () => {
    const stageNames = dockerfile
      .filter((i) => i.cmd === 'FROM')
      .map((i) => /\s+AS\s+(\S+)$/i.exec(i.args)?.[1]?.toLowerCase());
    const buildStage = stageNames.indexOf('build');
    expect(buildStage).toBeGreaterThanOrEqual(0);
    const buildRuns = dockerfile.filter((i) => i.stage === buildStage && i.cmd === 'RUN').map((i) => i.args).join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    expect(buildRuns).toMatch(/\bnpm (?:prune|ci) [^\n]*--omit=dev/);
    const workdir = dockerfile.filter((i) => i.stage === buildStage && i.cmd === 'WORKDIR').pop()?.args ?? '/';

    const root = packageJson('package.json');
    const workspaces = (root.workspaces as string[] | undefined) ?? [];
    const rootBuild = String((root.scripts as Obj | undefined)?.build ?? '');
    expect(rootBuild).toMatch(/--workspaces/);

    const fromBuild = copies().filter((c) => c.from?.toLowerCase() === 'build');
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const c of fromBuild) {
      for (const s of c.sources) {
        const rel = path.posix.relative(workdir, s);
        expect(rel.startsWith('..'), `${s} outside ${workdir}`).toBe(false);
        if (rel === 'node_modules') continue; // produced by npm ci, pruned to production deps
        const dist = /^([^/]+)\/dist$/.exec(rel);
        if (dist) {
          const ws = dist[1] ?? '';
          expect(workspaces, `workspace ${ws} is built by the root build script`).toContain(ws);
          const script = String((packageJson(`${ws}/package.json`).scripts as Obj | undefined)?.build ?? '');
          const tsc = /\btsc\s+-p\s+(\S+)/.exec(script);
          if (tsc) {
            const tsconfig = JSON.parse(readText(`${ws}/${tsc[1] ?? ''}`)) as { compilerOptions?: { outDir?: string } };
            expect(path.posix.normalize(tsconfig.compilerOptions?.outDir ?? ''), `${ws} outDir`).toBe('dist');
          } else {
            expect(script, `${ws} build script`).toMatch(/\bvite build\b/);
            const viteConfig = FILES.find((f) => /^[^/]+\/vite\.config\.[cm]?[jt]s$/.test(f) && f.startsWith(`${ws}/`));
            const outDir = viteConfig ? /outDir\s*:\s*['"]([^'"]+)['"]/.exec(readText(viteConfig))?.[1] : undefined;
            expect(path.posix.normalize(outDir ?? 'dist'), `${ws} vite outDir`).toBe('dist');
          }
          continue;
        }
        expect(existsInRepo(rel), `copied file ${rel}`).toBe(true);
      }
    }
  });

  it('.dockerignore keeps dependencies and git out, but not what the build needs', () => {
    for (const p of ['node_modules', '.git', 'app/node_modules', 'ui/node_modules', 'app/dist', 'ui/dist']) {
      expect(dockerIgnored(p), p).toBe(true);
    }
    for (const p of ['package.json', 'package-lock.json', 'run.sh', 'app/src', 'app/tsconfig.build.json', 'ui/src']) {
      expect(dockerIgnored(p), p).toBe(false);
    }
  });
});
