/**
 * `scripts/install-first.mjs`, which every documented `npm run …` of the root runs first: on a fresh clone (no
 * `node_modules`) or after the lockfile changed it installs with the pinned pnpm, as `npm start` does; on a tree
 * installed as the lockfile says it does nothing. `npx` is a stand-in here that writes down how it was called.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const scratches: string[] = [];

/** A clone's root without `node_modules`, and a `npx` on the PATH that records its arguments and exits with `exitCode`. */
function freshClone(exitCode = 0): { dir: string; env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'panelkit-install-first-'));
  scratches.push(dir);
  for (const file of ['package.json', 'pnpm-lock.yaml', 'scripts/install-first.mjs']) cpSync(join(root, file), join(dir, file));
  mkdirSync(join(dir, 'bin'));
  const log = join(dir, 'npx-calls');
  writeFileSync(join(dir, 'bin', 'npx'), `#!/bin/sh\necho "$*" >> '${log}'\necho "pnpm says hello"\nexit ${exitCode}\n`);
  chmodSync(join(dir, 'bin', 'npx'), 0o755);
  return {
    dir,
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env['PATH']}` },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

afterEach(() => {
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('install-first (before every documented npm run of the root)', () => {
  it('installs on a fresh clone with the pinned pnpm, as npm start does, keeping stdout for the command', async () => {
    const clone = freshClone();
    const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string };
    const { stdout, stderr } = await run(process.execPath, ['scripts/install-first.mjs'], { cwd: clone.dir, env: clone.env });
    expect(clone.calls()).toEqual([`--yes ${packageManager} install --frozen-lockfile --prefer-offline`]);
    expect(stdout).toBe('');
    expect(stderr).toContain('pnpm says hello');
    const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'];
    expect(start).toContain(`npx --yes ${packageManager} install --frozen-lockfile --prefer-offline`);
  });

  it('does nothing on a tree installed as the lockfile says, and installs again once the lockfile changed', async () => {
    const clone = freshClone();
    mkdirSync(join(clone.dir, 'node_modules', '.pnpm'), { recursive: true });
    cpSync(join(clone.dir, 'pnpm-lock.yaml'), join(clone.dir, 'node_modules', '.pnpm', 'lock.yaml'));
    await run(process.execPath, ['scripts/install-first.mjs'], { cwd: clone.dir, env: clone.env });
    expect(clone.calls()).toEqual([]);
    writeFileSync(join(clone.dir, 'pnpm-lock.yaml'), `${readFileSync(join(clone.dir, 'pnpm-lock.yaml'), 'utf8')}\n# changed\n`);
    await run(process.execPath, ['scripts/install-first.mjs'], { cwd: clone.dir, env: clone.env });
    expect(clone.calls()).toHaveLength(1);
  });

  it('fails, and so stops the command, when the install fails', async () => {
    const clone = freshClone(3);
    const failed = await run(process.execPath, ['scripts/install-first.mjs'], { cwd: clone.dir, env: clone.env }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    expect(failed).toBe(3);
  });
});
