import { PGlite } from '@electric-sql/pglite';
import { pgliteTemplate } from '../../../../packages/storage-postgres/test/support/pglite-template.js';

/** A new in-memory PGlite, started from the run's blank template when there is one (skips initdb). */
export function freshPGlite(): Promise<PGlite> {
  const template = pgliteTemplate();
  return PGlite.create(template === undefined ? {} : { loadDataDir: template });
}
