/**
 * Issue 71 on the buyer's web pages: the checkout's location picker for a fixed plan and the parts of a plan the
 * buyer composes, through the one checkout use case.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest, type Visitor, ROOMY_RATE_LIMITS } from './support/shop-under-test.js';
import { formatMoney } from '../src/i18n/format.js';
import { balanceOf, fund, idempotencyKeyFrom, orderIdFrom, planNamed } from './support/buying.js';

let t: ShopUnderTest;
let built: Plan;
let fixed: Plan;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const base = await planNamed(t, 'Frankfurt · 1 month · 50');
  const currency = base.price.currency;
  const placement = { preferredTargetIds: [], allowedLocations: ['de', 'nl'], requiredTargetTags: [] };
  built = await t.shop.storage.plans.create({
    name: 'Build your own',
    family: 'built',
    price: { amount: 0, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
    builder: {
      basePrice: { amount: 100, currency },
      locations: { unitPrice: { amount: 200, currency }, min: 1, max: 2, step: 1, options: ['de', 'nl'] },
      devices: null,
      trafficGiB: null,
      durationDays: { unitPrice: { amount: 10, currency }, min: 30, max: 90, step: 30 },
    },
  });
  fixed = await t.shop.storage.plans.create({
    name: 'Anywhere in Europe',
    family: 'europe',
    price: { amount: 500, currency },
    durationDays: 30,
    trafficBytes: null,
    placement,
  });
});
afterAll(() => t.close());

/** Opens the plan's checkout page and posts the form with `fields` (a raw url-encoded string, for repeated names). */
async function submit(buyer: Visitor, planId: string, fields: string) {
  const page = await buyer.agent.get(`/checkout/${planId}`).expect(200);
  const head = `_csrf=${encodeURIComponent(csrfFrom(page.text))}&idempotencyKey=${encodeURIComponent(idempotencyKeyFrom(page.text))}`;
  return buyer.agent.post(`/checkout/${planId}`).type('form').send(`${head}&${fields}`);
}

async function tagsOfOrder(orderId: string): Promise<string[]> {
  const subs = await t.shop.storage.subscriptions.listByOrder(orderId);
  const panels = await Promise.all(subs.map((s) => t.shop.storage.panels.get(s.panelId)));
  return panels.flatMap((p) => p?.locationTags ?? []).sort();
}

describe('the checkout page of issue 71', () => {
  it('offers a fixed plan’s locations, buys it pinned to one, and refuses one it does not offer with 400', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 5000);
    const page = await buyer.agent.get(`/checkout/${fixed.id}`).expect(200);
    expect(page.text).toContain('data-testid="location-picker"');
    expect(page.text).toContain('value="nl"');

    const bought = await submit(buyer, fixed.id, 'quantity=1&location=nl');
    expect(bought.status).toBe(303);
    expect(await tagsOfOrder(orderIdFrom(bought.headers['location']))).toEqual(['nl']);

    const refused = await submit(buyer, fixed.id, 'quantity=1&location=fr');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('This plan is not sold in that location.');
    expect((await submit(buyer, fixed.id, 'quantity=1&location=NOT%20A%20TAG')).status).toBe(400);
    expect(await balanceOf(t, customerId)).toBe(5000 - 500);
  });

  it('shows a built plan’s parts, buys the choice at its quote, and refuses an empty choice with 400', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 5000);
    const page = await buyer.agent.get(`/checkout/${built.id}`).expect(200);
    expect(page.text).toContain('data-testid="plan-builder"');

    const none = await submit(buyer, built.id, 'quantity=1&days=30');
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose at least one location.');
    const offStep = await submit(buyer, built.id, 'quantity=1&choiceLocations=de&days=45');
    expect(offStep.status).toBe(400);
    expect(offStep.text).toContain('fixed steps');
    expect(await balanceOf(t, customerId)).toBe(5000);

    const bought = await submit(buyer, built.id, 'quantity=1&choiceLocations=de&choiceLocations=nl&days=60');
    expect(bought.status).toBe(303);
    expect(await tagsOfOrder(orderIdFrom(bought.headers['location']))).toEqual(['de', 'nl']);
    expect(await balanceOf(t, customerId)).toBe(5000 - (100 + 2 * 200 + 60 * 10));
  });

  it('lists a built plan “from” the quote of its builder’s defaults on the catalog card and the checkout’s price line', async () => {
    const buyer = await signedUpBuyer(t.app);
    // The base, one location (the first option) and the shortest duration: 100 + 200 + 30 × 10.
    const from = `from ${formatMoney({ amount: 100 + 200 + 30 * 10, currency: built.price.currency }, 'en')}`;
    const zero = formatMoney(built.price, 'en');
    const cardOf = (text: string, name: string) =>
      text.split('data-testid="plan-card"').find((card) => card.includes(`<h3>${name}</h3>`)) ?? '';
    const catalog = await buyer.agent.get('/').expect(200);
    expect(cardOf(catalog.text, 'Build your own')).toContain(`data-testid="plan-price">${from}<`);
    expect(cardOf(catalog.text, 'Build your own')).not.toContain(`>${zero}<`);
    expect(cardOf(catalog.text, 'Anywhere in Europe')).toContain(`data-testid="plan-price">${formatMoney(fixed.price, 'en')}<`);

    const checkout = await buyer.agent.get(`/checkout/${built.id}`).expect(200);
    expect(checkout.text).toContain(`data-testid="plan-price">${from}<`);
    const fixedCheckout = await buyer.agent.get(`/checkout/${fixed.id}`).expect(200);
    expect(fixedCheckout.text).toContain(`data-testid="plan-price">${formatMoney(fixed.price, 'en')}<`);
  });
});
