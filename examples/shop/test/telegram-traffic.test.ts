/** Extra traffic from the bot: the same use case as the web page and the JSON API (`buyTrafficFor`), charged once per tap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('buying extra traffic in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('offers amounts from the subscription, quotes one, charges once however often Pay is tapped, and refuses without funds', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6401);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    expect(plan.trafficTopUp).not.toBeNull();
    const perGiB = plan.trafficTopUp!.pricePerGiB.amount;
    await shop.kit.topUp({
      customerId,
      amount: { amount: plan.price.amount + 5 * perGiB, currency: plan.price.currency },
      idempotencyKey: 'tg-traffic-topup',
    });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: 'tg-traffic-buy' });
    await s.t.drain();
    const subId = subscriptions[0]!.id;
    const before = (await shop.storage.subscriptions.get(subId))!.trafficLimitBytes!;

    const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
    const offer = await buyer.press(details, 'tt:');
    expect(buttonsOf(offer).map((b) => b.callback_data)).toContain(`tq:${subId}:5`);
    const quote = await buyer.press(offer, `tq:${subId}:5`);
    expect(textOf(quote)).toContain('55 GiB');
    const paid = await buyer.press(quote, `tb:${subId}:5`);
    expect(textOf(paid)).toBe('Extra traffic paid. It is added to your subscription in a moment.');
    // The same button again (a double tap): one charge.
    await buyer.press(quote, `tb:${subId}:5`);
    expect(await shop.storage.ledger.balance(customerId, plan.price.currency)).toBe(0);
    await s.t.drain();
    expect((await shop.storage.subscriptions.get(subId))!.trafficLimitBytes).toBe(before + 5 * 2 ** 30);

    const again = await buyer.press(await buyer.press(details, 'tt:'), `tq:${subId}:10`);
    const refused = await buyer.press(again, `tb:${subId}:10`);
    expect(textOf(refused)).toContain('does not cover this price');
    expect(buttonsOf(refused).some((b) => b.callback_data === 'tu')).toBe(true);
  });
});
