import { randomBytes } from 'node:crypto';
import { ManualClock } from '@panelkit/sdk/testing';
import pg from 'pg';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { loadConfig } from '../src/config/config.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { createApp } from '../src/stack/web-app.js';
import { ROOMY_RATE_LIMITS, TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const HAPP = { 'user-agent': 'Happ/4.6.0/ios/2603181556604', 'x-hwid': 'prepared-test-phone', 'x-device-os': 'iOS' };

/**
 * The link's refresh statements sent prepared on a real PostgreSQL server (`stack/link-prepared-statements.ts`):
 * which statements are named, and a refresh answered after another replica's migration adds a column to a table
 * a prepared `SELECT *` reads (PostgreSQL refuses the old plan once).
 */
describe.skipIf(DATABASE_URL === undefined)(
  `the link's statements prepared on PostgreSQL${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const schema = `shop_prep_${randomBytes(4).toString('hex')}`;
    let shop: RunningShop;
    let path: string;
    let shareLinks: string[];

    beforeAll(async () => {
      const config = loadConfig({
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: schema,
        SHOP_SECRET: 'pg-test-secret-pg-test-secret-pg-test',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        PUBLIC_URL: 'https://shop.prepared.example',
        DEMO_PANEL: 'on',
        LOG_LEVEL: 'silent',
      });
      shop = await openShop(config, { clock: new ManualClock(TEST_START), logger: pino({ level: 'silent' }) });
      const plan = (await shop.storage.plans.list({ onSale: true })).find((p) => !p.startOnFirstUse && p.deviceLimit !== null);
      if (plan === undefined) throw new Error('no demo plan with a device limit');
      const customer = await shop.kit.customers.create({ email: 'prepared@example.com', locale: 'en' });
      await shop.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'prepared' });
      const bought = await shop.kit.checkout({ customerId: customer.id, items: [{ planId: plan.id }], idempotencyKey: 'prepared' });
      await shop.kit.createWorker({ hostJobs: [...shop.hostJobs, ...notificationJobs(shop, shopChannels(shop).list)] }).drain();
      shareLinks = (await shop.storage.subscriptions.get(bought.subscriptions[0]!.id))!.shareLinks;
      path = new URL(await shop.subscriptionLinks.tokenFor(customer.id), 'https://x/s/').pathname;
    });

    afterAll(async () => {
      await shop?.close();
      const pool = new pg.Pool({ connectionString: DATABASE_URL });
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}_shop" CASCADE`);
      await pool.end();
    });

    const refresh = (app: ReturnType<typeof createApp>) =>
      supertest(app).get(path).set('host', 'shop.prepared.example').set(HAPP).expect(200);

    it('sends a known device’s refresh as three named statements, and nothing else named', async () => {
      const app = createApp(shop, { rateLimits: ROOMY_RATE_LIMITS });
      await refresh(app); // registers the device
      const sent = vi.spyOn(pg.Pool.prototype, 'query');
      try {
        const answer = await refresh(app);
        expect(Buffer.from(answer.text, 'base64').toString('utf8').split('\n')).toEqual(shareLinks);
        // What each call was given first: a statement's text, or a named statement's config.
        const firsts = sent.mock.calls.map((call) => (call as unknown[])[0]);
        const named = firsts.flatMap((config) =>
          typeof config === 'object' && config !== null && 'name' in config ? [config as { name: unknown; text: unknown }] : [],
        );
        expect(named.map((c) => String(c.text).split(/\s+/).slice(0, 4).join(' '))).toEqual([
          `SELECT customer_id FROM "${schema}_shop".subscription_links`,
          `SELECT * FROM "${schema}".subscriptions`,
          `WITH known AS (SELECT`,
        ]);
        expect(named.every((c) => /^link_0_[0-9a-f]{20}$/.test(String(c.name)))).toBe(true);
        // The page's and the owner's reads are sent by text: only the link's hot statements are prepared.
        expect(firsts.filter((config) => typeof config === 'string')).toHaveLength(firsts.length - 3);
      } finally {
        sent.mockRestore();
      }
    });

    it('answers after another replica’s migration adds a column to a table a prepared statement reads', async () => {
      const app = createApp(shop, { rateLimits: ROOMY_RATE_LIMITS });
      // Every connection of the pool has the statements prepared (ten refreshes at once).
      await Promise.all(Array.from({ length: 10 }, () => refresh(app)));
      const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      await admin.query(`ALTER TABLE "${schema}".subscriptions ADD COLUMN prepared_test_extra integer`);
      await admin.query(`ALTER TABLE "${schema}".devices ADD COLUMN prepared_test_extra integer`);
      await admin.end();
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(app)));
      for (const answer of answers) expect(Buffer.from(answer.text, 'base64').toString('utf8').split('\n')).toEqual(shareLinks);
    });
  },
);
