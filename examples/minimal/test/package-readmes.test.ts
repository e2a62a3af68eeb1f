/**
 * What each published package's README tells a developer who meets it on npm is what the package is: the SDK's
 * entry-point table is its exports map, every README names its package's subpaths, says how to install it with
 * its required peers, and links the guides the package ships.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUIDES_BY_PACKAGE } from '../../../scripts/package-guides.mjs';
import { PUBLISHED_PACKAGES } from '../../../scripts/published-packages.mjs';

const root = join(import.meta.dirname, '..', '..', '..');

interface Manifest {
  name: string;
  exports: Record<string, unknown>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const manifest = (folder: string): Manifest => JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'));
const readme = (folder: string): string => readFileSync(join(root, 'packages', folder, 'README.md'), 'utf8');
/** The subpaths of a manifest's exports map (`./links`), the root and `./package.json` left out. */
const subpaths = (m: Manifest) => Object.keys(m.exports).filter((key) => key !== '.' && key !== './package.json');

describe('the published packages’ READMEs', () => {
  it('list in the SDK’s entry-point table exactly the subpaths of its exports map', () => {
    const sdk = manifest('sdk');
    const text = readme('sdk');
    const table = text.slice(text.indexOf('| entry point'));
    const rows = table
      .slice(0, table.search(/\n(?!\|)/))
      .split('\n')
      .slice(2);
    const listed = rows.map((row) => /^\|\s*`@panelkit\/sdk\/([\w-]+)`/.exec(row)?.[1] ?? `unreadable row: ${row}`);
    expect([...listed].sort()).toEqual(
      subpaths(sdk)
        .map((key) => key.slice(2))
        .sort(),
    );
  });

  it('name every subpath of their package', () => {
    for (const folder of PUBLISHED_PACKAGES) {
      const m = manifest(folder);
      const missing = subpaths(m).filter((key) => !readme(folder).includes(`\`${m.name}${key.slice(1)}\``));
      expect(missing, `packages/${folder}/README.md`).toEqual([]);
    }
  });

  it('say how to install the package with every peer dependency it requires', () => {
    for (const folder of PUBLISHED_PACKAGES) {
      const m = manifest(folder);
      const required = Object.keys(m.peerDependencies ?? {}).filter((name) => m.peerDependenciesMeta?.[name]?.optional !== true);
      const blocks = [...readme(folder).matchAll(/^```sh\n([\s\S]*?)^```/gm)].map(([, block]) => block!);
      const installs = blocks.flatMap((block) => block.split('\n')).filter((line) => line.startsWith('npm install '));
      const names = (line: string) => line.replace(/#.*/, '').trim().split(/\s+/).slice(2);
      expect(
        installs.some((line) => [m.name, ...required].every((name) => names(line).includes(name))),
        `packages/${folder}/README.md: an \`npm install\` line with ${[m.name, ...required].join(', ')}`,
      ).toBe(true);
    }
  });

  it('link every guide their package ships', () => {
    expect(Object.keys(GUIDES_BY_PACKAGE).sort()).toEqual(PUBLISHED_PACKAGES.map((folder) => manifest(folder).name).sort());
    for (const folder of PUBLISHED_PACKAGES) {
      const shipped = GUIDES_BY_PACKAGE[manifest(folder).name] ?? [];
      const unlinked = shipped.filter((guide) => !readme(folder).includes(`](guides/${guide.split('/').at(-1)}`));
      expect(unlinked, `packages/${folder}/README.md`).toEqual([]);
    }
  });
});
