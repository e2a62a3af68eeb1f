/** The bot gives the buyer the link the shop owns (`/s/<token>`), as the web dashboard does, not the panel's own. */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNamed } from './support/buying.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('the subscription link in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
  });
  afterAll(() => s.close());

  it('is the shop’s own /s/ link, which serves the subscription, never the panel’s', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6201);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    await shop.kit.topUp({ customerId, amount: plan.price, idempotencyKey: 'tg-link-topup' });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-link-buy' });
    await s.t.drain();
    const sub = (await shop.storage.subscriptions.get(subscriptions[0]!.id))!;
    expect(sub.subscriptionUrl).toEqual(expect.any(String));

    const list = await buyer.press(menu, 'subs');
    const details = await buyer.press(list, 's:');
    const token = await shop.kit.links.tokenFor(customerId);
    expect(textOf(details)).toContain(`https://shop.example.com/s/${token}`);
    expect(textOf(details)).not.toContain(sub.subscriptionUrl!);
    const served = await supertest(s.t.app).get(`/s/${token}`).expect(200);
    expect(Buffer.from(served.text, 'base64').toString('utf8')).toContain(sub.shareLinks[0]!.split('#')[0]!);
  });
});
