#!/usr/bin/env node
/**
 * Copies the guides a package's README links to into the package's `guides/` folder before it is packed (its
 * `prepack` script), so a developer reads them from `node_modules` without a checkout; `--clean` (its `postpack`)
 * removes the copy again. The guides' source stays in the repository's `docs/`. A link in a copied guide to
 * another copied guide stays relative; a link to anything else in the repository becomes an address in the
 * repository on GitHub, so no link in a shipped guide points at a file that is not there.
 *
 * Usage, from a package folder: `node ../../scripts/pack-guides.mjs [--clean]`; from the root, `--all` does every
 * published package.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUIDES_BY_PACKAGE } from './package-guides.mjs';
import { PUBLISHED_PACKAGES } from './published-packages.mjs';

const REPOSITORY = 'https://github.com/panelkit/panelkit/blob/main';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `[text](target)` links whose target is a relative path (not a URL, not an anchor alone). */
const RELATIVE_LINK = /(\]\()(?!https?:|mailto:|#)([^)\s]+)(\))/g;

/** Rewrites one link target for its place in `guides/`: a shipped target stays relative, anything else goes to GitHub. */
function rewriteTarget(target, source, shipped) {
  const [path, anchor] = target.split('#');
  if (path === '') return target;
  const fromRoot = posix.normalize(posix.join(posix.dirname(source), path));
  if (fromRoot.startsWith('..')) return target;
  const suffix = anchor === undefined ? '' : `#${anchor}`;
  return shipped.has(fromRoot) ? `${basename(fromRoot)}${suffix}` : `${REPOSITORY}/${fromRoot}${suffix}`;
}

/** Rewrites a guide's relative links, leaving code (fenced blocks and inline spans) as it is. */
function rewriteLinks(text, source, shipped) {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) fenced = !fenced;
      if (fenced || line.trimStart().startsWith('```')) return line;
      // Odd pieces between backticks are inline code.
      return line
        .split('`')
        .map((piece, i) =>
          i % 2 === 1
            ? piece
            : piece.replace(RELATIVE_LINK, (_, open, target, close) => `${open}${rewriteTarget(target, source, shipped)}${close}`),
        )
        .join('`');
    })
    .join('\n');
}

/** Copies (or, with `--clean`, removes) the guides of the package in `packageDir`. */
function packGuides(packageDir) {
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const guides = GUIDES_BY_PACKAGE[name];
  if (guides === undefined) throw new Error(`pack-guides: no guide list for ${name}`);
  const out = join(packageDir, 'guides');
  rmSync(out, { recursive: true, force: true });
  if (process.argv.includes('--clean') || guides.length === 0) return;
  mkdirSync(out, { recursive: true });
  const shipped = new Set(guides);
  for (const guide of guides) {
    const from = join(root, guide);
    if (!existsSync(from)) throw new Error(`pack-guides: ${guide} does not exist (listed for ${name})`);
    writeFileSync(join(out, basename(guide)), rewriteLinks(readFileSync(from, 'utf8'), guide, shipped));
  }
}

// `--all`: every published package at once, from the repository's root (`pnpm run docs` renders the packages'
// READMEs, whose links point into their `guides/` folders).
const packageDirs = process.argv.includes('--all') ? PUBLISHED_PACKAGES.map((name) => join(root, 'packages', name)) : [process.cwd()];
for (const dir of packageDirs) packGuides(dir);
