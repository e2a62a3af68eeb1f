import { describe, expect, it } from 'vitest';
import { InsufficientFundsError } from '../../src/index.js';
import { createHarness } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
/** The harness plan at list: 1000 per 30 days, extension 900, 20 per GiB; a reseller pays 700 (70%). */
const PLAN = {
  extension: { windowDays: 3, trafficOnExtend: 'replace' as const, daysOnExtend: 'stack' as const, price: usd(900) },
  trafficTopUp: { pricePerGiB: usd(20), maxGiBPerPurchase: 100 },
};

async function reseller(options: { balance?: number; creditLimit?: number } = {}) {
  const h = await createHarness({ plan: PLAN });
  const customerId = await h.customer(options.balance ?? 0);
  await h.kit.resellers.setPrice({ customerId, planId: h.plan.id, price: usd(700) });
  if (options.creditLimit !== undefined) await h.kit.resellers.setCreditLimit({ customerId, currency: 'USD', amount: options.creditLimit });
  return { h, customerId };
}

describe('resellers', () => {
  it('a reseller buys at its price; the terms freeze it, so extension and top-up charge the reseller’s scaled prices', async () => {
    const { h, customerId } = await reseller({ balance: 10_000 });
    const quote = await h.kit.quoteCheckout({ customerId, items: [{ planId: h.plan.id, quantity: 2 }] });
    expect(quote.subtotal).toEqual(usd(1400));
    expect(quote.items[0]!.unitPrice).toEqual(usd(700));
    const { order, subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    expect(order.total).toEqual(usd(700));
    expect(await h.balance(customerId)).toBe(9300);
    const id = subscriptions[0]!.id;
    expect((await h.storage.subscriptions.get(id))!.terms).toMatchObject({
      price: usd(700),
      extension: { price: usd(630) },
      trafficTopUp: { pricePerGiB: usd(14) },
    });
    await h.worker().drain();

    // A price book change does not reach what was sold (terms are frozen).
    await h.kit.resellers.setPrice({ customerId, planId: h.plan.id, price: usd(100) });
    const topUp = await h.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 't' });
    expect(topUp.entry?.amount).toBe(-70);
    await h.worker().drain();
    h.clock.set('2026-03-29T00:00:00.000Z');
    const extended = await h.kit.extend({ subscriptionId: id, idempotencyKey: 'e' });
    expect(extended.entry?.amount).toBe(-630);
    expect(await h.balance(customerId)).toBe(9300 - 70 - 630);

    // A plain customer pays list prices.
    const plain = await h.customer(5000);
    const listed = await h.kit.checkout({ customerId: plain, items: [{ planId: h.plan.id }], idempotencyKey: 'p' });
    expect(listed.order.total).toEqual(usd(1000));
  });

  it('renews from credit at the reseller’s price, down to exactly minus the limit', async () => {
    // Renewal charges the extension price (the reseller's scaled 630): 700 + 630 is exactly the limit.
    const { h, customerId } = await reseller({ creditLimit: 1330 });
    const bought = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id, autoRenew: true }], idempotencyKey: 'b' });
    expect(await h.balance(customerId)).toBe(-700);
    expect(await h.kit.resellers.spendable(customerId, 'USD')).toBe(630);
    await h.worker().drain();
    const scheduler = h.kit.createScheduler();
    h.clock.set('2026-03-30T00:00:00.000Z');
    expect((await scheduler.tick()).renewed).toBe(1);
    await h.worker().drain();
    expect(await h.balance(customerId)).toBe(-1330);
    expect((await h.storage.subscriptions.get(bought.subscriptions[0]!.id))!.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
    // At the limit: the next purchase is refused by the ledger and writes nothing.
    const error = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'c' }).catch((e: unknown) => e);
    expect(InsufficientFundsError.is(error)).toBe(true);
    expect((await h.storage.orders.list({ customerId }, { limit: 10 })).items).toHaveLength(1);
    expect(await h.balance(customerId)).toBe(-1330);
  });

  it('a plan change prices the new plan at the reseller’s line for it and freezes it', async () => {
    const { h, customerId } = await reseller({ balance: 5000 });
    const bigger = await h.addPlan({ price: usd(3000), trafficBytes: null });
    await h.kit.resellers.setPrice({ customerId, planId: bigger.id, price: usd(2000) });
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    await h.worker().drain();
    const id = subscriptions[0]!.id;
    const quote = await h.kit.quotePlanChange(id, bigger.id);
    // Nothing used yet: the whole 700 is credited against the reseller's 2000.
    expect(quote.allowed && quote.quote.charge).toEqual(usd(1300));
    await h.kit.changePlan({ subscriptionId: id, planId: bigger.id, idempotencyKey: 'up' });
    await h.worker().drain();
    expect((await h.storage.subscriptions.get(id))!.terms?.price).toEqual(usd(2000));
  });

  it('moving a reseller’s subscribers to current terms keeps its prices', async () => {
    const { h, customerId } = await reseller({ balance: 5000 });
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
    await h.storage.plans.update(h.plan.id, { durationDays: 60 });
    await h.kit.applyCurrentTerms({ planId: h.plan.id });
    expect((await h.storage.subscriptions.get(subscriptions[0]!.id))!.terms).toMatchObject({ price: usd(700), durationDays: 60 });
  });

  it('price book and credit limit changes are audited; bad input is typed and changes nothing', async () => {
    const { h, customerId } = await reseller();
    await expect(h.kit.resellers.setPrice({ customerId, planId: h.plan.id, price: { amount: 5, currency: 'EUR' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(h.kit.resellers.setPrice({ customerId, planId: 'pln_nope', price: usd(5) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.kit.resellers.setCreditLimit({ customerId, currency: 'USD', amount: -5 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await h.kit.resellers.priceBook(customerId)).map((l) => l.price.amount)).toEqual([700]);
    await h.kit.resellers.setCreditLimit({ customerId, currency: 'USD', amount: 300 }, { type: 'admin', id: 'adm_1' });
    expect(await h.kit.resellers.removePrice(customerId, h.plan.id)).toBe(true);
    expect(await h.kit.resellers.removePrice(customerId, h.plan.id)).toBe(false);
    const actions = (await h.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 20 })).items;
    expect(actions.map((e) => e.action).sort()).toEqual(['reseller.credit_limit_set', 'reseller.price_removed', 'reseller.price_set']);
    expect(actions.find((e) => e.action === 'reseller.credit_limit_set')?.data).toEqual({ currency: 'USD', from: 0, to: 300 });
  });

  it('sets a credit limit and price lines in one transaction: a limit below the debt writes none of them, unchanged ones are not audited', async () => {
    const { h, customerId } = await reseller({ creditLimit: 1000 });
    await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'owe' });
    expect(await h.balance(customerId)).toBe(-700);
    const auditCount = async () =>
      (await h.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 })).items.length;
    const before = await auditCount();

    await expect(
      h.kit.resellers.setTerms({ customerId, creditLimit: usd(500), prices: [{ planId: h.plan.id, price: usd(600) }] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      h.kit.resellers.setTerms({ customerId, prices: [{ planId: 'pln_nope', price: usd(1) }], creditLimit: usd(900) }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      h.kit.resellers.setTerms({ customerId, prices: [{ planId: h.plan.id, price: usd(1) }], removePlanIds: [h.plan.id] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await h.kit.resellers.creditLimit(customerId, 'USD')).toBe(1000);
    expect((await h.kit.resellers.priceBook(customerId)).map((l) => l.price.amount)).toEqual([700]);
    expect(await auditCount()).toBe(before);

    // The same terms again: nothing written, nothing audited.
    await h.kit.resellers.setTerms({ customerId, creditLimit: usd(1000), prices: [{ planId: h.plan.id, price: usd(700) }] });
    expect(await auditCount()).toBe(before);

    h.clock.advance(60_000);
    const since = h.clock.now();
    const set = await h.kit.resellers.setTerms(
      { customerId, creditLimit: usd(800), prices: [{ planId: h.plan.id, price: usd(650) }] },
      { type: 'admin', id: 'adm_1' },
    );
    expect(set.creditLimit).toEqual(usd(800));
    expect(set.priceBook.map((l) => l.price.amount)).toEqual([650]);
    const removed = await h.kit.resellers.setTerms({ customerId, removePlanIds: [h.plan.id, 'pln_without_line'] });
    expect(removed).toEqual({ creditLimit: null, priceBook: [] });
    const actions = (await h.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 })).items.filter(
      (e) => e.at >= since,
    );
    expect(actions.map((e) => e.action).sort()).toEqual(['reseller.credit_limit_set', 'reseller.price_removed', 'reseller.price_set']);
    expect(actions.find((e) => e.action === 'reseller.credit_limit_set')?.data).toEqual({ currency: 'USD', from: 1000, to: 800 });
  });
});
