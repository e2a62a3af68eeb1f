import { describe, expect, it } from 'vitest';
import { EligibilityError } from '../../src/index.js';
import { GiB, createHarness } from './harness.js';

const TOP_UP = { trafficTopUp: { pricePerGiB: { amount: 20, currency: 'USD' }, maxGiBPerPurchase: 100 } };

/** A subscription of a 50 GiB plan selling extra GiB at 20 each, 10 GiB used. */
async function subscription() {
  const h = await createHarness({ plan: TOP_UP });
  const customerId = await h.customer(5000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const before = (await h.storage.subscriptions.get(id))!;
  h.panels[0]!.fake.addTraffic(before.remote.username, 10 * GiB);
  await h.kit.createScheduler().tick();
  await h.worker().drain();
  return { h, customerId, id };
}

describe('traffic top-up with a discount code', () => {
  it('the quote shows the code on the top-up price; the payment debits the discounted price and takes one use per key', async () => {
    const { h, customerId, id } = await subscription();
    const code = await h.kit.createDiscountCode({ code: 'MOREGB', value: { type: 'percent', percent: 25 }, appliesTo: ['traffic_top_up'] });
    expect(await h.kit.quoteTrafficTopUp(id, 10)).toMatchObject({ allowed: true, discount: null });
    expect(await h.kit.quoteTrafficTopUp(id, 10, { discountCode: 'moregb' })).toMatchObject({
      allowed: true,
      quote: { price: { amount: 200 } },
      discount: { allowed: true, quote: { discount: { amount: 50 }, price: { amount: 150 } } },
    });
    const request = { subscriptionId: id, gib: 10, idempotencyKey: 'gb', discountCode: 'MOREGB' };
    const [first, second] = await Promise.all([h.kit.buyTraffic(request), h.kit.buyTraffic(request)]);
    expect([first!.replayed, second!.replayed].sort()).toEqual([false, true]);
    const bought = first!.replayed ? second! : first!;
    expect(bought).toMatchObject({ entry: { amount: -150 }, discount: { discount: { amount: 50 } } });
    expect(await h.balance(customerId)).toBe(5000 - 1000 - 150);
    expect(await h.storage.discounts.get(code.id)).toMatchObject({ uses: 1 });
  });

  it('a code not made for top-ups is refused on the quote and at payment, charging nothing', async () => {
    const { h, customerId, id } = await subscription();
    await h.kit.createDiscountCode({ code: 'BUYONLY', value: { type: 'percent', percent: 25 }, appliesTo: ['purchase', 'plan_change'] });
    expect(await h.kit.quoteTrafficTopUp(id, 10, { discountCode: 'BUYONLY' })).toMatchObject({
      discount: { allowed: false, reason: 'wrong_use' },
    });
    await expect(h.kit.buyTraffic({ subscriptionId: id, gib: 10, idempotencyKey: 'no', discountCode: 'BUYONLY' })).rejects.toSatisfy(
      (e: unknown) => EligibilityError.is(e) && e.details?.['discountReason'] === 'wrong_use',
    );
    expect(await h.balance(customerId)).toBe(4000);
    expect(await h.kit.changeInFlight(id)).toBe(false);
  });
});
