/** Loads the reference vectors (copies of the shared vectors, app/test/fixtures/vectors) and our own captures. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseObis } from '../../src/dlms/obis.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Copies of the project's shared reference vectors, kept in the repository (see its README). */
export const SHARED_VECTORS = join(REPO_ROOT, 'app/test/fixtures/vectors');
export const OWN_CAPTURES = join(REPO_ROOT, 'app/test/fixtures/captures');

/** A reference value; `time` only for values captured at their own time (DSMR gas/water channels). */
export interface ReferenceReading {
  readonly value: number | string;
  readonly unit?: string;
  readonly time?: string;
  readonly unscaled?: boolean;
}

export interface Vector {
  readonly name: string;
  /** `mbus`, `hdlc`, `raw` (bare APDU) or `dsmr` (plain DSMR P1 text telegram). */
  readonly framing: 'mbus' | 'hdlc' | 'raw' | 'dsmr';
  readonly key: string;
  readonly auth_key?: string;
  readonly frames: readonly string[];
  readonly expected?: Record<string, ReferenceReading>;
  readonly decoded?: Record<string, ReferenceReading>;
  /** Own captures: the reference decode made when the capture was added (checked against `expected`). */
  readonly decoded_by_helper?: Record<string, ReferenceReading>;
  readonly expected_plaintext?: string;
  /** Raw register values as the source states them (before a list convention's scaling), keyed `A.B.C.D.E`. */
  readonly source_values?: Record<string, { readonly value: number | string }>;
  /** The meter clock as the source states it, `YYYY-MM-DD HH:MM:SS …` (wall clock, offset not stated). */
  readonly expected_clock_stated?: string;
  /** The positional list's codes and units as the source states them: `[code, placeholder, unit]`. */
  readonly positional?: readonly (readonly [string | null, number, string])[];
  readonly notes?: string;
}

function load(dir: string): Vector[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }) as Vector);
}

export const sharedVectors = (): Vector[] => load(SHARED_VECTORS);
export const ownCaptures = (): Vector[] => load(OWN_CAPTURES);

export const streamOf = (v: Vector): Uint8Array => Uint8Array.from(Buffer.from(v.frames.join(''), 'hex'));
export const keyOf = (hex: string | undefined): Uint8Array | null => (hex ? Uint8Array.from(Buffer.from(hex, 'hex')) : null);

/** The vector's reference values keyed the way the decoder writes OBIS codes (`A-B:C.D.E`). */
export function referenceReadings(values: Record<string, ReferenceReading>): Record<string, ReferenceReading> {
  const out: Record<string, ReferenceReading> = {};
  for (const [k, v] of Object.entries(values)) {
    // `unscaled`: the source states the raw register value (no scaler/unit in the push), see readings.ts
    const reading: ReferenceReading = v.unit ? { value: v.value, unit: v.unit } : v.unscaled ? { value: v.value, unscaled: true } : { value: v.value };
    // DSMR M-Bus channel values (gas, water) and maxima carry their own capture time
    out[normaliseObis(k)] = v.time ? { ...reading, time: v.time } : reading;
  }
  return out;
}
