/**
 * Child processes for tests, started from one bundled JavaScript file instead of through tsx.
 *
 * A test that proves something across OS processes (replicas racing on PostgreSQL, notification
 * workers) forks children that load the workspace's TypeScript. Through `--import tsx` each child
 * resolves and compiles several hundred source files: about 1.6 s of CPU before it does anything,
 * against 0.4 s for the same code as one file in plain Node. esbuild bundles an entry once per test
 * worker; the code is the same sources (with the `@panelkit/source` condition), and packages from
 * node_modules stay imports of their own files.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const OUT_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'panelkit-test-entries');

/** What to bundle: a TypeScript file, or a few lines of TypeScript (imports resolve from `resolveDir`). */
export type EntrySource = string | { name: string; contents: string; resolveDir: string };

/** A bundle made in this worker, and the source files it was made from. */
interface Bundle {
  path: string;
  inputs: string[];
  madeAt: number;
}

const made = new Map<string, Bundle>();
const making = new Map<string, Promise<Bundle>>();

/**
 * The path of a JavaScript file that runs `entry` in plain Node (`fork(path, [], { execArgv: [] })`),
 * bundled on first use in this test worker and again after any of its sources changed (watch mode).
 */
export async function bundledEntry(entry: EntrySource): Promise<string> {
  const key = typeof entry === 'string' ? entry : `${entry.resolveDir}\0${entry.contents}`;
  const known = made.get(key);
  if (known !== undefined && unchangedSince(known)) return known.path;
  let pending = making.get(key);
  if (pending === undefined) {
    pending = bundle(entry).finally(() => making.delete(key));
    making.set(key, pending);
  }
  const fresh = await pending;
  made.set(key, fresh);
  return fresh.path;
}

function unchangedSince({ inputs, madeAt }: Bundle): boolean {
  return inputs.every((input) => {
    const stat = statSync(input, { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs < madeAt;
  });
}

async function bundle(entry: EntrySource): Promise<Bundle> {
  const madeAt = Date.now();
  const name = typeof entry === 'string' ? relative(REPO_ROOT, entry).replaceAll(/[/\\.]/g, '_') : entry.name;
  // One file per entry and worker thread, replaced whole (a rename), so runs and workers never see half of one.
  const outfile = join(OUT_DIR, `${name}-${threadId}.mjs`);
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, sourcefile: `${entry.name}.ts`, loader: 'ts' } }),
    outfile,
    // The metafile's input paths are relative to this, and resolved against it below.
    absWorkingDir: REPO_ROOT,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@panelkit/source'],
    logLevel: 'silent',
    metafile: true,
    plugins: [packagesStayImports, ownPathsPerFile],
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${name}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const partial = `${outfile}.${process.pid}.partial`;
  await writeFile(partial, output.contents);
  await rename(partial, outfile);
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.startsWith('<'))
    .map((input) => resolve(REPO_ROOT, input));
  return { path: outfile, inputs, madeAt };
}

/**
 * Bare imports other than the workspace's `@panelkit/*` stay imports, of the file esbuild resolved from
 * the importing file: the bundle lives elsewhere, and under pnpm a package only sees its own dependencies.
 */
const packagesStayImports: Plugin = {
  name: 'packages-stay-imports',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@panelkit/') || args.path.startsWith('node:') || args.pluginData === 'resolving') return undefined;
      const found = await builder.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return found.external ? { path: args.path, external: true } : { path: found.path, external: true };
    });
  },
};

/** `import.meta.url`, `dirname` and `filename` keep meaning the source file they are written in, not the bundle. */
const ownPathsPerFile: Plugin = {
  name: 'own-paths-per-file',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};
