import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openShop, type RunningShop } from '../../src/stack/shop.js';
import type { TakenSchema } from '../../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './pooled-shop-schema.js';
import { startWebReplicas, type WebReplicas } from './web-replicas.js';

/** The shop in the test's process (to arrange and to read what the replicas did) beside its web replicas. */
export interface ShopBesideReplicas {
  /** The shop opened in this process on the same database (no demo panel); set before the tests run. */
  readonly shop: RunningShop;
  /** Where each replica serves, in start order; filled before the tests run. */
  readonly replicas: string[];
}

/**
 * Registers the suite's hooks: before it, migrated schemas taken from the pool of them (`takeShopSchema`, named in
 * `env.DATABASE_SCHEMA`, which this sets), the shop opened here with `env` and `count` web replicas forked on the same
 * database (`env` must name `DATABASE_URL`); after it, the replicas stopped, the shop closed and the schemas given back.
 */
export function shopBesideReplicas(count: number, env: Record<string, string>): ShopBesideReplicas {
  let shop: RunningShop | undefined;
  let web: WebReplicas | undefined;
  let taken: TakenSchema | undefined;
  const replicas: string[] = [];
  beforeAll(async () => {
    taken = await takeShopSchema(env['DATABASE_URL'] as string);
    env['DATABASE_SCHEMA'] = taken.schema;
    shop = await openShop(loadConfig({ ...env, DEMO_PANEL: 'off' }), { logger: pino({ level: 'silent' }) });
    web = await startWebReplicas(count, env);
    replicas.push(...web.urls);
  }, 120_000);
  afterAll(async () => {
    await web?.stop();
    await shop?.close();
    await taken?.giveBack();
  });
  return {
    get shop() {
      if (shop === undefined) throw new Error('the shop opens in beforeAll');
      return shop;
    },
    replicas,
  };
}
