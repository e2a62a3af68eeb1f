import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres'];
const built = PACKAGES.every((name) => existsSync(join(root, 'packages', name, 'dist', 'index.js')));

/** The compiler settings of a strict consumer; `module` and `moduleResolution` vary per check. */
const STRICT = {
  target: 'ES2022',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  types: ['node'],
};

/**
 * The packages as a developer meets them: packed as they would be published, installed from the
 * tarballs into a project of their own, the minimal shop compiled by strict TypeScript (`nodenext`
 * and `bundler` resolution, declarations checked) and run from the compiled JavaScript. Needs the
 * packages built (`npm test` builds them first) and the npm registry for their dependencies.
 */
describe.skipIf(!built)(`examples/minimal from the packed tarballs${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'panelkit-packed-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs, typechecks under nodenext and bundler resolution, and sells a plan', async () => {
    const tarballs = join(work, 'tarballs');
    const project = join(work, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    await run('npx', ['--yes', 'pnpm@10.34.9', '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], {
      cwd: root,
      timeout: 120_000,
    });
    const tarball = (name: string) => `file:${join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`panelkit-${name}-`))!)}`;
    // The published manifests leave the workspace's source condition out.
    const packedSdk = await run('tar', ['-xOzf', tarball('sdk').slice('file:'.length), 'package/package.json']);
    expect(packedSdk.stdout).not.toContain('@panelkit/source');
    expect(packedSdk.stdout).not.toContain('workspace:');

    const dependencies = Object.fromEntries(PACKAGES.map((name) => [`@panelkit/${name}`, tarball(name)]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'a-shop',
        private: true,
        type: 'module',
        dependencies: { ...dependencies, typescript: '5.9.3', '@types/node': '20.19.43' },
      }),
    );
    copyFileSync(join(root, 'examples', 'minimal', 'src', 'main.ts'), join(project, 'src', 'main.ts'));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, timeout: 300_000 });

    const tsc = (name: string, options: Record<string, unknown>) => {
      writeFileSync(join(project, name), JSON.stringify({ compilerOptions: { ...STRICT, ...options }, include: ['src'] }));
      return run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', name], {
        cwd: project,
        timeout: 180_000,
      });
    };
    await tsc('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler', noEmit: true });
    await tsc('tsconfig.json', { module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist' });

    const { stdout } = await run(process.execPath, [join('dist', 'main.js')], {
      cwd: project,
      env: { ...process.env, PANELKIT_IDENTITY_SECRET: 'packed-test-identity-secret-51d0' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^order ord_\w+: completed$/m);
    expect(stdout).toMatch(/^subscription sub_\w+: active$/m);
    expect(stdout).toMatch(/^share link: vless:\/\//m);
  }, 600_000);
});
