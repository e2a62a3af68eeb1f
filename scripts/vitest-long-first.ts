import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that each run for about 10 s or more (waiting on real timeouts, child processes, npm or a browser as
 * much as on the CPU), by a part of their path: from a one-worker run's times per file (bench/RESULTS.md, "Test
 * suite", fourth pass; the minimal shop's upgrade and snippets and the shop's documented commands and first owner
 * from the 2026-11-26 evening runs, where they started last). A file missing here only starts later; nothing else
 * depends on the list.
 */
const LONG_RUNNING = [
  'examples/shop/test/deploy-podman.test.ts',
  'examples/minimal/test/packed.test.ts',
  'examples/minimal/test/registry.test.ts',
  'examples/minimal/test/upgrade-from-0.1.test.ts',
  'examples/minimal/test/snippets.test.ts',
  'examples/shop/test/documented-commands.test.ts',
  'examples/shop/test/first-owner.test.ts',
  '/conformance',
  '-on-postgres',
  '-replicas',
];

/**
 * The browser tests, started last: while the deployment test (which runs beside the others, in its own pool) starts
 * and stops containers, a browser may not open (`scripts/test-support/network-gate.ts`), so a browser test started
 * early would hold a worker idle until the deployment ends. Started last, they find it long done.
 */
const BROWSER = ['examples/shop/test/e2e/'];

/**
 * Vitest's order, with the long-running files first and the browser tests last. Without a results cache (every CI
 * run starts from a clean clone) vitest starts the largest files first, and the storage conformance files are a few
 * lines each: they started last and ran on one core while the other had nothing left to do.
 */
export default class LongRunningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isBrowser = (file: TestSpecification) => BROWSER.some((part) => file.moduleId.includes(part));
    const isLong = (file: TestSpecification) => !isBrowser(file) && LONG_RUNNING.some((part) => file.moduleId.includes(part));
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file) && !isBrowser(file)), ...sorted.filter(isBrowser)];
  }
}
