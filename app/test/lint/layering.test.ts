/**
 * The import rule of app/src and ui/src (app/.dependency-cruiser.mjs, ui/.dependency-cruiser.mjs; docs/architecture.md)
 * fails on a deliberate violation, names it, and passes on the real tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs config without type declarations
import appRules from '../../.dependency-cruiser.mjs';
// @ts-expect-error: a plain .mjs config without type declarations
import uiRules from '../../../ui/.dependency-cruiser.mjs';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const uiDir = resolve(appDir, '../ui');

async function violations(baseDir: string, rules: { forbidden: unknown[]; options: Record<string, unknown> }): Promise<string[]> {
  const { tsConfig: _tsConfig, ...options } = rules.options;
  const tsConfig = extractTSConfig(join(baseDir, 'tsconfig.json'));
  const reported = await cruise(
    ['src'],
    { ...options, baseDir, validate: true, ruleSet: { forbidden: rules.forbidden } as never },
    undefined,
    { tsConfig },
  );
  const result = reported.output as ICruiseResult;
  return result.summary.violations
    .filter((violation: IViolation) => violation.rule.severity !== 'ignore')
    .map((violation: IViolation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
    .sort();
}

const tempDirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'smr-layering-'));
  tempDirs.push(root);
  const all = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, jsx: 'react-jsx' } }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the import rule of app/src', () => {
  it('names a pipeline/ module that imports web/, a cycle, a sibling import and I/O in a decoder', async () => {
    const root = tree({
      'src/shared/hex.ts': 'export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");\n',
      'src/web/routes.ts': 'export const route = "/api";\n',
      'src/pipeline/Pipeline.ts': 'import { route } from "../web/routes.js";\nimport { hex } from "../shared/hex.js";\nexport const p = route + hex(new Uint8Array());\n',
      'src/readings/a.ts': 'import { b } from "./b.js";\nexport const a = (): number => b() + 1;\n',
      'src/readings/b.ts': 'import { a } from "./a.js";\nexport const b = (): number => (a ? 1 : 0);\n',
      'src/transport/Source.ts': 'import type { Options } from "../config/options.js";\nexport type Source = { options: Options };\n',
      'src/config/options.ts': 'export interface Options { device: string }\n',
      'src/dlms/reader.ts': 'import { readFileSync } from "node:fs";\nexport const read = (): Buffer => readFileSync("x");\n',
      'src/main.ts': 'import { p } from "./pipeline/Pipeline.js";\nimport { route } from "./web/routes.js";\nexport const all = p + route;\n',
    });
    expect(await violations(root, appRules)).toEqual([
      'no-circular: src/readings/a.ts → src/readings/b.ts', // a cycle is named once, at its first module
      'pipeline-imports-higher-rank: src/pipeline/Pipeline.ts → src/web/routes.ts',
      'pure-layers-no-io: src/dlms/reader.ts → fs',
      'rank-4-siblings-independent: src/transport/Source.ts → src/config/options.ts',
    ]);
  });

  it('lets main.ts import everything and every folder import its own or a lower rank', async () => {
    const root = tree({
      'src/shared/errors.ts': 'export class MeterError extends Error {}\n',
      'src/framing/frame.ts': 'import { MeterError } from "../shared/errors.js";\nexport const f = MeterError;\n',
      'src/web/server.ts': 'import { f } from "../framing/frame.js";\nexport const s = f;\n',
      'src/main.ts': 'import { s } from "./web/server.js";\nimport { f } from "./framing/frame.js";\nexport const m = [s, f];\n',
    });
    expect(await violations(root, appRules)).toEqual([]);
  });

  it('the real app/src has no violation', async () => {
    expect(await violations(appDir, appRules)).toEqual([]);
  });
});

describe('the import rule of ui/src', () => {
  it('names a panel module that imports backend code, or the contract as a value', async () => {
    const root = tree({
      'ui/tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', strict: true } }),
      'app/src/contract/dto.ts': 'export interface StatusDto { code: string }\nexport const VERSION = 1;\n',
      'app/src/shared/errors.ts': 'export const CODES = ["X"];\n',
      'ui/src/api/contract.ts': 'export type * from "../../../app/src/contract/dto.js";\n',
      'ui/src/api/version.ts': 'import { VERSION } from "../../../app/src/contract/dto.js";\nexport const v = VERSION;\n',
      'ui/src/i18n/codes.ts': 'import { CODES } from "../../../app/src/shared/errors.js";\nexport const c = CODES;\n',
    });
    expect(await violations(join(root, 'ui'), uiRules)).toEqual([
      'ui-contract-type-only: src/api/version.ts → ../app/src/contract/dto.ts',
      'ui-imports-only-backend-contract: src/i18n/codes.ts → ../app/src/shared/errors.ts',
    ]);
  });

  it('the real ui/src imports only the contract\'s types', async () => {
    expect(await violations(uiDir, uiRules)).toEqual([]);
  });
});
