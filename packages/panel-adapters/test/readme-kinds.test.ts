/**
 * The panel kinds the READMEs and guides name are the kinds this package ships: the repository's first lines, this
 * package's count and its `createPanelAdapter` list, and the adapter guide (a sixth kind once went unlisted in each).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PANEL_ADAPTERS } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const KINDS = Object.keys(BUNDLED_PANEL_ADAPTERS).sort();
const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** The kinds named in a parenthesised list such as `(3x-ui, S-UI, Marzban)`, lower-cased as kinds are written. */
function namedKinds(list: string): string[] {
  return list
    .split(',')
    .map((name) => name.replace(/[`().\s]/g, '').toLowerCase())
    .sort();
}

describe('the panel kinds the documentation names', () => {
  it('are every bundled kind in the repository README and the docs index', () => {
    for (const path of ['README.md', 'docs/index.md']) {
      const list = /remote panels\s*\(([^)]*)\)/.exec(read(path).replace(/\n/g, ' '))?.[1];
      expect(list, path).toBeDefined();
      expect(namedKinds(list ?? ''), path).toEqual(KINDS);
    }
  });

  it('are counted and listed in the package README and the adapter guide', () => {
    const readme = read('packages/panel-adapters/README.md').replace(/\n/g, ' ');
    expect(readme).toContain(`for ${COUNT_WORDS[KINDS.length]} panel kinds`);
    const byKind = /`createPanelAdapter\(panel, options\)` builds the adapter for a stored `Panel` by its `kind` \(([^)]*)\)/.exec(
      readme,
    )?.[1];
    expect(namedKinds(byKind ?? '')).toEqual(KINDS);
    const guide = read('docs/guides/writing-a-panel-adapter.md').replace(/\n/g, ' ');
    expect(guide).toContain(`The ${COUNT_WORDS[KINDS.length]} bundled adapters`);
    const bundled = /bundled adapters \(`@panelkit\/panel-adapters`: ([^)]*)\)/.exec(guide)?.[1];
    expect(namedKinds(bundled ?? '')).toEqual(KINDS);
    const everyKind = /every bundled kind \(([^)]*)\)/.exec(guide)?.[1];
    expect(namedKinds(everyKind ?? '')).toEqual(KINDS);
  });
});
