/**
 * The end-to-end flow (provision, extend, usage, limit, expire, terminate) on
 * `@panelkit/storage-postgres` with the PasarGuard adapter over HTTP against its simulator: PGlite
 * on every run, the real server when `PANELKIT_TEST_DATABASE_URL` is set.
 */
import type { PGlite } from '@electric-sql/pglite';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPGlite, fromPgPool, type SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { PANEL_KINDS } from './support/kinds.js';
import { proveLifecycle } from './support/lifecycle.js';
import { freshPGlite } from './support/pglite.js';
import { openShop, type Shop } from './support/shop.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP_REAL_SERVER = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const KIND = PANEL_KINDS.find((k) => k.label === 'pasarguard')!;

async function lifecycleOn(client: SqlClient): Promise<void> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { schema, giveBack } = await migratedSchemaFor(client, clock);
  const storage = createPostgresStorage({ client, schema, clock });
  let shop: Shop | undefined;
  try {
    shop = await openShop({ clock, storage, rig: KIND.make(clock) });
    await proveLifecycle(shop);
  } finally {
    await shop?.close();
    await storage.close();
    await giveBack();
  }
}

describe('engine on PostgreSQL (PGlite) with PasarGuard', () => {
  let db: PGlite | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('checkout → provisioned → extended → usage → limited → expired → terminated', async () => {
    db = await freshPGlite();
    await lifecycleOn(fromPGlite(db));
  });
});

describe.skipIf(SKIP_REAL_SERVER !== false)(
  `engine on a PostgreSQL server with PasarGuard${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    it('checkout → provisioned → extended → usage → limited → expired → terminated', async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      try {
        await lifecycleOn(fromPgPool(pool));
      } finally {
        await pool.end().catch(() => undefined);
      }
    });
  },
);
