import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { connectStorefrontBot, storefrontBots } from '../src/app/storefront-bots/connect-bot.js';
import { storefrontExternalRef } from '../src/telegram/storefront/buyer.js';
import { BotReplica } from './support/bot-replica-process.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import { TelegramUser } from './support/telegram-driver.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SHOP_DIR = resolve(import.meta.dirname, '..');

/**
 * Two storefronts' bots served by two shop replicas in their own OS processes over one PostgreSQL: a first contact
 * and a buy tap delivered to both at once (Telegram retrying while the first delivery runs), to both bots under the
 * same update id. Each storefront gets one buyer per Telegram user and sells once per tap; the retail collected for the reseller is
 * credited once.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `storefront bots on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    let fake: FakeTelegram;
    let web: RunningShop;
    const replicas: BotReplica[] = [];
    const fronts: Array<{ storefrontId: string; resellerId: string; botId: string; retail: number }> = [];
    let planId = '';

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      fake = await FakeTelegram.start();
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'sf-bots-secret-sf-bots-secret-sf-bots-secret',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        PUBLIC_URL: 'https://shop.example.com',
        TELEGRAM_WEBHOOK: 'on',
      };
      web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
      const plan = (await web.storage.plans.list({ onSale: true })).find((p) => p.price.currency === web.config.currency)!;
      planId = plan.id;
      for (const [i, retail] of [1500, 900].entries()) {
        const reseller = await web.kit.customers.create({ externalRef: `reseller:${i}`, name: `Reseller ${i}`, locale: 'en' });
        await web.kit.adjust({
          customerId: reseller.id,
          amount: 1_000_000,
          currency: web.config.currency,
          idempotencyKey: `seed:${randomUUID()}`,
          note: 'seed',
          actor: { type: 'system', id: 'test' },
        });
        await web.kit.resellers.setPrice({ customerId: reseller.id, planId, price: { amount: 100, currency: web.config.currency } });
        const storefront = await web.kit.storefronts.create({ resellerId: reseller.id, name: `Front ${i}` });
        await web.kit.storefronts.setMenuItem({
          storefrontId: storefront.id,
          planId,
          retailPrice: { amount: retail, currency: web.config.currency },
        });
        const token = fake.addBot(7880001 + i, `front_${i}_bot`);
        const bot = await connectStorefrontBot(web, storefront.id, token);
        fronts.push({ storefrontId: storefront.id, resellerId: reseller.id, botId: bot.botId, retail });
      }
      for (let i = 0; i < 2; i++) {
        const child = fork(await bundledEntry(resolve(SHOP_DIR, 'test/support/storefront-bot-replica.ts')), [], {
          cwd: SHOP_DIR,
          execArgv: [],
          env: { ...process.env, ...env, REPLICA_START: TEST_START.toISOString() },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        replicas.push(new BotReplica(child));
      }
      await Promise.all(replicas.map((r) => r.ready));
    }, 180_000);

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await web?.close();
      await fake?.close();
      await taken?.giveBack();
    });

    /**
     * Delivers the update to both replicas at once, then again to each (Telegram's retries): a delivery that finds it
     * still running elsewhere is refused (its webhook answers 503 and Telegram delivers it again), nothing else fails.
     */
    async function deliverEverywhere(botId: string, update: Update): Promise<void> {
      const [a, b] = replicas as [BotReplica, BotReplica];
      const outcomes = await Promise.allSettled([a.handle(update, botId), b.handle(update, botId)]);
      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(String(outcome.reason)).toContain('is still being handled');
      await a.handle(update, botId);
      await b.handle(update, botId);
    }

    const messagesTo = (botId: string, chatId: number) =>
      fake.calls.filter(
        (c) => c.ok && c.method === 'sendMessage' && c.token?.startsWith(`${botId}:`) && Number(c.params['chat_id']) === chatId,
      );

    it('makes one buyer per storefront and sells once per tap, whichever replica takes each delivery', async () => {
      for (let round = 0; round < 4; round++) {
        const user = new TelegramUser(fake, clock, 8900 + round);
        const start = user.message('/start');
        // One update id, delivered to both storefronts' bots (ids are per bot), each to both replicas at once.
        // (A replica process takes one update at a time: the bots are fed one after the other.)
        for (const front of fronts) await deliverEverywhere(front.botId, start);
        for (const front of fronts) {
          const buyer = await web.storage.customers.getByExternalRef(storefrontExternalRef(front.storefrontId, String(user.id)));
          expect(buyer?.storefrontId).toBe(front.storefrontId);
          expect(messagesTo(front.botId, user.id)).toHaveLength(1);
          await web.kit.adjust({
            customerId: buyer!.id,
            amount: 5000,
            currency: web.config.currency,
            idempotencyKey: `seed:${randomUUID()}`,
            note: 'seed',
            actor: { type: 'system', id: 'test' },
          });
        }
        const buy = user.tap(`b:${planId}`, 5000 + round);
        const before = await Promise.all(fronts.map((f) => web.kit.payouts.balances(f.resellerId)));
        for (const front of fronts) await deliverEverywhere(front.botId, buy);
        for (const [i, front] of fronts.entries()) {
          const buyer = (await web.storage.customers.getByExternalRef(storefrontExternalRef(front.storefrontId, String(user.id))))!;
          expect(await web.storage.ledger.balance(buyer.id, web.config.currency)).toBe(5000 - front.retail);
          expect((await web.storage.subscriptions.listByCustomer(buyer.id, { limit: 10 })).items).toHaveLength(1);
          const margin = (await web.kit.payouts.balances(front.resellerId)).find((m) => m.currency === web.config.currency)?.amount ?? 0;
          const marginBefore = before[i]!.find((m) => m.currency === web.config.currency)?.amount ?? 0;
          // The retail collected for the reseller (their wallet paid the wholesale 100): credited once.
          expect(margin - marginBefore).toBe(front.retail);
          // The welcome and one answer to the tap, through this storefront's bot.
          expect(messagesTo(front.botId, user.id)).toHaveLength(2);
        }
      }
      const bots = await storefrontBots(web).list();
      expect(bots.map((b) => b.botId).sort()).toEqual(fronts.map((f) => f.botId).sort());
    }, 120_000);
  },
);
