import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What a TypeScript block in the docs is, by the word after `ts` in its fence (CONTRIBUTING.md, "Code in the docs"):
 * - `program` (```` ```ts ````, no word): a whole program; the snippets test compiles it in a new project and runs it;
 * - `no-run` (```` ```ts no-run ````): a whole module, compiled but not run (a vitest test file, or one that needs a
 *   live panel or database);
 * - `fragment` (```` ```ts fragment ````): lines of a larger program, using names defined elsewhere; compiled with
 *   those names left undefined.
 */
export type SnippetKind = 'program' | 'no-run' | 'fragment';

/** One TypeScript block of a Markdown file. */
export interface DocSnippet {
  /** The Markdown file, relative to the repository's root. */
  readonly file: string;
  /** The line of its opening fence (1-based). */
  readonly line: number;
  readonly kind: SnippetKind;
  readonly code: string;
}

const KINDS: Readonly<Record<string, SnippetKind>> = { '': 'program', 'no-run': 'no-run', fragment: 'fragment' };

/** The TypeScript blocks of a Markdown text; throws on a `ts` fence whose word is none of the three kinds. */
export function snippetsOf(markdown: string, file: string): DocSnippet[] {
  const snippets: DocSnippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, language, word] = open;
    const end = lines.findIndex((line, j) => j > i && /^\s*```\s*$/.test(line));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code block that never closes`);
    if (language === 'ts' || language === 'typescript') {
      const kind = KINDS[word!.trim()];
      if (kind === undefined) throw new Error(`${file}:${i + 1}: \`\`\`ts ${word}: the word after ts is one of no-run, fragment or none`);
      snippets.push({
        file,
        line: i + 1,
        kind,
        code: `${lines
          .slice(i + 1, end)
          .map((line) => line.slice(indent!.length))
          .join('\n')}\n`,
      });
    }
    i = end;
  }
  return snippets;
}

/** The documents whose TypeScript blocks a stranger copies: each package's README and every guide. */
export function documentedFiles(root: string): string[] {
  const readmes = readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'README.md'));
  const guides = readdirSync(join(root, 'docs', 'guides'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join(root, 'docs', 'guides', file));
  return [...readmes, ...guides].map((path) => relative(root, path)).sort();
}

/** Every TypeScript block of the documented files. */
export function docSnippets(root: string): DocSnippet[] {
  return documentedFiles(root).flatMap((file) => snippetsOf(readFileSync(join(root, file), 'utf8'), file));
}

/** A file name for a snippet: its document and line, e.g. `packages-sdk-README-50.ts`. */
export function snippetFileName(snippet: Pick<DocSnippet, 'file' | 'line'>): string {
  return `${snippet.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${snippet.line}.ts`;
}
