import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../../../scripts/test-support/local-registry.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';
import {
  byHandReleaseCommands,
  bumped,
  cleanClone,
  cleanEnvironment,
  manifestVersion,
  PACKAGES,
  PNPM,
  pendingBumps,
  registryView,
  releaseEnvironment,
  root,
  run,
  type RunResult,
  tarballFiles,
} from './support/release.js';

/** The commands of CONTRIBUTING's by-hand release the test runs: all of them but `npm test` (the run this test is in). */
const RELEASE_COMMANDS = byHandReleaseCommands().filter((command) => command !== 'npm test');
const VERSION_COMMIT = 'git add -A && git commit -m "release: version packages"';

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

/** The registry, or why it could not start (the only reason this file skips). */
const work = testTempFolder('registry');
let registry: LocalRegistry | undefined;
let unavailable = '';
try {
  registry = await startLocalRegistry(join(work, 'verdaccio'));
} catch (error) {
  unavailable = `Verdaccio could not start: ${(error as Error).message.split('\n')[0]}`;
}

/** The version the release makes: the manifests' version raised by the pending changesets, if any. */
const version = bumped(manifestVersion(root, 'sdk'), pendingBumps(root));

describe.skipIf(!registry)(`the ${version} release from a local registry${registry ? '' : ` (skipped: ${unavailable})`}`, () => {
  const project = join(work, 'project');
  let env: NodeJS.ProcessEnv = {};
  let clone = '';
  let remote = '';
  const steps: Array<{ command: string } & RunResult> = [];
  // The test's own pnpm commands go through the environment's `pnpm` (the pinned one), not a new `npx` each.
  const publishPackages = () => run('pnpm', ['run', 'publish-packages'], { cwd: clone, env });
  const view = (name: string, field: string) => registryView(registry!.url, `@panelkit/${name}@${version}`, field);
  const integrity: Record<string, unknown> = {};

  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  beforeAll(async () => {
    env = releaseEnvironment(registry!, join(work, 'bin'));
    ({ clone, remote } = await cleanClone(work, env));
    for (const command of RELEASE_COMMANDS) {
      // With no changeset pending (the version commit is already on main), the version step changes nothing to commit.
      if (command === VERSION_COMMIT && (await run('git', ['status', '--porcelain'], { cwd: clone })).stdout.trim() === '') continue;
      const result = await run('sh', ['-c', command], { cwd: clone, env, timeout: 1_800_000 });
      steps.push({ command, ...result });
      if (result.code !== 0) break;
    }
    for (const name of PACKAGES) integrity[name] = await view(name, 'dist.integrity');
  }, 2_700_000);

  it("releases with CONTRIBUTING's by-hand commands from a clean clone: version step, commit, publish, tags pushed", async () => {
    expect(RELEASE_COMMANDS).toEqual(expect.arrayContaining([VERSION_COMMIT, `npx --yes ${PNPM} run release`, 'git push --follow-tags']));
    for (const step of steps) expect(step.code, `${step.command}\n${step.output}`).toBe(0);
    expect(steps.map(({ command }) => command)).toContain('git push --follow-tags');
    for (const name of PACKAGES) expect(manifestVersion(clone, name)).toBe(version);
    const release = steps.find(({ command }) => command.endsWith(' run release'))!;
    expect(release.output).toContain('packages published successfully');
    const tags = (await run('git', ['tag', '--list', '@panelkit/*'], { cwd: remote })).stdout.split('\n');
    for (const name of PACKAGES) {
      expect(release.output).toContain(`@panelkit/${name}@${version}`);
      expect(integrity[name], `@panelkit/${name}@${version} on the registry`).toMatch(/^sha512-/);
      expect(tags, 'the tags pushed to the remote').toContain(`@panelkit/${name}@${version}`);
    }
  });

  it('publishes each package with its CHANGELOG.md, keywords, and the SDK peer range pinned to the release line', async () => {
    for (const name of PACKAGES) {
      const files = await tarballFiles(registry!.url, work, `@panelkit/${name}@${version}`);
      expect(files, `@panelkit/${name}`).toContain('CHANGELOG.md');
      expect(((await view(name, 'keywords')) as string[] | undefined)?.length, `@panelkit/${name} keywords`).toBeGreaterThan(0);
      if (name !== 'sdk') {
        const peers = (await view(name, 'peerDependencies')) as Record<string, string>;
        expect(peers['@panelkit/sdk'], `@panelkit/${name}`).toBe(`^${version}`);
      }
    }
    const description = (await view('panel-adapters', 'description')) as string;
    for (const kind of ['3x-ui', 'S-UI', 'Marzban', 'Marzneshin', 'PasarGuard', 'Remnawave']) expect(description).toContain(kind);
    // The SDK's guides are packed by its prepack script, from the clone's docs.
    expect(await tarballFiles(registry!.url, work, `@panelkit/sdk@${version}`)).toContain('guides/writing-a-storage.md');
    // About twenty registry reads (npm commands until these were read over HTTP: at a load of 25 they took over 120 s).
  }, 300_000);

  it('refuses a second publish of the same version and keeps the first one', async () => {
    const again = await publishPackages();
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`is not being published because version ${version} is already published`);
    expect(again.output).toContain('No unpublished projects to publish');
    // Published past the check, as a stale `npm info` would let it: the registry itself says no.
    const forced = await run('pnpm', ['publish', '--no-git-checks', '--access', 'public'], {
      cwd: join(clone, 'packages', 'sdk'),
      env,
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

    it("gives each package's CHANGELOG.md, with this version's entry, in node_modules", () => {
      for (const name of PACKAGES) {
        const changelog = join(project, 'node_modules', '@panelkit', name, 'CHANGELOG.md');
        expect(existsSync(changelog), changelog).toBe(true);
        expect(readFileSync(changelog, 'utf8')).toContain(`\n## ${version}\n`);
      }
    });

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
  describe('beside an SDK of the next minor', () => {
    const mixed = join(work, 'mixed');
    const [major, minor] = version.split('.').map(Number) as [number, number];
    const nextMinor = `${major}.${minor + 1}.0`;
    const install = (extra: string[]) =>
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...extra], {
        cwd: mixed,
        env: cleanEnvironment({ npm_config_userconfig: join(mixed, '.npmrc') }),
      });

    beforeAll(async () => {
      // A copy of the published SDK with its version raised, published to the same registry as a later release would be.
      const sdkCopy = join(work, 'sdk-next');
      mkdirSync(sdkCopy, { recursive: true });
      const packed = await run('npm', ['pack', `@panelkit/sdk@${version}`, '--json'], { cwd: sdkCopy, env });
      expect(packed.code, packed.output).toBe(0);
      const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
      expect((await run('tar', ['-xzf', filename], { cwd: sdkCopy })).code).toBe(0);
      const manifestFile = join(sdkCopy, 'package', 'package.json');
      writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, 'utf8')), version: nextMinor }, null, 2));
      const published = await run('npm', ['publish', join(sdkCopy, 'package'), '--ignore-scripts', '--access', 'public'], {
        cwd: sdkCopy,
        env,
      });
      expect(published.code, published.output).toBe(0);

      mkdirSync(mixed, { recursive: true });
      const dependencies = { '@panelkit/sdk': nextMinor, '@panelkit/storage-memory': version };
      writeFileSync(join(mixed, 'package.json'), JSON.stringify({ name: 'a-mixed-shop', private: true, type: 'module', dependencies }));
      writeFileSync(join(mixed, '.npmrc'), `@panelkit:registry=${registry!.url}\n`);
    }, 300_000);

    it("is refused by npm's install (the peer range admits this release's minor only)", async () => {
      const refused = await install([]);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/ERESOLVE/);
      expect(refused.output).toContain(`@panelkit/sdk@"^${version}"`);
    }, 300_000);

    it('installed anyway (--legacy-peer-deps), fails on import and on require() with an error naming both versions', async () => {
      const forced = await install(['--legacy-peer-deps']);
      expect(forced.code, forced.output).toBe(0);
      const expected = [
        `@panelkit/storage-memory ${version} needs @panelkit/sdk ${major}.${minor}.x`,
        `@panelkit/sdk ${nextMinor} is installed`,
      ];
      for (const [flag, code] of [
        ['--input-type=module', "await import('@panelkit/storage-memory');"],
        ['--input-type=commonjs', "require('@panelkit/storage-memory');"],
      ] as const) {
        const loaded = await run(process.execPath, [flag, '-e', code], { cwd: mixed, env: cleanEnvironment({}) });
        expect(loaded.code, code).not.toBe(0);
        expect(loaded.output).toContain('SdkVersionMismatchError');
        for (const text of expected) expect(loaded.output, code).toContain(text);
      }
    }, 300_000);
  });
});
