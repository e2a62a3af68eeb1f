import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnvironment, PACKAGES, PNPM, root, run } from './support/release.js';

/** A copy of what the release's gate reads (the root manifest and its scripts, the changesets, the packages' manifests and changelogs). */
function scratchRepository(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'panelkit-release-check-'));
  for (const path of [
    'package.json',
    'scripts/release-check.mjs',
    'scripts/published-packages.mjs',
    '.changeset/config.json',
    '.changeset/README.md',
  ]) {
    cpSync(join(root, path), join(scratch, path));
  }
  for (const name of PACKAGES) {
    for (const file of ['package.json', 'CHANGELOG.md']) cpSync(join(root, 'packages', name, file), join(scratch, 'packages', name, file));
  }
  return scratch;
}

/** Sets every package's version in the scratch repository's manifests. */
function setVersion(scratch: string, version: string, only = PACKAGES): void {
  for (const name of only) {
    const file = join(scratch, 'packages', name, 'package.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version }, null, 2));
  }
}

const pnpmRun = (scratch: string, script: string) =>
  run('npx', ['--yes', PNPM, 'run', script], {
    cwd: scratch,
    env: cleanEnvironment({ 'npm_config_@panelkit:registry': 'http://127.0.0.1:9/' }),
  });

describe('the release refuses to publish what the changelogs do not list', () => {
  const scratches: string[] = [];
  const scratch = () => {
    const folder = scratchRepository();
    scratches.push(folder);
    return folder;
  };
  afterEach(() => {
    for (const folder of scratches.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses `pnpm run release` and `pnpm run publish-packages` while a changeset is pending, before building anything', async () => {
    const folder = scratch();
    writeFileSync(join(folder, '.changeset', 'a-pending-change.md'), '---\n"@panelkit/sdk": minor\n---\n\nSomething new.\n');
    for (const script of ['release', 'publish-packages']) {
      const refused = await pnpmRun(folder, script);
      expect(refused.code, script).not.toBe(0);
      expect(refused.output).toContain('release: refused, nothing was built or published');
      expect(refused.output).toContain('1 changeset(s) are pending (a-pending-change.md)');
      expect(refused.output).toContain('run version-packages');
      // The build never started (it would have cleaned and written each package's dist/).
      expect(refused.output).not.toContain('tsup');
      for (const name of PACKAGES) expect(existsSync(join(folder, 'packages', name, 'dist'))).toBe(false);
    }
  }, 120_000);

  it("refuses a version without an entry in the package's CHANGELOG.md, and versions that differ", async () => {
    const folder = scratch();
    setVersion(folder, '9.8.7');
    const refused = await run(process.execPath, ['scripts/release-check.mjs'], { cwd: folder });
    expect(refused.code).toBe(1);
    for (const name of PACKAGES) {
      expect(refused.output).toContain(`@panelkit/${name} 9.8.7 has no "## 9.8.7" entry in packages/${name}/CHANGELOG.md`);
    }
    const current = JSON.parse(readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8')).version as string;
    const mixed = scratch();
    setVersion(mixed, '9.8.7', ['storage-memory']);
    const differing = await run(process.execPath, ['scripts/release-check.mjs'], { cwd: mixed });
    expect(differing.code).toBe(1);
    expect(differing.output).toContain(`the packages' versions differ (@panelkit/sdk ${current}`);
  });

  it('passes a version the changelogs list, with no changeset pending', async () => {
    const folder = scratch();
    const current = JSON.parse(readFileSync(join(root, 'packages', 'sdk', 'package.json'), 'utf8')).version as string;
    // A package first released in the next version has no entry for the current one yet: the version step writes it.
    for (const name of PACKAGES) {
      const changelog = join(folder, 'packages', name, 'CHANGELOG.md');
      const text = readFileSync(changelog, 'utf8');
      if (!text.includes(`\n## ${current}\n`)) writeFileSync(changelog, `${text}\n## ${current}\n\nFirst release.\n`);
    }
    const passed = await run(process.execPath, ['scripts/release-check.mjs'], { cwd: folder });
    expect(passed.code, passed.output).toBe(0);
    expect(passed.output).toContain(`@panelkit/sdk@${current}`);
  });
});
