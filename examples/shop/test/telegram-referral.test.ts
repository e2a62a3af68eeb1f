import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

describe('a referral through the Telegram bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
    await s.t.shop.kit.setReferralProgram({ enabled: true, reward: { type: 'fixed', amount: { amount: 100, currency: 'USD' } } });
  });
  afterAll(() => s.close());

  const customerOf = async (user: TelegramUser) => (await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!;

  it('/start ref_<id> on first contact records the referral; the own link and a later /start do not', async () => {
    const { shop, clock } = s.t;
    const referrer = await shop.storage.customers.create({ email: `web-referrer-${Date.now()}@example.com` });
    const friend = new TelegramUser(s.fake, clock, 7001, 'en');
    await friend.send(friend.message(`/start ref_${referrer.id}`));
    const friendCustomer = await customerOf(friend);
    expect(await shop.storage.referrals.get(friendCustomer.id)).toMatchObject({ referrerId: referrer.id, status: 'pending' });

    // The same account through its own link: the same customer, refused.
    await friend.send(friend.message(`/start ref_${friendCustomer.id}`));
    expect(await shop.storage.referrals.get(friendCustomer.id)).toMatchObject({ referrerId: referrer.id });
    const self = new TelegramUser(s.fake, clock, 7002, 'en');
    await self.send(self.message('/start'));
    const selfCustomer = await customerOf(self);
    await self.send(self.message(`/start ref_${selfCustomer.id}`));
    expect(await shop.storage.referrals.get(selfCustomer.id)).toBeNull();

    // A user who met the bot long ago is not signing up now.
    const old = new TelegramUser(s.fake, clock, 7003, 'en');
    await old.send(old.message('/start'));
    clock.advance(11 * 60_000);
    await old.send(old.message(`/start ref_${referrer.id}`));
    expect(await shop.storage.referrals.get((await customerOf(old)).id)).toBeNull();
  });
});
