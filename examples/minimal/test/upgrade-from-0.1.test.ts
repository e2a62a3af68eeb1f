import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../../../scripts/test-support/local-registry.js';
import { cleanEnvironment, packagesBuilt, packedWorkspace, run } from '../../../scripts/test-support/packed-workspace.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';
import { release01Tarballs } from './support/release-0.1.js';
import { upgradeCommands } from './support/upgrade-notes.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

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

describe.skipIf(!registry)(
  `a 0.1 project upgraded to ${version} by the upgrading notes alone${registry ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    const project = join(work, 'project');
    const env = () => cleanEnvironment({ npm_config_userconfig: join(project, '.npmrc') });
    const npm = (args: string[]) => run('npm', args, { cwd: project, env: env(), timeout: 300_000 });
    /**
     * `tsc -p tsconfig.json`, the project's own settings, incremental: the compile after the upgrade checks again what
     * the upgrade changed (the packages' declarations and the shop importing them) and keeps the rest's diagnostics
     * from the compile before (@types/node's, the other libraries'), with the errors a full compile gives; ~10 -> ~5 s
     * of CPU. TypeScript's own lib files are not checked (`--skipDefaultLibCheck`): no panelkit declaration is global,
     * so their check could only find errors of the pinned TypeScript itself, and a package's declaration clashing with
     * them is reported on the package's side, which is checked (~2 s of CPU a compile).
     */
    const tsc = () =>
      run(
        process.execPath,
        [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--incremental', '--skipDefaultLibCheck'],
        {
          cwd: project,
        },
      );
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
      const tarballs = [...Object.values(release01Tarballs()), ...Object.values(await packedWorkspace(root))];
      for (const tarball of tarballs) await registry!.publishTarball(tarball);
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
