/**
 * The same end-to-end flow on `@panelkit/storage-postgres`: PGlite on every run, the real server
 * when `PANELKIT_TEST_DATABASE_URL` is set, with the 3x-ui simulator. Proves the engine's
 * transactions (checkout, provisioning, extension, sweeps) on a real database.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate, type SqlClient } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from './support/kinds.js';
import { proveLifecycle } from './support/lifecycle.js';
import { openShop, type Shop } from './support/shop.js';

export const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
export const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

const xuiGenA = PANEL_KINDS[0]!;

export function uniqueSchema(): string {
  return `pk_it_${randomBytes(6).toString('hex')}`;
}

async function lifecycleOn(client: SqlClient, cleanup: (schema: string) => Promise<void>): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const schema = uniqueSchema();
  await migrate(client, { schema, clock });
  const storage = createPostgresStorage({ client, schema, clock });
  let shop: Shop | undefined;
  try {
    shop = await openShop({ clock, storage, rig: xuiGenA.make(clock) });
    await proveLifecycle(shop);
  } finally {
    await shop?.close();
    await storage.close();
    await cleanup(schema);
  }
}

describe('engine on PostgreSQL (PGlite) with 3x-ui', () => {
  let db: PGlite | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('checkout → provisioned → extended → usage → limited → expired → terminated', async () => {
    db = await PGlite.create();
    const client = fromPGlite(db);
    await lifecycleOn(client, async (schema) => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)(`engine on a PostgreSQL server with 3x-ui${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`, () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
  });

  it('checkout → provisioned → extended → usage → limited → expired → terminated', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    pools.push(pool);
    const client = fromPgPool(pool);
    await lifecycleOn(client, async (schema) => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });
});
