/**
 * bench/rush `--shop compiled`: the replicas run the shop as the production image does (deploy/Dockerfile) — the
 * shop's JavaScript written by `scripts/compile-shop.mjs` beside its TypeScript, the workspace packages as their built
 * JavaScript (`dist/`, the `@panelkit/source` condition not set), plain `node` with no tsx loader and
 * `NODE_ENV=production` — instead of the sources through tsx.
 *
 * The repository's shop is copied into a temporary tree (so no `.js` lands beside a source file of the working
 * tree, where tsx would load it in place of the `.ts`), with its `node_modules` linked to the repository's, then
 * compiled there; the replica and the bench modules it imports are transpiled the same way into that tree, where their
 * `../../examples/shop/src/…` imports find the compiled shop. The packages' `dist/` must be built first.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The parts of the shop's package it reads at run time (its modules, messages and static files), as the image has them. */
const SHOP_PARTS = ['package.json', 'src', 'locales', 'public'];
/** The bench's own modules a replica loads. */
const REPLICA_MODULES = ['replica.ts', 'statement-count.ts', 'trace-replica.ts'];

/** A compiled shop tree for the replicas: the replica's module to fork, and the tree to remove afterwards. */
export interface CompiledShop {
  replica: string;
  tree: string;
}

/** Builds the compiled tree (a few seconds); throws, naming the command, when a package's `dist/` is missing. */
export async function compileShop(): Promise<CompiledShop> {
  const unbuilt = readdirSync(join(REPO, 'examples/shop/node_modules/@panelkit')).filter(
    (name) => !existsSync(join(REPO, 'packages', name, 'dist/index.js')),
  );
  if (unbuilt.length > 0)
    throw new Error(
      `--shop compiled runs the packages' built JavaScript; not built: ${unbuilt.join(', ')} (npx --yes pnpm@10.34.9 run build)`,
    );
  const tree = mkdtempSync(join(tmpdir(), 'bench-rush-compiled-'));
  const shop = join(tree, 'examples/shop');
  for (const part of SHOP_PARTS) cpSync(join(REPO, 'examples/shop', part), join(shop, part), { recursive: true });
  symlinkSync(join(REPO, 'examples/shop/node_modules'), join(shop, 'node_modules'));
  symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'));
  execFileSync(process.execPath, [join(REPO, 'scripts/compile-shop.mjs'), shop], { stdio: ['ignore', 'ignore', 'inherit'] });
  await build({
    entryPoints: REPLICA_MODULES.map((file) => join(REPO, 'bench/rush', file)),
    outdir: join(tree, 'bench/rush'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return { replica: join(tree, 'bench/rush/replica.js'), tree };
}
