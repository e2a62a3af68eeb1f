/**
 * What the import-cycle checks share (`examples/shop/test/layers.test.ts` between the shop's folders,
 * `tests/integration/test/package-import-cycles.test.ts` between each package's files): the sources under a folder,
 * and the first circle in a graph of imports.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every TypeScript source under `dir` (`.ts`, and `.tsx` too when `withTsx`), at any depth. */
export function sourcesUnder(dir: string, withTsx = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path, withTsx);
    return entry.name.endsWith('.ts') || (withTsx && entry.name.endsWith('.tsx')) ? [path] : [];
  });
}

/** The first circle in `graph` (node → the nodes it imports) as the nodes in order (`a, b, a`), or `null`. */
export function firstCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return null;
    state.set(node, 'open');
    path.push(node);
    for (const to of graph.get(node) ?? []) {
      const found = visit(to);
      if (found !== null) return found;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found !== null) return found;
  }
  return null;
}
