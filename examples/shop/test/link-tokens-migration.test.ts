import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createPanelkit } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateShop } from '../src/db/migrations.js';
import { memoryDatabase, TEST_START } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SECRET = 'the-shops-own-secret-0123456789';
const clock = new ManualClock(TEST_START);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A shop from before issue 68 with a buyer's link issued by its own link table, upgraded: the engine's schema first,
 * then the shop's (as `openShop` runs them). The buyer's link must keep resolving through `kit.links`.
 */
async function upgradeKeepsLinks(client: SqlClient, schema: string): Promise<void> {
  const shop = `"${schema}_shop"`;
  await migrate(client, { schema, clock });
  await migrateShop(client, schema, clock.now(), { before: 'link_tokens_to_sdk' });
  const storage = createPostgresStorage({ client, schema, clock });
  const customer = await storage.customers.create({ email: `buyer-${randomBytes(4).toString('hex')}@example.com` });
  // The row as the shop's SubscriptionLinkStore wrote it: a random nonce, the token's SHA-256, never the token.
  const nonce = randomBytes(16).toString('base64url');
  const token = createHmac('sha256', SECRET).update(`subscription-link:${customer.id}:${nonce}`).digest('base64url').slice(0, 32);
  const insert = `INSERT INTO ${shop}.subscription_links (customer_id, nonce, token_hash, created_at, rotated_at) VALUES ($1, $2, $3, $4, $4)`;
  await client.query(insert, [customer.id, nonce, sha256(token), clock.now()]);
  await client.query(insert, ['cus_long_gone', 'bm9uY2U', sha256('a token of nobody'), clock.now()]);

  await migrateShop(client, schema, clock.now());
  await migrateShop(client, schema, clock.now()); // a second start changes nothing

  const kit = createPanelkit({
    storage,
    clock,
    panels: () => {
      throw new Error('no panel is used here');
    },
    policy: { identity: { secret: SECRET, prefix: 'pk' } },
    links: { secret: SECRET },
  });
  expect(await kit.links.resolve(token)).toBe(customer.id);
  expect(await kit.links.tokenFor(customer.id)).toBe(token);
  expect(await kit.links.customersWithLinks('', 10)).toEqual([customer.id]);
  const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass($1)::text AS table`, [`${shop}.subscription_links`]);
  expect(rows[0]?.table).toBeNull();
  const fresh = await kit.links.rotate(customer.id, { type: 'customer', id: customer.id });
  expect(await kit.links.resolve(token)).toBeNull();
  expect(await kit.links.resolve(fresh)).toBe(customer.id);
}

describe("the shop's link tokens move to the SDK", () => {
  it('on the embedded database: a link the old store issued still resolves after the migration', async () => {
    const db = await memoryDatabase();
    try {
      await upgradeKeepsLinks(db.client, 'panelkit');
    } finally {
      await db.close();
    }
  });

  describe.skipIf(DATABASE_URL === undefined)(
    `on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
    () => {
      const schema = `link_move_${randomBytes(4).toString('hex')}`;
      const pool = new pg.Pool({ connectionString: DATABASE_URL });

      afterAll(async () => {
        for (const s of [schema, `${schema}_shop`]) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        await pool.end();
      });

      it('a link the old store issued still resolves after the migration', async () => {
        await upgradeKeepsLinks(fromPgPool(pool), schema);
      });
    },
  );
});
