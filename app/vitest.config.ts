import { defineConfig } from 'vitest/config';

/**
 * The suite mostly waits (real brokers, ptys, backends, browsers), it does not compute: on a 2-core machine vitest's
 * default of one fork per spare core ran one file at a time. Four forks overlap the waiting files.
 *
 * Three groups run one after the other (`sequence.groupOrder`), so that no CPU-heavy file competes with a file that
 * asserts response times:
 *  - `unit-e2e` (group 0): unit tests and the browser tests, four files at a time;
 *  - `integration` (group 1): test/integration, files with timing assertions against real peers (the AMIS E5 answer,
 *    SIGTERM within 2 s, the reader status within its timeout): they only wait, so they overlap each other well;
 *  - `cpu-bound` (group 2): the fuzz and property tests, alone and last. Their tests are synchronous loops of
 *    thousands of streams; next to browsers (or on a loaded machine) one took over 60 s, which the 60 s test timeout
 *    reports as a hang and vitest's worker channel does not survive ("Timeout calling onTaskUpdate", which also ends
 *    the groups after it). Alone they get a core as in a serial run; the longer timeout only covers a loaded machine
 *    (the number of runs, the assertion, is unchanged).
 * SMR_TEST_WORKERS overrides the number of forks (e.g. 1 for a fully serial run).
 */
const workers = Number(process.env.SMR_TEST_WORKERS ?? 4);
const INTEGRATION = ['test/integration/**/*.test.ts'];
const CPU_BOUND = ['test/decoder/fuzz.test.ts', 'test/decoder/*.property.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    minWorkers: 1,
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit-e2e',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...INTEGRATION, ...CPU_BOUND],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cpu-bound',
          include: CPU_BOUND,
          testTimeout: 300_000,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
