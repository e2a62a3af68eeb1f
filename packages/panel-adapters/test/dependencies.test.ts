/**
 * What a buyer of the adapters installs: the main entry reaches only the package's runtime
 * dependencies and its required peer (the SDK); what only the simulators use is an optional peer.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const SIMULATOR_ONLY = ['hash-wasm', 'path-to-regexp'];

/** The bare packages every module reachable from `entry` imports (type-only imports left out). */
function packagesReachedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:'))
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(join(root, entry));
  return packages;
}

describe('@panelkit/panel-adapters dependencies', () => {
  it('the adapters (the main entry) use only runtime dependencies and the SDK', () => {
    const reached = packagesReachedFrom('src/index.ts');
    const allowed = new Set([...Object.keys(pkg.dependencies), '@panelkit/sdk']);
    expect([...reached].filter((name) => !allowed.has(name))).toEqual([]);
    for (const name of SIMULATOR_ONLY) expect(reached.has(name)).toBe(false);
  });

  it('what only the simulators use is an optional peer, not a dependency every buyer installs', () => {
    const reached = packagesReachedFrom('src/testing.ts');
    for (const name of SIMULATOR_ONLY) {
      expect(reached.has(name)).toBe(true);
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.peerDependencies[name]).toBeDefined();
      expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true);
    }
  });
});
