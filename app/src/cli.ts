#!/usr/bin/env node
/**
 * Command line: `smart-meter-reader decode [--explain] [--key HEX32] [--auth-key HEX32] [--framing auto|mbus|hdlc|raw|dsmr|amis] FILE`
 * FILE is a captured stream (raw bytes or hex text); `-` reads standard input.
 * Exit status: 0 when at least one push decoded, 1 otherwise, 2 for bad arguments.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeCapture } from './cli/decodeCommand.js';
import { captureBytes } from './shared/capture.js';
import { explainCapture } from './cli/explainCommand.js';
import type { FramingMode } from './framing/StreamFramer.js';
import { parseKey } from './shared/hex.js';

const USAGE = `usage: smart-meter-reader decode [--explain] [--key HEX32] [--auth-key HEX32] [--framing auto|mbus|hdlc|raw|dsmr|amis] FILE
  FILE          captured stream: raw bytes or hex text; "-" reads standard input
  --explain     print every layer of each push (frames, APDU, security, A-XDR tree with byte offsets,
                layout and why) as text for a bug report, instead of one JSON line per push
  --key         decryption key from the grid operator (32 hex digits)
  --auth-key    authentication key, only for pushes with an authentication tag (32 hex digits)
  --framing     link layer; default auto (detected from the stream); amis = M-Bus as the Netz OÖ AMIS meters send it`;

const FRAMINGS: readonly FramingMode[] = ['auto', 'mbus', 'hdlc', 'raw', 'dsmr', 'amis'];

function usageError(message: string): number {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  return 2;
}

export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'decode') return usageError(command ? `unknown command "${command}"` : 'no command given');
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: {
        key: { type: 'string' },
        'auth-key': { type: 'string' },
        framing: { type: 'string', default: 'auto' },
        explain: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    // parseArgs messages quote option names, never values
    return usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError('exactly one FILE is needed');
  const key = values.key === undefined ? null : parseKey(values.key);
  if (values.key !== undefined && key === null) {
    return usageError('--key must be 32 hex digits (16 bytes); spaces and 0x prefixes are allowed');
  }
  const authKey = values['auth-key'] === undefined ? null : parseKey(values['auth-key']);
  if (values['auth-key'] !== undefined && authKey === null) {
    return usageError('--auth-key must be 32 hex digits (16 bytes); spaces and 0x prefixes are allowed');
  }
  const framing = values.framing as FramingMode;
  if (!FRAMINGS.includes(framing)) return usageError(`--framing must be one of ${FRAMINGS.join(', ')}`);
  const file = positionals[0]!;
  let input: Uint8Array;
  try {
    input = readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    return usageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (values.explain) {
    const { text, anyOk } = explainCapture(captureBytes(input), { key, authKey, framing });
    process.stdout.write(text);
    return anyOk ? 0 : 1;
  }
  const records = decodeCapture(captureBytes(input), { key, authKey, framing });
  process.stdout.write(records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  return records.some((r) => r.ok) ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
