import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnvironment, run } from '../../../../scripts/test-support/packed-workspace.js';

/** What one vitest run of a test file gave: whether every test passed, and what it printed (stdout, then stderr). */
export interface VitestRun {
  readonly ok: boolean;
  readonly output: string;
}

/** What {@link installVitestProject} needs. */
export interface VitestProjectOptions {
  /** The vitest to install, as `npm install vitest@…` takes it (`3.1.0`, `4`). */
  readonly vitest: string;
  /** The project's other dependencies by name, as a manifest gives them (`file:` the packed tarballs). */
  readonly dependencies: Readonly<Record<string, string>>;
  /** The test files by name, written into the project's `suites/` folder (the root the runs give vitest). */
  readonly files: Readonly<Record<string, string>>;
  /**
   * True for a vitest the packages' peer range refuses. npm 11 crashes on that conflict in a fresh project
   * (`Cannot read properties of null (reading 'children')`, npm/cli#5222) instead of installing or naming it, so
   * such a project installs with `--legacy-peer-deps`; the tree is the same (every peer is a direct dependency).
   */
  readonly outsidePeerRange?: boolean;
}

/**
 * Installs a project of its own for one vitest version in `dir`: that vitest and the given dependencies only, from
 * npm's cache where it has them. Several such projects install side by side, and none touches another project's
 * `node_modules`. Resolves with a function that runs one of the project's test files under that vitest; a run that
 * fails resolves too (`ok` false), and an install that fails rejects with npm's output.
 */
export async function installVitestProject(dir: string, options: VitestProjectOptions): Promise<(file: string) => Promise<VitestRun>> {
  const suites = join(dir, 'suites');
  mkdirSync(suites, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'suites-on-vitest',
      private: true,
      type: 'module',
      dependencies: { ...options.dependencies, vitest: options.vitest },
    }),
  );
  for (const [name, text] of Object.entries(options.files)) writeFileSync(join(suites, name), text);
  const installed = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...(options.outsidePeerRange === true ? ['--legacy-peer-deps'] : []),
    ],
    { cwd: dir, env: cleanEnvironment(), timeout: 300_000 },
  );
  if (installed.code !== 0) throw new Error(`npm install of vitest@${options.vitest} failed:\n${installed.output}`);
  return async (file) => {
    const ran = await run(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', suites, file], {
      cwd: dir,
      env: cleanEnvironment({ CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' }),
      timeout: 300_000,
    });
    return { ok: ran.code === 0, output: ran.output };
  };
}
