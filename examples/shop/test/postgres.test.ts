import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstOwner } from '../src/app/auth/accounts.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/**
 * The shop on a real PostgreSQL server, as `DATABASE_URL` runs it: a web replica that starts the
 * demo panels and takes orders, and a separate worker replica (what `src/worker.ts` runs) on the
 * same schema that provisions them.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `the shop on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    const logger = pino({ level: 'silent' });
    let web: RunningShop;
    let worker: RunningShop;

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'pg-test-secret-pg-test-secret-pg-test',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        LOG_LEVEL: 'silent',
      };
      // Two replicas starting at once: migrations are applied once, under an advisory lock.
      [web, worker] = await Promise.all([
        openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger }),
        openShop(loadConfig({ ...env, RUN_WORKER: 'on' }), { clock, logger }),
      ]);
    });

    afterAll(async () => {
      await web?.close();
      await worker?.close();
      await taken?.giveBack();
    });

    it('sells on the web replica and provisions on the worker replica', async () => {
      expect(web.config.database.kind).toBe('postgres');
      await ensureFirstOwner(web, 'owner@example.com', 'owner-password-1234');
      expect((await worker.accounts.getByEmail('owner@example.com'))?.role).toBe('admin');
      const customer = await web.storage.customers.create({ email: 'pg.buyer@example.com' });
      const plan = (await web.storage.plans.list({ onSale: true })).find((p) => !p.startOnFirstUse);
      if (plan === undefined) throw new Error('the demo plans were not created');
      await web.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'pg-topup' });
      const { subscriptions } = await web.kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: 'pg-order',
      });
      expect(await worker.kit.createWorker().drain()).toBeGreaterThan(0);
      const provisioned = await web.storage.subscriptions.get(subscriptions[0]?.id as string);
      expect(provisioned?.status).toBe('active');
      expect(provisioned?.subscriptionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sub\//);
    });
  },
);
