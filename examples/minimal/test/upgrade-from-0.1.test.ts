import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../../../scripts/test-support/local-registry.js';
import {
  PNPM,
  cleanEnvironment,
  packPackages,
  packagesBuilt,
  packedWorkspace,
  run,
} from '../../../scripts/test-support/packed-workspace.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';
import { upgradeCommands } from './support/upgrade-notes.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The last commit whose packages are 0.1 as a 0.1 project installed them: `@panelkit/panel-adapters` depending on
 * `hash-wasm` and `path-to-regexp`, `@panelkit/sdk` taking vitest `^3.0.0 || ^4.0.0 || ^5.0.0`. The manifests said
 * 0.1.0 from the first commit to the 0.2.0 version commit (eaa8e881); the next commit (7191844f) narrowed the vitest
 * range. A shallow clone lacks it: CI checks out the whole history (`fetch-depth: 0`).
 */
const RELEASE_0_1 = 'bed2789f2220e0a30adbb250cbe4268b341e29f4';

/** The packages' version now: the changelogs' notes take a 0.1 project here. */
const version = (JSON.parse(readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string }).version;

const built = packagesBuilt(root);
const work = built ? testTempFolder('upgrade') : '';
let registry: LocalRegistry | undefined;
let unavailable = built ? '' : 'run `pnpm build` first';
if (built) {
  try {
    registry = await startLocalRegistry(join(work, 'verdaccio'));
  } catch (error) {
    unavailable = `Verdaccio could not start: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** The four packages 0.1.0 published (the others came later). */
const PACKAGES_0_1 = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres'];

/**
 * The 0.1 tarballs, kept on this machine between runs as the deployment test keeps the previous release's image: the
 * commit fixes their content, and making them (a clone, an install and a build of that commit) cost each run ~20 s
 * of CPU. Made once into a folder of its own and renamed into place whole, so a run never reads half of it.
 */
async function tarballs01(): Promise<Record<string, string>> {
  const cache = join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'panelkit-tests', `release-0.1-${RELEASE_0_1}`);
  const paths = (folder: string) =>
    Object.fromEntries(PACKAGES_0_1.map((name) => [name, join(folder, `panelkit-${name}-0.1.0.tgz`)] as const));
  if (Object.values(paths(cache)).every((path) => existsSync(path))) return paths(cache);
  try {
    mkdirSync(dirname(cache), { recursive: true });
  } catch {
    // No cache to keep them in (a read-only home): this run makes its own.
    return pack01(join(work, 'tarballs-0.1'));
  }
  const made = join(dirname(cache), `.making-${process.pid}-${Date.now()}`);
  await pack01(made);
  try {
    renameSync(made, cache);
  } catch {
    // Another run put it there first (or the cache cannot be written): this run's own tarballs are as good.
    return paths(made);
  }
  return paths(cache);
}

/** Builds and packs the four packages as the 0.1 commit had them, in a clone that borrows this repository's objects. */
async function pack01(destination: string): Promise<Record<string, string>> {
  const checkout = join(work, 'checkout-0.1');
  const known = await run('git', ['cat-file', '-e', `${RELEASE_0_1}^{commit}`], { cwd: root });
  if (known.code !== 0) throw new Error(`commit ${RELEASE_0_1} is not in this clone (shallow? git fetch --unshallow)`);
  for (const [command, args] of [
    ['git', ['clone', '-q', '--shared', '--no-checkout', root, checkout]],
    ['git', ['-C', checkout, 'checkout', '-q', '--detach', RELEASE_0_1]],
  ] as const) {
    const done = await run(command, args, { cwd: work });
    if (done.code !== 0) throw new Error(done.output);
  }
  for (const args of [
    ['install', '--frozen-lockfile', '--prefer-offline', '--filter', './packages/*...'],
    ['-r', '--filter', './packages/*', 'run', 'build'],
  ]) {
    const done = await run('npx', ['--yes', PNPM, ...args], { cwd: checkout, env: cleanEnvironment(), timeout: 600_000 });
    if (done.code !== 0) throw new Error(`pnpm ${args.join(' ')} at ${RELEASE_0_1}:\n${done.output}`);
  }
  return packPackages(checkout, destination, PACKAGES_0_1);
}

describe.skipIf(!registry)(
  `a 0.1 project upgraded to ${version} by the upgrading notes alone${registry ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    const project = join(work, 'project');
    const env = () => cleanEnvironment({ npm_config_userconfig: join(project, '.npmrc') });
    const npm = (args: string[]) => run('npm', args, { cwd: project, env: env(), timeout: 300_000 });
    const tsc = () => run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project });
    const shop = () => run(process.execPath, [join('dist', 'main.js')], { cwd: project, env: cleanEnvironment(), timeout: 120_000 });
    const installed = (name: string) =>
      (JSON.parse(readFileSync(join(project, 'node_modules', '@panelkit', name, 'package.json'), 'utf8')) as { version: string }).version;
    let before = { tsc: { code: -1, output: '' }, shop: { code: -1, output: '' } };

    afterAll(async () => {
      await registry?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    beforeAll(async () => {
      // 0.1.0 first, so `latest` is the version now.
      const tarballs = [...Object.values(await tarballs01()), ...Object.values(await packedWorkspace(root))];
      for (const tarball of tarballs) {
        const published = await run('npm', ['publish', tarball, '--registry', registry!.url, '--access', 'public'], {
          cwd: work,
          env: cleanEnvironment({ npm_config_userconfig: registry!.npmrc }),
        });
        if (published.code !== 0) throw new Error(`npm publish ${tarball}:\n${published.output}`);
      }
      cpSync(join(root, 'examples', 'minimal', 'fixtures', 'shop-0.1'), project, { recursive: true });
      writeFileSync(join(project, '.npmrc'), `@panelkit:registry=${registry!.url}\n`);
      const install = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
      if (install.code !== 0) throw new Error(`npm install at 0.1.0:\n${install.output}`);
      before = { tsc: await tsc(), shop: { code: -1, output: '' } };
      if (before.tsc.code === 0) before.shop = await shop();
    }, 1_200_000);

    it('compiles and runs at 0.1.0, as written then', () => {
      expect(installed('sdk')).toBe('0.1.0');
      expect(before.tsc.code, before.tsc.output).toBe(0);
      expect(before.shop.code, before.shop.output).toBe(0);
      expect(before.shop.output).toMatch(/^subscription: active$/m);
    });

    it(`compiles, runs and passes the storage conformance suite at ${version} after running the notes' commands as written`, async () => {
      const commands = upgradeCommands(root, '0.1.0', version);
      expect(commands.some((line) => line.startsWith('npm install @panelkit/sdk@'))).toBe(true);
      for (const line of commands) {
        const done = await run('sh', ['-c', line], { cwd: project, env: env(), timeout: 300_000 });
        expect(done.code, `${line}\n${done.output}`).toBe(0);
      }
      for (const name of ['sdk', 'panel-adapters', 'storage-memory']) expect(installed(name)).toBe(version);

      const compiled = await tsc();
      expect(compiled.code, compiled.output).toBe(0);
      const after = await shop();
      expect(after.code, after.output).toBe(0);
      expect(after.output).toMatch(/^order ord_\w+: completed$/m);
      expect(after.output).toMatch(/^subscription: active$/m);
      expect(after.output).toMatch(/^share link: vless:\/\//m);

      const suite = await run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot'], {
        cwd: project,
        env: cleanEnvironment({ CI: 'true', NO_COLOR: '1' }),
        timeout: 600_000,
      });
      expect(suite.code, suite.output).toBe(0);
      expect(suite.output).toMatch(/Tests\s+\d+ passed/);
    }, 1_200_000);
  },
);
