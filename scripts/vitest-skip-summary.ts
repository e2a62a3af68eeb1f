import type { Reporter, TestModule } from 'vitest/node';

/** The reason the real-server suites give when they skip (see each suite's `describe.skipIf`). */
const REASON = 'PANELKIT_TEST_DATABASE_URL is not set';

/**
 * A reporter that ends the run with one line when tests were skipped for want of a PostgreSQL server:
 * how many, and how to run them. Silent when none were.
 */
export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let skipped = 0;
    for (const module of testModules) {
      // A test's full name carries its suites' names, where the reason is.
      for (const test of module.children.allTests('skipped')) if (test.fullName.includes(REASON)) skipped += 1;
    }
    if (skipped > 0) {
      console.log(
        `\n${skipped} real-server tests were skipped: no PostgreSQL at 127.0.0.1:5432. ` +
          'Run them with PANELKIT_TEST_DATABASE_URL=postgres://user@host:5432/db npm test (a database they may create schemas in).',
      );
    }
  }
}
