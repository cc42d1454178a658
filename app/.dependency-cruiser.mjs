// The import rule of app/src (docs/architecture.md): each folder has a rank, and a module may import only from
// its own rank or a lower one; no cycles anywhere. `npm run lint` runs it; test/lint/ proves it fails on a
// deliberate violation.

/** Rank of each folder of app/src, lowest first. `cli/`, `cli.ts` and `main.ts` (rank 10) compose and may import everything. */
export const layers = [
  { rank: 0, folders: ['shared', 'contract'], owns: 'errors catalogue, hex, crc, logger; the DTOs shared with the panel' },
  { rank: 1, folders: ['framing'], owns: 'sans-IO framers (M-Bus, HDLC, DSMR text, raw), link state machines' },
  { rank: 2, folders: ['dlms', 'mbus'], owns: 'pure decoders: APDU, security, A-XDR, OBIS text; OMS/AMIS application layer' },
  { rank: 3, folders: ['readings'], owns: 'layouts, list scalings, units, quantities and ranges, derived values' },
  { rank: 4, folders: ['decoder', 'transport', 'config'], owns: 'the decode path; byte sources; the options schema' },
  { rank: 5, folders: ['judge'], owns: 'plausibility and counter guards: one verdict per decoded push' },
  { rank: 6, folders: ['pipeline'], owns: 'source → decoder → judge → events; no panel state' },
  { rank: 7, folders: ['monitor', 'store'], owns: 'observers of pipeline events: panel view models, history on disk' },
  { rank: 8, folders: ['outputs'], owns: 'MQTT and Home Assistant discovery' },
  { rank: 9, folders: ['web'], owns: 'fastify routes and WebSocket over monitor and store' },
];

const COMPOSITION = ['cli/', 'cli\\.ts$', 'main\\.ts$'];

function higherThan(rank) {
  const folders = layers.filter((layer) => layer.rank > rank).flatMap((layer) => layer.folders.map((folder) => `${folder}/`));
  return `^src/(${[...folders, ...COMPOSITION].join('|')})`;
}

function allowedFor(rank) {
  return layers.filter((layer) => layer.rank <= rank).flatMap((layer) => layer.folders).join(', ');
}

const layerRules = layers.flatMap((layer) =>
  layer.folders.map((folder) => ({
    name: `${folder}-imports-higher-rank`,
    severity: 'error',
    comment: `${folder}/ (rank ${layer.rank}) may import only ${allowedFor(layer.rank)}: move the shared piece down or invert the dependency (an event, a parameter)`,
    // colocated tests (`*.test.ts`) are test code: they may wire any part, as test/ does
    from: { path: `^src/${folder}/`, pathNot: '\\.test\\.ts$' },
    to: { path: higherThan(layer.rank) },
  })),
);

/** The byte-source adapters and the options schema stand side by side: a source takes plain settings, not the options type. */
const siblingRules = [
  {
    name: 'rank-4-siblings-independent',
    severity: 'error',
    comment: 'decoder/, transport/ and config/ do not import each other: pass plain values from main.ts',
    from: { path: '^src/(decoder|transport|config)/' },
    to: { path: '^src/(decoder|transport|config)/', pathNot: '^src/$1/' },
  },
];

const PURE_LAYERS = '^src/(shared|contract|framing|dlms|mbus|readings|decoder|judge)/';

const ioRules = [
  {
    name: 'pure-layers-no-io',
    severity: 'error',
    comment: 'framers, decoders, readings and guards work on bytes and values: file, network and process I/O belong in an adapter',
    from: { path: PURE_LAYERS },
    to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|tls|dgram|http|https|http2|child_process|worker_threads|cluster)$' },
  },
  ...[
    ['serialport', 'transport'],
    ['mqtt', 'outputs'],
    ['(fastify|@fastify/[^/]+|fastify-plugin|ws)', 'web'],
  ].map(([library, adapter]) => ({
    name: `${adapter}-alone-imports-${library.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`,
    severity: 'error',
    comment: `only ${adapter}/ (and the composition root) imports ${library}`,
    from: { path: '^src/', pathNot: `^src/(${adapter}/|main\\.ts$|cli\\.ts$|cli/)` },
    to: { dependencyTypes: ['npm', 'npm-dev', 'npm-no-pkg', 'npm-unknown'], path: `(^|/)node_modules/${library}/` },
  })),
];

export const forbidden = [
  ...layerRules,
  ...siblingRules,
  ...ioRules,
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'a cycle ties two modules into one: break it by moving the shared piece down a rank',
    from: {},
    to: { circular: true },
  },
  {
    name: 'src-not-to-test',
    severity: 'error',
    comment: 'production code does not import test code',
    from: { path: '^src/', pathNot: '\\.test\\.ts$' },
    to: { path: '(^test/|\\.test\\.ts$)' },
  },
];

/** Options shared by `npm run lint` and test/lint/layering.test.ts. */
export const options = {
  doNotFollow: { path: 'node_modules' },
  tsPreCompilationDeps: true,
  tsConfig: { fileName: 'tsconfig.json' },
};

export default { forbidden, options };
