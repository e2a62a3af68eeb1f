import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalRegistry } from '../../../../scripts/test-support/local-registry.js';
import { cleanEnvironment, PANELKIT_PACKAGES, PNPM, run, type RunResult } from '../../../../scripts/test-support/packed-workspace.js';

/** The repository's root. */
export const root = fileURLToPath(new URL('../../../..', import.meta.url));
/** The published packages, by folder under `packages/`. */
export const PACKAGES: readonly string[] = PANELKIT_PACKAGES;
export { cleanEnvironment, PNPM, run, type RunResult };

/** The shell commands of CONTRIBUTING.md's by-hand release, one a line, each without its trailing `# …` comment. */
export function byHandReleaseCommands(): string[] {
  const contributing = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8');
  const section = contributing.slice(contributing.indexOf('\nBy hand'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('CONTRIBUTING.md has no ```sh block after "By hand"');
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** The bump each pending changeset asks of `@panelkit/sdk` (the four are versioned together), in `repository`. */
export function pendingBumps(repository: string): Array<'major' | 'minor' | 'patch'> {
  const folder = join(repository, '.changeset');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .flatMap((file) => {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(folder, file), 'utf8'))?.[1] ?? '';
      return [...front.matchAll(/:\s*(major|minor|patch)\s*$/gm)].map((match) => match[1] as 'major' | 'minor' | 'patch');
    });
}

/** `version` raised by the largest of `bumps` (none: unchanged), as changesets does. */
export function bumped(version: string, bumps: ReadonlyArray<'major' | 'minor' | 'patch'>): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (bumps.includes('major')) return `${major + 1}.0.0`;
  if (bumps.includes('minor')) return `${major}.${minor + 1}.0`;
  if (bumps.includes('patch')) return `${major}.${minor}.${patch + 1}`;
  return version;
}

/** The version a workspace package's manifest holds in `repository`. */
export function manifestVersion(repository: string, name: string): string {
  return (JSON.parse(readFileSync(join(repository, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The pinned pnpm's executable in npx's cache, where `npx --yes pnpm@…` runs it from (fetched there first if it is
 * not yet): one `npx` call to find it, instead of one before each `pnpm` a release runs (about 0.65 s of CPU each on
 * the 2-core machine, some twelve a run: the nested `pnpm run`s, changesets' `pnpm --version` and `pnpm publish`es).
 */
function pinnedPnpm(): string {
  const found = execFileSync('npx', ['--yes', '-p', PNPM, '-c', 'command -v pnpm'], { env: cleanEnvironment(), encoding: 'utf8' }).trim();
  if (!found.startsWith('/')) throw new Error(`npx found no pnpm executable for ${PNPM}: ${found}`);
  return found;
}

/**
 * The environment of a release against `registry`: the `@panelkit` scope on it (never npm's) with the publishing
 * user's token, a git identity for the version commit and the tags, and `pnpm` on the path (changesets publishes with
 * the workspace's package manager, which it calls as `pnpm`; the shim, written into `binFolder`, runs the pnpm the
 * workspace pins, the one `npx --yes pnpm@…` runs).
 */
export function releaseEnvironment(registry: LocalRegistry, binFolder: string): NodeJS.ProcessEnv {
  mkdirSync(binFolder, { recursive: true });
  writeFileSync(join(binFolder, 'pnpm'), `#!/bin/sh\nexec '${pinnedPnpm()}' "$@"\n`);
  chmodSync(join(binFolder, 'pnpm'), 0o755);
  return cleanEnvironment({
    npm_config_userconfig: registry.npmrc,
    'npm_config_@panelkit:registry': registry.url,
    PATH: `${binFolder}:${process.env['PATH']}`,
    GIT_AUTHOR_NAME: 'Release Test',
    GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
    GIT_COMMITTER_NAME: 'Release Test',
    GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
  });
}

/**
 * A clean clone of the repository's current commit, as the lead's machine or CI has it: the commit is pushed to a
 * new bare repository in `folder` (`remote.git`, the clone's `origin`, on `main`), which is then cloned to
 * `folder/clone`. Uncommitted changes are not in it. `git push` in the clone reaches `remote.git` only.
 */
export async function cleanClone(folder: string, env: NodeJS.ProcessEnv): Promise<{ clone: string; remote: string }> {
  const remote = join(folder, 'remote.git');
  const clone = join(folder, 'clone');
  const git = async (args: string[], cwd: string) => {
    const result = await run('git', args, { cwd, env });
    if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.output}`);
  };
  await git(['init', '--quiet', '--bare', '--initial-branch=main', remote], folder);
  await git(['push', '--quiet', remote, 'HEAD:refs/heads/main'], root);
  await git(['clone', '--quiet', remote, clone], folder);
  return { clone, remote };
}

/** The name and the version of a `@scope/name@version` spec. */
function nameAndVersion(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf('@');
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/**
 * The published version's manifest, as the registry at `registryUrl` serves it in the package's document (what
 * `npm view` reads), or undefined when there is none. Read over HTTP: an `npm` process a look-up cost about 0.5 s of
 * CPU, and the release test makes about thirty.
 */
async function publishedManifest(registryUrl: string, spec: string): Promise<Record<string, unknown> | undefined> {
  const { name, version } = nameAndVersion(spec);
  const response = await fetch(new URL(name.replace('/', '%2f'), registryUrl), { headers: { accept: 'application/json' } });
  if (!response.ok) return undefined;
  const document = (await response.json()) as { versions?: Record<string, Record<string, unknown>> };
  return document.versions?.[version];
}

/** The published version's field (a dotted path, as `npm view <spec> <field>` takes it) on the registry at `registryUrl`, or undefined when there is none. */
export async function registryView(registryUrl: string, spec: string, field: string): Promise<unknown> {
  let value: unknown = await publishedManifest(registryUrl, spec);
  for (const key of field.split('.')) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

/** The paths of the files in a published tarball (as `npm pack <spec> --dry-run` lists them), fetched from the registry at `registryUrl` into `cwd`. */
export async function tarballFiles(registryUrl: string, cwd: string, spec: string): Promise<string[]> {
  const tarball = (await registryView(registryUrl, spec, 'dist.tarball')) as string | undefined;
  if (tarball === undefined) throw new Error(`${spec} is not on the registry`);
  const response = await fetch(tarball);
  if (!response.ok) throw new Error(`${tarball}: ${response.status}`);
  const file = join(mkdtempSync(join(cwd, 'tarball-')), 'package.tgz');
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const listed = await run('tar', ['-tzf', file], { cwd });
  if (listed.code !== 0) throw new Error(`tar -tzf ${spec}: ${listed.output}`);
  // npm's tarballs hold the package under `package/`; the listing names files only.
  return listed.stdout
    .split('\n')
    .filter((path) => path !== '' && !path.endsWith('/'))
    .map((path) => path.replace(/^package\//, ''));
}
