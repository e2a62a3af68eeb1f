/**
 * A Telegram user's first contact with the bot (`customerOfTelegramUser`): one customer and one link however it
 * races (first updates handled at once, a redelivery), a customer made before with no link (an imported buyer) taken,
 * not doubled, and a link that stands to another customer honoured with that customer's price book. The first contact
 * inserts without looking first (new accounts not slowed here, as in `shop-under-test`); the slowed path is
 * `trials.test.ts`'s. Across OS processes on PostgreSQL: `telegram-first-contact-replicas.test.ts`.
 */
import type { Customer } from '@panelkit/sdk';
import type { User } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerOfTelegramUser } from '../src/app/auth/telegram-buyers.js';
import { handleUpdate } from '../src/telegram/bot.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

describe('a Telegram user’s first contact', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
  });
  afterAll(() => s.close());

  const user = (id: number): User => ({ id, is_bot: false, first_name: `First ${id}` });

  /** Every customer carrying this Telegram id (a doubled first contact would leave two). */
  async function customersOf(telegramUserId: number): Promise<Customer[]> {
    const found: Customer[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.t.shop.storage.customers.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      found.push(...page.items.filter((c) => c.telegramId === String(telegramUserId)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return found;
  }

  /** A reseller price for the customer on a plan on sale: a price book of one entry. */
  async function givePriceBook(customerId: string): Promise<void> {
    const plan = (await s.t.shop.storage.plans.list({ onSale: true })).find((p) => p.price.currency === s.t.shop.config.currency)!;
    await s.t.shop.kit.resellers.setPrice({ customerId, planId: plan.id, price: { amount: 100, currency: s.t.shop.config.currency } });
  }

  it('makes one customer and one link for first updates handled at once and a redelivery, and answers each', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 7301);
    const updates = Array.from({ length: 5 }, () => buyer.message('/start'));
    const since = s.fake.calls.length;
    await Promise.all(updates.map((update) => handleUpdate(s.shopBot, update)));
    await handleUpdate(s.shopBot, updates[0]!);

    const customers = await customersOf(7301);
    expect(customers).toHaveLength(1);
    expect(customers[0]!.externalRef).toBe('telegram:7301');
    expect((await s.shopBot.links.byTelegramUser('7301'))?.customerId).toBe(customers[0]!.id);
    const replies = s.fake.callsSince(since, 'sendMessage').filter((c) => Number(c.params['chat_id']) === 7301);
    expect(replies).toHaveLength(5);
  });

  it('gives a customer made now as stored, with no price book to read', async () => {
    const made = await customerOfTelegramUser(s.t.shop, s.shopBot.links, user(7302), '7302', { link: null });
    expect(made.customer).toEqual(await s.t.shop.storage.customers.get(made.customer.id));
    expect(made.priceBook).toEqual([]);
    expect(made.link).toMatchObject({ telegramUserId: '7302', chatId: '7302', customerId: made.customer.id });
  });

  it('links a customer made before with no link (an imported buyer) and reads its price book, making none', async () => {
    const old = await s.t.shop.kit.customers.create({ externalRef: 'telegram:7303', telegramId: '7303', name: 'Imported', locale: 'en' });
    await givePriceBook(old.id);
    const known = await customerOfTelegramUser(s.t.shop, s.shopBot.links, user(7303), '7303', { link: null });
    expect(known.customer.id).toBe(old.id);
    expect(known.priceBook).toHaveLength(1);
    expect(known.link.customerId).toBe(old.id);
    expect(await customersOf(7303)).toHaveLength(1);
  });

  it('writes a new link with the user’s @username, taken off the user who had it before', async () => {
    const before = await customerOfTelegramUser(s.t.shop, s.shopBot.links, { ...user(7305), username: 'first_contact' }, '7305', {
      link: null,
    });
    expect(before.link.username).toBe('first_contact');
    // Telegram let another user take the freed name: their first contact takes it off the first (one user a name).
    const after = await customerOfTelegramUser(s.t.shop, s.shopBot.links, { ...user(7306), username: 'First_Contact' }, '7306', {
      link: null,
    });
    expect(after.link.username).toBe('First_Contact');
    expect((await s.shopBot.links.byTelegramUser('7305'))?.username).toBeNull();
    expect((await s.shopBot.links.byUsername('first_contact'))?.telegramUserId).toBe('7306');
    // A link that stood already is not touched by a later first-contact insert (a race's loser): its name stays.
    const stood = await s.shopBot.links.linkIfNew({
      telegramUserId: '7306',
      chatId: '7306',
      customerId: before.customer.id,
      username: 'x',
    });
    expect(stood).toMatchObject({ customerId: after.customer.id, username: 'First_Contact' });
  });

  it('acts as the customer a link made meanwhile stands to (a web account linked), read with its price book', async () => {
    const web = await s.t.shop.kit.customers.create({ email: `first-contact-${Date.now()}@example.com`, locale: 'en' });
    await givePriceBook(web.id);
    // Linked after the update's claim read no link: the bot's customer made now is not the one the user acts as.
    await s.shopBot.links.linkIfNew({ telegramUserId: '7304', chatId: '7304', customerId: web.id });
    const acting = await customerOfTelegramUser(s.t.shop, s.shopBot.links, user(7304), '7304', { link: null });
    expect(acting.customer.id).toBe(web.id);
    expect(acting.priceBook).toHaveLength(1);
    expect(acting.link.customerId).toBe(web.id);
  });
});
