import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanEnvironment, PNPM, packPackages, run } from '../../../../scripts/test-support/packed-workspace.js';

/** The repository's root. */
const root = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * The last commit whose packages are 0.1 as a 0.1 project installed them: `@panelkit/panel-adapters` depending on
 * `hash-wasm` and `path-to-regexp`, `@panelkit/sdk` taking vitest `^3.0.0 || ^4.0.0 || ^5.0.0`. The manifests said
 * 0.1.0 from the first commit to the 0.2.0 version commit (eaa8e881); the next commit (7191844f) narrowed the vitest
 * range.
 */
export const RELEASE_0_1 = 'bed2789f2220e0a30adbb250cbe4268b341e29f4';

/** The four packages 0.1.0 published (the others came later), by folder under `packages/`. */
export const PACKAGES_0_1: readonly string[] = ['sdk', 'panel-adapters', 'storage-memory', 'storage-postgres'];

/** Where the 0.1.0 tarballs are kept, committed: `panelkit-<name>-0.1.0.tgz` each. */
export const RELEASE_0_1_FIXTURE = join(root, 'examples', 'minimal', 'fixtures', 'release-0.1');

/**
 * The 0.1.0 tarballs by package folder name, as the repository keeps them: what {@link RELEASE_0_1} packs, less the
 * source maps (`*.map`, 530 of the 940 KB), which neither `tsc` nor `node` reads. A released version never changes,
 * so a test installs these instead of cloning, installing and building that commit on every fresh machine (~37 s of
 * CPU). `node --import tsx examples/minimal/test/support/release-0.1.ts --check` proves they still match the commit.
 */
export function release01Tarballs(): Record<string, string> {
  return Object.fromEntries(PACKAGES_0_1.map((name) => [name, join(RELEASE_0_1_FIXTURE, `panelkit-${name}-0.1.0.tgz`)] as const));
}

/** Runs a command, throwing with its output when it fails. */
async function must(command: string, args: readonly string[], cwd: string, timeout = 300_000): Promise<void> {
  const done = await run(command, args, { cwd, env: cleanEnvironment(), timeout });
  if (done.code !== 0) throw new Error(`${command} ${args.join(' ')}:\n${done.output}`);
}

/**
 * Packs the four packages as {@link RELEASE_0_1} had them into `destination`: a clone of that commit borrowing this
 * repository's objects (a shallow clone lacks it: `git fetch --unshallow`), installed and built with the workspace's
 * pnpm, in `scratch`. The build is deterministic: two packs give the same bytes.
 */
async function pack01(scratch: string, destination: string): Promise<Record<string, string>> {
  const checkout = join(scratch, 'checkout-0.1');
  const known = await run('git', ['cat-file', '-e', `${RELEASE_0_1}^{commit}`], { cwd: root });
  if (known.code !== 0) throw new Error(`commit ${RELEASE_0_1} is not in this clone (shallow? git fetch --unshallow)`);
  await must('git', ['clone', '-q', '--shared', '--no-checkout', root, checkout], scratch);
  await must('git', ['-C', checkout, 'checkout', '-q', '--detach', RELEASE_0_1], scratch);
  await must('npx', ['--yes', PNPM, 'install', '--frozen-lockfile', '--prefer-offline', '--filter', './packages/*...'], checkout, 600_000);
  await must('npx', ['--yes', PNPM, '-r', '--filter', './packages/*', 'run', 'build'], checkout, 600_000);
  return packPackages(checkout, destination, PACKAGES_0_1);
}

/** Unpacks `tarball` into `folder` (npm's layout: everything under `package/`). */
async function unpack(tarball: string, folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  await must('tar', ['-xzf', tarball, '-C', folder], folder);
  return join(folder, 'package');
}

/** Makes the fixture anew from the commit: each tarball unpacked, its source maps removed, packed again reproducibly. */
async function write(scratch: string): Promise<void> {
  const packed = await pack01(scratch, join(scratch, 'packed'));
  mkdirSync(RELEASE_0_1_FIXTURE, { recursive: true });
  for (const [name, tarball] of Object.entries(packed)) {
    const folder = join(scratch, 'unpacked', name);
    await unpack(tarball, folder);
    await must('find', ['package', '-name', '*.map', '-delete'], folder);
    const out = release01Tarballs()[name]!;
    const tar = 'tar --sort=name --mtime=1985-10-26T08:15:00Z --owner=0 --group=0 --numeric-owner -cf - package';
    await must('sh', ['-c', `${tar} | gzip -9n > '${out}'`], folder);
  }
}

/** Checks the fixture against the commit: every file of each fresh tarball but its source maps, byte for byte, and no other. */
async function check(scratch: string): Promise<void> {
  const packed = await pack01(scratch, join(scratch, 'packed'));
  for (const [name, tarball] of Object.entries(packed)) {
    const fresh = await unpack(tarball, join(scratch, 'fresh', name));
    await must('find', ['.', '-name', '*.map', '-delete'], fresh);
    const kept = await unpack(release01Tarballs()[name]!, join(scratch, 'kept', name));
    const diff = await run('diff', ['-r', fresh, kept], { cwd: scratch });
    if (diff.code !== 0) throw new Error(`@panelkit/${name}@0.1.0 differs from ${RELEASE_0_1}'s pack:\n${diff.output}`);
  }
}

/** `node --import tsx examples/minimal/test/support/release-0.1.ts [--check]`: writes the fixture, or checks it. */
async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'panelkit-release-0.1-'));
  try {
    if (process.argv.includes('--check')) {
      if (!PACKAGES_0_1.every((name) => existsSync(release01Tarballs()[name]!))) throw new Error(`no fixture in ${RELEASE_0_1_FIXTURE}`);
      await check(scratch);
      console.log(`${RELEASE_0_1_FIXTURE}: the same files as ${RELEASE_0_1} packs, its source maps left out`);
    } else {
      await write(scratch);
      console.log(`wrote ${readdirSync(RELEASE_0_1_FIXTURE).join(', ')} in ${RELEASE_0_1_FIXTURE}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
