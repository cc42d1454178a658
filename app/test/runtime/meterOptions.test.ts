/**
 * The `meters` option: a list of meters next to the single-meter options, which keep working unchanged (the first
 * meter keeps today's topics and ids). Problems name the entry, the meter and the field; secrets are never echoed.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { LEGACY_METER_ID, meterIdOf, validateOptions } from '../../src/config/options.js';

const KEY_A = '36C66639E48A8CA4D6BC8B282A793BBB';
const KEY_B = '0123456789ABCDEF0123456789ABCDEF';
const hex = (k: Uint8Array | null): string | null => (k ? Buffer.from(k).toString('hex').toUpperCase() : null);

describe('meters option', () => {
  it('the single-meter options are one legacy meter, exactly as before', () => {
    const { options, problems } = validateOptions({ serial_port: '/dev/ttyUSB0', key: KEY_A, serial_settings: '2400_8E1', framing: 'mbus', main_fuse_amps: 25, phases: 1 });
    expect(problems).toEqual([]);
    expect(options.meters).toHaveLength(1);
    expect(options.meters[0]).toMatchObject({
      id: LEGACY_METER_ID,
      legacy: true,
      origin: 'options',
      serialPort: '/dev/ttyUSB0',
      tcpAddress: null,
      serialSettings: '2400_8E1',
      framing: 'mbus',
      maxPowerW: 5750,
    });
    expect(hex(options.meters[0]!.key)).toBe(KEY_A);
    // the single-meter fields are still there for the code that reads them
    expect(options.serialPort).toBe('/dev/ttyUSB0');
    expect(hex(options.key)).toBe(KEY_A);
  });

  it('no options at all: one meter without a source (the add-on starts and says what is missing)', () => {
    const { options, problems } = validateOptions({ meters: [] });
    expect(problems).toEqual([]);
    expect(options.meters.map((m) => [m.id, m.serialPort, m.tcpAddress, m.legacy])).toEqual([[LEGACY_METER_ID, null, null, true]]);
  });

  it('top-level meter first, then each list entry with its own port, keys and line settings', () => {
    const { options, problems } = validateOptions({
      serial_port: '/dev/ttyUSB0',
      key: KEY_A,
      serial_settings: '2400_8E1',
      main_fuse_amps: 35,
      meters: [
        { name: 'Wärmepumpe 2', serial_port: '/dev/ttyUSB1', key: KEY_B, framing: 'hdlc' },
        { name: 'Barn', tcp_address: 'tcp://192.168.1.30:3333', serial_settings: '9600_8N1', phases: 1, main_fuse_amps: 16 },
      ],
    });
    expect(problems).toEqual([]);
    expect(options.meters.map((m) => [m.id, m.name, m.legacy, m.origin])).toEqual([
      ['meter', 'Meter', true, 'options'],
      ['waermepumpe_2', 'Wärmepumpe 2', false, 'meters[0]'],
      ['barn', 'Barn', false, 'meters[1]'],
    ]);
    const [, heat, barn] = options.meters;
    expect(hex(heat!.key)).toBe(KEY_B);
    expect(heat!.framing).toBe('hdlc');
    // empty line settings and fuse take the top-level values; keys never do
    expect(heat!.serialSettings).toBe('2400_8E1');
    expect(heat!.maxPowerW).toBe(3 * 230 * 35);
    expect(barn!.key).toBeNull();
    expect(barn!.tcpAddress).toEqual({ host: '192.168.1.30', port: 3333 });
    expect(barn!.serialSettings).toBe('9600_8N1');
    expect(barn!.maxPowerW).toBe(230 * 16);
  });

  it('without a top-level port the first entry takes the single-meter place (its topics and ids)', () => {
    const { options, problems } = validateOptions({
      meters: [
        { name: 'House', serial_port: '/dev/ttyUSB0', key: KEY_A },
        { name: 'Heat pump', serial_port: '/dev/ttyUSB1', key: KEY_B },
      ],
    });
    expect(problems).toEqual([]);
    expect(options.meters.map((m) => [m.id, m.legacy])).toEqual([
      ['house', true],
      ['heat_pump', false],
    ]);
  });

  it('names every problem with the entry, the meter and the field, without echoing keys', () => {
    const { problems } = validateOptions({
      meters: [
        { name: 'Heat pump', serial_port: '/dev/ttyUSB1', key: 'ABCDEF-short-secret', framing: 'morse' },
        { serial_port: '/dev/ttyUSB2' },
        { name: 'Barn' },
        { name: 'Both', serial_port: '/dev/ttyUSB3', tcp_address: 'tcp://h:1' },
        { name: 'Typo', serial_port: '/dev/ttyUSB4', serial_prot: 'x' },
        'not a mapping',
        { name: '***', serial_port: '/dev/ttyUSB5' },
        { name: 'Far', tcp_address: 'tcp://h:99999' },
      ],
    });
    const byOption = Object.fromEntries(problems.map((p) => [p.option, p.message]));
    expect(Object.keys(byOption).sort()).toEqual(
      [
        'meters[0].key',
        'meters[0].framing',
        'meters[1].name',
        'meters[2].serial_port',
        'meters[3].tcp_address',
        'meters[4].serial_prot',
        'meters[5]',
        'meters[6].name',
        'meters[7].tcp_address',
      ].sort(),
    );
    expect(byOption['meters[0].key']).toMatch(/^meters\[0\]\.key of meter "Heat pump" must be 32 hex digits/);
    expect(byOption['meters[0].framing']).toMatch(/^meters\[0\]\.framing of meter "Heat pump" must be one of auto, /);
    expect(byOption['meters[1].name']).toMatch(/name is required/);
    expect(byOption['meters[2].serial_port']).toMatch(/^meters\[2\]\.serial_port of meter "Barn" or tcp_address is required/);
    expect(byOption['meters[3].tcp_address']).toMatch(/of meter "Both" and serial_port are both set/);
    expect(byOption['meters[4].serial_prot']).toMatch(/is not a meter option \(known: name, serial_port/);
    expect(byOption['meters[6].name']).toMatch(/must contain a letter or digit/);
    expect(byOption['meters[7].tcp_address']).toMatch(/port must be from 1 to 65535/);
    for (const p of problems) expect(p.message.startsWith(p.option), p.message).toBe(true);
    expect(JSON.stringify(problems)).not.toContain('ABCDEF-short-secret');
  });

  it('refuses two meters with one name (one id) or one port', () => {
    const { problems } = validateOptions({
      serial_port: '/dev/ttyUSB0',
      meters: [
        { name: 'Meter', serial_port: '/dev/ttyUSB1' },
        { name: 'Heat pump', serial_port: '/dev/ttyUSB0' },
        { name: 'heat-pump', tcp_address: 'tcp://bridge:2000' },
        { name: 'Barn', tcp_address: 'tcp://BRIDGE:2000' },
      ],
    });
    const messages = problems.map((p) => `${p.option}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^meters\[0\]\.name: .*"Meter" gives the id meter, already used by the top-level options/),
      expect.stringMatching(/^meters\[1\]\.serial_port: .*"Heat pump" is \/dev\/ttyUSB0, already read by the top-level options/),
      expect.stringMatching(/^meters\[2\]\.name: .*"heat-pump" gives the id heat_pump, already used by meters\[1\] \("Heat pump"\)/),
      expect.stringMatching(/^meters\[3\]\.tcp_address: .*"Barn" is tcp:\/\/bridge:2000, already read by meters\[2\] \("heat-pump"\)/),
    ]);
  });

  it('meters must be a list', () => {
    expect(validateOptions({ meters: 'Heat pump' }).problems.map((p) => p.option)).toEqual(['meters']);
  });

  it('meter ids are stable slugs of the name', () => {
    expect(meterIdOf('Heat pump')).toBe('heat_pump');
    expect(meterIdOf('  Wärmepumpe (Keller) ')).toBe('waermepumpe_keller');
    expect(meterIdOf('Élan PV-Einspeisung')).toBe('elan_pv_einspeisung');
    expect(meterIdOf('Straße 12')).toBe('strasse_12');
    expect(meterIdOf('---')).toBe('');
    expect(meterIdOf('x'.repeat(60))).toHaveLength(40);
  });
});

describe('loadConfig with meters', () => {
  it('reads the list from a flag or the environment (YAML or JSON), each meter with its source; keys go to the redactor', () => {
    const config = loadConfig(['--meters', `[{name: Heat pump, serial_port: /dev/ttyUSB1, key: ${KEY_B}}]`], {
      SMR_SERIAL_PORT: '/dev/ttyUSB0',
    });
    expect(config.problems).toEqual([]);
    expect(config.meters.map((m) => [m.id, m.source])).toEqual([
      ['meter', { kind: 'serial', path: '/dev/ttyUSB0' }],
      ['heat_pump', { kind: 'serial', path: '/dev/ttyUSB1' }],
    ]);
    expect(config.source).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(config.secrets).toContain(KEY_B);
    const fromEnv = loadConfig([], { SMR_METERS: JSON.stringify([{ name: 'Barn', tcp_address: 'tcp://10.0.0.2:2000' }]) });
    expect(fromEnv.meters.map((m) => [m.id, m.legacy, m.source])).toEqual([['barn', true, { kind: 'tcp', host: '10.0.0.2', port: 2000 }]]);
  });

  it('refuses two meters on one device under two names (a by-id link and its target)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smr-dev-'));
    try {
      writeFileSync(join(dir, 'ttyUSB0'), '');
      symlinkSync(join(dir, 'ttyUSB0'), join(dir, 'usb-FTDI-if00-port0'));
      const config = loadConfig(['--serial-port', join(dir, 'usb-FTDI-if00-port0'), '--meters', `[{name: Heat pump, serial_port: ${join(dir, 'ttyUSB0')}}]`], {});
      expect(config.problems.map((p) => p.option)).toEqual(['meters[0].serial_port']);
      expect(config.problems[0]!.message).toMatch(/^meters\[0\]\.serial_port of meter "Heat pump" is .*ttyUSB0, the same device .* as .*usb-FTDI-if00-port0 of the top-level options/);
      // a port that does not exist (yet) is no problem for the options
      expect(loadConfig(['--serial-port', join(dir, 'missing'), '--meters', `[{name: B, serial_port: ${join(dir, 'ttyUSB0')}}]`], {}).problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--simulator stands in for the top-level port: the first meter, before the list', () => {
    const config = loadConfig(['--simulator', '--meters', '[{name: A, serial_port: /dev/ttyA}, {name: B, serial_port: /dev/ttyB}]'], {});
    expect(config.meters.map((m) => [m.id, m.legacy, m.source.kind])).toEqual([
      ['meter', true, 'simulator'],
      ['a', false, 'serial'],
      ['b', false, 'serial'],
    ]);
  });
});
