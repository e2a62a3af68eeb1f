import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';

const TEMPLATE_VARIABLE = 'PANELKIT_PGLITE_TEMPLATE';

/**
 * Vitest global set-up: runs PGlite's initdb once for the whole run and keeps the blank data folder
 * in a temporary file. A new in-memory PGlite costs about 2 s of CPU when it runs initdb itself and
 * about 0.6 s when it loads this folder instead, and the suite opens well over a hundred of them.
 * The file is removed when the run ends.
 */
export default async function createPGliteTemplate(): Promise<() => void> {
  // Loaded from this package: the root config that runs this set-up resolves modules from the repository's root.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { PGlite } = (await import(pathToFileURL(entry).href)) as { PGlite: typeof PGliteClass };
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  const folder = mkdtempSync(join(tmpdir(), 'panelkit-pglite-'));
  const file = join(folder, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  // Set before the test workers start, so every one of them sees it.
  process.env[TEMPLATE_VARIABLE] = file;
  return () => rmSync(folder, { recursive: true, force: true });
}

let template: Blob | undefined;

/**
 * The run's blank PGlite data folder, for `PGlite.create({ loadDataDir })`; `undefined` when the
 * tests run without the global set-up (then PGlite runs initdb itself).
 */
export function pgliteTemplate(): Blob | undefined {
  const file = process.env[TEMPLATE_VARIABLE];
  if (file === undefined) return undefined;
  template ??= new Blob([readFileSync(file)]);
  return template;
}
