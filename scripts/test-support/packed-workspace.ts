import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PUBLISHED_PACKAGES } from '../published-packages.mjs';

const execFileAsync = promisify(execFile);

/** The published packages, by folder name under `packages/` (`scripts/published-packages.mjs`). */
export const PANELKIT_PACKAGES = PUBLISHED_PACKAGES;

/** The package manager the workspace pins (`packageManager` in the root manifest). */
export const PNPM = 'pnpm@10.34.9';

/**
 * What a stranger's project has: `tsc --strict` with Node's module system, nothing the repository adds
 * (`noUncheckedIndexedAccess`, `exactOptionalPropertyTypes` and the like are left at their defaults), and
 * `skipLibCheck` as `tsc --init` sets it (PGlite's declarations need `@types/emscripten`, which it does not install).
 * The packages' own declarations are checked by
 * examples/minimal/test/packed.test.ts.
 */
export const STRANGER_TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

/** What {@link run} resolves with: the exit code (0 on success) and what the command printed. */
export interface RunResult {
  readonly code: number;
  /** stdout then stderr. */
  readonly output: string;
  readonly stdout: string;
}

/** Runs a command, resolving with its exit code and output instead of throwing on a non-zero exit. */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: 300_000, maxBuffer: 64 * 1024 * 1024, ...options });
    return { code: 0, output: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const failed = error as { code?: number | string; signal?: string | null; killed?: boolean; stdout?: string; stderr?: string };
    const stdout = failed.stdout ?? '';
    // A command stopped by a signal (the timeout's, most often) prints nothing of why: say so.
    const stopped = failed.signal ? `\n[stopped by ${failed.signal}${failed.killed ? ' after the timeout' : ''}]` : '';
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${stdout}${failed.stderr ?? ''}${stopped}`, stdout };
  }
}

/** The environment without the running vitest's variables, which a nested vitest or tsx would take for its own. */
export function cleanEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
  return { ...env, ...extra };
}

/** Whether the published packages are built (`pnpm build`): packing needs their `dist`. */
export function packagesBuilt(root: string): boolean {
  return PANELKIT_PACKAGES.every((name) => existsSync(join(root, 'packages', name, 'dist', 'index.js')));
}

/**
 * A copy of the workspace as a release packs it: the manifests of every workspace package, the published packages with
 * their builds, and what their `prepack` needs (the refusal of `npm pack`; the guides copied from `docs/` for the packages the list names). Packing from the copy leaves
 * the checkout's package folders alone while other tests pack them (a `prepack` writes into the package's folder).
 */
export function copyWorkspace(root: string, copy: string): void {
  for (const file of [
    'package.json',
    'pnpm-workspace.yaml',
    'pnpm-lock.yaml',
    'LICENSE',
    '.changeset/config.json',
    'scripts/pack-guides.mjs',
    'scripts/package-guides.mjs',
    'scripts/published-packages.mjs',
    'scripts/refuse-npm-pack.mjs',
  ]) {
    cpSync(join(root, file), join(copy, file));
  }
  cpSync(join(root, 'docs'), join(copy, 'docs'), { recursive: true });
  for (const group of ['packages', 'examples', 'bench', 'tests']) {
    for (const name of readdirSync(join(root, group))) {
      const manifest = join(root, group, name, 'package.json');
      if (!existsSync(manifest)) continue;
      if (group === 'packages') {
        // Their node_modules are pnpm's relative links, which pnpm reads to resolve `workspace:` ranges.
        cpSync(join(root, group, name), join(copy, group, name), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (source) => !source.endsWith(`${name}/guides`),
        });
      } else {
        cpSync(manifest, join(copy, group, name, 'package.json'));
      }
    }
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
}

/**
 * Packs the published packages of the workspace at `root` with pnpm (which resolves `workspace:` ranges and applies
 * `publishConfig`) into `destination`, from a copy made under `scratch`. Throws with pnpm's output when it fails.
 * Returns the tarballs' paths by package folder name.
 */
export async function packWorkspace(root: string, scratch: string, destination: string): Promise<Record<string, string>> {
  const copy = join(scratch, 'workspace');
  copyWorkspace(root, copy);
  return packPackages(copy, destination);
}

/**
 * Packs the published packages of the workspace checked out at `workspace` (installed and built) into `destination`:
 * `packages`, by folder name (default every package published now; an older checkout passes the ones it had).
 */
export async function packPackages(
  workspace: string,
  destination: string,
  packages: readonly string[] = PANELKIT_PACKAGES,
): Promise<Record<string, string>> {
  mkdirSync(destination, { recursive: true });
  const packed = await run('npx', ['--yes', PNPM, '-r', '--filter', './packages/*', 'pack', '--pack-destination', destination], {
    cwd: workspace,
    env: cleanEnvironment(),
  });
  if (packed.code !== 0) throw new Error(`pnpm pack failed:\n${packed.output}`);
  const files = readdirSync(destination);
  return Object.fromEntries(
    packages.map((name) => {
      const file = files.find((f) => new RegExp(`^panelkit-${name}-\\d+\\.\\d+\\.\\d+\\.tgz$`).test(f));
      if (!file) throw new Error(`no tarball for @panelkit/${name} in ${destination}: ${files.join(', ')}`);
      return [name, join(destination, file)];
    }),
  );
}

/** The variable the run's temporary folder is named by (`temp-root.ts`'s global set-up sets it). */
const TEMP_ROOT_VARIABLE = 'PANELKIT_TEST_TMP';

/** This worker's packing of the workspace, once asked for. */
const packedHere = new Map<string, Promise<Record<string, string>>>();

/**
 * The published packages of the workspace at `root` (installed and built), packed once for the whole test run and
 * shared by every file that asks: the tarballs' paths by package folder name, as {@link packWorkspace} returns them.
 * The first file to ask packs (from a copy, in the run's temporary folder); the others, in any worker thread, wait for
 * its tarballs. The tarballs are read-only to their users. Without the run's temporary folder (no global set-up) each
 * call packs on its own.
 */
export function packedWorkspace(root: string): Promise<Record<string, string>> {
  let packing = packedHere.get(root);
  if (packing === undefined) {
    packing = packOnce(root);
    packedHere.set(root, packing);
  }
  return packing;
}

async function packOnce(root: string): Promise<Record<string, string>> {
  const runFolder = process.env[TEMP_ROOT_VARIABLE];
  if (runFolder === undefined) {
    const scratch = mkdtempSync(join(tmpdir(), 'panelkit-packed-'));
    return packWorkspace(root, scratch, join(scratch, 'tarballs'));
  }
  const folder = join(runFolder, 'packed-workspace');
  const done = join(folder, 'tarballs.json');
  const failed = join(folder, 'failed.txt');
  try {
    // mkdir is atomic: one caller in the run wins and packs.
    mkdirSync(folder);
  } catch {
    for (;;) {
      if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Record<string, string>;
      if (existsSync(failed)) throw new Error(`the shared pack failed in another test file:\n${readFileSync(failed, 'utf8')}`);
      await sleep(200);
    }
  }
  try {
    const tarballs = await packWorkspace(root, folder, join(folder, 'tarballs'));
    // Written whole, then renamed: a waiting file never reads half of it.
    writeFileSync(`${done}.partial`, JSON.stringify(tarballs));
    renameSync(`${done}.partial`, done);
    return tarballs;
  } catch (error) {
    writeFileSync(failed, String((error as Error).stack ?? error));
    throw error;
  }
}
