import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { paymentsOf } from '../src/app/payments/records.js';
import { loadConfig } from '../src/config/config.js';
import { translator } from '../src/i18n/translate.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { createShopBot, handleUpdate, type ShopBot } from '../src/telegram/bot.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import { TelegramUser, textOf } from './support/telegram-driver.js';
import { BotReplica } from './support/bot-replica-process.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SHOP_DIR = resolve(import.meta.dirname, '..');
const en = translator('en');

/**
 * Bot admins on two shop replicas in their own OS processes over one PostgreSQL: an admin's typed reason racing
 * another admin's approval decides each receipt once, one typed answer is taken by one replica only, and two
 * admins terminating one subscription at once end it once.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `bot admins on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    let fake: FakeTelegram;
    let web: RunningShop;
    let bot: ShopBot;
    const replicas: BotReplica[] = [];
    let adminA: TelegramUser;
    let adminB: TelegramUser;

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      fake = await FakeTelegram.start();
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'tg-admin-secret-tg-admin-secret-tg-admin',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_ADMIN_IDS: '9001,9002',
        PUBLIC_URL: 'http://shop.test',
        TELEGRAM_WEBHOOK: 'off',
      };
      web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
      bot = createShopBot(web, web.config.telegram as NonNullable<typeof web.config.telegram>);
      for (let i = 0; i < 2; i++) {
        const child = fork(await bundledEntry(resolve(SHOP_DIR, 'test/support/bot-replica.ts')), [], {
          cwd: SHOP_DIR,
          execArgv: [],
          env: { ...process.env, ...env, REPLICA_START: TEST_START.toISOString() },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        replicas.push(new BotReplica(child));
      }
      await Promise.all(replicas.map((r) => r.ready));
      adminA = new TelegramUser(fake, clock, 9001);
      adminB = new TelegramUser(fake, clock, 9002);
      for (const admin of [adminA, adminB]) await handleUpdate(bot, admin.message('/start'));
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await web?.close();
      await fake?.close();
      await taken?.giveBack();
    });

    /** A buyer's card receipt for 3.00, waiting for review. */
    async function receiptOf(userId: number): Promise<{ customerId: string; paymentId: string }> {
      const buyer = new TelegramUser(fake, clock, userId);
      await handleUpdate(bot, buyer.message('/start'));
      await handleUpdate(bot, buyer.photo(`3 QW${userId}77 1111`));
      const customer = await web.storage.customers.getByExternalRef(`telegram:${userId}`);
      const [payment] = (await paymentsOf(web).listByCustomer(customer!.id, { limit: 1 })).items;
      expect(payment?.status).toBe('pending');
      return { customerId: customer!.id, paymentId: payment!.id };
    }

    const [a, b] = [0, 1].map((i) => ({ handle: (u: Update) => replicas[i]!.handle(u) }));

    it('decides each receipt once when one admin’s reason and another’s approval arrive at two processes together', async () => {
      const outcomes = new Set<string>();
      for (let round = 0; round < 6; round++) {
        const { customerId, paymentId } = await receiptOf(7100 + round);
        await handleUpdate(bot, adminA.tap(`rr:${paymentId}`, 1));
        const reason = adminA.message(`Not on the statement (${round})`);
        const approve = adminB.tap(`ra:${paymentId}`, 1);
        await Promise.all(round % 2 === 0 ? [a!.handle(reason), b!.handle(approve)] : [b!.handle(reason), a!.handle(approve)]);
        const payment = await web.kit.payments.get(paymentId);
        const balance = await web.storage.ledger.balance(customerId, 'USD');
        if (payment?.status === 'credited') expect(balance).toBe(300);
        else {
          expect(payment).toMatchObject({ status: 'rejected', note: `Not on the statement (${round})` });
          expect(balance).toBe(0);
        }
        const events = await web.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 });
        const decisions = events.items.filter(
          (e) => e.data['paymentId'] === paymentId && ['payment.credited', 'payment.rejected'].includes(e.action),
        );
        expect(decisions).toHaveLength(1);
        outcomes.add(payment!.status);
      }
      // Which admin wins is up to the race; whichever does, the receipt has one outcome.
      expect([...outcomes].every((o) => o === 'credited' || o === 'rejected')).toBe(true);
    });

    it('takes one typed answer on one process only: a second message sent together is no second reason', async () => {
      const { paymentId } = await receiptOf(7200);
      await handleUpdate(bot, adminA.tap(`rr:${paymentId}`, 1));
      const since = fake.calls.length;
      await Promise.all([a!.handle(adminA.message('Reason one')), b!.handle(adminA.message('Reason two'))]);
      const payment = await web.kit.payments.get(paymentId);
      expect(payment?.status).toBe('rejected');
      expect(['Reason one', 'Reason two']).toContain(payment?.note);
      const said = fake.callsSince(since, 'sendMessage').map(textOf);
      expect(said.sort()).toEqual([en('telegram.menu.hint'), en('telegram.receipts.rejected')].sort());
    });

    it('ends a subscription once when two admins confirm its termination on two processes together', async () => {
      const plan = (await web.storage.plans.list()).find((p) => p.name.startsWith('Frankfurt · 1 month · 50'))!;
      const customer = await web.kit.customers.create({ email: 'ends-once@example.com' });
      await web.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'ends-once' });
      const { subscriptions } = await web.kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: 'ends-once',
      });
      await web.kit.createWorker().drain();
      const subId = subscriptions[0]!.id;
      expect((await web.storage.subscriptions.get(subId))?.status).toBe('active');
      await Promise.all([a!.handle(adminA.tap(`ad:terminate:${subId}`, 1)), b!.handle(adminB.tap(`ad:terminate:${subId}`, 1))]);
      expect((await web.storage.subscriptions.get(subId))?.status).toBe('terminated');
      const audit = await web.storage.audit.list({ subjectType: 'subscription', subjectId: subId }, { limit: 20 });
      expect(audit.items.filter((e) => e.action === 'subscription.terminated')).toHaveLength(1);
    });
  },
);
