import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongRunningFirst from './scripts/vitest-long-first.js';

// One config for every package's tests. Workspace packages resolve to their TypeScript sources through the
// "@panelkit/source" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  test: {
    // One project, not one per package: without per-file isolation vitest runs a project's files to the last
    // before it starts the next project's, and the end of each of eight projects left a core idle (a whole run
    // had one file running for 131 s of its 427; bench/RESULTS.md, "Test suite", third pass).
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tests/*/test/**/*.test.ts'],
    // Real HTTP servers, PGlite and PostgreSQL databases, child processes and Chromium: slower than unit tests.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One file more than there are cores: many files spend much of their time waiting on sockets, child
    // processes and timers. On 2 cores, 3 workers kept the machine busy for all but 18 s of a run that took 364 s
    // (451 s with 2 workers; vitest's default of cores − 1 took 13 min instead of 7.5: bench/RESULTS.md, "Test suite").
    // Since the fourth pass cut the waiting, 2 and 3 workers tie (275 s and 279 s): a third keeps the cores busy,
    // and each file then takes more CPU.
    maxWorkers: availableParallelism() + 1,
    // All of them from start to end: a worker the pool stopped when it fell idle near the end of a run (more
    // workers than vitest's default minimum) failed the run with "Terminating worker thread".
    minWorkers: availableParallelism() + 1,
    // Worker threads. Set here beside per-package projects, this reached none of them (each ran its files in child
    // processes, vitest's default); with one project it applies.
    pool: 'threads',
    // A worker keeps every module it loaded, from node_modules (Express, PGlite, grammY, zod…) and from the
    // workspace, for its next file: a module is evaluated once per worker, so its module-level state is shared by
    // the files that worker runs. Test helpers use that for what is costly to make (emptied PGlite databases:
    // shop test support's pglite-pool.ts). No test file mocks modules or fakes timers, which would leak from one
    // file to the next, and the one test that replaces a global's method puts it back before it ends.
    isolate: false,
    // A reachable local PostgreSQL is used for the real-server tests; without one, the run says how many skipped.
    // PGlite's initdb runs once for the run; each in-memory database starts from that folder.
    // One Chromium serves every browser test file (connecting costs a fraction of starting one).
    globalSetup: [
      'packages/storage-postgres/test/support/local-postgres.ts',
      'packages/storage-postgres/test/support/pglite-template.ts',
      'examples/shop/test/e2e/browser-server.ts',
    ],
    reporters: ['default', './scripts/vitest-skip-summary.ts'],
    // Files known to run long start first, so that none is left running alone at the end of a run.
    sequence: { sequencer: LongRunningFirst },
  },
});
