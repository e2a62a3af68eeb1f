#!/usr/bin/env node
/**
 * The gate before every publish (`pnpm run release` and `pnpm run publish-packages` run it first): a release is a tag
 * and a publish of exactly what the changelogs list. Refuses, with the reason and the way on, exiting 1 before
 * anything is built or published, while
 *
 * - changesets wait in `.changeset/`: their changes are in no CHANGELOG.md yet, and publishing now would ship them
 *   under the current version, unlisted (run the version step, `pnpm run version-packages`, and commit it first);
 * - a package's version has no `## <version>` entry in its CHANGELOG.md (a version set by hand, not by the version
 *   step);
 * - the packages' versions differ (they are released together, `fixed` in `.changeset/config.json`).
 *
 * Usage: `node scripts/release-check.mjs` from anywhere in the repository; prints what it would publish when it passes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLISHED_PACKAGES as PACKAGES } from './published-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const problems = [];
const pending = readdirSync(join(root, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
if (pending.length > 0) {
  problems.push(
    `${pending.length} changeset(s) are pending (${pending.join(', ')}): what they describe is in no CHANGELOG.md yet. ` +
      'Run `npx --yes pnpm@10.34.9 run version-packages`, commit the result, then release.',
  );
}
const versions = new Map();
for (const name of PACKAGES) {
  const { name: packageName, version } = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  versions.set(packageName, version);
  const changelog = join(root, 'packages', name, 'CHANGELOG.md');
  const entry = existsSync(changelog) && readFileSync(changelog, 'utf8').includes(`\n## ${version}\n`);
  if (!entry) {
    problems.push(
      `${packageName} ${version} has no "## ${version}" entry in packages/${name}/CHANGELOG.md: ` +
        'a version comes from the version step (`pnpm run version-packages`), which writes its entry.',
    );
  }
}
if (new Set(versions.values()).size > 1) {
  problems.push(
    `the packages' versions differ (${[...versions].map(([name, version]) => `${name} ${version}`).join(', ')}); ` +
      'they are released together at one version.',
  );
}

if (problems.length > 0) {
  console.error(`release: refused, nothing was built or published:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  process.exit(1);
}
console.log(`release: ${[...versions].map(([name, version]) => `${name}@${version}`).join(', ')}, as their CHANGELOG.md entries list`);
