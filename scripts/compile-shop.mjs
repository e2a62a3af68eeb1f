// Writes the JavaScript of the shop's TypeScript beside each source file of a deployed shop tree (the one
// `pnpm deploy` assembled), so the production image starts with plain `node src/cli.js` instead of compiling
// every module through tsx at each start. Each file is transpiled on its own (no bundle): the sources already
// import each other by their `.js` names, as Node's ESM wants.
// usage: node scripts/compile-shop.mjs <deployed tree>   (needs the repository's esbuild, a dev dependency)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const tree = process.argv[2];
if (tree === undefined) {
  console.error('usage: node scripts/compile-shop.mjs <deployed shop tree>');
  process.exit(2);
}
const src = join(tree, 'src');
const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => join(src, file));
await build({
  entryPoints: sources,
  outdir: src,
  outbase: src,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
console.log(`compile-shop: ${sources.length} modules written as JavaScript in ${src}`);
