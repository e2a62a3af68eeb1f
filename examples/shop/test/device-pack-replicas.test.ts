import { randomUUID } from 'node:crypto';
import { createId, deriveRemoteIdentity, termsOf, type Plan, type Target } from '@panelkit/sdk';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { heldPost } from './support/held-post.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { startWebReplicas, type WebReplicas } from './support/web-replicas.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const ROUNDS = 12;
const DAY_MS = 86_400_000;

/**
 * A buyer's double tap on "add a device" reaching two web replicas (two OS processes, each with its own pool, on one
 * PostgreSQL) with one idempotency key at the same moment, with a wallet that covers two packs: both answers are the
 * one order, the wallet is charged once and the device limit is raised once.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `one device pack key on two replicas at once${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '',
      SHOP_SECRET: 'device-pack-replicas-secret-device-pack',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      LOG_LEVEL: 'silent',
    };
    let shop: RunningShop;
    let plan: Plan;
    let target: Target;
    let web: WebReplicas | undefined;
    const replicas: string[] = [];

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
      shop = await openShop(loadConfig({ ...env, DEMO_PANEL: 'off' }), { logger: pino({ level: 'silent' }) });
      const panel = await shop.storage.panels.create({
        kind: 'marzban',
        name: 'device-pack replicas',
        baseUrl: 'https://panel.example.com/secret-path',
        credentials: { type: 'password', username: 'admin', password: 'replicas-password' },
      });
      target = await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
      plan = await shop.storage.plans.create({
        name: 'Two devices',
        family: 'standard',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        deviceLimit: 2,
        devicePack: { pricePer30Days: { amount: 300, currency: 'USD' }, maxExtraDevices: 5 },
      });
      web = await startWebReplicas(2, env);
      replicas.push(...web.urls);
    }, 120_000);

    afterAll(async () => {
      await web?.stop();
      await shop?.close();
      await taken?.giveBack();
    });

    /** A live subscription of the plan, 30 days left, as if provisioned (the panel is never called here). */
    async function liveSubscription(customerId: string): Promise<string> {
      const id = createId('sub');
      const now = shop.clock.now();
      await shop.storage.subscriptions.create({
        id,
        customerId,
        orderId: null,
        planId: plan.id,
        panelId: target.panelId,
        targetId: target.id,
        remote: deriveRemoteIdentity(id, 0, { secret: 'device-pack-replicas-identity' }),
        status: 'active',
        trafficLimitBytes: null,
        expiresAt: new Date(now.getTime() + 30 * DAY_MS),
        durationDays: 30,
        startOnFirstUse: false,
        deviceLimit: 2,
        terms: termsOf(plan),
      });
      return id;
    }

    it(`${ROUNDS} double taps, each on two replicas at once: the same order twice, one debit, the limit raised once`, async () => {
      const statuses: number[][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const signed = await signUp(shop, { email: `pack-${round}@example.com`, password: 'correct horse battery', locale: 'en' });
        if (!signed.ok) throw new Error('sign-up refused');
        const { customerId } = signed.account;
        await shop.kit.topUp({ customerId, amount: { amount: 600, currency: 'USD' }, idempotencyKey: `pack-top-up:${randomUUID()}` });
        const subId = await liveSubscription(customerId);
        const { token } = await shop.apiTokens.create(signed.account.id, 'double tap');
        const body = { devices: 1, idempotencyKey: `pack-${randomUUID()}` };
        const posts = replicas.map((url) => heldPost(url, `/api/v1/subscriptions/${subId}/devices/pack`, token, body));
        await Promise.all(posts.map((p) => p.sent));
        const answers = await Promise.all(posts.map((p) => p.release()));
        statuses.push(answers.map((a) => a.status).sort());
        const orders = (await shop.storage.orders.list({ customerId }, { limit: 10 })).items;
        expect(orders).toHaveLength(1);
        const debits = (await shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'device_pack');
        expect(debits).toHaveLength(1);
        // Two packs' worth in the wallet: a second charge would have gone through.
        expect(await shop.storage.ledger.balance(customerId, 'USD')).toBeGreaterThanOrEqual(300);
        expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(600 + debits[0]!.amount);
        expect((await shop.storage.subscriptions.get(subId))?.deviceLimit).toBe(3);
        expect(answers.map((a) => a.body.order?.id ?? a.body.error?.code)).toEqual([orders[0]!.id, orders[0]!.id]);
        expect(answers.map((a) => a.body.deviceLimit)).toEqual([3, 3]);
      }
      // Every round: one first answer (201) and one replay (200) of the same order; never a refusal.
      expect(statuses).toEqual(statuses.map(() => [200, 201]));
    }, 180_000);
  },
);
