import { describe, expect, it } from 'vitest';
import { StorefrontRefusedError, WithdrawalRefusedError } from '../../src/storefronts.js';
import { EligibilityError, ValidationError } from '../../src/index.js';
import { discountOrder, priceItems } from '../../src/engine/checkout.js';
import { GiB, createHarness } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** The harness plan lists at 1000; the reseller pays 700 wholesale and sells at 1200 retail. */
async function shop(options: { resellerBalance?: number; creditLimit?: number } = {}) {
  const h = await createHarness();
  const resellerId = await h.customer(options.resellerBalance ?? 0);
  await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) });
  if (options.creditLimit !== undefined)
    await h.kit.resellers.setCreditLimit({ customerId: resellerId, currency: 'USD', amount: options.creditLimit });
  const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
  await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
  const buyer = async (balance = 5000) => {
    const id = await h.customer(balance);
    await h.kit.storefronts.moveBuyer({ customerId: id, storefrontId: storefront.id });
    return id;
  };
  return { h, resellerId, storefront, buyer };
}

describe('storefronts', () => {
  it('a buyer pays retail; the reseller’s wallet pays wholesale and their payout balance gets the retail, once', async () => {
    const { h, resellerId, storefront, buyer } = await shop({ resellerBalance: 2000 });
    const b = await buyer();
    const quote = await h.kit.quoteCheckout({ customerId: b, items: [{ planId: h.plan.id }] });
    expect(quote.total).toEqual(usd(1200));
    const first = await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'k1' });
    const again = await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'k1' });
    expect(again.replayed).toBe(true);
    expect(first.order.total).toEqual(usd(1200));
    expect(await h.balance(b)).toBe(3800);
    expect(await h.balance(resellerId)).toBe(1300);
    // Collected for the reseller: 1200; their wallet paid 700, so they earned the 500 margin and the owner kept 700.
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1200)]);
    const sales = await h.storage.storefronts.salesOfOrder(first.order.id);
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ kind: 'sale', retail: usd(1200), wholesale: usd(700), margin: usd(500), bonus: usd(0) });
    const figures = await h.kit.storefronts.figures({ from: '2026-03-01', to: '2026-03-01', timeZone: 'UTC' });
    expect(figures.storefronts).toHaveLength(1);
    expect(figures.storefronts[0]).toMatchObject({
      storefrontId: storefront.id,
      sales: 1,
      retail: [usd(1200)],
      margin: [usd(500)],
      collected: [usd(1200)],
      buyers: 1,
    });
    expect(figures.revenue).toEqual([usd(1200)]);
    expect(figures.ownShopRevenue).toEqual([usd(0)]);
  });

  it('refuses with a typed reason and writes nothing: suspended, off the menu, over quota, over the reseller’s credit', async () => {
    const { h, resellerId, storefront, buyer } = await shop({ resellerBalance: 1000 });
    const b = await buyer();
    const refusal = async (key: string, planId = h.plan.id, quantity = 1) => {
      const error = await h.kit.checkout({ customerId: b, items: [{ planId, quantity }], idempotencyKey: key }).catch((e: unknown) => e);
      expect(StorefrontRefusedError.is(error)).toBe(true);
      return (error as StorefrontRefusedError).reason;
    };
    const other = await h.addPlan();
    expect(await refusal('menu', other.id)).toBe('not_on_menu');
    expect(await refusal('credit', h.plan.id, 2)).toBe('reseller_credit');
    await h.kit.storefronts.update(storefront.id, { quotas: { maxActiveSubscriptions: 1 } });
    expect(await refusal('quota', h.plan.id, 2)).toBe('quota_subscriptions');
    await h.kit.storefronts.update(storefront.id, { quotas: { maxTrafficBytes: 10 * GiB } });
    expect(await refusal('traffic')).toBe('quota_traffic');
    await h.kit.storefronts.update(storefront.id, { quotas: { panelIds: ['nowhere'] } });
    expect(await refusal('panels')).toBe('quota_panels');
    await h.kit.storefronts.update(storefront.id, { quotas: {} });
    await h.kit.storefronts.suspend(storefront.id, undefined, 'unpaid');
    expect(await refusal('suspended')).toBe('storefront_suspended');
    expect(await h.balance(b)).toBe(5000);
    expect(await h.balance(resellerId)).toBe(1000);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([]);
    expect((await h.storage.orders.list({ customerId: b }, { limit: 10 })).items).toHaveLength(0);
    await h.kit.storefronts.resume(storefront.id);
    await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'ok' });
    expect(await h.balance(resellerId)).toBe(300);
  });

  it('the owner’s discount code is refused to a storefront’s buyer, whatever the code; nothing is written', async () => {
    const { h, resellerId, buyer } = await shop({ resellerBalance: 2000 });
    await h.kit.createDiscountCode({ code: 'HALF', value: { type: 'percent', percent: 50 } });
    const b = await buyer();
    const items = [{ planId: h.plan.id }];
    const reasonOf = (error: unknown) => (EligibilityError.is(error) ? error.details?.['discountReason'] : error);
    for (const code of ['HALF', 'half', 'NO-SUCH-CODE']) {
      const refused = await h.kit
        .checkout({ customerId: b, items, idempotencyKey: `k-${code}`, discountCode: code })
        .catch((e: unknown) => e);
      expect(reasonOf(refused)).toBe('storefront_buyer');
    }
    const quote = await h.kit.quoteCheckout({ customerId: b, items, discountCode: 'HALF' });
    expect(quote.discount).toEqual({ allowed: false, reason: 'storefront_buyer' });
    expect(quote.total).toEqual(usd(1200));
    expect(await h.balance(b)).toBe(5000);
    expect(await h.balance(resellerId)).toBe(2000);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([]);
    expect((await h.storage.orders.list({ customerId: b }, { limit: 10 })).items).toHaveLength(0);
    expect((await h.storage.discounts.getByCode('HALF'))?.uses).toBe(0);
    // The owner's own buyer still spends it; the storefront's buyer buys at retail and the reseller keeps its margin.
    const own = await h.customer(5000);
    expect((await h.kit.checkout({ customerId: own, items, idempotencyKey: 'own', discountCode: 'HALF' })).order.total).toEqual(usd(500));
    expect((await h.kit.checkout({ customerId: b, items, idempotencyKey: 'plain' })).order.total).toEqual(usd(1200));
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1200)]);
  });

  it('a checkout judges the code on the buyer as it read them: a move out of the storefront meanwhile lets no code in', async () => {
    const { h, storefront } = await shop();
    await h.kit.createDiscountCode({ code: 'HALF', value: { type: 'percent', percent: 50 } });
    // Stored as the owner's buyer now; the checkout read them as the storefront's (and sells as its sale).
    const moved = await h.customer(5000);
    const items = [{ planId: h.plan.id, quantity: 1, trial: false, autoRenew: false }];
    const priced = await priceItems(h.storage, moved, items);
    const asRead = { id: moved, storefrontId: storefront.id };
    const refused = await discountOrder(h.storage, asRead, 'HALF', priced, h.clock.now()).catch((e: unknown) => e);
    expect(EligibilityError.is(refused) ? refused.details?.['discountReason'] : refused).toBe('storefront_buyer');
    const own = await discountOrder(h.storage, { id: moved, storefrontId: null }, 'HALF', priced, h.clock.now());
    expect(own.total).toEqual(usd(500));
  });

  it('a refund reverses the split in its share; a full refund reverses exactly what is left', async () => {
    const { h, resellerId, buyer } = await shop({ resellerBalance: 2000 });
    const b = await buyer();
    const { order } = await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'k' });
    await h.worker().drain();
    await h.kit.refund({ orderId: order.id, customerId: b, amount: usd(400), idempotencyKey: 'r1' });
    expect(await h.balance(resellerId)).toBe(1300 + 233);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1200 - 400)]);
    await h.kit.refund({ orderId: order.id, customerId: b, amount: usd(800), idempotencyKey: 'r2' });
    expect(await h.balance(resellerId)).toBe(2000);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(0)]);
  });

  it('volume tiers raise the margin once the month’s sales reach them', async () => {
    const { h, resellerId, storefront, buyer } = await shop({ resellerBalance: 5000 });
    await h.kit.storefronts.update(storefront.id, { commissionTiers: [{ minMonthlySales: 2, bonusBps: 1000 }] });
    const b = await buyer(10_000);
    for (const k of ['a', 'b', 'c']) await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: k });
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1200 + 1200 + 1250)]);
  });

  it('a withdrawal is held at once, approved once, paid; a refusal releases it', async () => {
    const { h, resellerId, storefront, buyer } = await shop({ resellerBalance: 5000 });
    const b = await buyer(10_000);
    for (const k of ['a', 'b']) await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: k });
    const asked = await h.kit.payouts.request({ partnerId: resellerId, amount: usd(1600), destination: 'card 1234', idempotencyKey: 'w1' });
    expect(asked.changed).toBe(true);
    expect(
      (await h.kit.payouts.request({ partnerId: resellerId, amount: usd(1600), destination: 'card 1234', idempotencyKey: 'w1' })).changed,
    ).toBe(false);
    const over = await h.kit.payouts
      .request({ partnerId: resellerId, amount: usd(900), destination: 'x', idempotencyKey: 'w2' })
      .catch((e: unknown) => e);
    expect(WithdrawalRefusedError.is(over)).toBe(true);
    expect(await h.kit.payouts.positions(resellerId)).toEqual([{ currency: 'USD', available: 800, held: 1600 }]);
    const [one, two] = await Promise.all([h.kit.payouts.approve(asked.withdrawal.id), h.kit.payouts.approve(asked.withdrawal.id)]);
    expect([one.changed, two.changed].sort()).toEqual([false, true]);
    const paid = await h.kit.payouts.markPaid(asked.withdrawal.id, 'tx-9');
    expect(paid.withdrawal).toMatchObject({ status: 'paid', reference: 'tx-9' });
    const late = await h.kit.payouts.refuse(asked.withdrawal.id, 'too late').catch((e: unknown) => e);
    expect(WithdrawalRefusedError.is(late)).toBe(true);
    const second = await h.kit.payouts.request({ partnerId: resellerId, amount: usd(800), destination: 'card', idempotencyKey: 'w3' });
    await h.kit.payouts.refuse(second.withdrawal.id, 'wrong card');
    expect(await h.kit.payouts.positions(resellerId)).toEqual([{ currency: 'USD', available: 800, held: 0 }]);
    const figures = await h.kit.storefronts.resellerFigures((await h.kit.storefronts.byReseller(resellerId))!.id, {
      from: '2026-03-01',
      to: '2026-03-01',
      timeZone: 'UTC',
    });
    expect(figures).toMatchObject({ sales: 2, margin: [usd(1000)], collected: [usd(2400)], payoutsPaid: [usd(1600)], payoutsWaiting: [] });
    const audit = await h.storage.audit.list({ subjectType: 'withdrawal' }, { limit: 20 });
    expect(audit.items.map((e) => e.action).sort()).toEqual([
      'withdrawal.approved',
      'withdrawal.paid',
      'withdrawal.refused',
      'withdrawal.requested',
      'withdrawal.requested',
    ]);
    // A period without sales still lists the storefront while its reseller's payouts were paid in it or wait now.
    const quiet = { from: '2026-03-02', to: '2026-03-31', timeZone: 'UTC' };
    expect((await h.kit.storefronts.figures(quiet)).storefronts).toEqual([]);
    await h.kit.payouts.request({ partnerId: resellerId, amount: usd(300), destination: 'card', idempotencyKey: 'w4' });
    expect((await h.kit.storefronts.figures(quiet)).storefronts).toMatchObject([
      { storefrontId: storefront.id, sales: 0, retail: [], payoutsPaid: [], payoutsWaiting: [usd(300)] },
    ]);
  });

  it('a reseller on credit may withdraw only what is left after what their wallet owes; a refusal holds nothing', async () => {
    const { h, resellerId, buyer } = await shop({ creditLimit: 2000 });
    const b = await buyer();
    await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'a' });
    expect(await h.balance(resellerId)).toBe(-700);
    expect(await h.kit.payouts.balances(resellerId)).toEqual([usd(1200)]);
    const over = await h.kit.payouts
      .request({ partnerId: resellerId, amount: usd(501), destination: 'card', idempotencyKey: 'w1' })
      .catch((e: unknown) => e);
    expect(WithdrawalRefusedError.is(over)).toBe(true);
    expect(over).toMatchObject({ reason: 'owes_wholesale', details: { owed: 700, available: 500 } });
    expect(await h.kit.payouts.positions(resellerId)).toEqual([{ currency: 'USD', available: 1200, held: 0 }]);
    expect((await h.kit.payouts.list({ partnerId: resellerId }, { limit: 10 })).items).toHaveLength(0);
    const asked = await h.kit.payouts.request({ partnerId: resellerId, amount: usd(500), destination: 'card', idempotencyKey: 'w2' });
    expect(asked.changed).toBe(true);
    // The reseller buys for themselves on credit: what they owe grows, and so does what the payout balance must keep.
    await h.kit.checkout({ customerId: resellerId, items: [{ planId: h.plan.id }], idempotencyKey: 'own' });
    expect(await h.balance(resellerId)).toBe(-1400);
    const more = await h.kit.payouts
      .request({ partnerId: resellerId, amount: usd(1), destination: 'card', idempotencyKey: 'w3' })
      .catch((e: unknown) => e);
    expect(more).toMatchObject({ reason: 'owes_wholesale' });
    // A replay of a request judged before is answered as it was.
    expect(
      (await h.kit.payouts.request({ partnerId: resellerId, amount: usd(500), destination: 'card', idempotencyKey: 'w2' })).changed,
    ).toBe(false);
    await h.kit.topUp({ customerId: resellerId, amount: usd(1400), idempotencyKey: 'repay' });
    expect(
      (await h.kit.payouts.request({ partnerId: resellerId, amount: usd(700), destination: 'card', idempotencyKey: 'w4' })).changed,
    ).toBe(true);
  });

  it('bad input changes nothing', async () => {
    const { h, storefront } = await shop();
    await expect(
      h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: { amount: 5, currency: 'EUR' } }),
    ).rejects.toThrow(ValidationError);
    await expect(h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(-1) })).rejects.toThrow(
      ValidationError,
    );
    const plain = await h.customer();
    await expect(h.kit.storefronts.create({ resellerId: plain, name: 'x' })).rejects.toThrow(ValidationError);
    expect(await h.kit.storefronts.menu(storefront.id)).toMatchObject([{ retailPrice: usd(1200) }]);
  });

  it('moves a buyer audited; each storefront lists only its own buyers; its catalog is at its retail prices', async () => {
    const { h, storefront, buyer } = await shop();
    const other = await h.customer();
    await h.kit.resellers.setPrice({ customerId: other, planId: h.plan.id, price: usd(800) });
    const second = await h.kit.storefronts.create({ resellerId: other, name: 'Other' });
    const b = await buyer();
    await h.kit.storefronts.moveBuyer({ customerId: b, storefrontId: second.id, reason: 'asked to move' });
    expect((await h.kit.storefronts.buyers(storefront.id, { limit: 10 })).items).toEqual([]);
    expect((await h.kit.storefronts.buyers(second.id, { limit: 10 })).items.map((c) => c.id)).toEqual([b]);
    const moves = await h.storage.audit.list({ subjectType: 'customer', subjectId: b }, { limit: 10 });
    // Both moves carry the same instant (the clock stands still), so their order in the list is the ids'.
    const moved = moves.items.filter((e) => e.action === 'customer.storefront_moved').map((e) => [e.data['from'], e.data['to']]);
    expect(moved).toHaveLength(2);
    expect(moved).toEqual(
      expect.arrayContaining([
        [storefront.id, second.id],
        [null, storefront.id],
      ]),
    );
    // Off the second storefront's menu: nothing to buy there yet.
    const refused = await h.kit.quoteCheckout({ customerId: b, items: [{ planId: h.plan.id }] }).catch((e: unknown) => e);
    expect(StorefrontRefusedError.is(refused) && refused.reason).toBe('not_on_menu');
    const [item] = await h.kit.storefronts.catalog(storefront.id);
    expect(item!.plan.price).toEqual(usd(1200));
    expect(item!.wholesale).toEqual(usd(700));
    await expect(h.kit.storefronts.moveBuyer({ customerId: other, storefrontId: storefront.id })).rejects.toThrow(ValidationError);
  });
});
