/**
 * The optional fixture contract suite reads the shared panel fixtures (recorded and source-derived
 * panel responses) from outside the repository, never from a copy in it. They are looked up as
 * `shared/panels/fixtures` beside the repository root or one level further up (a worktree under
 * `wt/` sits one level deeper than the main checkout); `PANELKIT_PANEL_FIXTURES` overrides the
 * place. When they are absent every contract test is skipped, and the suite's name says why.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import type { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function locate(): { dir: string | null; searched: string[] } {
  const override = process.env['PANELKIT_PANEL_FIXTURES'];
  const searched = override
    ? [path.resolve(override)]
    : [path.resolve(repoRoot, '..', 'shared', 'panels', 'fixtures'), path.resolve(repoRoot, '..', '..', 'shared', 'panels', 'fixtures')];
  return { dir: searched.find((candidate) => existsSync(candidate)) ?? null, searched };
}

export const fixtures = locate();

/** A `describe` that runs only when the panel's fixture folder exists, and says so when it does not. */
export function describeFixtures(title: string, folder: string, body: () => void): void {
  const dir = fixtures.dir === null ? null : path.join(fixtures.dir, folder);
  const present = dir !== null && existsSync(dir);
  const reason = fixtures.dir === null ? `no fixtures at ${fixtures.searched.join(' or ')}` : `no ${folder} in ${fixtures.dir}`;
  // The reason is in the suite's name (verbose reporter) and printed, so the default reporter shows it too.
  if (!present) console.warn(`[panel fixtures] ${title} skipped: ${reason}`);
  describe.skipIf(!present)(present ? title : `${title} (skipped: ${reason})`, body);
}

/** Parsed JSON of a fixture file, by its path under the fixture root. */
export function readFixture(file: string): unknown {
  if (fixtures.dir === null) throw new Error('fixtures are not available');
  return JSON.parse(readFileSync(path.join(fixtures.dir, file), 'utf8')) as unknown;
}

/** File names in a fixture folder ending in `suffix`, sorted. */
export function listFixtures(folder: string, suffix: string): string[] {
  if (fixtures.dir === null) return [];
  const dir = path.join(fixtures.dir, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort();
}

export interface Exchange {
  request: { method?: string; path?: string; headers?: Record<string, string>; body?: unknown };
  status: number;
  headers: Record<string, string>;
  /** The JSON body; `undefined` when the fixture holds a text body. */
  body: unknown;
  bodyText: string | null;
}

/** A `*.exchange.json` fixture: the request and the panel's response. */
export function readExchange(file: string): Exchange {
  const raw = readFixture(file) as {
    request?: Exchange['request'];
    response: { status: number; headers?: Record<string, string>; body?: unknown; body_text?: string };
  };
  return {
    request: raw.request ?? {},
    status: raw.response.status,
    headers: raw.response.headers ?? {},
    body: raw.response.body,
    bodyText: raw.response.body_text ?? null,
  };
}

/** Asserts `value` parses through `schema`, showing the schema's issues (paths and codes) when not. */
export function expectParses<T>(schema: z.ZodType<T>, value: unknown, label: string): T {
  const result = schema.safeParse(value);
  const issues = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  expect(issues, `${label} does not parse`).toEqual([]);
  return result.data as T;
}

/** The `*.exchange.json` files of a folder whose response is an HTTP error with a JSON body. */
export function errorExchanges(folder: string): string[] {
  return listFixtures(folder, '.exchange.json').filter((file) => {
    const { status, body } = readExchange(`${folder}/${file}`);
    return status >= 400 && body !== undefined && body !== '';
  });
}

/** The `*.exchange.json` files of a folder whose response body is a JSON object (not a description). */
export function objectExchanges(folder: string): string[] {
  return listFixtures(folder, '.exchange.json').filter((file) => {
    const { body } = readExchange(`${folder}/${file}`);
    return typeof body === 'object' && body !== null;
  });
}
