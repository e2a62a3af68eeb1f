import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { saveStarsSettings } from '../src/app/payments/stars/settings.js';
import { startStarsInvoice } from '../src/app/payments/stars/start-invoice.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { createShopBot, handleUpdate, type ShopBot } from '../src/telegram/bot.js';
import { BotReplica } from './support/bot-replica-process.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { TEST_SECRET_KEYS, TEST_START } from './support/shop-under-test.js';
import { TelegramUser } from './support/telegram-driver.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SHOP_DIR = resolve(import.meta.dirname, '..');

/**
 * A Stars charge delivered by Telegram to two shop replicas in their own OS processes over one PostgreSQL, at
 * once: the same update twice and two update ids carrying the same `telegram_payment_charge_id`. The wallet is
 * credited once per charge, whichever process wins.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `a Stars payment delivered to two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const clock = new ManualClock(TEST_START);
    let fake: FakeTelegram;
    let web: RunningShop;
    let bot: ShopBot;
    const replicas: BotReplica[] = [];

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      fake = await FakeTelegram.start();
      const env = {
        DATABASE_URL: DATABASE_URL as string,
        DATABASE_SCHEMA: taken.schema,
        SHOP_SECRET: 'tg-stars-secret-tg-stars-secret-tg-stars',
        SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        // A shop that runs its bot needs its public address (the buyer's link is the shop's own).
        PUBLIC_URL: 'http://shop.test',
      };
      web = await openShop(loadConfig({ ...env, DEMO_PANEL: 'on' }), { clock, logger: pino({ level: 'silent' }) });
      bot = createShopBot(web, web.config.telegram as NonNullable<typeof web.config.telegram>);
      await saveStarsSettings(web, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
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
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await web?.close();
      await fake?.close();
      await taken?.giveBack();
    });

    it('credits each charge once when Telegram delivers it twice, under two update ids, to two processes at once', async () => {
      const [a, b] = replicas as [BotReplica, BotReplica];
      for (let round = 0; round < 5; round++) {
        const buyer = new TelegramUser(fake, clock, 7300 + round);
        await handleUpdate(bot, buyer.message('/start'));
        const customerId = (await web.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
        const started = await startStarsInvoice(web, { customerId, amount: 300, requestKey: `stars-replicas-${round}-0123456789` });
        if (!started.ok) throw new Error(started.reason);
        const charge = fake.charge(buyer.id, started.payload);
        const once = buyer.successfulPayment(charge, started.payload);
        const again = buyer.successfulPayment(charge, started.payload);
        // The same charge under two update ids on two processes at once; then each update again on the other process.
        await Promise.all(round % 2 === 0 ? [a.handle(once), b.handle(again)] : [b.handle(once), a.handle(again)]);
        await Promise.all([a.handle(again), b.handle(once)]);
        expect(await web.storage.ledger.balance(customerId, 'USD')).toBe(300);
        const entries = (await web.storage.ledger.list(customerId, { limit: 20 })).items;
        expect(entries.filter((e) => e.kind === 'top_up')).toHaveLength(1);
        expect(await web.kit.payments.get(started.payment.id)).toMatchObject({
          status: 'credited',
          details: { settlementRef: charge.chargeId },
        });
      }
    });
  },
);
