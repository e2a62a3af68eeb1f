import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PACKAGES, root } from './support/release.js';

const run = promisify(execFile);

/**
 * A copy of the workspace as `changeset version` sees it: the root's manifest and configuration, every workspace
 * package's manifest (the changesets config names the private ones), the published packages' changelogs, the version
 * script and the ports' source its notes read, and the workspace's install (changesets and biome), in a git repository.
 */
function scratchWorkspace(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'panelkit-release-peers-'));
  for (const path of [
    'package.json',
    'pnpm-workspace.yaml',
    'biome.json',
    '.changeset',
    'scripts/release-version.mjs',
    'scripts/published-packages.mjs',
    'packages/sdk/src/ports',
  ]) {
    cpSync(join(root, path), join(scratch, path), { recursive: true });
  }
  for (const group of ['packages', 'examples', 'bench', 'tests']) {
    for (const name of readdirSync(join(root, group))) {
      for (const file of ['package.json', 'CHANGELOG.md']) {
        if (existsSync(join(root, group, name, file))) cpSync(join(root, group, name, file), join(scratch, group, name, file));
      }
    }
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  // biome, which formats the changelogs, reads the ignore file of a git repository.
  execFileSync('git', ['init', '--quiet'], { cwd: scratch });
  return scratch;
}

const manifest = (folder: string, name: string) =>
  JSON.parse(readFileSync(join(folder, 'packages', name, 'package.json'), 'utf8')) as {
    version: string;
    peerDependencies?: Record<string, string>;
  };

describe('the version step and the SDK peer ranges', () => {
  it('takes a minor release to the next minor (not 1.0.0) and keeps the peer ranges at workspace:^', async () => {
    const scratch = scratchWorkspace();
    try {
      writeFileSync(join(scratch, '.changeset', 'zz-a-minor-change.md'), '---\n"@panelkit/sdk": minor\n---\n\nSomething new.\n');
      const before = manifest(scratch, 'sdk').version;
      const [major, minor] = before.split('.').map(Number) as [number, number];
      await run(process.execPath, ['scripts/release-version.mjs'], { cwd: scratch, timeout: 300_000 });
      for (const name of PACKAGES) {
        const after = manifest(scratch, name);
        expect(after.version, `@panelkit/${name}`).toBe(`${major}.${minor + 1}.0`);
        const original = manifest(root, name);
        // Everything but the version as it was, the SDK peer range (pnpm publishes it as ^<new version>) included.
        expect({ ...after, version: original.version }).toEqual(original);
        if (name !== 'sdk') expect(after.peerDependencies?.['@panelkit/sdk']).toBe('workspace:^');
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 360_000);
});
