import { basename } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { describeOpenPages, screenshot, testStarting } from './open-pages.js';

/**
 * Vitest set-up for every test file: when a test fails with browser pages still open (a browser test fails before
 * its own `context.close()`), says on the run's output what each page was showing (its address, title, the start
 * of its text, its console errors) and saves its screenshot under `test-output/screenshots/failed-*`. A browser
 * test that fails only on a loaded machine is then explained by the run that failed, not by a rerun that passes.
 * A file that opened no browser finds nothing open, and pays one check a test. A page an earlier failure showed, idle
 * since, is named by its address only.
 */
beforeEach(() => testStarting());
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  const prefix = `failed-${basename(task.file.name, '.test.ts')}-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
  const lines = await describeOpenPages((page, name) => screenshot(page, `${prefix}-${name}`));
  if (lines.length > 0) console.error(`[browser] "${task.name}" failed; what its open pages show:\n${lines.join('\n')}`);
});
