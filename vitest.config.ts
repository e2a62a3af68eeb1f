import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import LongRunningFirst from './scripts/vitest-long-first.js';

const TEST_FILES = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tests/*/test/**/*.test.ts'];

/**
 * Files that spend most of their time waiting, not computing: the panel adapters' conformance suites wait out real
 * request timeouts and Retry-After delays, the link-traffic tests wait on a real v2ray core, and the deployment test
 * on containers. In a one-worker run
 * they took 85 s of wall time for 20 s of CPU.
 */
const MOSTLY_WAITING = [
  'packages/panel-adapters/test/xui/conformance.test.ts',
  'packages/panel-adapters/test/sui/conformance.test.ts',
  'packages/panel-adapters/test/marzneshin/conformance.test.ts',
  'packages/panel-adapters/test/marzban/conformance.test.ts',
  'packages/panel-adapters/test/remnawave/conformance.test.ts',
  'tests/integration/test/link-traffic.test.ts',
];

/**
 * Builds images and runs the shipped compose files on podman (where the machine allows): containers starting, and
 * their networks coming and going. Chromium drops a navigation in flight when the host's network changes
 * (`net::ERR_NETWORK_CHANGED`, seen in the link page's browser test while two stacks started beside it): this file
 * and the browser tests never overlap (`scripts/test-support/network-gate.ts`), and the sequencer starts the browser
 * tests last. It runs beside the other files from the start: run after them, alone, it was 146 s of a 656 s run
 * spent mostly waiting on containers.
 */
const CONTAINERS = ['examples/shop/test/deploy-podman.test.ts'];

const CORES = availableParallelism();

// One config for every package's tests. Workspace packages resolve to their TypeScript sources through the
// "@panelkit/source" export condition, so tests never need a build first.
export default defineConfig({
  resolve: { conditions: ['@panelkit/source'] },
  ssr: { resolve: { conditions: ['@panelkit/source'] } },
  test: {
    // Real HTTP servers, PGlite and PostgreSQL databases, child processes and Chromium: slower than unit tests.
    // A timeout here finds a test that hangs; it is no measure of speed. A flat 30 s failed eleven tests that were
    // only slow on a machine loaded to 12-17 (issue 60), so the bound is far above what any test takes when
    // quiet; tests that do much more (packing, containers, restarts) set their own, in proportion.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two projects in two pools, which vitest runs side by side: one worker thread per core for the files that
    // compute, and one child process that runs the mostly-waiting files one after another beside them. Vitest starts
    // the files in order as workers free up, so with a third thread the waiting files ran together (three of them at
    // once left a core idle for 20 s), and every file took more CPU with three threads on two cores: 204 s and 372 s
    // of CPU, against 178 s and 324 s this way (bench/RESULTS.md, "Test suite", fifth pass).
    // Within one pool, projects do not share workers without isolation (a worker runs one project's files to the
    // last before the next project's; eight per-package projects once left a core idle at the end of each), hence
    // a project per pool, not per package.
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: TEST_FILES,
          exclude: [...configDefaults.exclude, ...MOSTLY_WAITING, ...CONTAINERS],
          pool: 'threads',
          // Tests' temporary folders sit in one folder, removed when the run ends.
          // A reachable local PostgreSQL is used for the real-server tests; without one, the run says how many skipped.
          // PGlite's initdb runs once for the run; each in-memory database starts from that folder.
          // One Chromium serves every browser test file (connecting costs a fraction of starting one).
          // Here, not on the root: vitest runs a root set-up once more beside each project's.
          // A failed browser test says what its open pages were showing (`report-failed-pages.ts`).
          setupFiles: ['examples/shop/test/e2e/report-failed-pages.ts'],
          globalSetup: [
            'scripts/test-support/temp-root.ts',
            'packages/storage-postgres/test/support/local-postgres.ts',
            'packages/storage-postgres/test/support/pglite-template.ts',
            'examples/shop/test/e2e/browser-server.ts',
          ],
        },
      },
      { extends: true, test: { name: 'waiting', include: MOSTLY_WAITING, pool: 'forks' } },
      { extends: true, test: { name: 'containers', include: CONTAINERS, pool: 'forks' } },
    ],
    // Every thread from start to end: a worker the pool stopped when it fell idle near the end of a run failed the
    // run with "Terminating worker thread".
    poolOptions: { threads: { minThreads: CORES, maxThreads: CORES }, forks: { minForks: 1, maxForks: 1 } },
    // A worker keeps every module it loaded, from node_modules (Express, PGlite, grammY, zod…) and from the
    // workspace, for its next file: a module is evaluated once per worker, so its module-level state is shared by
    // the files that worker runs. Test helpers use that for what is costly to make (emptied PGlite databases:
    // shop test support's pglite-pool.ts). No test file mocks modules or fakes timers, which would leak from one
    // file to the next, and the one test that replaces a global's method puts it back before it ends.
    isolate: false,
    reporters: ['default', './scripts/vitest-skip-summary.ts'],
    // Files known to run long start first, so that none is left running alone at the end of a run.
    sequence: { sequencer: LongRunningFirst },
  },
});
