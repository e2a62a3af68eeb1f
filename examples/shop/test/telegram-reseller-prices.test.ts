import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import type { BotCall } from './support/fake-telegram.js';
import { buttonLabelled, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('the Telegram bot prices plans with the price book read with the buyer', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it("a reseller sees its price book price on the plan screen, a buyer at list prices the list price, with no customer, price book or balance read of its own a tap (the update's claim reads them)", async () => {
    const { shop, clock } = s.t;
    const planName = 'Frankfurt · 1 month · 50 GiB';
    const germany = new Intl.DisplayNames(['en'], { type: 'region' }).of('DE') as string;
    const [reseller, buyer] = [new TelegramUser(s.fake, clock, 7101, 'en'), new TelegramUser(s.fake, clock, 7102, 'en')];
    const menus = [await reseller.send(reseller.message('/start')), await buyer.send(buyer.message('/start'))];
    const resellerId = (await shop.storage.customers.getByExternalRef(`telegram:${reseller.id}`))!.id;
    const plan = (await shop.storage.plans.list()).find((p) => p.name === planName)!;
    const wholesale = { ...plan, price: { amount: plan.price.amount - 123, currency: plan.price.currency } };
    await shop.kit.resellers.setPrice({ customerId: resellerId, planId: plan.id, price: wholesale.price });
    const balance = { amount: 4321, currency: plan.price.currency };
    await shop.storage.ledger.append({
      customerId: resellerId,
      kind: 'top_up',
      ...balance,
      idempotencyKey: 'reseller-top-up',
      actor: { type: 'system' },
    });

    const reads = [
      vi.spyOn(shop.storage.priceBooks, 'get'),
      vi.spyOn(shop.storage.priceBooks, 'list'),
      vi.spyOn(shop.storage.customers, 'getWithPriceBook'),
      vi.spyOn(shop.storage.ledger, 'balance'),
      vi.spyOn(shop.storage.ledger, 'balances'),
    ];
    const planScreen = async (user: TelegramUser, menu: BotCall) => {
      const locations = await user.press(menu, 'cat');
      const plans = await user.send(user.tap(buttonLabelled(locations, germany), messageIdOf(locations)));
      return user.send(user.tap(buttonLabelled(plans, planName), messageIdOf(plans)));
    };
    try {
      const [theirs, listed] = [await planScreen(reseller, menus[0]!), await planScreen(buyer, menus[1]!)];
      expect(textOf(theirs)).toContain(formatMoney(wholesale.price, 'en'));
      expect(textOf(theirs)).not.toContain(formatMoney(plan.price, 'en'));
      // The balance the claim read with the customer (storage port 35).
      expect(textOf(theirs)).toContain(formatMoney(balance, 'en'));
      expect(textOf(listed)).toContain(formatMoney(plan.price, 'en'));
      for (const read of reads) expect(read).not.toHaveBeenCalled();
    } finally {
      for (const read of reads) read.mockRestore();
    }
  });
});
