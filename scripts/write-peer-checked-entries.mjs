#!/usr/bin/env node
/**
 * The last step of the build of a package with `@panelkit/sdk` as a peer (panel-adapters, storage-memory,
 * storage-postgres): tsup writes each entry's implementation to `dist/impl/<entry>.js`; this writes the entry itself,
 * `dist/<entry>.js` (ES module, the `default` export condition) and `dist/<entry>.cjs` (the `require` condition),
 * which run `checkSdkVersion` (scripts/sdk-peer-check.mjs, copied to `dist/sdk-peer-check.js`) before they load the
 * implementation, so a mismatched SDK is named before the implementation links against it. The ES entry loads it
 * with a top-level `await import()` and re-exports its names (read from the built file by esbuild, which parses
 * without running it); `require()` cannot load a module with a top-level await, so the CommonJS entry does the same
 * with `require()` of the implementation (Node 20.19+, as `require()` of the ES build needed before).
 *
 * A package whose implementation imports another such package (its ES entry awaits at top level, which require()
 * cannot load) also has tsup write `dist/impl/<entry>.cjs`; the CommonJS entry then requires that build.
 *
 * Usage, from a package folder after tsup: `node ../../scripts/write-peer-checked-entries.mjs`. The entries are the
 * package's `publishConfig.exports` whose `default` is `./dist/<entry>.js`.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const folder = process.cwd();
const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
const GENERATED = '// Written by scripts/write-peer-checked-entries.mjs: checks the installed @panelkit/sdk, then loads the entry.';

/** The names an ES module exports, read by esbuild's parser (the module is not run). */
async function exportedNames(file) {
  const { metafile } = await build({
    entryPoints: [file],
    bundle: false,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    outdir: 'out',
    logLevel: 'silent',
  });
  return Object.values(metafile.outputs).flatMap((output) => output.exports);
}

const entries = Object.entries(manifest.publishConfig.exports).flatMap(([subpath, target]) => {
  const match = typeof target === 'object' ? /^\.\/dist\/([\w-]+)\.js$/.exec(target.default ?? '') : null;
  return match ? [{ subpath, entry: match[1] }] : [];
});
if (entries.length === 0) throw new Error(`${manifest.name}: no ./dist/<entry>.js in publishConfig.exports`);

copyFileSync(join(here, 'sdk-peer-check.mjs'), join(folder, 'dist', 'sdk-peer-check.js'));
for (const { subpath, entry } of entries) {
  const implementation = `./impl/${entry}.js`;
  if (!existsSync(join(folder, 'dist', implementation))) {
    throw new Error(`${manifest.name} ${subpath}: tsup wrote no dist/impl/${entry}.js (its tsup.config.ts names the entry impl/${entry})`);
  }
  if (manifest.publishConfig.exports[subpath].require !== `./dist/${entry}.cjs`) {
    throw new Error(`${manifest.name} ${subpath}: publishConfig.exports needs "require": "./dist/${entry}.cjs"`);
  }
  const names = await exportedNames(join(folder, 'dist', implementation));
  const named = names.filter((name) => name !== 'default');
  const esm = [
    GENERATED,
    "import { checkSdkVersion } from './sdk-peer-check.js';",
    '',
    "checkSdkVersion(new URL('..', import.meta.url));",
    `const entry = await import('${implementation}');`,
    named.length > 0 ? `export const { ${named.join(', ')} } = entry;` : '',
    names.includes('default') ? 'export default entry.default;' : '',
    '',
  ];
  const cjs = [
    GENERATED,
    "'use strict';",
    "const { checkSdkVersion } = require('./sdk-peer-check.js');",
    '',
    "checkSdkVersion(require('node:path').join(__dirname, '..'));",
    `module.exports = require('${existsSync(join(folder, 'dist', 'impl', `${entry}.cjs`)) ? `./impl/${entry}.cjs` : implementation}');`,
    '',
  ];
  writeFileSync(join(folder, 'dist', `${entry}.js`), esm.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n'));
  writeFileSync(join(folder, 'dist', `${entry}.cjs`), cjs.join('\n'));
}
console.log(`${manifest.name}: ${entries.map(({ entry }) => `dist/${entry}.js`).join(', ')} check the installed @panelkit/sdk first`);
