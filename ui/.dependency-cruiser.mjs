// The panel's import rule (docs/architecture.md): of the backend, ui/src imports only app/src/contract/ (the DTOs
// shared with the backend), and only its types, so no backend code is bundled into the panel. No cycles.
export const forbidden = [
  {
    name: 'ui-imports-only-backend-contract',
    severity: 'error',
    comment: 'the panel sees the backend only through app/src/contract/ (the DTOs); add what the panel needs there',
    from: { path: '^src/' },
    to: { path: '^\\.\\./app/', pathNot: '^\\.\\./app/src/contract/' },
  },
  {
    name: 'ui-contract-type-only',
    severity: 'error',
    comment: 'import the backend contract with `import type` / `export type`: types only, nothing bundled',
    from: { path: '^src/' },
    to: { path: '^\\.\\./app/src/contract/', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'a cycle ties two modules into one: break it by moving the shared piece into its own module',
    from: {},
    to: { circular: true },
  },
];

export const options = {
  doNotFollow: { path: 'node_modules' },
  tsPreCompilationDeps: true,
  tsConfig: { fileName: 'tsconfig.json' },
};

export default { forbidden, options };
