import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { buttonsOf } from './support/fake-telegram.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

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

describe('a discount code in the Telegram bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('/code shows the plans at their price with the code; a button buys with it, once; an unknown code is said', async () => {
    const { shop, clock } = s.t;
    await shop.kit.createDiscountCode({ code: 'BOT20', value: { type: 'percent', percent: 20 } });
    const buyer = new TelegramUser(s.fake, clock, 7101, 'en');
    await buyer.send(buyer.message('/start'));
    const customer = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!;
    await shop.kit.topUp({ customerId: customer.id, amount: { amount: 1000, currency: 'USD' }, idempotencyKey: 'bot-seed' });

    const unknown = await buyer.send(buyer.message('/code NOPE-NOPE'));
    expect(textOf(unknown)).toBe('There is no such code.');
    const offer = await buyer.send(buyer.message('/code bot20'));
    expect(textOf(offer)).toBe('With code BOT20:');
    const option = buttonsOf(offer).find((b) => b.text.startsWith('Frankfurt · 1 month · 50 GiB'));
    expect(option?.text).toContain('$4.00');
    const ordered = await buyer.press(offer, option!.callback_data!);
    expect(textOf(ordered)).toBe(translator('en')('telegram.catalog.ordered'));
    const again = await buyer.press(offer, option!.callback_data!);
    expect(textOf(again)).toBe(translator('en')('telegram.catalog.alreadyOrdered'));
    expect(await shop.storage.ledger.balance(customer.id, 'USD')).toBe(600);
    expect((await shop.storage.discounts.getByCode('BOT20'))!.uses).toBe(1);
  });
});
