/**
 * The three storages the kinds' integration tests run on: memory, PostgreSQL on PGlite (every run) and the PostgreSQL
 * server at `PANELKIT_TEST_DATABASE_URL` (skipped, saying why, when it is not set). Each opens a fresh schema.
 */
import type { StoragePort } from '@panelkit/sdk/storage';
import type { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
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
      const db = await freshPGlite();
      return onSchema(fromPGlite(db), clock, () => db.close());
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
