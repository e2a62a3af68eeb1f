/**
 * The shop as a bench runs it, `source` or `compiled` (`--shop`), for the benches whose shop runs in a process of
 * its own (bench/rush's replicas, bench/sublink's and bench/checkout's shop process).
 *
 * `compiled` is the shop as the production image runs it (deploy/Dockerfile): the shop's JavaScript written by
 * `scripts/compile-shop.mjs` beside its TypeScript, the workspace packages as their built JavaScript (`dist/`, the
 * `@panelkit/source` condition not set), plain `node` with no tsx loader and `NODE_ENV=production`. `source` is the
 * sources through tsx, as the tests run them.
 *
 * For `compiled`, the repository's shop is copied into a temporary tree (so no `.js` lands beside a source file of the
 * working tree, where tsx would load it in place of the `.ts`), with its `node_modules` linked to the repository's,
 * then compiled there; the bench's modules that run in the shop's process are transpiled the same way into that tree at
 * their own paths, where their `../../examples/shop/src/…` imports find the compiled shop. Such a module imports only
 * the shop, Node's modules and its own folder's modules (the tree has no packages' sources, and no bench folder's
 * `node_modules`: `pg` comes from the shop's package, as `createRequire` finds it). The packages' `dist/` must be built
 * first (`npx --yes pnpm@10.34.9 run build`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The parts of the shop's package it reads at run time (its modules, messages and static files), as the image has them. */
const SHOP_PARTS = ['package.json', 'src', 'locales', 'public'];

/** How a bench runs the shop: `compiled` as the image does, `source` through tsx. */
export type ShopMode = 'source' | 'compiled';

/** The `--shop` option's value as a {@link ShopMode}; throws on anything else. */
export function shopModeOf(value: string): ShopMode {
  if (value !== 'source' && value !== 'compiled') throw new Error(`--shop ${value}: source or compiled`);
  return value;
}

/** A compiled shop tree: where each bench module compiled into it is, and the tree to remove afterwards. */
export interface CompiledShop {
  tree: string;
  /** The compiled JavaScript of a bench module given to {@link compileShop} (`bench/rush/replica.ts` → its `.js`). */
  module(path: string): string;
}

/**
 * Builds the compiled tree (a few seconds) with the bench's modules (paths from the repository's root, e.g.
 * `bench/rush/replica.ts`: every module the shop's process loads, not only its entry). Throws, naming the command,
 * when a package's `dist/` is missing; warns when a package's sources are newer than its `dist/` (the run would
 * measure the code as last built).
 */
export async function compileShop(benchModules: readonly string[]): Promise<CompiledShop> {
  const packages = readdirSync(join(REPO, 'examples/shop/node_modules/@panelkit'));
  const unbuilt = packages.filter((name) => !existsSync(join(REPO, 'packages', name, 'dist/index.js')));
  if (unbuilt.length > 0)
    throw new Error(
      `--shop compiled runs the packages' built JavaScript; not built: ${unbuilt.join(', ')} (npx --yes pnpm@10.34.9 run build)`,
    );
  const stale = packages.filter((name) => newestSource(join(REPO, 'packages', name, 'src')) > builtAt(join(REPO, 'packages', name)));
  if (stale.length > 0)
    console.error(`--shop compiled: sources changed since the last build of ${stale.join(', ')}; the run measures the built code`);
  const tree = mkdtempSync(join(tmpdir(), 'bench-compiled-shop-'));
  const shop = join(tree, 'examples/shop');
  for (const part of SHOP_PARTS) cpSync(join(REPO, 'examples/shop', part), join(shop, part), { recursive: true });
  symlinkSync(join(REPO, 'examples/shop/node_modules'), join(shop, 'node_modules'));
  symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'));
  execFileSync(process.execPath, [join(REPO, 'scripts/compile-shop.mjs'), shop], { stdio: ['ignore', 'ignore', 'inherit'] });
  await build({
    entryPoints: benchModules.map((path) => join(REPO, path)),
    outdir: tree,
    outbase: REPO,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return { tree, module: (path) => join(tree, path.replace(/\.ts$/, '.js')) };
}

/** Removes a tree {@link compileShop} built. */
export function removeCompiledShop(compiled: CompiledShop | null): void {
  if (compiled !== null) rmSync(compiled.tree, { recursive: true, force: true });
}

/**
 * What `fork` needs to run a bench module in the shop's mode: the module's file (its compiled JavaScript, or the
 * repository's source), the node flags (tsx and the source condition, or none), and the environment to add
 * (`NODE_ENV=production` compiled, as the image sets it).
 */
export function shopProcess(
  compiled: CompiledShop | null,
  path: string,
): { module: string; execArgv: string[]; env: Record<string, string> } {
  return compiled === null
    ? { module: join(REPO, path), execArgv: ['--conditions=@panelkit/source', '--import', 'tsx'], env: {} }
    : { module: compiled.module(path), execArgv: [], env: { NODE_ENV: 'production' } };
}

/** The latest change (ms) to a file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) newest = Math.max(newest, statSync(join(dir, file)).mtimeMs);
  return newest;
}

/** When a package was last built: its `dist/index.js`'s time (tsup writes every entry in one run). */
function builtAt(packageDir: string): number {
  return statSync(join(packageDir, 'dist/index.js')).mtimeMs;
}
