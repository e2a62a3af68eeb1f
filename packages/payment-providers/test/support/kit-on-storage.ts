import { randomBytes } from 'node:crypto';
import { createPanelkit, type Panelkit, type PaymentProvider } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';

/** The real PostgreSQL server the tests use when the environment names one. */
const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** A storage the kit tests run on: in memory always, PostgreSQL when `PANELKIT_TEST_DATABASE_URL` is set. */
export const STORAGES: ReadonlyArray<{ name: 'memory' | 'postgres'; skip: boolean }> = [
  { name: 'memory', skip: false },
  { name: 'postgres', skip: DATABASE_URL === undefined || DATABASE_URL === '' },
];

/** A kit with `providers` on a fresh storage of `kind`, a buyer, and what closes it all. */
export interface KitUnderTest {
  kit: Panelkit;
  storage: StoragePort;
  buyer: string;
  close(): Promise<void>;
}

/** A kit on a fresh storage (a new schema on PostgreSQL) with one buyer; `close` drops what it made. */
export async function kitOn(kind: 'memory' | 'postgres', providers: PaymentProvider[]): Promise<KitUnderTest> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  let storage: StoragePort;
  let close: () => Promise<void>;
  if (kind === 'memory') {
    storage = createMemoryStorage({ clock });
    close = async () => {};
  } else {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    const client = fromPgPool(pool);
    const schema = `pp_test_${randomBytes(6).toString('hex')}`;
    await migrate(client, { schema, clock });
    storage = createPostgresStorage({ client, schema, clock });
    close = async () => {
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    };
  }
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => null as never,
    policy: { identity: { secret: 'payment-providers-test-secret-0123456789', prefix: 'pk' } },
    payments: { providers },
  });
  const buyer = (await storage.customers.create({ email: 'buyer@example.com' })).id;
  return { kit, storage, buyer, close };
}
