import type { Customer } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleUpdate } from '../src/telegram/bot.js';
import { startBotReplicaShop, type BotReplicaShop } from './support/bot-replica-shop.js';
import { TelegramUser } from './support/telegram-driver.js';
import type { BotReplica } from './support/bot-replica-process.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/**
 * A new Telegram user's first updates racing on two replica processes and this one over one PostgreSQL: two `/start`s
 * at once on the replicas, the first of them delivered to this process too. The first contact inserts its customer
 * without looking first (new accounts not slowed) and links it in a statement of its own: one customer, one link, each
 * update answered once, wherever each went. With new accounts slowed, new users' first updates racing on the three
 * processes take the limit's slots in their claims' statements: exactly the limit's number of customers is made, the
 * others are told to wait and get nothing.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `a first contact on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let shop: BotReplicaShop;

    beforeAll(async () => {
      shop = await startBotReplicaShop(DATABASE_URL as string, 2, { TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '0' });
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

describe.skipIf(DATABASE_URL === undefined)(
  `new accounts slowed, first contacts on two replica processes${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let shop: BotReplicaShop;

    beforeAll(async () => {
      shop = await startBotReplicaShop(DATABASE_URL as string, 2, { TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '4' });
    }, 120_000);

    afterAll(async () => {
      await shop?.close();
    });

    it('makes exactly the limit’s customers of new users racing, and tells the rest to wait', async () => {
      const users = Array.from({ length: 9 }, (_, i) => new TelegramUser(shop.fake, shop.clock, 9800 + i));
      const since = shop.fake.calls.length;
      // A replica process handles one update at a time: each takes its three in turn, this process its own at once.
      const lane = async (replica: BotReplica, from: number) => {
        for (const user of users.slice(from, from + 3)) await replica.handle(user.message('/start'));
      };
      await Promise.all([
        lane(shop.replicas[0]!, 0),
        lane(shop.replicas[1]!, 3),
        ...users.slice(6).map((user) => handleUpdate(shop.bot, user.message('/start'))),
      ]);

      const made = [];
      for (const user of users) {
        const customer = await shop.web.storage.customers.getByExternalRef(`telegram:${user.id}`);
        const link = await shop.bot.links.byTelegramUser(String(user.id));
        const replies = shop.fake.callsSince(since, 'sendMessage').filter((c) => Number(c.params['chat_id']) === user.id);
        expect(replies).toHaveLength(1);
        if (customer === null) {
          expect(link).toBeNull();
          expect(String(replies[0]!.params['text'])).toMatch(/Too many new accounts/);
        } else {
          made.push(customer);
          expect(link?.customerId).toBe(customer.id);
          expect(String(replies[0]!.params['text'])).not.toMatch(/Too many new accounts/);
        }
      }
      expect(made).toHaveLength(4);
    });
  },
);
