/** Option validation: every problem at once, with the option's name; keys normalised; secrets never echoed. */
import { describe, expect, it } from 'vitest';
import { loadConfig, UsageError } from '../../src/config/load.js';
import { validateOptions } from '../../src/config/options.js';
import { OptionsSchema, readFields, ScalarOptionsSchema } from '../../src/config/schema.js';

describe('validateOptions', () => {
  it('applies the defaults of config.yaml when options are absent', () => {
    const { options, problems } = validateOptions({});
    expect(problems).toEqual([]);
    expect(options).toMatchObject({
      serialPort: null,
      key: null,
      serialSettings: 'auto',
      framing: 'auto',
      baseTopic: 'smartmeter',
      discovery: true,
      discoveryPrefix: 'homeassistant',
      watchdogSeconds: 30,
      logLevel: 'info',
    });
  });

  it('normalises keys pasted with 0x, spaces and commas', () => {
    const { options, problems } = validateOptions({ key: '0x36, 0xC6, 0x66, 0x39 E48A8CA4 D6BC8B28 2A793BBB' });
    expect(problems).toEqual([]);
    expect(Buffer.from(options.key!).toString('hex').toUpperCase()).toBe('36C66639E48A8CA4D6BC8B282A793BBB');
  });

  it('reports every problem at once, each with its option name, without echoing secrets', () => {
    const { problems } = validateOptions({
      key: 'ABCDEF-short-secret',
      auth_key: '1234',
      serial_settings: '1200_7N2',
      watchdog_seconds: 2,
      mqtt_base_topic: 'smart meter/#',
      mqtt_tls: 'maybe',
      tcp_address: '192.168.0.5:3333',
      typo_option: 1,
    });
    expect(problems.map((p) => p.option).sort()).toEqual(
      ['auth_key', 'key', 'mqtt_base_topic', 'mqtt_tls', 'serial_settings', 'tcp_address', 'typo_option', 'watchdog_seconds'].sort(),
    );
    for (const p of problems) expect(p.message.startsWith(p.option)).toBe(true);
    expect(JSON.stringify(problems)).not.toContain('ABCDEF-short-secret');
  });

  it('turns main fuse and phases into the maximum power of the connection (default 3 × 63 A)', () => {
    expect(validateOptions({}).options.maxPowerW).toBe(3 * 230 * 63);
    expect(validateOptions({ main_fuse_amps: 25, phases: 1 }).options.maxPowerW).toBe(5750);
    expect(validateOptions({ main_fuse_amps: '35', phases: '3' }).options.maxPowerW).toBe(24_150);
    const { problems, options } = validateOptions({ main_fuse_amps: 2, phases: 4 });
    expect(problems.map((p) => p.option).sort()).toEqual(['main_fuse_amps', 'phases']);
    expect(options.maxPowerW).toBe(3 * 230 * 63);
  });

  it('parses a tcp address', () => {
    expect(validateOptions({ tcp_address: 'tcp://ser2net.local:3333' }).options.tcpAddress).toEqual({ host: 'ser2net.local', port: 3333 });
  });
});

describe('the options schema (config/schema.ts)', () => {
  it('says per option what is wrong and what is expected, and the value falls back to its default', () => {
    const { options, problems } = validateOptions({
      watchdog_seconds: 'often',
      phases: 2.5,
      mqtt_tls: 'perhaps',
      log_level: 'verbose',
      discovery_prefix: 'home assistant',
      mqtt_host: { host: 'broker' },
      key: '0x1234',
    });
    expect(Object.fromEntries(problems.map((p) => [p.option, p.message]))).toEqual({
      watchdog_seconds: 'watchdog_seconds must be a whole number from 5 to 3600',
      phases: 'phases must be a whole number from 1 to 3',
      mqtt_tls: 'mqtt_tls must be true or false',
      log_level: 'log_level must be one of debug, info, warning, error',
      discovery_prefix: 'discovery_prefix must look like letters, digits, _ and -',
      mqtt_host: 'mqtt_host must be text',
      key: 'key must be 32 hex digits (16 bytes); got 4 characters after removing spaces and 0x',
    });
    expect(options).toMatchObject({ watchdogSeconds: 30, maxPowerW: 3 * 230 * 63, logLevel: 'info', discoveryPrefix: 'homeassistant', key: null, mqtt: { host: null, tls: false } });
  });

  it('takes the text of environment variables and flags in the type of the option', () => {
    const { options, problems } = validateOptions({ watchdog_seconds: ' 60 ', mqtt_port: '1884', mqtt_tls: 'Yes', discovery: 'off', log_level: ' debug ', mqtt_username: 42 });
    expect(problems).toEqual([]);
    expect(options).toMatchObject({ watchdogSeconds: 60, discovery: false, logLevel: 'debug', mqtt: { port: 1884, tls: true, username: '42' } });
  });

  it('reads only the fields of the schema and names the others; blank values take the default', () => {
    const read = readFields(ScalarOptionsSchema, { watchdog_seconds: '', framing: null, mqtt_host: '  ', colour: 'blue', meters: [] }, ['meters']);
    expect(read.problems).toEqual([]);
    expect(read.unknown).toEqual(['colour']);
    expect(read.values).toEqual({ serial_settings: 'auto', framing: 'auto', mqtt_base_topic: 'smartmeter', discovery: true, discovery_prefix: 'homeassistant', watchdog_seconds: 30, main_fuse_amps: 63, phases: 3, log_level: 'info' });
    expect(Object.keys(OptionsSchema.properties)).toContain('meters');
  });

  it('an override from the environment is validated like options.json', () => {
    const config = loadConfig(['--phases', 'three'], { SMR_WATCHDOG_SECONDS: '1' });
    expect(config.problems.map((p) => p.message).sort()).toEqual(['phases must be a whole number from 1 to 3', 'watchdog_seconds must be a whole number from 5 to 3600']);
  });
});

describe('loadConfig', () => {
  it('merges defaults < environment < flags, and picks the source', () => {
    const config = loadConfig(['--serial-port', '/dev/ttyUSB1', '--log-level', 'debug'], { SMR_LOG_LEVEL: 'warning', SMR_KEY: '36C66639E48A8CA4D6BC8B282A793BBB' });
    expect(config.source).toEqual({ kind: 'serial', path: '/dev/ttyUSB1' });
    expect(config.options.logLevel).toBe('debug');
    expect(config.options.key).not.toBeNull();
    expect(config.addonMode).toBe(false);
    expect(config.secrets).toContain('36C66639E48A8CA4D6BC8B282A793BBB');
  });

  it('uses the Netz NÖ leaflet key with the simulator unless a key is given', () => {
    const config = loadConfig(['--simulator', '--simulator-interval', '1000'], {});
    expect(config.source).toEqual({ kind: 'simulator', intervalMs: 1000, meter: 'netznoe' });
    expect(Buffer.from(config.options.key!).toString('hex').toUpperCase()).toBe('36C66639E48A8CA4D6BC8B282A793BBB');
  });

  it('rejects unknown flags with a usage error', () => {
    expect(() => loadConfig(['--serial'], {})).toThrow(UsageError);
  });
});

describe('loadConfig: AMIS', () => {
  it('--simulator-meter amis plays a Netz OÖ AMIS meter with the simulator key; framing amis is an option', () => {
    const config = loadConfig(['--simulator', '--simulator-meter', 'amis', '--framing', 'amis'], {});
    expect(config.source).toEqual({ kind: 'simulator', intervalMs: 5000, meter: 'amis' });
    expect(config.options.framing).toBe('amis');
    expect(config.problems).toEqual([]);
    expect(() => loadConfig(['--simulator', '--simulator-meter', 'linz'], {})).toThrow(UsageError);
  });
});
