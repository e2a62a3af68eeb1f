/**
 * Child processes for tests, started from one bundled JavaScript file instead of through tsx.
 *
 * A test that proves something across OS processes (replicas racing on PostgreSQL, notification
 * workers) forks children that load the workspace's TypeScript. Through `--import tsx` each child
 * resolves and compiles several hundred source files: about 1.6 s of CPU before it does anything,
 * against 0.4 s for the same code as one file in plain Node. esbuild bundles an entry once and every
 * test worker and later run takes that file while none of its sources changed (bundling one took
 * 1.5-2 s of CPU); the code is the same sources (with the `@panelkit/source` condition), and packages
 * from node_modules stay imports of their own files.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const OUT_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'panelkit-test-entries');
/** A bundle's first line: what it was made from and when (`Bundle` without its path), read back by other workers. */
const HEADER = '// panelkit-bundle ';
/** Files a bundle also depends on: how it is made, and which package files its imports name. */
const ALWAYS_INPUTS = [import.meta.filename, join(REPO_ROOT, 'pnpm-lock.yaml')];

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
 * bundled on first use and again after any of its sources changed (watch mode); a bundle another test
 * worker or an earlier run made from unchanged sources is used as it is.
 */
export async function bundledEntry(entry: EntrySource): Promise<string> {
  const key = typeof entry === 'string' ? entry : `${entry.resolveDir}\0${entry.contents}`;
  const outfile = outfileOf(entry);
  const known = made.get(key) ?? onDisk(outfile);
  if (known !== undefined && unchangedSince(known)) {
    made.set(key, known);
    return known.path;
  }
  let pending = making.get(key);
  if (pending === undefined) {
    pending = bundle(entry).finally(() => making.delete(key));
    making.set(key, pending);
  }
  const fresh = await pending;
  made.set(key, fresh);
  return fresh.path;
}

/** One file per entry (a name from its path, or its name and a hash of its text), shared by workers and runs. */
function outfileOf(entry: EntrySource): string {
  if (typeof entry === 'string') return join(OUT_DIR, `${relative(REPO_ROOT, entry).replaceAll(/[/\\.]/g, '_')}.mjs`);
  const hash = createHash('sha256').update(`${entry.resolveDir}\0${entry.contents}`).digest('hex').slice(0, 12);
  return join(OUT_DIR, `${entry.name}-${hash}.mjs`);
}

/** The bundle at `path` as its first line describes it, or `undefined` when there is none (or no such line). */
function onDisk(path: string): Bundle | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.startsWith(HEADER)) return undefined;
    const { inputs, madeAt } = JSON.parse(text.slice(HEADER.length, text.indexOf('\n'))) as Omit<Bundle, 'path'>;
    return { path, inputs, madeAt };
  } catch {
    return undefined;
  }
}

function unchangedSince({ path, inputs, madeAt }: Bundle): boolean {
  if (statSync(path, { throwIfNoEntry: false }) === undefined) return false;
  return inputs.every((input) => {
    const stat = statSync(input, { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs < madeAt;
  });
}

async function bundle(entry: EntrySource): Promise<Bundle> {
  const madeAt = Date.now();
  const outfile = outfileOf(entry);
  const packageFiles = new Set<string>();
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
    plugins: [packagesStayImports(packageFiles), ownPathsPerFile],
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${outfile}`);
  const inputs = [
    ...Object.keys(result.metafile.inputs)
      // An entry given as text is named by its hash, not by a file (esbuild lists it as `<name>.ts`).
      .filter((input) => !input.startsWith('<') && (typeof entry === 'string' || input !== `${entry.name}.ts`))
      .map((input) => resolve(REPO_ROOT, input)),
    ...packageFiles,
    ...ALWAYS_INPUTS,
  ];
  mkdirSync(OUT_DIR, { recursive: true });
  // Replaced whole (a rename), so no worker or run sees half of one; workers that bundle at once write the same code.
  const partial = `${outfile}.${process.pid}-${threadId}.partial`;
  await writeFile(partial, `${HEADER}${JSON.stringify({ inputs, madeAt })}\n${output.text}`);
  await rename(partial, outfile);
  return { path: outfile, inputs, madeAt };
}

/**
 * Bare imports other than the workspace's `@panelkit/*` stay imports, of the file esbuild resolved from
 * the importing file: the bundle lives elsewhere, and under pnpm a package only sees its own dependencies.
 * Those files go into `named` (a bundle naming a file an install since removed is made again).
 */
function packagesStayImports(named: Set<string>): Plugin {
  return {
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
        if (found.external) return { path: args.path, external: true };
        named.add(found.path);
        return { path: found.path, external: true };
      });
    },
  };
}

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
