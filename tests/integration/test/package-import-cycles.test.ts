/**
 * No published package imports itself in a circle: within each `packages/<name>/src`, the modules a file loads
 * (its value imports and re-exports) never lead back to it. A circle makes the load order decide which module sees
 * the other's exports still undefined. Type-only imports (`import type`, `export type`, or every name marked
 * `type`) are erased when compiled and load nothing, so they are not counted. The shop keeps its own folder-level
 * check in `examples/shop/test/layers.test.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstCycle, sourcesUnder } from '../../../scripts/test-support/import-graph.js';

const PACKAGES = resolve(import.meta.dirname, '..', '..', '..', 'packages');

/** The file a relative specifier names: `./x.js` is `x.ts` (or `x.tsx`), a folder is its `index.ts`. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return `${base}.ts`;
}

/** Whether an import or export clause loads the module at run time (it is not type-only). */
function loadsAtRunTime(keyword: string, clause: string): boolean {
  if (/^type\b/.test(clause.trim())) return false;
  const named = /^\{([^}]*)\}$/.exec(clause.trim());
  if (named === null) return true;
  const names = (named[1] as string)
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  // `export {}` and `import {}` still load the module; a list of names all marked `type` does not.
  return names.length === 0 ? keyword === 'import' : names.some((n) => !n.startsWith('type '));
}

/** The relative modules `text` (the source of `file`) loads at run time: static imports and re-exports. */
function runtimeImports(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(import|export)\s+([^'";]*?)\s*from\s*'(\.{1,2}\/[^']+)'/g))
    if (loadsAtRunTime(m[1] as string, m[2] as string)) found.push(resolveSpecifier(file, m[3] as string));
  for (const m of text.matchAll(/^\s*import\s+'(\.{1,2}\/[^']+)'/gm)) found.push(resolveSpecifier(file, m[1] as string));
  return found;
}

function graphOf(files: readonly { path: string; text: string }[]): Map<string, string[]> {
  return new Map(files.map(({ path, text }) => [path, runtimeImports(path, text)]));
}

describe('import cycles within each package', () => {
  it('finds a circle through value imports and ignores one through types only (the check itself)', () => {
    const a = '/p/src/a.ts';
    const b = '/p/src/b.ts';
    const circle = graphOf([
      { path: a, text: "import { b } from './b.js';" },
      { path: b, text: "import { x, type Y } from './a.js';" },
    ]);
    expect(firstCycle(circle)).toEqual([a, b, a]);
    const reExport = graphOf([
      { path: a, text: "export { b } from './b.js';" },
      { path: b, text: "import {\n  a,\n} from './a.js';" },
    ]);
    expect(firstCycle(reExport)).toEqual([a, b, a]);
    for (const typeOnly of [
      "import type { A } from './a.js';",
      "import { type A, type B } from './a.js';",
      "export type { A } from './a.js';",
    ]) {
      const graph = graphOf([
        { path: a, text: "import { b } from './b.js';" },
        { path: b, text: typeOnly },
      ]);
      expect(firstCycle(graph)).toBeNull();
    }
  });

  const packages = readdirSync(PACKAGES).filter((name) => existsSync(join(PACKAGES, name, 'src')));
  it('covers every package', () => {
    expect(packages).toEqual(expect.arrayContaining(['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres']));
  });

  it.each(packages)('%s: no module of src loads itself again through its imports', (name) => {
    const src = join(PACKAGES, name, 'src');
    const files = sourcesUnder(src, true).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const cycle = firstCycle(graphOf(files));
    expect(cycle?.map((file) => relative(src, file)) ?? null).toBeNull();
  });
});
