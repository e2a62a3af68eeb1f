import { execFileSync } from 'node:child_process';
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

  it('are counted as many as they are wherever the release and the contributors’ docs count them', () => {
    const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
    const count = (word: string) => (WORDS.includes(word.toLowerCase()) ? WORDS.indexOf(word.toLowerCase()) : Number(word));
    const files = [
      'CONTRIBUTING.md',
      'README.md',
      'examples/minimal/README.md',
      ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md') && !f.startsWith('api'))
        .map((f) => `docs/${f}`),
      ...readdirSync(join(root, '.github', 'workflows')).map((f) => `.github/workflows/${f}`),
      ...readdirSync(join(root, 'scripts'))
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => `scripts/${f}`),
      ...readdirSync(join(root, 'scripts', 'test-support')).map((f) => `scripts/test-support/${f}`),
      ...PUBLISHED_PACKAGES.map((folder) => `packages/${folder}/README.md`),
    ];
    const texts = files.map((file) => ({ file, text: readFileSync(join(root, file), 'utf8').replace(/\s+/g, ' ') }));
    // What the version step writes into every changelog.
    const notes = execFileSync(process.execPath, ['scripts/release-version.mjs', '--notes'], { cwd: root, encoding: 'utf8' });
    texts.push({ file: 'the release notes (release-version.mjs --notes)', text: notes.replace(/\s+/g, ' ') });
    const wrong: string[] = [];
    for (const { file, text } of texts) {
      for (const [phrase, word] of text.matchAll(/\bthe (\w+) (?:published |`?@panelkit`? )?packages\b/gi))
        if (WORDS.includes(word!.toLowerCase()) && count(word!) !== PUBLISHED_PACKAGES.length) wrong.push(`${file}: ${phrase}`);
      for (const [phrase, word] of text.matchAll(/\b(\w+) dependents\b|\bother published package \((\w+)/gi)) {
        const said = word ?? phrase.slice(phrase.indexOf('(') + 1);
        if (WORDS.includes(said.toLowerCase()) && count(said) !== PUBLISHED_PACKAGES.length - 1) wrong.push(`${file}: ${phrase}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(notes).toContain(`install the ${WORDS[PUBLISHED_PACKAGES.length]} packages at the same version`);
  });
});
