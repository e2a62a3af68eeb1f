/** Changing plan from the bot: the same use case as the web page and the JSON API (`changePlanFor`), changed once per tap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('changing plan in the bot', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('lists the plans it may move to, quotes one with the credit, and switches once however often it is tapped', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 6501);
    const menu = await buyer.send(buyer.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const from = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const to = await planNamed(s.t, 'Frankfurt · 3 months · 200');
    await shop.kit.topUp({
      customerId,
      amount: { amount: from.price.amount + to.price.amount, currency: from.price.currency },
      idempotencyKey: 'tg-plan-topup',
    });
    const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: from.id }], idempotencyKey: 'tg-plan-buy' });
    await s.t.drain();
    const subId = subscriptions[0]!.id;

    const details = await buyer.press(await buyer.press(menu, 'subs'), 's:');
    const plans = await buyer.press(details, 'pl:');
    expect(buttonsOf(plans).map((b) => b.callback_data)).toContain(`pq:${subId}:${to.id}`);
    expect(buttonsOf(plans).map((b) => b.callback_data)).not.toContain(`pq:${subId}:${from.id}`);
    const quote = await buyer.press(plans, `pq:${subId}:${to.id}`);
    const expected = await shop.kit.quotePlanChange(subId, to.id);
    expect(expected.allowed).toBe(true);
    if (!expected.allowed) return;
    expect(textOf(quote)).toContain(`$${(expected.quote.charge.amount / 100).toFixed(2)}`);
    const done = await buyer.press(quote, `pc:${subId}:${to.id}`);
    expect(textOf(done)).toBe('Plan change accepted. It is applied to your subscription in a moment.');
    await buyer.press(quote, `pc:${subId}:${to.id}`);
    const entries = (await shop.storage.ledger.list(customerId, { limit: 50 })).items.filter((e) => e.kind === 'plan_change');
    expect(entries).toHaveLength(1);
    expect(-entries[0]!.amount).toBe(expected.quote.charge.amount);
    await s.t.drain();
    expect((await shop.storage.subscriptions.get(subId))!.planId).toBe(to.id);
  });
});
