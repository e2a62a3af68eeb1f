/**
 * The shop's layers, read from its imports (type imports too): channels (the web: `http`, `routes`, `views`,
 * `sublink`; the bot: `telegram`) call use cases in `src/app/`, which work on the SDK and the shop's tables
 * (`src/db/`); `src/stack/` wires them together. A folder under `src/app/` counts on its own, so the use
 * cases may not import one another in a circle either. See docs/architecture.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstCycle, sourcesUnder } from '../../../scripts/test-support/import-graph.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** The folders of each channel; a channel imports no other channel. */
const CHANNELS: Record<string, readonly string[]> = {
  web: ['http', 'routes', 'views', 'sublink'],
  bot: ['telegram'],
};
/**
 * Engine and shop-table writes a channel must leave to a use case: a transaction, an audit entry, a repository
 * write on the storage or a transaction (`storage.customers.update(`, `tx.jobs.retry(`), or a function of the
 * shop's tables (`src/db/`) that writes (`savePlanTexts`, `writeSetting`). Reads (`get`, `list`, `balance`…) pass.
 */
const STORAGE_WRITE = /\b(?:storage|tx)(?:\.\w+)?\.(?:insert|update|upsert|delete|append|create|set|remove|retry|transition)\s*\(/g;
const TRANSACTION = /\.transaction\s*\(/g;
const AUDIT = /\baudit\.append\s*\(/g;
const DB_WRITE_NAME = /^(?:save|write|insert|update|upsert|delete|append|remove|set)[A-Z]/;

/** Every engine or shop-table write in a file's text, as `line: code`. */
export function writesIn(text: string): string[] {
  const dbWriters = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[./]*\/db\/[^']+'/g)]
    .flatMap((m) => (m[1] as string).split(','))
    .map(
      (name) =>
        name
          .trim()
          .split(/\s+as\s+/)
          .pop() as string,
    )
    .filter((name) => DB_WRITE_NAME.test(name));
  const patterns = [STORAGE_WRITE, TRANSACTION, AUDIT, ...dbWriters.map((name) => new RegExp(`\\b${name}\\s*\\(`, 'g'))];
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*(?:\/\/|\*)/.test(line)) return;
    if (patterns.some((p) => new RegExp(p.source).test(line))) found.push(`${i + 1}: ${line.trim()}`);
  });
  return found;
}

/** What the bottom layers may import: the shop's tables and the base folders import no use case, no channel. */
const BASE = ['config', 'i18n', 'logging'];

/** The folder a file belongs to: `src/app/<name>` counts on its own, files at the top of `src/` are `.`. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(/[\\/]/);
  if (parts.length === 1) return '.';
  if (parts[0] === 'app') return parts.length > 2 ? `app/${parts[1]}` : 'app';
  return parts[0] as string;
}

/** Every import between two folders: `from -> to` with the files that make it. */
export function folderImports(files: readonly { path: string; text: string }[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const { path, text } of files) {
    for (const match of text.matchAll(/\b(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const from = folderOf(path);
      const to = folderOf(resolve(dirname(path), match[1] as string));
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, (edges.get(key) ?? new Set()).add(relative(SRC, path)));
    }
  }
  return edges;
}

/** The first circle of folders found (`a -> b -> a`), or `null`. */
export function findCycle(edges: Iterable<string>): string[] | null {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [from, to] = edge.split(' -> ') as [string, string];
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  return firstCycle(next);
}

describe('the shop’s layers', () => {
  const files = sourcesUnder(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const edges = folderImports(files);
  /** The imports `from -> to` that break a rule, with the files that make them. */
  const importsWhere = (breaks: (from: string, to: string) => boolean) =>
    [...edges]
      .filter(([edge]) => breaks(...(edge.split(' -> ') as [string, string])))
      .map(([edge, by]) => `${edge} (${[...by].join(', ')})`);
  const channelOf = (folder: string) => Object.keys(CHANNELS).find((c) => CHANNELS[c]?.includes(folder)) ?? null;
  const isApp = (folder: string) => folder === 'app' || folder.startsWith('app/');

  it('finds a circle when there is one (the check itself)', () => {
    expect(findCycle(['a -> b', 'b -> c', 'c -> a'])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(['a -> b', 'b -> c', 'a -> c'])).toBeNull();
    const fake = [
      { path: join(SRC, 'app', 'x', 'one.ts'), text: "import { two } from '../y/two.js';" },
      { path: join(SRC, 'app', 'y', 'two.ts'), text: "import type { One } from '../x/one.js';" },
    ];
    expect(findCycle(folderImports(fake).keys())).toEqual(['app/x', 'app/y', 'app/x']);
  });

  it('has no import cycle between folders (each use-case folder counted alone)', () => {
    expect(findCycle(edges.keys())).toBeNull();
  });

  it('keeps channels apart: the web and the bot import nothing of each other', () => {
    expect(importsWhere((from, to) => channelOf(from) !== null && channelOf(to) !== null && channelOf(from) !== channelOf(to))).toEqual([]);
  });

  it('keeps use cases below the channels and the wiring', () => {
    expect(importsWhere((from, to) => isApp(from) && (channelOf(to) !== null || to === 'stack' || to === '.'))).toEqual([]);
  });

  it('keeps the shop’s tables and the base folders at the bottom', () => {
    expect(importsWhere((from, to) => (from === 'db' || BASE.includes(from)) && to !== 'db' && !BASE.includes(to))).toEqual([]);
  });

  it('finds writes and lets reads pass (the check itself)', () => {
    const text = [
      "import { localizedPlans, savePlanTexts } from '../../db/plan-texts.js';",
      'const plan = await shop.storage.plans.get(id);',
      'const page = await storage.audit.list({}, { limit: 5 });',
      'await localizedPlans(db, plans);',
      'const digest = createHmac("sha256", key).update(text).digest();',
      'await shop.storage.customers.update(id, { locale });',
      'await storage.transaction(async (tx) => {',
      '  await tx.jobs.retry(job.id);',
      '  await tx.audit.append(entry);',
      '});',
      'await savePlanTexts(db, plan.id, texts);',
      '// await storage.panels.update(id, patch) in a comment',
    ].join('\n');
    expect(writesIn(text).map((line) => Number(line.split(':')[0]))).toEqual([6, 7, 8, 9, 11]);
  });

  it('leaves engine and shop-table writes to the use cases: no channel writes, opens a transaction or audits', () => {
    const channelFiles = files.filter((f) => channelOf(folderOf(f.path)) !== null);
    expect(channelFiles.length).toBeGreaterThan(50);
    const writes = channelFiles.flatMap((f) => writesIn(f.text).map((line) => `${relative(SRC, f.path)}:${line}`));
    expect(writes).toEqual([]);
  });

  it('lets only the entry points import the wiring (src/stack)', () => {
    expect(importsWhere((from, to) => from !== '.' && from !== 'stack' && to === 'stack')).toEqual([]);
  });

  it('keeps stand-ins for outside services (simulators) with the demo in src/stack, not among the use cases', () => {
    const standIns = files.filter(({ path }) => folderOf(path).startsWith('app') && /simulator/i.test(relative(SRC, path)));
    expect(standIns.map(({ path }) => relative(SRC, path))).toEqual([]);
  });
});
