import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that each run for 10 s or more (waiting on real timeouts, child processes, npm or a browser as much as
 * on the CPU), by a part of their path. Measured one at a time in bench/RESULTS.md, "Test suite".
 */
const LONG_RUNNING = [
  'examples/minimal/test/packed.test.ts',
  '/conformance',
  'tests/integration/test/link-traffic',
  '-on-postgres',
  '-replicas',
  'examples/shop/test/e2e/',
];

/**
 * Vitest's order, with the long-running files first. Without a results cache (every CI run starts from a clean
 * clone) vitest starts the largest files first, and the storage conformance files are a few lines each: they
 * started last and ran on one core while the other had nothing left to do.
 */
export default class LongRunningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (file: TestSpecification) => LONG_RUNNING.some((part) => file.moduleId.includes(part));
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file))];
  }
}
