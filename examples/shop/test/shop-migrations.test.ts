import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, createSecretBox, parseSecretKeys } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { migrate } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBackup } from '../src/app/backup/export.js';
import { verifyBackup } from '../src/app/backup/read.js';
import { restoreBackup } from '../src/app/backup/restore.js';
import { migrateShop, SHOP_MIGRATION_VERSIONS, SHOP_SCHEMA_VERSION } from '../src/db/migrations.js';
import type { OpenDatabase } from '../src/stack/database.js';
import { tempFolder } from './support/backup-helpers.js';
import { TEST_SECRET_KEYS, TEST_START, memoryDatabase } from './support/shop-under-test.js';

const SCHEMA = 'panelkit';
/** The shop migration that made the reseller client tables. */
const RESELLER_CLIENTS = 10;
const SHOP = `"${SCHEMA}_shop"`;
const clock = new ManualClock(TEST_START);
const opened: OpenDatabase[] = [];

async function engineMigrated(): Promise<SqlClient> {
  const db = await memoryDatabase();
  opened.push(db);
  await migrate(db.client, { schema: SCHEMA, clock });
  return db.client;
}

async function recorded(client: SqlClient): Promise<Array<{ version: number; name: string | null }>> {
  const { rows } = await client.query<{ version: number; name: string | null }>(
    `SELECT version, name FROM ${SHOP}.shop_migrations ORDER BY version`,
  );
  return rows;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

describe('migrateShop', () => {
  it('applies every shop migration once and records each by name', async () => {
    const client = await engineMigrated();
    await migrateShop(client, SCHEMA, clock.now());
    await migrateShop(client, SCHEMA, clock.now());
    const rows = await recorded(client);
    expect(rows.map((r) => r.version)).toEqual([...SHOP_MIGRATION_VERSIONS]);
    expect(rows.every((r) => typeof r.name === 'string' && r.name.length > 0)).toBe(true);
  });

  it('upgrades a shop_migrations table from before names were recorded, and backups of it still restore', async () => {
    const client = await engineMigrated();
    await migrateShop(client, SCHEMA, clock.now());
    // The shop as an earlier release left it, before reseller clients: no name column, no reseller client tables, no
    // token scopes, support money, sign-in throttles, session-bound CSRF, Telegram usernames or the bot's questions.
    await client.query(`ALTER TABLE ${SHOP}.shop_migrations DROP COLUMN name`);
    await client.query(`DELETE FROM ${SHOP}.shop_migrations WHERE version >= $1`, [RESELLER_CLIENTS]);
    await client.query(`DROP TABLE ${SHOP}.reseller_client_subscriptions, ${SHOP}.reseller_clients`);
    await client.query(`DROP TABLE ${SHOP}.support_money_days, ${SHOP}.auth_throttles`);
    await client.query(`ALTER TABLE ${SHOP}.api_tokens DROP COLUMN scopes`);
    await client.query(`ALTER TABLE ${SHOP}.sessions DROP COLUMN csrf_binding`);
    await client.query(`DROP TABLE ${SHOP}.telegram_prompts`);
    await client.query(`ALTER TABLE ${SHOP}.telegram_links DROP COLUMN username`);
    // Link tokens were the shop's own then (migration 5's table, moved to the SDK's by migration 24).
    await client.query(
      `CREATE TABLE ${SHOP}.subscription_links (customer_id text PRIMARY KEY, nonce text NOT NULL, token_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL, rotated_at timestamptz NOT NULL)`,
    );

    await migrateShop(client, SCHEMA, clock.now());
    const rows = await recorded(client);
    expect(rows.length).toBe(SHOP_MIGRATION_VERSIONS.length);
    expect(rows.slice(0, RESELLER_CLIENTS - 1).every((r) => r.name === null)).toBe(true);
    expect(rows.slice(RESELLER_CLIENTS - 1, RESELLER_CLIENTS + 2)).toEqual([
      { version: RESELLER_CLIENTS, name: 'reseller_clients' },
      { version: RESELLER_CLIENTS + 1, name: 'access_hardening' },
      { version: RESELLER_CLIENTS + 2, name: 'drop_legacy_payments' },
    ]);
    await client.query(`SELECT count(*) FROM ${SHOP}.reseller_clients`);

    const secretBox = createSecretBox(parseSecretKeys(TEST_SECRET_KEYS));
    const file = join(tempFolder('legacy-migrations'), 'shop.ndjson.gz');
    const source = {
      db: client,
      engineSchema: SCHEMA,
      shopSchema: `${SCHEMA}_shop`,
      secretBox,
      shopSecret: 'legacy-secret',
      now: clock.now(),
    };
    await writeBackup(source, createWriteStream(file));
    expect((await verifyBackup(file)).header.shopSchemaVersion).toBe(SHOP_SCHEMA_VERSION);
    const target = await memoryDatabase();
    opened.push(target);
    const restoreTarget = { db: target.client, engineSchema: SCHEMA, shopSchema: `${SCHEMA}_shop`, secretBox, clock, shopSecret: null };
    await expect(restoreBackup(file, restoreTarget)).resolves.toBeDefined();
  });

  it('refuses shop tables newer than this build with a ConfigurationError that says so', async () => {
    const client = await engineMigrated();
    await migrateShop(client, SCHEMA, clock.now());
    await client.query(`INSERT INTO ${SHOP}.shop_migrations (version, name, applied_at) VALUES ($1, 'from the future', now())`, [
      SHOP_SCHEMA_VERSION + 1,
    ]);
    const refused = migrateShop(client, SCHEMA, clock.now());
    await expect(refused).rejects.toSatisfy((e) => ConfigurationError.is(e));
    await expect(refused).rejects.toThrow(`the shop's tables are at version ${SHOP_SCHEMA_VERSION + 1}, newer than this build`);
  });
});
