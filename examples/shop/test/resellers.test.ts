import type { Plan } from '@panelkit/sdk';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../src/http/staff-security.js';
import { balanceOf, buy, customerIdOf, fund, planNamed } from './support/buying.js';
import {
  ADMIN,
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
  ROOMY_RATE_LIMITS,
} from './support/shop-under-test.js';

let t: ShopUnderTest;
let plan: Plan;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: ROOMY_RATE_LIMITS,
    },
  });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
});
afterAll(() => t.close());

/** The owner, asked for the password again (the reseller page is a sensitive setting), then re-authenticated. */
async function reauthenticatedOwner(path: string): Promise<Visitor> {
  const owner = await signedInAdmin(t.app);
  t.clock.advance(REAUTH_WINDOW_MS + 1000);
  await owner.agent
    .get(path)
    .expect(303)
    .expect('location', `/account/reauth?next=${encodeURIComponent(path)}`);
  await owner.agent.post('/account/reauth').type('form').send({ _csrf: owner.csrf, password: ADMIN.password, next: path }).expect(303);
  return owner;
}

async function saveTerms(owner: Visitor, customerId: string, fields: Record<string, string>) {
  const path = `/admin/customers/${customerId}/reseller`;
  const page = await owner.agent.get(path).expect(200);
  return owner.agent
    .post(path)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...fields });
}

const ordersOf = async (customerId: string) => (await t.shop.storage.orders.list({ customerId }, { limit: 100 })).items;

describe('resellers', () => {
  it('the owner makes a customer a reseller (audited); it sees and pays its price and may go down to minus its limit', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const path = `/admin/customers/${customerId}/reseller`;
    const owner = await reauthenticatedOwner(path);
    expect((await owner.agent.get(`/admin/customers/${customerId}`).expect(200)).text).toContain('data-testid="reseller-link"');
    const before = await owner.agent.get(path).expect(200);
    expect(before.text).toContain('data-testid="reseller-status"');
    expect(before.text).toContain('buys at list prices');
    // 70% of the list price; a credit limit of one and a half reseller prices.
    const price = Math.round(plan.price.amount * 0.7);
    const major = (minor: number) => (minor / 100).toFixed(2);
    const saved = await saveTerms(owner, customerId, { creditLimit: major(Math.round(price * 1.5)), [`price_${plan.id}`]: major(price) });
    expect(saved.status).toBe(303);
    expect(saved.headers['location']).toBe(`${path}?done=resellers.saved`);
    const after = await owner.agent.get(saved.headers['location']!).expect(200);
    expect(after.text).toContain('Reseller terms saved.');
    expect(after.text).toContain('This customer is a reseller');

    const adminAccount = await t.shop.accounts.getByEmail(ADMIN.email);
    const audit = (await t.shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 20 })).items.filter((e) =>
      e.action.startsWith('reseller.'),
    );
    expect(audit.map((e) => [e.action, e.actor.id]).sort()).toEqual(
      [
        ['reseller.credit_limit_set', adminAccount!.id],
        ['reseller.price_set', adminAccount!.id],
      ].sort(),
    );
    const words = await owner.agent.get('/admin/audit').expect(200);
    expect(words.text).toContain(`Reseller price set by ${ADMIN.email}`);

    // The catalog and the checkout show the reseller's price; the wallet is empty but the credit pays.
    const catalog = await buyer.agent.get('/').expect(200);
    expect(catalog.text).toContain(major(price));
    const api = await buyer.agent.get('/api/v1/plans').expect(200);
    expect((api.body as { items: { id: string; price: { amount: number } }[] }).items.find((p) => p.id === plan.id)?.price.amount).toBe(
      price,
    );
    const anonymous = await t.shop.storage.plans.get(plan.id);
    expect(anonymous?.price.amount).toBe(plan.price.amount);
    const checkout = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(checkout.text).toContain(`data-unit="${price}"`);
    expect(checkout.text).toContain('data-testid="credit-limit"');
    expect(checkout.text).not.toContain('data-testid="balance-short"');
    expect((await buy(buyer, plan.id)).status).toBe(303);
    expect(await balanceOf(t, customerId)).toBe(-price);
    // Half a price of credit is left: the next one is refused by the ledger, and nothing is written.
    const refused = await buy(buyer, plan.id);
    expect(refused.status).toBe(402);
    expect(await balanceOf(t, customerId)).toBe(-price);
    expect(await ordersOf(customerId)).toHaveLength(1);
    const [order] = await ordersOf(customerId);
    expect(order!.total.amount).toBe(price);

    // The reseller sees its own terms and the changes to them (not who made them); others get 404.
    const own = await buyer.agent.get('/account/reseller').expect(200);
    expect(own.text).toContain('data-testid="reseller-prices"');
    expect(own.text).toMatch(/data-testid="reseller-balance">[^<]*-/);
    expect(own.text.match(/data-testid="reseller-change"/g)).toHaveLength(2);
    expect(own.text).not.toContain(adminAccount!.id);
    const json = await buyer.agent.get('/api/v1/reseller').set('accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ balance: -price, creditLimit: Math.round(price * 1.5), spendable: Math.round(price * 1.5) - price });
    expect(
      (json.body as { prices: { planId: string; price: { amount: number } | null }[] }).prices.find((p) => p.planId === plan.id)?.price
        ?.amount,
    ).toBe(price);
    const stranger = await signedUpBuyer(t.app);
    await stranger.agent.get('/account/reseller').expect(404);
    await stranger.agent.get('/api/v1/reseller').set('accept', 'application/json').expect(404);

    // A limit below the debt is refused and changes nothing, the price sent with it included (one transaction).
    const auditBefore = (await t.shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 })).items.length;
    const tooLow = await saveTerms(owner, customerId, { creditLimit: major(price - 1), [`price_${plan.id}`]: major(price - 10) });
    expect(tooLow.status).toBe(409);
    expect(tooLow.text).toContain('cannot be lower');
    expect(await t.shop.kit.resellers.creditLimit(customerId, t.config.currency)).toBe(Math.round(price * 1.5));
    expect((await t.shop.kit.resellers.priceBook(customerId)).map((l) => l.price.amount)).toEqual([price]);
    expect((await t.shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 50 })).items).toHaveLength(
      auditBefore,
    );

    // Blank price: back to list prices for new purchases.
    await fund(t, buyer.email, plan.price.amount * 2);
    expect((await saveTerms(owner, customerId, { creditLimit: major(Math.round(price * 1.5)), [`price_${plan.id}`]: '' })).status).toBe(
      303,
    );
    expect(await t.shop.kit.resellers.priceBook(customerId)).toEqual([]);
    expect((await buy(buyer, plan.id)).status).toBe(303);
    expect((await ordersOf(customerId)).map((o) => o.total.amount).sort()).toEqual([plan.price.amount, price].sort());
  });

  it('bad input is a 400 and changes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const owner = await reauthenticatedOwner(`/admin/customers/${customerId}/reseller`);
    for (const fields of [{ creditLimit: 'lots' }, { creditLimit: '1', [`price_${plan.id}`]: '-5' }, { creditLimit: '1.234' }]) {
      const res = await saveTerms(owner, customerId, fields);
      expect(res.status).toBe(400);
    }
    expect(await t.shop.kit.resellers.priceBook(customerId)).toEqual([]);
    expect(await t.shop.kit.resellers.creditLimit(customerId, t.config.currency)).toBe(0);
    const audit = (await t.shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 20 })).items;
    expect(audit.filter((e) => e.action.startsWith('reseller.'))).toEqual([]);
  });

  it('is the owner’s, after re-authentication: a form post without it is refused, a buyer gets 403', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerIdOf(t, buyer.email);
    const path = `/admin/customers/${customerId}/reseller`;
    const owner = await signedInAdmin(t.app);
    t.clock.advance(REAUTH_WINDOW_MS + 1000);
    await owner.agent.post(path).type('form').send({ _csrf: owner.csrf, creditLimit: '100' }).expect(403);
    await buyer.agent.get(path).expect(403);
    expect(await t.shop.kit.resellers.creditLimit(customerId, t.config.currency)).toBe(0);
  });

  it('a reseller’s API token sees and pays its prices, buys on credit, and reads only its own terms', async () => {
    const buyer = await signedUpBuyer(t.app);
    const page = await buyer.agent.get('/account/api-tokens').expect(200);
    const created = await buyer.agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'shop bot' })
      .expect(201);
    const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)?.[1];
    const customerId = await customerIdOf(t, buyer.email);
    await t.shop.kit.resellers.setPrice({ customerId, planId: plan.id, price: { amount: 100, currency: t.config.currency } });
    await t.shop.kit.resellers.setCreditLimit({ customerId, currency: t.config.currency, amount: 150 });
    const api = () => supertest(t.app);
    const auth = { authorization: `Bearer ${token}` };
    const plans = await api().get('/api/v1/plans').set(auth).expect(200);
    expect((plans.body as { items: { id: string; price: { amount: number } }[] }).items.find((p) => p.id === plan.id)?.price.amount).toBe(
      100,
    );
    const listed = await api().get('/api/v1/plans').expect(200);
    expect((listed.body as { items: { id: string; price: { amount: number } }[] }).items.find((p) => p.id === plan.id)?.price.amount).toBe(
      plan.price.amount,
    );
    const body = (key: string) => ({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: key });
    const bought = await api().post('/api/v1/checkout').set(auth).send(body('bot-0001')).expect(201);
    expect(bought.body.order.total.amount).toBe(100);
    expect(await balanceOf(t, customerId)).toBe(-100);
    await api().post('/api/v1/checkout').set(auth).send(body('bot-0002')).expect(402);
    expect(await balanceOf(t, customerId)).toBe(-100);
    const terms = await api().get('/api/v1/reseller').set(auth).expect(200);
    expect(terms.body).toMatchObject({ balance: -100, creditLimit: 150, spendable: 50 });
  });

  it('a reseller keeps its own clients and gives them its subscriptions; no one else sees or changes them', async () => {
    const makeReseller = async () => {
      const v = await signedUpBuyer(t.app);
      const id = await customerIdOf(t, v.email);
      await t.shop.kit.resellers.setCreditLimit({ customerId: id, currency: t.config.currency, amount: plan.price.amount * 3 });
      const { subscriptions } = await t.shop.kit.checkout({
        customerId: id,
        items: [{ planId: plan.id }],
        idempotencyKey: `clients-${id}`,
      });
      return { v, id, subId: subscriptions[0]!.id };
    };
    const a = await makeReseller();
    const b = await makeReseller();
    const post = async (who: Visitor, path: string, fields: Record<string, string>) => {
      const page = await who.agent.get('/account/reseller/clients').expect(200);
      return who.agent
        .post(path)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), ...fields });
    };
    expect((await post(a.v, '/account/reseller/clients', { name: 'Sara', note: 'telegram @sara' })).status).toBe(303);
    const taken = await post(a.v, '/account/reseller/clients', { name: 'Sara' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('already have a client');
    expect((await post(a.v, '/account/reseller/clients', { name: ' ' })).status).toBe(400);
    // Another reseller may use the same name: clients are per reseller.
    expect((await post(b.v, '/account/reseller/clients', { name: 'Sara' })).status).toBe(303);
    const page = await a.v.agent.get('/account/reseller/clients').expect(200);
    const clientId = /data-client="([^"]+)"/.exec(page.text)![1]!;
    expect((await post(a.v, '/account/reseller/clients/assign', { clientId, subscriptionId: a.subId })).status).toBe(303);
    // B cannot give A's subscription to its client, nor its own to A's client.
    const bClient = /data-client="([^"]+)"/.exec((await b.v.agent.get('/account/reseller/clients').expect(200)).text)![1]!;
    expect((await post(b.v, '/account/reseller/clients/assign', { clientId: bClient, subscriptionId: a.subId })).status).toBe(404);
    expect((await post(b.v, '/account/reseller/clients/assign', { clientId, subscriptionId: b.subId })).status).toBe(404);
    const listed = (await a.v.agent.get('/api/v1/reseller/clients').set('accept', 'application/json').expect(200)).body as {
      items: { id: string; name: string; subscriptionIds: string[] }[];
    };
    expect(listed.items).toEqual([
      expect.objectContaining({ id: clientId, name: 'Sara', note: 'telegram @sara', subscriptionIds: [a.subId] }),
    ]);
    const bListed = (await b.v.agent.get('/api/v1/reseller/clients').set('accept', 'application/json').expect(200)).body as {
      items: { subscriptionIds: string[] }[];
    };
    expect(bListed.items.map((c) => c.subscriptionIds)).toEqual([[]]);
    // The reseller's own trail shows it; a customer that is no reseller has no clients page.
    const own = await a.v.agent.get('/account/reseller').expect(200);
    expect(own.text).toContain('client Sara added');
    const plain = await signedUpBuyer(t.app);
    await plain.agent.get('/account/reseller/clients').expect(404);
    await plain.agent.get('/api/v1/reseller/clients').set('accept', 'application/json').expect(404);
  });
});
