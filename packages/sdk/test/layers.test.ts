import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Every TypeScript file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The relative module paths a file imports or re-exports. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

describe('the SDK’s layers', () => {
  it('point one way: the facade (panelkit.ts) above the scheduler, the scheduler above the engine', () => {
    const wrong: string[] = [];
    for (const file of filesUnder(join(SRC, 'engine'))) {
      for (const path of importsOf(file)) {
        if (/^\.\.\/(scheduler|panelkit)/.test(path)) wrong.push(`${relative(SRC, file)} → ${path}`);
      }
    }
    for (const file of filesUnder(join(SRC, 'scheduler'))) {
      for (const path of importsOf(file)) if (/^\.\.\/panelkit/.test(path)) wrong.push(`${relative(SRC, file)} → ${path}`);
    }
    expect(wrong).toEqual([]);
  });
});
