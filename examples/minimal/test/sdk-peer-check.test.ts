import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, root, run } from './support/release.js';

const storageMemory = join(root, 'packages', 'storage-memory');
const built = existsSync(join(storageMemory, 'dist', 'impl', 'index.js'));
const version = (JSON.parse(readFileSync(join(storageMemory, 'package.json'), 'utf8')) as { version: string }).version;
const [major, minor] = version.split('.').map(Number) as [number, number];

/**
 * Installs the built `@panelkit/storage-memory` (at `storageVersion`) under `node_modules` in `folder` as npm lays it
 * out, or as pnpm does (in `.pnpm/<id>/node_modules`, beside its peers), beside an SDK: the workspace's own, or a
 * manifest alone at `sdkVersion` (the check must name it before anything imports from it).
 */
function install(folder: string, layout: 'npm' | 'pnpm', storageVersion: string, sdk: { version: string } | 'workspace'): string {
  const modules = layout === 'npm' ? join(folder, 'node_modules') : join(folder, 'node_modules', '.pnpm', 'id', 'node_modules');
  const target = join(modules, '@panelkit', 'storage-memory');
  cpSync(join(storageMemory, 'dist'), join(target, 'dist'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(storageMemory, 'package.json'), 'utf8'));
  writeFileSync(
    join(target, 'package.json'),
    JSON.stringify({ ...manifest, version: storageVersion, exports: manifest.publishConfig.exports }),
  );
  // Its own dependency (sorted-btree), as the workspace installed it; not the workspace's SDK link beside it.
  mkdirSync(join(target, 'node_modules'));
  symlinkSync(realpathSync(join(storageMemory, 'node_modules', 'sorted-btree')), join(target, 'node_modules', 'sorted-btree'));
  if (sdk === 'workspace') {
    symlinkSync(join(root, 'packages', 'sdk'), join(modules, '@panelkit', 'sdk'));
  } else {
    mkdirSync(join(modules, '@panelkit', 'sdk'), { recursive: true });
    writeFileSync(
      join(modules, '@panelkit', 'sdk', 'package.json'),
      JSON.stringify({ name: '@panelkit/sdk', version: sdk.version, type: 'module' }),
    );
  }
  return target;
}

/** Imports (ES) or requires (CommonJS) the installed package at `target` in a process of its own. */
const load = (target: string, how: 'import' | 'require') =>
  run(
    process.execPath,
    how === 'import'
      ? [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(target, 'dist', 'index.js'))}); console.log(typeof m.createMemoryStorage);`,
        ]
      : [
          '--input-type=commonjs',
          '-e',
          `console.log(typeof require(${JSON.stringify(join(target, 'dist', 'index.cjs'))}).createMemoryStorage);`,
        ],
    { cwd: root, env: cleanEnvironment({}) },
  );

describe.skipIf(!built)(`the SDK check of a dependent's entry${built ? '' : ' (skipped: run `pnpm build` first)'}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'panelkit-sdk-peer-check-'));
  let next = 0;
  const folder = () => join(work, String(next++));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ['npm', 'import'],
    ['npm', 'require'],
    ['pnpm', 'import'],
    ['pnpm', 'require'],
  ] as const)('names both versions when the SDK is of another minor (%s layout, %s)', async (layout, how) => {
    const sdkVersion = `${major}.${minor + 1}.0`;
    const target = install(folder(), layout, version, { version: sdkVersion });
    const loaded = await load(target, how);
    expect(loaded.code).not.toBe(0);
    expect(loaded.output).toContain('SdkVersionMismatchError');
    expect(loaded.output).toContain(`@panelkit/storage-memory ${version} needs @panelkit/sdk ${major}.${minor}.x (peer range workspace:^)`);
    expect(loaded.output).toContain(`but @panelkit/sdk ${sdkVersion} is installed`);
  });

  it('loads with an SDK of the same minor, another patch included', async () => {
    for (const storageVersion of [version, `${major}.${minor}.99`]) {
      const target = install(folder(), 'npm', storageVersion, 'workspace');
      for (const how of ['import', 'require'] as const) {
        const loaded = await load(target, how);
        expect(loaded.code, loaded.output).toBe(0);
        expect(loaded.stdout.trim()).toBe('function');
      }
    }
  });
});
