import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openShop, type RunningShop } from '../../src/stack/shop.js';
import { TEST_SECRET_KEYS } from './shop-under-test.js';
import type { TakenSchema } from '../../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './pooled-shop-schema.js';

/**
 * Registers, in the calling `describe`, `count` shops opened in this process on one migrated PostgreSQL schema taken
 * from the pool of them (each shop with its own pool: replicas as far as the database can tell), without the demo
 * panel; closed and the schema given back after the file. `replicas` holds them once `beforeAll` ran.
 */
export function pooledReplicas(databaseUrl: string, schemaPrefix: string, count = 2): { readonly replicas: RunningShop[] } {
  const env = {
    DATABASE_URL: databaseUrl,
    SHOP_SECRET: `${schemaPrefix}-secret-${'x'.repeat(32)}`,
    SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
    SHOP_CURRENCY: 'USD',
    LOG_LEVEL: 'silent',
    DEMO_PANEL: 'off',
  };
  const replicas: RunningShop[] = [];
  let taken: TakenSchema | undefined;
  beforeAll(async () => {
    taken = await takeShopSchema(databaseUrl);
    const config = loadConfig({ ...env, DATABASE_SCHEMA: taken.schema });
    for (let i = 0; i < count; i++) replicas.push(await openShop(config, { logger: pino({ level: 'silent' }) }));
  }, 120_000);
  afterAll(async () => {
    for (const shop of replicas.splice(0)) await shop.close();
    await taken?.giveBack();
  });
  return { replicas };
}
