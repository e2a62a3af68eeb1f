import type { Customer } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleUpdate } from '../src/telegram/bot.js';
import { startBotReplicaShop, type BotReplicaShop } from './support/bot-replica-shop.js';
import { TelegramUser } from './support/telegram-driver.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/**
 * A new Telegram user's first updates racing on two replica processes and this one over one PostgreSQL: two `/start`s
 * at once on the replicas, the first of them delivered to this process too. The first contact inserts its customer
 * without looking first (new accounts not slowed) and links it in a statement of its own: one customer, one link, each
 * update answered once, wherever each went.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `a first contact on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let shop: BotReplicaShop;

    beforeAll(async () => {
      shop = await startBotReplicaShop(DATABASE_URL as string, 'tg_first', 2, { TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '0' });
    }, 120_000);

    afterAll(async () => {
      await shop?.close();
    });

    /** Every customer carrying this Telegram id (a doubled first contact would leave two). */
    async function customersOf(telegramUserId: number): Promise<Customer[]> {
      const page = await shop.web.storage.customers.list({ limit: 1000 });
      return page.items.filter((c) => c.telegramId === String(telegramUserId));
    }

    it('makes one customer and one link, and answers each update once', async () => {
      for (let round = 0; round < 6; round++) {
        const user = new TelegramUser(shop.fake, shop.clock, 9700 + round);
        const [first, second] = [user.message('/start'), user.message('/start')];
        const since = shop.fake.calls.length;
        await Promise.all([shop.replicas[0]!.handle(first), shop.replicas[1]!.handle(second), handleUpdate(shop.bot, first)]);

        const customers = await customersOf(user.id);
        expect(customers).toHaveLength(1);
        expect((await shop.bot.links.byTelegramUser(String(user.id)))?.customerId).toBe(customers[0]!.id);
        const replies = shop.fake.callsSince(since, 'sendMessage').filter((c) => Number(c.params['chat_id']) === user.id);
        expect(replies).toHaveLength(2);
      }
    });
  },
);
