import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openShop, type RunningShop } from '../../src/stack/shop.js';
import { TEST_SECRET_KEYS } from './shop-under-test.js';
import { dropShopSchemas } from './web-replicas.js';

/**
 * Registers, in the calling `describe`, `count` shops opened in this process on one fresh PostgreSQL schema (each with
 * its own pool: replicas as far as the database can tell), without the demo panel; closed and the schema dropped
 * after the file. `replicas` holds them once `beforeAll` ran.
 */
export function pooledReplicas(databaseUrl: string, schemaPrefix: string, count = 2): { readonly replicas: RunningShop[] } {
  const schema = `${schemaPrefix}_${randomBytes(4).toString('hex')}`;
  const env = {
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    SHOP_SECRET: `${schemaPrefix}-secret-${'x'.repeat(32)}`,
    SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
    SHOP_CURRENCY: 'USD',
    LOG_LEVEL: 'silent',
    DEMO_PANEL: 'off',
  };
  const replicas: RunningShop[] = [];
  beforeAll(async () => {
    for (let i = 0; i < count; i++) replicas.push(await openShop(loadConfig(env), { logger: pino({ level: 'silent' }) }));
  }, 120_000);
  afterAll(async () => {
    for (const shop of replicas.splice(0)) await shop.close();
    await dropShopSchemas(databaseUrl, schema);
  });
  return { replicas };
}
