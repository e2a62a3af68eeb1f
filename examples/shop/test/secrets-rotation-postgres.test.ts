import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox, generateSecretKey, formatSecretKeys } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { fromPgPool, resealSecrets } from '@panelkit/storage-postgres';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { TEST_START } from './support/shop-under-test.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/**
 * A key rotation on a real PostgreSQL server while a worker replica provisions orders: the panels'
 * credentials and the buyers' client credentials and links are sealed again under the new key while
 * jobs open and rewrite them, no order is lost
 * or provisioned twice, and afterwards a replica holding only the new key still reaches every panel.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `key rotation under load on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-rotation-'));
    const clock = new ManualClock(TEST_START);
    const logger = pino({ level: 'silent' });
    const shops: RunningShop[] = [];
    const oldKey = generateSecretKey('old');
    const newKey = generateSecretKey('new');
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '', // a schema taken from the pool, set before the test
      DATA_DIR: dataDir,
      SHOP_SECRET: 'rotation-secret-rotation-secret-rotation',
      LOG_LEVEL: 'silent',
    };
    const open = async (keys: string, extra: Record<string, string>) => {
      const shop = await openShop(loadConfig({ ...env, SHOP_SECRET_KEYS: keys, ...extra }), { clock, logger });
      shops.push(shop);
      return shop;
    };

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
    });

    afterAll(async () => {
      for (const shop of shops.reverse()) await shop.close();
      await taken?.giveBack();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('re-seals every panel secret while orders are provisioned; nothing is lost and the old key can go', async () => {
      // Step 1 of the guide: the web replica (with the demo panels) seals with the old key and can open the new one.
      const web = await open(formatSecretKeys([oldKey, newKey]), { DEMO_PANEL: 'on' });
      // Step 2: the worker replica already seals with the new key.
      const worker = await open(formatSecretKeys([newKey, oldKey]), { DEMO_PANEL: 'off' });
      const plan = (await web.storage.plans.list({ onSale: true })).find((p) => !p.startOnFirstUse);
      if (plan === undefined) throw new Error('the demo plans were not created');
      const panelCount = (await web.storage.panels.list()).length;
      expect(panelCount).toBeGreaterThan(0);

      const orders = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const customer = await web.storage.customers.create({ email: `rot${i}@example.com` });
          await web.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: `rot-topup-${i}` });
          return web.kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: `rot-order-${i}` });
        }),
      );
      // Step 3, under load: the rotation runs while two workers provision.
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
      try {
        const [rotation] = await Promise.all([
          resealSecrets(fromPgPool(pool), { schema: env.DATABASE_SCHEMA, secretBox: createSecretBox([newKey, oldKey]), rotate: true }),
          worker.kit.createWorker({ id: 'rot-w1' }).drain(),
          worker.kit.createWorker({ id: 'rot-w2' }).drain(),
        ]);
        // Every panel, and the subscriptions the workers did not rewrite themselves (they seal with the new key).
        expect(rotation.rotated).toBeGreaterThanOrEqual(panelCount);
        expect(rotation.rotated).toBeLessThanOrEqual(panelCount + orders.length);
        expect(Object.keys(rotation.byKey)).toEqual(['new']);
      } finally {
        await pool.end();
      }
      await worker.kit.createWorker({ id: 'rot-w3' }).drain();
      for (const { subscriptions } of orders)
        expect((await web.storage.subscriptions.get(subscriptions[0]?.id as string))?.status).toBe('active');

      // Step 4: a replica with only the new key starts (its start-up check opens every secret) and still provisions.
      const onlyNew = await open(formatSecretKeys([newKey]), { DEMO_PANEL: 'off' });
      // Every buyer's sealed links open with the new key alone.
      for (const { subscriptions } of orders) {
        const sub = await onlyNew.storage.subscriptions.get(subscriptions[0]?.id as string);
        expect(sub?.shareLinks.length).toBeGreaterThan(0);
      }
      const customer = await onlyNew.storage.customers.create({ email: 'after-rotation@example.com' });
      await onlyNew.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'rot-topup-after' });
      const after = await onlyNew.kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: 'rot-order-after',
      });
      await onlyNew.kit.createWorker({ id: 'rot-w4' }).drain();
      expect((await onlyNew.storage.subscriptions.get(after.subscriptions[0]?.id as string))?.status).toBe('active');
      // A replica with only the retired key is refused at start.
      await expect(open(formatSecretKeys([oldKey]), { DEMO_PANEL: 'off' })).rejects.toThrow(
        /sealed with key new, which is not among the keys given \(old\)/,
      );
    }, 120_000);
  },
);
