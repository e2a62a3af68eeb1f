#!/usr/bin/env node
/**
 * Installs the workspace's dependencies when they are not installed as `pnpm-lock.yaml` says (a fresh clone, or a
 * lockfile changed since the last install), so that every `npm run …` of the root works on a fresh clone, as
 * `npm start` and `npm test` do by installing first. When the installed tree is the lockfile's (pnpm keeps a copy
 * of the lockfile it installed in `node_modules/.pnpm/lock.yaml`) it does nothing, and the command starts at once.
 *
 * The install is pnpm's, at the version the root manifest pins (`packageManager`), with `--frozen-lockfile
 * --prefer-offline` as `npm start` runs it. Its output goes to stderr: the command's own stdout stays its own (an
 * operator pipes `npm run secrets -- new-key` into a file).
 *
 * Usage: `node scripts/install-first.mjs && <the command>`, from the repository's root (npm runs scripts there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const wanted = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');

if (!existsSync(installed) || readFileSync(installed, 'utf8') !== wanted) {
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  console.error(`install-first: the dependencies are not installed as pnpm-lock.yaml says; installing them with ${packageManager}`);
  const install = spawnSync('npx', ['--yes', packageManager, 'install', '--frozen-lockfile', '--prefer-offline'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
