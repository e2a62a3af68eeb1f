/**
 * Issue 91, a storefront's buyer changes plan: the web page, the JSON API and the bot offer the plans its storefront
 * sells (at its retail prices, under its own names) and no other, through one SDK rule (`kit.planChangeOptions`).
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, boughtAndProvisioned, customerIdOf, fund, idempotencyKeyFrom, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
/** On the storefront's menu: `plan` (bought) and `bigger`; on sale but not on it: `offMenu`. */
let plan: Plan;
let bigger: Plan;
let offMenu: Plan;

beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  bigger = await planNamed(t, 'Frankfurt · 3 months · 200');
  offMenu = await planNamed(t, 'Frankfurt · 1 month · unlimited');
});
afterAll(() => t.close());

const usd = (amount: number) => ({ amount, currency: t.config.currency });

/** A storefront selling `plan` and `bigger` at 90% of their list prices, named "North Star Quarterly" for `bigger`. */
async function storefrontBuyer() {
  const reseller = await signedUpBuyer(t.app);
  const resellerId = await customerIdOf(t, reseller.email);
  await t.shop.kit.resellers.setTerms(
    {
      customerId: resellerId,
      creditLimit: usd(bigger.price.amount * 10),
      prices: [plan, bigger].map((p) => ({
        planId: p.id,
        price: usd(Math.round(p.price.amount * 0.6)),
        extensionPrice: null,
        trafficPricePerGiB: null,
      })),
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  const storefront = await t.shop.kit.storefronts.create({ resellerId, name: `Plan Change Shop ${Date.now()}` });
  for (const p of [plan, bigger])
    await t.shop.kit.storefronts.setMenuItem({
      storefrontId: storefront.id,
      planId: p.id,
      retailPrice: usd(Math.round(p.price.amount * 0.9)),
    });
  const branded = await reseller.agent
    .post('/api/v1/storefront/brand')
    .set('x-csrf-token', reseller.csrf)
    .send({ shopName: 'North Star', planNames: { [bigger.id]: { en: 'North Star Quarterly' } } });
  expect(branded.status, JSON.stringify(branded.body)).toBeLessThan(300);
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, bigger.price.amount * 3);
  await t.shop.kit.storefronts.moveBuyer({ customerId, storefrontId: storefront.id });
  const subscriptionId = await boughtAndProvisioned(t, buyer, plan.id);
  return { buyer, customerId, subscriptionId };
}

describe("a storefront's buyer changes plan", () => {
  it('the web page offers the plans its storefront sells, at its prices and names, and changes to one', async () => {
    const { buyer, customerId, subscriptionId } = await storefrontBuyer();
    const page = await buyer.agent.get(`/subscriptions/${subscriptionId}/plan`);
    expect(page.status, page.text.slice(0, 500)).toBe(200);
    const offered = [...page.text.matchAll(/data-testid="plan-option" data-plan-id="([^"]+)"/g)].map((m) => m[1]);
    expect(offered).toEqual([bigger.id]);
    expect(page.text).toContain('<h2>North Star Quarterly</h2>');
    expect(page.text).not.toContain(bigger.name);
    // Charged at the storefront's retail price of the new plan, less what is left of the current one.
    const { quote } = (await t.shop.kit.planChangeOptions(subscriptionId))[0]!;
    expect(quote.allowed).toBe(true);
    const charge = quote.allowed ? quote.quote.charge.amount : 0;
    const before = await balanceOf(t, customerId);
    const changed = await buyer.agent
      .post(`/subscriptions/${subscriptionId}/plan`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), planId: bigger.id, idempotencyKey: idempotencyKeyFrom(page.text) });
    expect(changed.status, changed.text.slice(0, 300)).toBe(303);
    expect(await balanceOf(t, customerId)).toBe(before - charge);
    expect(charge).toBeGreaterThan(0);
    expect(charge).toBeLessThanOrEqual(Math.round(bigger.price.amount * 0.9));
  });

  it('the API quotes a plan its storefront sells and answers 404 for one it does not, as its change does', async () => {
    const { buyer, customerId, subscriptionId } = await storefrontBuyer();
    const api = (planId: string) => buyer.agent.get(`/api/v1/subscriptions/${subscriptionId}/plan-change?planId=${planId}`);
    const sold = await api(bigger.id);
    expect(sold.status, JSON.stringify(sold.body)).toBe(200);
    expect(sold.body).toMatchObject({ allowed: true, quote: { newPlanId: bigger.id } });
    const notSold = await api(offMenu.id);
    expect(notSold.status, JSON.stringify(notSold.body)).toBe(404);
    const before = await balanceOf(t, customerId);
    const change = await buyer.agent
      .post(`/api/v1/subscriptions/${subscriptionId}/plan-change`)
      .set('x-csrf-token', buyer.csrf)
      .send({ planId: offMenu.id, idempotencyKey: 'off-menu-1' });
    expect(change.status, JSON.stringify(change.body)).toBe(404);
    expect(await balanceOf(t, customerId)).toBe(before);
    expect((await t.shop.storage.subscriptions.get(subscriptionId))?.planId).toBe(plan.id);
  });
});
