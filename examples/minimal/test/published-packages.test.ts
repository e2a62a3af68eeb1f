import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from '../../../scripts/published-packages.mjs';

const root = join(import.meta.dirname, '..', '..', '..');
const manifest = (folder: string): { name: string; private?: boolean } =>
  JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'));

describe('the published packages', () => {
  it('are every package folder that is not private', () => {
    const folders = readdirSync(join(root, 'packages')).filter((folder) => manifest(folder).private !== true);
    expect([...folders].sort()).toEqual([...PUBLISHED_PACKAGES].sort());
  });

  it('are the group changesets versions together, by their names', () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][] };
    expect(config.fixed).toEqual([PUBLISHED_PACKAGES.map((folder) => manifest(folder).name)]);
  });

  it('are the typedoc entry points, each one required to be documented', () => {
    const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as {
      entryPoints: string[];
      packagesRequiringDocumentation: string[];
    };
    expect([...typedoc.entryPoints].sort()).toEqual(PUBLISHED_PACKAGES.map((folder) => `packages/${folder}`).sort());
    expect([...typedoc.packagesRequiringDocumentation].sort()).toEqual(PUBLISHED_PACKAGES.map((folder) => manifest(folder).name).sort());
  });
});
