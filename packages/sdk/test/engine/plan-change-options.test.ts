import { describe, expect, it } from 'vitest';
import { StorefrontRefusedError } from '../../src/storefronts.js';
import { GiB, createHarness } from './harness.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * A storefront selling the harness plan (1000) at 1200 and a bigger plan (2000) at 2500; a third plan on sale that
 * it does not sell, and a plan in another currency on its menu's side of the shop.
 */
async function shop() {
  const h = await createHarness();
  const resellerId = await h.customer(100_000);
  const bigger = await h.addPlan({ price: usd(2000), durationDays: 30, trafficBytes: 100 * GiB });
  const offMenu = await h.addPlan({ price: usd(3000), durationDays: 30, trafficBytes: 200 * GiB });
  await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: usd(700) });
  await h.kit.resellers.setPrice({ customerId: resellerId, planId: bigger.id, price: usd(1400) });
  const storefront = await h.kit.storefronts.create({ resellerId, name: 'Fast VPN' });
  await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: usd(1200) });
  await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: bigger.id, retailPrice: usd(2500) });
  const subscriptionOf = async (customerId: string) => {
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: `buy:${customerId}` });
    await h.worker().drain();
    return subscriptions[0]!.id;
  };
  return { h, storefront, bigger, offMenu, subscriptionOf };
}

describe('plan change options', () => {
  it('a storefront’s buyer is offered the other plans its menu sells, at its retail prices, and changes to one', async () => {
    const { h, storefront, bigger, offMenu, subscriptionOf } = await shop();
    const buyer = await h.customer(10_000);
    await h.kit.storefronts.moveBuyer({ customerId: buyer, storefrontId: storefront.id });
    const subscriptionId = await subscriptionOf(buyer);

    const options = await h.kit.planChangeOptions(subscriptionId);
    expect(options.map((o) => o.plan.id)).toEqual([bigger.id]);
    expect(options[0]!.plan.price).toEqual(usd(2500));
    expect(options[0]!.quote).toMatchObject({ allowed: true, quote: { newPlanId: bigger.id } });
    // The same quote as asked for the one plan; a plan off the menu is the storefront's refusal, not an option.
    expect(await h.kit.quotePlanChange(subscriptionId, bigger.id)).toEqual(options[0]!.quote);
    const offMenuQuote = await h.kit.quotePlanChange(subscriptionId, offMenu.id).catch((e: unknown) => e);
    expect(StorefrontRefusedError.is(offMenuQuote) && offMenuQuote.reason).toBe('not_on_menu');

    const changed = await h.kit.changePlan({ subscriptionId, planId: bigger.id, idempotencyKey: 'up' });
    expect(changed.entry?.amount).toBe(-(options[0]!.quote.allowed ? options[0]!.quote.quote.charge.amount : NaN));
  });

  it('anyone else is offered every other plan on sale, at their own prices; a plan taken off sale is not offered', async () => {
    const { h, bigger, offMenu, subscriptionOf } = await shop();
    const buyer = await h.customer(10_000);
    const subscriptionId = await subscriptionOf(buyer);
    const options = await h.kit.planChangeOptions(subscriptionId);
    expect(options.map((o) => [o.plan.id, o.plan.price.amount])).toEqual([
      [bigger.id, 2000],
      [offMenu.id, 3000],
    ]);
    expect(options.every((o) => o.quote.allowed)).toBe(true);
    await h.kit.plans.update(offMenu.id, { onSale: false });
    expect((await h.kit.planChangeOptions(subscriptionId)).map((o) => o.plan.id)).toEqual([bigger.id]);
  });
});
