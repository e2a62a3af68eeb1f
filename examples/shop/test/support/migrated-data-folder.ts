import { PGlite } from '@electric-sql/pglite';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromPGlite, migrate } from '@panelkit/storage-postgres';
import { migrateShop } from '../../src/db/migrations.js';
import { pgliteTemplate } from '../../../../packages/storage-postgres/test/support/pglite-template.js';
import { tempFolder } from './backup-helpers.js';

/** This thread's migrated database folders, by engine schema (one made per thread and schema, copied per use). */
const templates = new Map<string, Promise<string>>();

/** A PGlite database folder on disk at a fresh migration of the engine's schema `schema` and the shop's. */
function migratedTemplate(schema: string): Promise<string> {
  let template = templates.get(schema);
  if (template === undefined) {
    template = (async () => {
      const folder = join(tempFolder('migrated-pglite'), 'pglite');
      // From the run's blank data folder (no initdb of its own), then closed: what a shop's first start leaves on disk.
      const template = pgliteTemplate();
      const db = await PGlite.create(folder, template === undefined ? {} : { loadDataDir: template });
      try {
        const client = fromPGlite(db);
        await migrate(client, { schema });
        await migrateShop(client, schema, new Date());
      } finally {
        await db.close();
      }
      return folder;
    })();
    templates.set(schema, template);
  }
  return template;
}

/**
 * Puts a migrated, empty embedded database into the shop data folder `dataDir` (at `pglite/`, where the shop keeps it),
 * as a shop that started there once before and holds nothing yet has it: the shop's next start opens it and finds
 * every migration applied, instead of running PGlite's initdb (about 2.7 s of CPU) and every migration again. Only
 * the database: the folder's secrets and everything else are the shop's to make. `schema` is the engine's schema
 * (`DATABASE_SCHEMA`; the shop's default, `panelkit`, unless given).
 */
export async function seedMigratedDatabase(dataDir: string, schema = 'panelkit'): Promise<void> {
  const template = await migratedTemplate(schema);
  mkdirSync(dataDir, { recursive: true });
  cpSync(template, join(dataDir, 'pglite'), { recursive: true });
}
