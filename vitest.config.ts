import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One root config; each package is a project. Workspace packages resolve to their TypeScript
// sources through the "@panelkit/source" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  test: {
    projects: ['packages/*', 'examples/*', 'tests/*'],
    // One test file per core, not vitest's cores − 1: most files spend much of their time waiting on sockets,
    // child processes and timers. On 2 cores the suite took 13 min instead of 20 (bench/RESULTS.md, "Test suite").
    maxWorkers: availableParallelism(),
    // Worker threads, not child processes: 12 shop files on one worker took 43.9 s instead of 51.7 s, and 53 s of CPU
    // instead of 70 (bench/RESULTS.md, "Test suite", second pass).
    pool: 'threads',
    // A worker keeps what it loaded from node_modules (Express, PGlite, grammY, zod…) for its next file instead of
    // loading it again; vitest still evaluates the workspace's own sources afresh for each file. No test file
    // mocks modules, fakes timers or stubs globals, which is what would leak from one file to the next.
    isolate: false,
    // A reachable local PostgreSQL is used for the real-server tests; without one, the run says how many skipped.
    // PGlite's initdb runs once for the run; each in-memory database starts from that folder.
    globalSetup: ['packages/storage-postgres/test/support/local-postgres.ts', 'packages/storage-postgres/test/support/pglite-template.ts'],
    reporters: ['default', './scripts/vitest-skip-summary.ts'],
  },
});
