/**
 * A first contact through the bot while new Telegram accounts are slowed (`TELEGRAM_NEW_ACCOUNTS_PER_MINUTE`, here 3):
 * the update's claim reads the sender's customer by reference and takes the new account's slot in its own statement
 * (`claimReadingLink`'s `newSender`), and for a `/start` makes and links their customer there too (`newSender.create`).
 * New users take a slot each until the window is full, then are told so and get nothing; a customer made before with no link (an imported buyer) is linked without a slot; a known user takes none;
 * the next minute the refused user is served. `customerOfTelegramUser` called alone (looking up and taking the slot
 * itself) is `trials.test.ts`'s; concurrent first updates, `telegram-first-contact.test.ts`'s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleUpdate } from '../src/telegram/bot.js';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

describe('a first contact while new Telegram accounts are slowed', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ webhook: true, env: { TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '3' } });
  });
  afterAll(() => s.close());

  /**
   * Statements the shop sent on its own tables apart from the update's claim (slots, link inserts), and customer lookups
   * by reference and customers made by the storage's `create`.
   */
  const apart = { slots: 0, links: 0, lookups: 0, creates: 0 };
  /** The user's /start handled as Telegram delivers it: the bot's replies to them. */
  async function start(user: TelegramUser): Promise<string[]> {
    const since = s.fake.calls.length;
    const { db, storage } = s.t.shop;
    const [query, lookup, create] = [db.query, storage.customers.getByExternalRef, storage.customers.create];
    db.query = ((text: string, params?: unknown[]) => {
      if (text.includes('auth_throttles') && !text.includes('telegram_updates')) apart.slots++;
      if (/INSERT INTO \S*telegram_links/.test(text) && !text.includes('telegram_updates')) apart.links++;
      return query.call(db, text, params);
    }) as typeof db.query;
    storage.customers.getByExternalRef = (ref) => (apart.lookups++, lookup.call(storage.customers, ref));
    storage.customers.create = (input) => (apart.creates++, create.call(storage.customers, input));
    try {
      await handleUpdate(s.shopBot, user.message('/start'));
    } finally {
      db.query = query;
      storage.customers.getByExternalRef = lookup;
      storage.customers.create = create;
    }
    return s.fake
      .callsSince(since, 'sendMessage')
      .filter((c) => Number(c.params['chat_id']) === user.id)
      .map((c) => String(c.params['text']));
  }

  /** The slots the limit's window holds now. */
  async function slotsTaken(): Promise<number> {
    const { rows } = await s.t.shop.db.query<{ failures: number }>(
      `SELECT failures FROM ${s.t.shop.shopSchema}.auth_throttles WHERE key = 'new-account:telegram'`,
    );
    return rows[0]?.failures ?? 0;
  }

  it('takes a slot per new user in the claim, refuses past the limit with nothing made, and serves imported and known users', async () => {
    const base = 7_400_000;
    // An imported buyer: a customer keyed by the Telegram id, no link yet.
    const imported = await s.t.shop.kit.customers.create({
      externalRef: `telegram:${base + 9}`,
      telegramId: String(base + 9),
      locale: 'en',
    });
    const users = Array.from({ length: 4 }, (_, i) => new TelegramUser(s.fake, s.t.clock, base + i, i === 1 ? 'ru' : 'en', `user${i}`));
    for (const [i, user] of users.slice(0, 3).entries()) {
      const replies = await start(user);
      expect(replies).toHaveLength(1);
      expect(replies[0]).not.toMatch(/Too many new accounts/);
      expect(await slotsTaken()).toBe(i + 1);
      const link = await s.shopBot.links.byTelegramUser(String(user.id));
      expect(link).toMatchObject({ chatId: String(user.id), username: `user${i}` });
      // The customer the claim made is the one `customers.create` would have: keyed, named and speaking as the user.
      expect(await s.t.shop.storage.customers.get(link!.customerId)).toMatchObject({
        externalRef: `telegram:${user.id}`,
        telegramId: String(user.id),
        name: `User ${user.id}`,
        locale: i === 1 ? 'ru' : 'en',
        storefrontId: null,
      });
    }

    const refused = await start(users[3]!);
    expect(refused).toEqual([expect.stringMatching(/Too many new accounts/)]);
    expect(await s.t.shop.storage.customers.getByExternalRef(`telegram:${base + 3}`)).toBeNull();
    expect(await s.shopBot.links.byTelegramUser(String(base + 3))).toBeNull();

    // The imported buyer and a known user are served with the window full, and take no slot.
    const importedReplies = await start(new TelegramUser(s.fake, s.t.clock, base + 9));
    expect(importedReplies).toHaveLength(1);
    expect(importedReplies[0]).not.toMatch(/Too many new accounts/);
    expect((await s.shopBot.links.byTelegramUser(String(base + 9)))?.customerId).toBe(imported.id);
    expect(await start(users[0]!)).toEqual([expect.not.stringMatching(/Too many new accounts/)]);
    expect(await slotsTaken()).toBe(3);
    // Every lookup, slot, new customer and its link above rode on the updates' claims, the refusal's read of its
    // window and the imported buyer's link apart.
    expect(apart).toEqual({ slots: 1, links: 1, lookups: 0, creates: 0 });

    // The next minute the refused user is served, and takes the new window's first slot.
    s.t.clock.advance(61_000);
    expect(await start(users[3]!)).toEqual([expect.not.stringMatching(/Too many new accounts/)]);
    expect(await s.t.shop.storage.customers.getByExternalRef(`telegram:${base + 3}`)).not.toBeNull();
    expect(await slotsTaken()).toBe(1);
  });
});
