import pg from 'pg';
import { fromPgPool } from '@panelkit/storage-postgres';
import { migrateShop } from '../../src/db/migrations.js';
import {
  type ExtraMigrations,
  type TakenSchema,
  takeMigratedSchema,
} from '../../../../packages/storage-postgres/test/support/schema-pool.js';

/** The shop's tables beside the engine's (`<schema>_shop`), as a pooled schema's extra migrations. */
export const SHOP_MIGRATIONS: ExtraMigrations = {
  sources: [new URL('../../src/db/migrations.ts', import.meta.url)],
  schemas: (schema) => [`${schema}_shop`],
  migrate: (client, schema, now) => migrateShop(client, schema, now),
};

/**
 * An engine schema and the shop's beside it, both at a fresh migration, from the pool of migrated schemas on the
 * server at `databaseUrl` (`takeMigratedSchema`): pass `schema` as `DATABASE_SCHEMA`, and call `giveBack` once every
 * shop and replica on it has closed (instead of dropping the schemas).
 */
export async function takeShopSchema(databaseUrl: string): Promise<TakenSchema> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const taken = await takeMigratedSchema(fromPgPool(pool), { extra: SHOP_MIGRATIONS });
    return {
      schema: taken.schema,
      giveBack: async () => {
        try {
          await taken.giveBack();
        } finally {
          await pool.end();
        }
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
