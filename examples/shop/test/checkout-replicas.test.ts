import { randomUUID } from 'node:crypto';
import type { Plan } from '@panelkit/sdk';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { startWebReplicas, type WebReplicas } from './support/web-replicas.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';
import { heldPost } from './support/held-post.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const ROUNDS = 15;

/**
 * A buyer's double tap reaching two web replicas (two OS processes, each with its own pool, on one PostgreSQL) with one
 * idempotency key at the same moment, with a wallet that covers one order: both answers are that one order, charged
 * once. Before, the second checkout's read saw no order yet and its write found the wallet empty before it found the
 * key: 201 and 402.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `one checkout key on two replicas at once${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '',
      SHOP_SECRET: 'checkout-replicas-secret-checkout-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      LOG_LEVEL: 'silent',
    };
    let shop: RunningShop;
    let plan: Plan;
    let web: WebReplicas | undefined;
    const replicas: string[] = [];

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
      shop = await openShop(loadConfig({ ...env, DEMO_PANEL: 'off' }), { logger: pino({ level: 'silent' }) });
      const panel = await shop.storage.panels.create({
        kind: 'marzban',
        name: 'replicas',
        baseUrl: 'https://panel.example.com/secret-path',
        credentials: { type: 'password', username: 'admin', password: 'replicas-password' },
      });
      await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
      plan = await shop.storage.plans.create({
        name: 'One month',
        family: 'standard',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 50 * 1024 ** 3,
      });
      web = await startWebReplicas(2, env);
      replicas.push(...web.urls);
    }, 120_000);

    afterAll(async () => {
      await web?.stop();
      await shop?.close();
      await taken?.giveBack();
    });

    it(`${ROUNDS} double taps, each on two replicas at once: the same order twice, one debit`, async () => {
      const statuses: number[][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const signed = await signUp(shop, { email: `tap-${round}@example.com`, password: 'correct horse battery', locale: 'en' });
        if (!signed.ok) throw new Error('sign-up refused');
        const { customerId } = signed.account;
        await shop.kit.topUp({ customerId, amount: { amount: 500, currency: 'USD' }, idempotencyKey: `tap-top-up:${randomUUID()}` });
        const { token } = await shop.apiTokens.create(signed.account.id, 'double tap');
        const body = { items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: `tap-${randomUUID()}` };
        const posts = replicas.map((url) => heldPost(url, '/api/v1/checkout', token, body));
        await Promise.all(posts.map((p) => p.sent));
        const answers = await Promise.all(posts.map((p) => p.release()));
        statuses.push(answers.map((a) => a.status).sort());
        const orders = (await shop.storage.orders.list({ customerId }, { limit: 10 })).items;
        expect(orders).toHaveLength(1);
        const debits = (await shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'purchase');
        expect(debits).toHaveLength(1);
        expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
        expect(answers.map((a) => a.body.order?.id ?? a.body.error?.code)).toEqual([orders[0]!.id, orders[0]!.id]);
      }
      // Every round: one first answer (201) and one replay (200) of the same order; never a refusal.
      expect(statuses).toEqual(statuses.map(() => [200, 201]));
    }, 180_000);
  },
);
