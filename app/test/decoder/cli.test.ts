/** The decode command as users run it: real process, exit codes, stdin, and no key in any output. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCaptures, sharedVectors, streamOf } from '../support/vectors.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'smr-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noe = sharedVectors().find((v) => v.name === 'netznoe-doc-kaifa')!;
const run = (args: string[], input?: Buffer | string) => spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });

describe('decode command', () => {
  it('decodes a hex capture file and exits 0', () => {
    const file = join(dir, 'noe.hex');
    writeFileSync(file, noe.frames.join('\n'));
    const r = run(['decode', '--key', noe.key, file]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ ok: true, meter: { id: '181220000009', systemTitle: '4B464D6750000009', manufacturer: 'KFM' }, time: '2021-09-27T09:47:15+02:00' });
    expect(lines[0].readings['1-0:32.7.0']).toEqual({ value: 233.7, unit: 'V' });
  });

  it('reads raw bytes from standard input with "-"', () => {
    const r = spawnSync(process.execPath, [CLI, 'decode', '--key', noe.key, '-'], { input: Buffer.from(streamOf(noe)) });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.toString().trim()).ok).toBe(true);
  });

  it('exits 1 with an error record when nothing decodes, and never prints the key', () => {
    const wrong = '0123456789ABCDEF0123456789ABCDEF';
    const r = run(['decode', '--key', wrong, '-'], noe.frames.join(''));
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, error: { stage: 'crypto', code: 'CRYPTO_WRONG_KEY' } });
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('rejects a malformed key before decoding (exit 2, usage, key not echoed)', () => {
    const r = run(['decode', '--key', 'not-a-key-1234', '-'], noe.frames.join(''));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--key must be 32 hex digits/);
    expect(r.stderr).toMatch(/usage:/);
    expect(r.stderr).not.toContain('not-a-key-1234');
  });

  it('--explain prints every layer: frames, security header, A-XDR tree with byte offsets, layout and readings', () => {
    const file = join(dir, 'noe-explain.hex');
    writeFileSync(file, noe.frames.join('\n'));
    const r = run(['decode', '--explain', '--key', noe.key, file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^push 1: ok$/m);
    expect(r.stdout).toMatch(/M-Bus frame 1 of 2 \(256 bytes\)/);
    expect(r.stdout).toMatch(/security control 0x20, frame counter 35/);
    // the body starts after tag, invoke id and the 13-byte header date-time: offset 0x12
    expect(r.stdout).toMatch(/^ {4}0x0012 structure\(35\)$/m);
    expect(r.stdout).toMatch(/^ {4}0x0022 {3}octet-string\(6\) 0100010800FF = OBIS 1-0:1\.8\.0$/m);
    expect(r.stdout).toMatch(/^ {2}layout: obis/m);
    expect(r.stdout).toMatch(/1-0:32\.7\.0 +233\.7 V/);
    expect(r.stdout).not.toMatch(new RegExp(noe.key, 'i'));
  });

  it('--explain with a wrong key names the failing layer and shows no decrypted tree', () => {
    const wrong = '0123456789ABCDEF0123456789ABCDEF';
    const r = run(['decode', '--explain', '--key', wrong, '-'], noe.frames.join(''));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^push 1: FAILED at crypto: CRYPTO_WRONG_KEY$/m);
    expect(r.stdout).toMatch(/decryption fail/);
    expect(r.stdout).not.toMatch(/A-XDR body/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('prints the structure signature of a push with an unknown layout, and the unscaled flag of raw values', () => {
    // a plain data-notification whose body matches no strategy: structure{u16, u16, bit-string}
    const unknown = '0F00000001000203120001120002040800';
    const r = run(['decode', '-'], unknown);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, error: { code: 'LAYOUT_UNKNOWN', signature: 'S(2×U16,BIT8)' } });
    const xt211 = ownCaptures().find((v) => v.name === 'dlmsparser-cz-sagemcom-xt211')!;
    const ok = JSON.parse(run(['decode', '-'], xt211.frames.join('')).stdout.trim());
    expect(ok.readings['1-0:1.7.0']).toEqual({ value: 1956, unscaled: true });
  });

  it('exits 2 for bad arguments', () => {
    expect(run(['decode']).status).toBe(2);
    expect(run(['decode', '--framing', 'zigbee', 'x']).status).toBe(2);
    expect(run(['frobnicate']).status).toBe(2);
  });
});
