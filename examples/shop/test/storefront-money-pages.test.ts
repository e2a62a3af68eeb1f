/**
 * Issue 91, a storefront's money and names on the web: its buyers spend none of the owner's discount codes (the SDK
 * refuses one on every channel, and the pages offer no code field), the owner's page and the reseller's office show
 * the reseller's withdrawals paid and waiting (the SDK's figures), and the pages seen through a storefront show its
 * own plan names, as its bot does.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { StorefrontOfficeResponse } from '../src/routes/api/response-schemas.js';
import { balanceOf, buy, customerIdOf, fund, planNamed } from './support/buying.js';
import {
  csrfFrom,
  ROOMY_RATE_LIMITS,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  visitor,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

let t: ShopUnderTest;
let plan: Plan;
let owner: Visitor;
/** What resellers pay for `plan` (their price book), and what their buyers pay (their menu). */
let wholesale: number;
let retail: number;
let made = 0;

beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  wholesale = Math.round(plan.price.amount * 0.6);
  retail = Math.round(plan.price.amount * 0.9);
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const money = (minor: number) => formatMoney({ amount: minor, currency: t.config.currency }, 'en');

/** A reseller (a price for `plan`, a credit limit) running a storefront that sells `plan` at `retail`. */
async function storefront(): Promise<{ id: string; reseller: Visitor & { email: string; customerId: string } }> {
  const who = await signedUpBuyer(t.app);
  const customerId = await customerIdOf(t, who.email);
  await t.shop.kit.resellers.setTerms(
    {
      customerId,
      creditLimit: { amount: plan.price.amount * 10, currency: t.config.currency },
      prices: [
        { planId: plan.id, price: { amount: wholesale, currency: t.config.currency }, extensionPrice: null, trafficPricePerGiB: null },
      ],
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  const created = await t.shop.kit.storefronts.create({ resellerId: customerId, name: `Money Shop ${++made}` });
  await t.shop.kit.storefronts.setMenuItem({
    storefrontId: created.id,
    planId: plan.id,
    retailPrice: { amount: retail, currency: t.config.currency },
  });
  return { id: created.id, reseller: { ...who, customerId } };
}

/** A signed-up buyer moved into storefront `id`, with `funds` in its wallet. */
async function buyerOf(id: string, funds: number): Promise<Visitor & { email: string; customerId: string }> {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, funds);
  await t.shop.kit.storefronts.moveBuyer({ customerId, storefrontId: id });
  return { ...buyer, customerId };
}

const payoutBalance = async (partnerId: string) =>
  (await t.shop.kit.payouts.positions(partnerId)).find((p) => p.currency === t.config.currency)?.available ?? 0;

describe("a storefront's buyer and the owner's discount codes", () => {
  it('the web and the API refuse the code on its field with a 4xx and charge nothing; no purchase page offers a code field', async () => {
    const { id, reseller } = await storefront();
    const code = `OWNER50-${made}`;
    await t.shop.kit.createDiscountCode({ code, value: { type: 'percent', percent: 50 } });
    const buyer = await buyerOf(id, retail * 3);
    const untouched = async () => {
      expect(await balanceOf(t, buyer.customerId)).toBe(retail * 3);
      expect(await balanceOf(t, reseller.customerId)).toBe(0);
      expect(await payoutBalance(reseller.customerId)).toBe(0);
      expect((await t.shop.storage.orders.list({ customerId: buyer.customerId }, { limit: 10 })).items).toEqual([]);
      expect((await t.shop.storage.discounts.getByCode(code))?.uses).toBe(0);
    };

    // The owner's own buyer is offered the field; the storefront's buyer is not.
    const ownBuyer = await signedUpBuyer(t.app);
    expect((await ownBuyer.agent.get(`/checkout/${plan.id}`).expect(200)).text).toContain('data-testid="discount-code"');
    const page = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(page.text).not.toContain('data-testid="discount-code"');
    expect(page.text).not.toContain('data-testid="discount-form"');

    // A code posted anyway (an old page, a crafted form): refused with its reason, nothing charged.
    const posts: Record<string, string>[] = [{ discountCode: code }, { intent: 'apply', discountCode: code }];
    for (const fields of posts) {
      const refused = await buy(buyer, plan.id, fields);
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('This shop takes no discount codes.');
    }
    const api = await buyer.agent
      .post('/api/v1/checkout')
      .set('x-csrf-token', buyer.csrf)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: `sf-code-${made}`, discountCode: code });
    expect(api.status).toBe(409);
    expect(api.body.error.fields).toEqual({ discountCode: 'This shop takes no discount codes.' });
    const quote = await buyer.agent
      .post('/api/v1/checkout/quote')
      .set('x-csrf-token', buyer.csrf)
      .send({ items: [{ planId: plan.id, quantity: 1 }], discountCode: code })
      .expect(200);
    expect(quote.body.total).toEqual({ amount: retail, currency: t.config.currency });
    await untouched();

    // Without a code it sells at retail and the reseller keeps its margin; its traffic and extension pages offer no code.
    const bought = await buyer.agent
      .post('/api/v1/checkout')
      .set('x-csrf-token', buyer.csrf)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: `sf-plain-${made}` });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    expect(await balanceOf(t, reseller.customerId)).toBe(-wholesale);
    expect(await payoutBalance(reseller.customerId)).toBe(retail);
    await t.drain();
    const subscriptionId = bought.body.order.subscriptions[0].id as string;
    const traffic = await buyer.agent.get(`/subscriptions/${subscriptionId}/traffic`).expect(200);
    expect(traffic.text).toContain('data-testid="traffic-ask"');
    expect(traffic.text).not.toContain('data-testid="discount-code"');
    // In its extension window (the clock put back after, for the other tests).
    const now = t.clock.now();
    t.clock.set(new Date(now.getTime() + 27 * 86_400_000).toISOString());
    try {
      const extension = await buyer.agent.get(`/subscriptions/${subscriptionId}/extend`).expect(200);
      expect(extension.text).toContain('data-testid="extension-form"');
      expect(extension.text).not.toContain('data-testid="discount-code"');
    } finally {
      t.clock.set(now.toISOString());
    }
  });
});

describe("a reseller's withdrawals paid and waiting", () => {
  it("show on the owner's storefront page and list, and in the reseller's office and its API, as one figure", async () => {
    const { id, reseller } = await storefront();
    await t.shop.kit.payouts.credit({
      partnerId: reseller.customerId,
      kind: 'adjustment',
      amount: { amount: 6000, currency: t.config.currency },
      idempotencyKey: `test-credit:${reseller.customerId}`,
      note: 'test credit',
    });
    const ask = (amount: number, key: string) =>
      t.shop.kit.payouts.request({
        partnerId: reseller.customerId,
        amount: { amount, currency: t.config.currency },
        destination: 'card 6037',
        idempotencyKey: key,
      });
    const before = await owner.agent.get(`/admin/storefronts/${id}`).expect(200);
    expect(before.text).toContain('data-testid="storefront-payouts-paid">—<');
    expect(before.text).toContain('data-testid="storefront-payouts-waiting">—<');

    const paid = await ask(3000, 'w-paid');
    await t.shop.kit.payouts.approve(paid.withdrawal.id);
    await t.shop.kit.payouts.markPaid(paid.withdrawal.id, 'bank-1');
    await ask(1200, 'w-waiting');
    // Waiting: asked (1200) and approved (500); a refused one (700) is back on the balance, not waiting.
    await t.shop.kit.payouts.approve((await ask(500, 'w-approved')).withdrawal.id);
    await t.shop.kit.payouts.refuse((await ask(700, 'w-refused')).withdrawal.id, 'wrong card');

    const detail = await owner.agent.get(`/admin/storefronts/${id}`).expect(200);
    expect(detail.text).toContain(`data-testid="storefront-payouts-paid">${money(3000)}<`);
    expect(detail.text).toContain(`data-testid="storefront-payouts-waiting">${money(1700)}<`);
    expect(detail.text).toContain('Withdrawals paid (last 30 days)');
    // The owner's list of storefronts: the same figures in its row, though it sold nothing in the period.
    const list = await owner.agent.get('/admin/storefronts').expect(200);
    const rowStart = list.text.slice(list.text.indexOf(`data-storefront="${id}"`));
    const row = rowStart.slice(0, rowStart.indexOf('</tr>'));
    expect(row).toContain(`data-testid="storefront-payouts-paid">${money(3000)}<`);
    expect(row).toContain(`data-testid="storefront-payouts-waiting">${money(1700)}<`);
    const office = await reseller.agent.get('/account/storefront').expect(200);
    expect(office.text).toContain(`data-testid="office-payouts-paid">${money(3000)}<`);
    // The same figure as the owner's page: one SDK read of what waits (`payouts.held`).
    expect(office.text).toContain(`data-testid="office-held">${money(1700)}<`);
    expect(office.text).toContain('Paid out to you this month');
    const api = await reseller.agent.get('/api/v1/storefront').set('accept', 'application/json').expect(200);
    expect(api.body.month.payoutsPaid).toEqual([{ amount: 3000, currency: t.config.currency }]);
    expect(api.body.held).toBe(1700);
    // The JSON API gives the office's figure too, in the web office's field: `held` is the same one.
    expect(StorefrontOfficeResponse.parse(api.body).month.payoutsWaiting).toEqual([{ amount: 1700, currency: t.config.currency }]);
  });
});

describe("a storefront's plan names on its web pages", () => {
  it('its catalog, checkout, order and subscriptions show its names in the buyer’s language; the owner’s shop its own', async () => {
    const { id, reseller } = await storefront();
    const branded = await reseller.agent
      .post('/api/v1/storefront/brand')
      .set('x-csrf-token', reseller.csrf)
      .send({ shopName: 'North Star', planNames: { [plan.id]: { en: 'North Star Monthly', fa: 'ستاره شمال ماهانه' } } });
    expect(branded.status, JSON.stringify(branded.body)).toBeLessThan(300);
    const slug = `north-${Date.now().toString(36)}`;
    const page = `/admin/storefronts/${id}`;
    const shown = await owner.agent.get(page).expect(200);
    const address = await owner.agent
      .post(`${page}/address`)
      .type('form')
      .send({ _csrf: csrfFrom(shown.text), slug, hosts: '' });
    expect(address.status).toBe(303);

    // A visitor who came through its address, in English and in Farsi.
    const guest = await visitor(t.app);
    await guest.agent.get(`/store/${slug}`).expect(303);
    const catalog = await guest.agent.get('/').expect(200);
    expect(catalog.text).toContain('North Star Monthly');
    expect(catalog.text).not.toContain(plan.name);
    expect((await guest.agent.get('/').set('cookie', 'pk_lang=fa').expect(200)).text).toContain('ستاره شمال ماهانه');

    // Its buyer, signed in: the catalog, the checkout, the order, the dashboard and the subscription.
    const buyer = await buyerOf(id, retail * 2);
    expect((await buyer.agent.get('/').expect(200)).text).toContain('North Star Monthly');
    const checkout = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(checkout.text).toContain('<h2>North Star Monthly</h2>');
    const bought = await buy(buyer, plan.id);
    expect(bought.status, bought.text.slice(0, 300)).toBe(303);
    const order = await buyer.agent.get(bought.headers['location']!).expect(200);
    expect(order.text).toContain('North Star Monthly');
    await t.drain();
    const dashboard = await buyer.agent.get('/dashboard').expect(200);
    expect(dashboard.text).toContain('North Star Monthly');
    const [sub] = (await t.shop.storage.subscriptions.listByCustomer(buyer.customerId, { limit: 10 })).items;
    const detail = await buyer.agent.get(`/subscriptions/${sub!.id}`).expect(200);
    expect(detail.text).toContain('North Star Monthly');
    expect(detail.text).not.toContain(plan.name);
    const listed = await buyer.agent.get('/api/v1/plans').expect(200);
    expect(listed.body.items.map((p: { id: string; name: string }) => [p.id, p.name])).toEqual([[plan.id, 'North Star Monthly']]);

    // The owner's own buyer sees the shop's name for the plan.
    const own = await signedUpBuyer(t.app);
    const ownCatalog = await own.agent.get('/').expect(200);
    expect(ownCatalog.text).toContain(plan.name);
    expect(ownCatalog.text).not.toContain('North Star Monthly');
  });
});

describe('a plan built after a storefront listed it', () => {
  it('leaves the storefront’s catalog on the web and the API, which still list its other plans (the SDK’s one list)', async () => {
    const { id } = await storefront();
    const { currency } = t.config;
    const later = await t.shop.kit.plans.create({
      name: `Built later ${made}`,
      family: `built-later-${made}`,
      price: plan.price,
      durationDays: 30,
      trafficBytes: null,
    });
    try {
      await t.shop.kit.storefronts.setMenuItem({ storefrontId: id, planId: later.id, retailPrice: { amount: retail, currency } });
      await t.shop.kit.plans.update(later.id, {
        builder: { basePrice: plan.price, durationDays: { unitPrice: { amount: 1, currency }, min: 30, max: 90, step: 30 } },
      });
      const buyer = await buyerOf(id, 100);
      const api = await buyer.agent.get('/api/v1/plans').expect(200);
      expect(api.body.items.map((p: { id: string; price: unknown }) => [p.id, p.price])).toEqual([[plan.id, { amount: retail, currency }]]);
      const catalog = await buyer.agent.get('/').expect(200);
      expect(catalog.text).toContain(`/checkout/${plan.id}`);
      expect(catalog.text).not.toContain(`/checkout/${later.id}`);
    } finally {
      await t.shop.kit.plans.update(later.id, { onSale: false });
    }
  });
});
