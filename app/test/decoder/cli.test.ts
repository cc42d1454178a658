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
