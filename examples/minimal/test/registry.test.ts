import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../../../scripts/test-support/local-registry.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres'];
const PNPM = 'pnpm@10.34.9';
const built = PACKAGES.every((name) => existsSync(join(root, 'packages', name, 'dist', 'index.js')));

/** The packages' version as the manifests hold it now: 0.1.0 before the lead's `pnpm version-packages`, 0.2.0 after. */
const version = (JSON.parse(readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8')) as { version: string }).version;

/** Runs a command, resolving with its exit code and output instead of throwing on a non-zero exit. */
async function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: 300_000, maxBuffer: 64 * 1024 * 1024, ...options });
    return { code: 0, output: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    const stdout = failed.stdout ?? '';
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${stdout}${failed.stderr ?? ''}`, stdout };
  }
}

/** The environment without the running vitest's variables, which a nested vitest would take for its own. */
function cleanEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
  return { ...env, ...extra };
}

/**
 * A copy of the workspace as the release publishes it: the manifests of every workspace package (the changesets
 * config names the private ones), the four packages with their builds, the changesets config, and what their
 * `prepack` needs. Publishing from the copy leaves the checkout's package folders alone while other tests pack them.
 */
function workspaceCopy(copy: string): void {
  for (const file of [
    'package.json',
    'pnpm-workspace.yaml',
    'pnpm-lock.yaml',
    'LICENSE',
    '.changeset/config.json',
    'scripts/pack-guides.mjs',
  ]) {
    cpSync(join(root, file), join(copy, file));
  }
  cpSync(join(root, 'docs'), join(copy, 'docs'), { recursive: true });
  for (const group of ['packages', 'examples', 'bench', 'tests']) {
    for (const name of readdirSync(join(root, group))) {
      const manifest = join(root, group, name, 'package.json');
      if (!existsSync(manifest)) continue;
      if (group === 'packages') {
        // Their node_modules are pnpm's relative links, which pnpm reads to resolve `workspace:` ranges: kept as
        // they are, they point at the copy's packages and (through the copy's node_modules) the workspace's store.
        cpSync(join(root, group, name), join(copy, group, name), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (source) => !source.endsWith(`${name}/guides`),
        });
      } else {
        cpSync(manifest, join(copy, group, name, 'package.json'));
      }
    }
  }
  // The root's scripts run `changeset` from the workspace's own install.
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
}

/** The storage lines of the minimal shop, and what the PGlite variant puts in their place. */
const MEMORY_IMPORT = "import { createMemoryStorage } from '@panelkit/storage-memory';";
const MEMORY_STORAGE = 'const storage = createMemoryStorage();';
const PGLITE_IMPORT = [
  "import { PGlite } from '@electric-sql/pglite';",
  "import { createPostgresStorage, fromPGlite, migrate } from '@panelkit/storage-postgres';",
].join('\n');
const PGLITE_STORAGE = [
  'const client = fromPGlite(await PGlite.create());',
  'await migrate(client);',
  'const storage = createPostgresStorage({ client });',
].join('\n');

/** The version range a workspace manifest gives a dependency. */
function dependencyRange(manifestPath: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(root, manifestPath), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const range = manifest['dependencies']?.[name] ?? manifest['devDependencies']?.[name];
  if (!range) throw new Error(`${manifestPath} has no ${name}`);
  return range;
}

/** The registry, or why it could not start (the only reason this file skips besides a missing build). */
const work = built ? testTempFolder('registry') : '';
let registry: LocalRegistry | undefined;
let unavailable = built ? '' : 'run `pnpm build` first';
if (built) {
  try {
    registry = await startLocalRegistry(join(work, 'verdaccio'));
  } catch (error) {
    unavailable = `Verdaccio could not start: ${(error as Error).message.split('\n')[0]}`;
  }
}

describe.skipIf(!registry)(`the ${version} release from a local registry${registry ? '' : ` (skipped: ${unavailable})`}`, () => {
  const copy = join(work, 'workspace');
  const shims = join(work, 'bin');
  const project = join(work, 'project');
  /** What the publish runs with: the `@panelkit` scope on the local registry (never npm's), and `pnpm` on the path. */
  const publishEnv = () =>
    cleanEnvironment({
      npm_config_userconfig: registry!.npmrc,
      'npm_config_@panelkit:registry': registry!.url,
      PATH: `${shims}:${process.env['PATH']}`,
    });
  const publish = () => run('npx', ['--yes', PNPM, 'run', 'publish-packages', '--no-git-tag'], { cwd: copy, env: publishEnv() });
  const view = async (name: string, field: string) => {
    const result = await run('npm', ['view', `@panelkit/${name}@${version}`, field, '--json'], { cwd: work, env: publishEnv() });
    // stdout alone: npm may warn on stderr (under CI=true it did), which is no part of the JSON.
    return result.code === 0 && result.stdout.trim() !== '' ? (JSON.parse(result.stdout) as unknown) : undefined;
  };
  let firstPublish = { code: -1, output: '', stdout: '' };
  const integrity: Record<string, unknown> = {};

  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  beforeAll(async () => {
    workspaceCopy(copy);
    // changesets publishes with the workspace's package manager, which it calls as `pnpm`.
    mkdirSync(shims, { recursive: true });
    writeFileSync(join(shims, 'pnpm'), `#!/bin/sh\nexec npx --yes ${PNPM} "$@"\n`);
    chmodSync(join(shims, 'pnpm'), 0o755);
    firstPublish = await publish();
    for (const name of PACKAGES) integrity[name] = await view(name, 'dist.integrity');
  }, 600_000);

  it("publishes the four packages with the release's publish command, workspace ranges resolved", async () => {
    expect(firstPublish.code, firstPublish.output).toBe(0);
    expect(firstPublish.output).toContain('packages published successfully');
    for (const name of PACKAGES) {
      expect(firstPublish.output).toContain(`@panelkit/${name}@${version}`);
      expect(integrity[name], `@panelkit/${name}@${version} on the registry`).toMatch(/^sha512-/);
    }
    const peers = (await view('storage-postgres', 'peerDependencies')) as Record<string, string>;
    expect(peers['@panelkit/sdk']).toBe('>=0.1.0 <1.0.0');
    // The SDK's guides are packed by its prepack script, from the copy's docs.
    const files = (await run('npm', ['pack', `@panelkit/sdk@${version}`, '--dry-run', '--json'], { cwd: work, env: publishEnv() })).output;
    expect(files).toContain('guides/writing-a-storage.md');
  });

  it('refuses a second publish of the same version and keeps the first one', async () => {
    const again = await publish();
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`is not being published because version ${version} is already published`);
    expect(again.output).toContain('No unpublished projects to publish');
    // Published past the check, as a stale `npm info` would let it: the registry itself says no.
    const forced = await run('npx', ['--yes', PNPM, 'publish', '--no-git-checks', '--access', 'public'], {
      cwd: join(copy, 'packages', 'sdk'),
      env: publishEnv(),
    });
    expect(forced.code).not.toBe(0);
    expect(forced.output).toMatch(/E409|E403|EPUBLISHCONFLICT|cannot publish over|already present/i);
    for (const name of PACKAGES) expect(await view(name, 'dist.integrity')).toBe(integrity[name]);
  }, 300_000);

  describe('installed by version into a fresh project', () => {
    beforeAll(async () => {
      mkdirSync(join(project, 'src'), { recursive: true });
      const panelkit = Object.fromEntries(PACKAGES.map((name) => [`@panelkit/${name}`, version]));
      const dependencies = {
        ...panelkit,
        // The simulators' libraries and PGlite are optional peers: a shop that runs them installs them.
        'hash-wasm': dependencyRange('examples/minimal/package.json', 'hash-wasm'),
        'path-to-regexp': dependencyRange('examples/minimal/package.json', 'path-to-regexp'),
        '@electric-sql/pglite': dependencyRange('packages/storage-postgres/package.json', '@electric-sql/pglite'),
        tsx: dependencyRange('package.json', 'tsx'),
        vitest: dependencyRange('package.json', 'vitest'),
      };
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-shop', private: true, type: 'module', dependencies }));
      // What a developer writes to take @panelkit from this registry; no token: reading is open.
      writeFileSync(join(project, '.npmrc'), `@panelkit:registry=${registry!.url}\n`);
      const main = readFileSync(join(root, 'examples', 'minimal', 'src', 'main.ts'), 'utf8');
      writeFileSync(join(project, 'src', 'main.ts'), main);
      expect(main).toContain(MEMORY_IMPORT);
      expect(main).toContain(MEMORY_STORAGE);
      writeFileSync(
        join(project, 'src', 'main-pglite.ts'),
        main.replace(MEMORY_IMPORT, PGLITE_IMPORT).replace(MEMORY_STORAGE, PGLITE_STORAGE),
      );
      writeFileSync(
        join(project, 'src', 'storage.test.ts'),
        [
          "import { describeStoragePort } from '@panelkit/sdk/testing';",
          "import { createMemoryStorage } from '@panelkit/storage-memory';",
          '',
          "describeStoragePort('memory, as installed', async ({ clock }) => ({ storage: createMemoryStorage({ clock }) }));",
          '',
        ].join('\n'),
      );
      const env = cleanEnvironment({ npm_config_userconfig: join(project, '.npmrc') });
      const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
        cwd: project,
        env,
      });
      expect(installed.code, installed.output).toBe(0);
    }, 600_000);

    it.each([
      ['memory', 'main.ts'],
      ['PGlite', 'main-pglite.ts'],
    ])(
      'runs the minimal shop on the %s storage',
      async (_storage, file) => {
        const shop = await run(process.execPath, ['--import', 'tsx', join('src', file)], {
          cwd: project,
          env: cleanEnvironment({ PANELKIT_IDENTITY_SECRET: 'registry-test-identity-secret-7c2e' }),
          timeout: 120_000,
        });
        expect(shop.code, shop.output).toBe(0);
        expect(shop.output).toMatch(/^order ord_\w+: completed$/m);
        expect(shop.output).toMatch(/^subscription sub_\w+: active$/m);
        expect(shop.output).toMatch(/^share link: vless:\/\//m);
        const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@panelkit', 'sdk', 'package.json'), 'utf8')) as {
          version: string;
        };
        expect(installed.version).toBe(version);
      },
      180_000,
    );

    it('passes the storage conformance suite from @panelkit/sdk/testing', async () => {
      const suite = await run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot'], {
        cwd: project,
        env: cleanEnvironment({ CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' }),
        timeout: 300_000,
      });
      expect(suite.code, suite.output).toBe(0);
      expect(suite.output).toMatch(/Tests\s+\d+ passed/);
      expect(suite.output).not.toMatch(/failed/);
    }, 360_000);
  });
});
