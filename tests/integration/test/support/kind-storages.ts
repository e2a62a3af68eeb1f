/**
 * The three storages the kinds' integration tests run on: memory, PostgreSQL on PGlite (every run) and the PostgreSQL
 * server at `PANELKIT_TEST_DATABASE_URL` (skipped, saying why, when it is not set). Each opens a freshly migrated
 * schema: on the server one from the pool of migrated schemas; on PGlite one of the file's database, emptied and
 * handed to the next storage when closed (`closeKindStorages` after the file closes the database).
 */
import type { StoragePort } from '@panelkit/sdk/storage';
import type { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import type { PGlite } from '@electric-sql/pglite';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { recycledSchemas } from '../../../../packages/storage-postgres/test/helpers.js';
import { migratedSchemaFor } from '../../../../packages/storage-postgres/test/support/schema-pool.js';
import { freshPGlite } from './pglite.js';

/** A storage opened for one describe block, and how to put it away. */
export interface OpenedStorage {
  storage: StoragePort;
  close(): Promise<void>;
}

/** One storage the tests run on; `skip` says why it cannot run here, or is `false`. */
export interface StorageKind {
  label: string;
  skip: string | false;
  open(clock: ManualClock): Promise<OpenedStorage>;
}

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** A storage on a migrated schema: fresh on PGlite (dropped on close), from the pool of migrated schemas on the server. */
async function onSchema(client: SqlClient, clock: ManualClock, release: () => Promise<void>): Promise<OpenedStorage> {
  const { schema, giveBack: putAway } = await migratedSchemaFor(client, clock);
  const storage = createPostgresStorage({ client, schema, clock });
  return {
    storage,
    async close() {
      await storage.close();
      await putAway();
      await release();
    },
  };
}

/**
 * The file's PGlite database (opened by its first storage) and its schemas: a describe and one nested in it hold two
 * at once, so two are migrated, not one a describe, and one database started, not one a describe.
 */
let pglite: { db: PGlite; schemas: ReturnType<typeof recycledSchemas> } | undefined;

/** Closes the PGlite database the storages shared; call it after the file (every storage closed). */
export async function closeKindStorages(): Promise<void> {
  const opened = pglite;
  pglite = undefined;
  await opened?.schemas.dropAll();
  await opened?.db.close();
}

/** Memory, PGlite and the PostgreSQL server, in that order. */
export const KIND_STORAGES: readonly StorageKind[] = [
  {
    label: 'memory',
    skip: false,
    open: async (clock) => ({ storage: createMemoryStorage({ clock }), close: async () => undefined }),
  },
  {
    label: 'PostgreSQL (PGlite)',
    skip: false,
    async open(clock) {
      if (pglite === undefined) {
        const db = await freshPGlite();
        pglite = { db, schemas: recycledSchemas(fromPGlite(db)) };
      }
      const { storage, cleanup } = await pglite.schemas.storage(clock);
      return { storage, close: cleanup };
    },
  },
  {
    label: 'a PostgreSQL server',
    skip: DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false,
    async open(clock) {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      return onSchema(fromPgPool(pool), clock, () => pool.end().catch(() => undefined));
    },
  },
];
