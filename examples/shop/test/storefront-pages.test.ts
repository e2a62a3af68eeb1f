/**
 * Issue 70, the web and JSON API of storefronts: the owner creates, suspends and resumes a storefront, sets its
 * quotas, moves buyers and works the payout queue; the reseller keeps its menu, reads its buyers, sales, margin and
 * payout balance, and asks withdrawals. Every form refuses bad input with a 4xx and changes nothing, and a reseller's
 * session or token reads nothing that is not its own, whatever id it names.
 */
import type { Plan } from '@panelkit/sdk';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { balanceOf, buy, customerIdOf, fund, planNamed } from './support/buying.js';
import {
  csrfFrom,
  ROOMY_RATE_LIMITS,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

let t: ShopUnderTest;
let plan: Plan;
let owner: Visitor;
/** What resellers pay for `plan` (their price book), and what their buyers pay (their menu). */
let wholesale: number;
let retail: number;

beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  wholesale = Math.round(plan.price.amount * 0.6);
  retail = Math.round(plan.price.amount * 0.9);
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const major = (minor: number) => (minor / 100).toFixed(2);
const moneyText = (minor: number) => formatMoney({ amount: minor, currency: t.config.currency }, 'en');

/** A signed-up customer made a reseller by the owner: a price for `plan` and a credit limit. */
async function newReseller(): Promise<Visitor & { email: string; customerId: string }> {
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
  return { ...who, customerId };
}

/** Posts a form the way a browser does: the page's CSRF token first. */
async function postForm(v: Visitor, page: string, action: string, fields: Record<string, string | string[]>) {
  const shown = await v.agent.get(page);
  const csrf = shown.status === 200 ? csrfFrom(shown.text) : v.csrf;
  return v.agent
    .post(action)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

/** Creates a storefront through the owner's form; returns its id. */
async function storefrontFor(resellerEmail: string, name: string): Promise<string> {
  const res = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: resellerEmail, name });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  const id = /^\/admin\/storefronts\/([^/?]+)\?done=storefronts\.created$/.exec(res.headers['location'] ?? '')?.[1];
  expect(id).toBeDefined();
  return id!;
}

const withdrawalsOf = async (partnerId: string) => (await t.shop.kit.payouts.list({ partnerId }, { limit: 100 })).items;
const payoutBalance = async (partnerId: string) =>
  (await t.shop.kit.payouts.positions(partnerId)).find((p) => p.currency === t.config.currency)?.available ?? 0;

describe("the owner's storefront pages", () => {
  it('creates a storefront for a reseller; bad input is refused with a 4xx and creates nothing', async () => {
    const reseller = await newReseller();
    const plain = await signedUpBuyer(t.app);
    const before = (await t.shop.kit.storefronts.list()).length;
    const blank = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: reseller.email, name: '   ' });
    expect(blank.status).toBe(400);
    const unknown = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: 'nobody@example.com', name: 'Nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('No customer with that e-mail or id.');
    const notReseller = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: plain.email, name: 'Plain' });
    expect(notReseller.status).toBe(400);
    expect(notReseller.text).toContain('cannot run a storefront');
    const tooLong = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: reseller.email, name: 'x'.repeat(101) });
    expect(tooLong.status).toBe(400);
    expect((await t.shop.kit.storefronts.list()).length).toBe(before);

    const id = await storefrontFor(reseller.email, 'North Shop');
    const page = await owner.agent.get(`/admin/storefronts/${id}?done=storefronts.created`).expect(200);
    expect(page.text).toContain('Storefront created.');
    expect(page.text).toContain('data-status="active"');
    expect(page.text).toContain(reseller.email);
    const again = await postForm(owner, '/admin/storefronts', '/admin/storefronts', { reseller: reseller.email, name: 'Second' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('already runs a storefront');
    expect((await t.shop.kit.storefronts.list()).length).toBe(before + 1);
    const list = await owner.agent.get('/admin/storefronts').expect(200);
    expect(list.text).toContain(`data-storefront="${id}"`);
  });

  it('suspends and resumes a storefront, and saves quotas; bad quotas change nothing', async () => {
    const reseller = await newReseller();
    const id = await storefrontFor(reseller.email, 'Quota Shop');
    const page = `/admin/storefronts/${id}`;
    const badStatus = await postForm(owner, page, `${page}/status`, { status: 'closed' });
    expect(badStatus.status).toBe(400);
    expect((await t.shop.kit.storefronts.get(id)).status).toBe('active');
    const suspended = await postForm(owner, page, `${page}/status`, { status: 'suspended' });
    expect(suspended.headers['location']).toBe(`${page}?done=storefronts.suspended`);
    expect((await t.shop.kit.storefronts.get(id)).status).toBe('suspended');
    const office = await reseller.agent.get('/account/storefront').expect(200);
    expect(office.text).toContain('data-testid="office-suspended"');
    await postForm(owner, page, `${page}/status`, { status: 'active' }).then((r) => expect(r.status).toBe(303));
    expect((await t.shop.kit.storefronts.get(id)).status).toBe('active');

    const badQuotas: Record<string, string | string[]>[] = [
      { maxActiveSubscriptions: 'many' },
      { maxTrafficGb: '-5' },
      { maxActiveSubscriptions: '3', panelIds: ['bad id!'] },
    ];
    for (const fields of badQuotas) {
      const refused = await postForm(owner, page, `${page}/quotas`, fields);
      expect(refused.status, JSON.stringify(fields)).toBe(400);
    }
    expect((await t.shop.kit.storefronts.get(id)).quotas).toEqual({ maxActiveSubscriptions: null, maxTrafficBytes: null, panelIds: null });
    const saved = await postForm(owner, page, `${page}/quotas`, { maxActiveSubscriptions: '5', maxTrafficGb: '100' });
    expect(saved.headers['location']).toBe(`${page}?done=storefronts.quotas`);
    expect((await t.shop.kit.storefronts.get(id)).quotas).toEqual({
      maxActiveSubscriptions: 5,
      maxTrafficBytes: 100 * 1024 ** 3,
      panelIds: null,
    });
    const audit = (await t.shop.storage.audit.list({ subjectType: 'storefront', subjectId: id }, { limit: 20 })).items.map((e) => e.action);
    expect(audit).toEqual(
      expect.arrayContaining(['storefront.created', 'storefront.suspended', 'storefront.resumed', 'storefront.updated']),
    );
  });

  it('moves a buyer between storefronts and back to the own shop; a reseller or an unknown buyer is refused', async () => {
    const a = await newReseller();
    const b = await newReseller();
    const [sa, sb] = [await storefrontFor(a.email, 'Move A'), await storefrontFor(b.email, 'Move B')];
    const buyer = await signedUpBuyer(t.app);
    const buyerId = await customerIdOf(t, buyer.email);
    const page = `/admin/storefronts/${sa}`;
    const move = (fields: Record<string, string>) => postForm(owner, page, '/admin/storefronts/move-buyer', { back: sa, ...fields });
    expect((await move({ buyer: 'ghost@example.com', storefrontId: sa })).status).toBe(400);
    expect((await move({ buyer: b.email, storefrontId: sa })).status).toBe(400);
    expect((await move({ buyer: buyer.email, storefrontId: 'no such/id' })).status).toBe(400);
    expect((await t.shop.storage.customers.get(buyerId))?.storefrontId).toBeNull();
    expect((await move({ buyer: buyer.email, storefrontId: sa })).headers['location']).toBe(`${page}?done=storefronts.moved`);
    expect((await t.shop.storage.customers.get(buyerId))?.storefrontId).toBe(sa);
    await move({ buyer: buyerId, storefrontId: sb });
    expect((await t.shop.storage.customers.get(buyerId))?.storefrontId).toBe(sb);
    await move({ buyer: buyer.email, storefrontId: '' });
    expect((await t.shop.storage.customers.get(buyerId))?.storefrontId).toBeNull();
  });
});

describe("a reseller's back office and the payout queue", () => {
  it('sets its menu, sells through a buyer, and sees its sales and margin; its withdrawal is approved once and paid', async () => {
    const reseller = await newReseller();
    const id = await storefrontFor(reseller.email, 'Margin Shop');
    const field = `retail_${plan.id}`;
    const menu = (value: string) => postForm(reseller, '/account/storefront', '/account/storefront/menu', { [field]: value });
    expect((await menu('lots')).status).toBe(400);
    const below = await menu(major(wholesale - 1));
    expect(below.status).toBe(400);
    expect(below.text).toContain('cannot be below your price');
    expect(await t.shop.kit.storefronts.menu(id)).toEqual([]);
    expect((await menu(major(retail))).headers['location']).toBe('/account/storefront?done=storefronts.menu');
    expect((await t.shop.kit.storefronts.menu(id)).map((m) => [m.planId, m.retailPrice.amount])).toEqual([[plan.id, retail]]);

    const buyer = await signedUpBuyer(t.app);
    const buyerId = await customerIdOf(t, buyer.email);
    await t.shop.kit.storefronts.moveBuyer({ customerId: buyerId, storefrontId: id });
    await fund(t, buyer.email, plan.price.amount * 2);
    const bought = await buy(buyer, plan.id);
    expect(bought.status, bought.text.slice(0, 300)).toBe(303);
    await t.drain();
    expect(await balanceOf(t, buyerId)).toBe(plan.price.amount * 2 - retail);
    // The wallet pays the reseller's price; the payout balance is credited what the buyer paid: the reseller earns the margin.
    const margin = retail - wholesale;
    expect(await balanceOf(t, reseller.customerId)).toBe(-wholesale);
    expect(await payoutBalance(reseller.customerId)).toBe(retail);

    const office = await reseller.agent.get('/account/storefront').expect(200);
    expect(office.text).toMatch(/data-testid="office-sales">1</);
    expect(office.text).toContain(buyer.email);
    expect(office.text).toContain(`data-testid="office-collected">${moneyText(retail)}<`);
    expect(office.text).toContain(`data-testid="office-margin">${moneyText(margin)}<`);
    const api = await reseller.agent.get('/api/v1/storefront').set('accept', 'application/json').expect(200);
    expect(api.body).toMatchObject({
      storefront: { id, name: 'Margin Shop', status: 'active' },
      payoutBalance: retail,
      held: 0,
      buyers: 1,
    });
    expect(api.body.month.margin).toEqual([{ amount: margin, currency: t.config.currency }]);
    expect(api.body.month.collected).toEqual([{ amount: retail, currency: t.config.currency }]);
    const detail = await owner.agent.get(`/admin/storefronts/${id}`).expect(200);
    expect(detail.text).toContain(`data-testid="storefront-collected">${moneyText(retail)}<`);
    const ownerList = await owner.agent.get('/admin/storefronts').expect(200);
    expect(ownerList.text).toMatch(new RegExp(`data-storefront="${id}"[\\s\\S]*?data-testid="storefront-sales">1<`));

    // Asking more than the balance, more than it leaves over what the wallet owes, or no amount, holds nothing.
    const ask = async (fields: Record<string, string>) => {
      const shown = await reseller.agent.get('/account/storefront').expect(200);
      const key = /data-testid="withdraw-form"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(shown.text)?.[1] ?? '';
      return reseller.agent
        .post('/account/storefront/withdrawals')
        .type('form')
        .send({ _csrf: csrfFrom(shown.text), idempotencyKey: key, ...fields });
    };
    const over = await ask({ amount: major(retail + 1), destination: 'card 6037 0000 0000 0000' });
    expect(over.status).toBe(409);
    expect(over.text).toContain('at most your payout balance');
    const owed = await ask({ amount: major(margin + 1), destination: 'card 6037 0000 0000 0000' });
    expect(owed.status).toBe(409);
    expect(owed.text).toContain('Your wallet owes the price of your sales');
    const owedApi = await reseller.agent
      .post('/api/v1/storefront/withdrawals')
      .set('x-csrf-token', reseller.csrf)
      .send({ amount: margin + 1, destination: 'card', idempotencyKey: 'withdraw-owed-1' });
    expect(owedApi.status).toBe(409);
    expect(owedApi.text).toContain('Your wallet owes the price of your sales');
    expect((await ask({ amount: 'all', destination: 'card' })).status).toBe(400);
    expect((await ask({ amount: major(margin), destination: '  ' })).status).toBe(400);
    expect(await withdrawalsOf(reseller.customerId)).toEqual([]);
    expect(await payoutBalance(reseller.customerId)).toBe(retail);
    const asked = await ask({ amount: major(margin), destination: 'card 6037 0000 0000 0000' });
    expect(asked.headers['location']).toBe('/account/storefront?done=storefronts.withdrawal');
    const [withdrawal] = await withdrawalsOf(reseller.customerId);
    expect(withdrawal?.status).toBe('requested');
    expect(await payoutBalance(reseller.customerId)).toBe(wholesale);

    // Two admins approve at once: one approval, the other is told it was decided.
    const second = await signedInAdmin(t.app);
    const queue = await owner.agent.get('/admin/payouts').expect(200);
    expect(queue.text).toContain(`data-withdrawal="${withdrawal!.id}"`);
    const csrfs = [csrfFrom(queue.text), csrfFrom((await second.agent.get('/admin/payouts').expect(200)).text)];
    const answers = await Promise.all(
      [owner, second].map((admin, i) =>
        admin.agent.post(`/admin/payouts/${withdrawal!.id}/approve`).type('form').send({ _csrf: csrfs[i] }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    const approvals = (
      await t.shop.storage.audit.list({ subjectType: 'withdrawal', subjectId: withdrawal!.id }, { limit: 20 })
    ).items.filter((e) => e.action === 'withdrawal.approved');
    expect(approvals).toHaveLength(1);
    const tooLong = await postForm(owner, '/admin/payouts?status=approved', `/admin/payouts/${withdrawal!.id}/paid`, {
      reference: 'r'.repeat(201),
    });
    expect(tooLong.status).toBe(400);
    expect((await t.shop.kit.payouts.get(withdrawal!.id))?.status).toBe('approved');
    const paid = await postForm(owner, '/admin/payouts?status=approved', `/admin/payouts/${withdrawal!.id}/paid`, {
      reference: 'bank-123',
    });
    expect(paid.headers['location']).toBe('/admin/payouts?status=paid&done=storefronts.paid');
    expect(await t.shop.kit.payouts.get(withdrawal!.id)).toMatchObject({ status: 'paid', reference: 'bank-123' });
    const mine = await reseller.agent.get('/api/v1/storefront/withdrawals').set('accept', 'application/json').expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ id: withdrawal!.id, status: 'paid' })]);
  });

  it('refuses a withdrawal with a reason (the amount comes back); without a reason nothing changes', async () => {
    const reseller = await newReseller();
    await storefrontFor(reseller.email, 'Refuse Shop');
    await t.shop.kit.payouts.credit({
      partnerId: reseller.customerId,
      kind: 'adjustment',
      amount: { amount: 5000, currency: t.config.currency },
      idempotencyKey: `test-credit:${reseller.customerId}`,
      note: 'test credit',
    });
    const asked = await reseller.agent
      .post('/api/v1/storefront/withdrawals')
      .set('x-csrf-token', reseller.csrf)
      .send({ amount: 3000, destination: 'IBAN DE00 0000', idempotencyKey: 'withdraw-refuse-1' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const replay = await reseller.agent
      .post('/api/v1/storefront/withdrawals')
      .set('x-csrf-token', reseller.csrf)
      .send({ amount: 3000, destination: 'IBAN DE00 0000', idempotencyKey: 'withdraw-refuse-1' });
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(asked.body.id);
    expect(await payoutBalance(reseller.customerId)).toBe(2000);
    const id = asked.body.id as string;
    const blank = await postForm(owner, '/admin/payouts', `/admin/payouts/${id}/refuse`, { reason: '   ' });
    expect(blank.status).toBe(400);
    expect((await t.shop.kit.payouts.get(id))?.status).toBe('requested');
    const refused = await postForm(owner, '/admin/payouts', `/admin/payouts/${id}/refuse`, {
      reason: 'Card number does not match your name',
    });
    expect(refused.headers['location']).toBe('/admin/payouts?status=refused&done=storefronts.refused');
    expect(await t.shop.kit.payouts.get(id)).toMatchObject({ status: 'refused', reason: 'Card number does not match your name' });
    expect(await payoutBalance(reseller.customerId)).toBe(5000);
    const again = await postForm(owner, '/admin/payouts', `/admin/payouts/${id}/approve`, {});
    expect(again.status).toBe(409);
    const office = await reseller.agent.get('/account/storefront').expect(200);
    expect(office.text).toContain('Card number does not match your name');
  });
});

describe("a storefront's buyer on the web", () => {
  it('is told why nothing sells while the storefront is suspended or over its quota; nothing is charged and the subscription keeps running', async () => {
    const reseller = await newReseller();
    const id = await storefrontFor(reseller.email, 'Stop Shop');
    await t.shop.kit.storefronts.setMenuItem({
      storefrontId: id,
      planId: plan.id,
      retailPrice: { amount: retail, currency: t.config.currency },
    });
    const buyer = await signedUpBuyer(t.app);
    const buyerId = await customerIdOf(t, buyer.email);
    await t.shop.kit.storefronts.moveBuyer({ customerId: buyerId, storefrontId: id });
    await fund(t, buyer.email, retail * 3);
    expect((await buy(buyer, plan.id)).status).toBe(303);
    await t.drain();
    const [sub] = (await t.shop.storage.subscriptions.listByCustomer(buyerId, { limit: 10 })).items;
    expect(sub?.status).toBe('active');

    const page = `/admin/storefronts/${id}`;
    await postForm(owner, page, `${page}/status`, { status: 'suspended' });
    const refused = await buy(buyer, plan.id);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('This shop is not selling right now.');
    expect(await balanceOf(t, buyerId)).toBe(retail * 2);
    expect((await t.shop.storage.subscriptions.get(sub!.id))?.status).toBe('active');
    const api = await buyer.agent
      .post('/api/v1/checkout')
      .set('x-csrf-token', buyer.csrf)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'suspended-api-1' });
    expect(api.status).toBe(409);
    expect(JSON.stringify(api.body)).toContain('storefront_suspended');

    await postForm(owner, page, `${page}/status`, { status: 'active' });
    await postForm(owner, page, `${page}/quotas`, { maxActiveSubscriptions: '1' });
    const over = await buy(buyer, plan.id);
    expect(over.status).toBe(409);
    expect(over.text).toContain('This shop has sold all it may for now.');
    expect(await balanceOf(t, buyerId)).toBe(retail * 2);
  });
});

describe('who may read what', () => {
  it("a reseller's session or token reads only its own storefront, whatever id it names", async () => {
    const one = await newReseller();
    const two = await newReseller();
    const s1 = await storefrontFor(one.email, 'Shop One');
    const s2 = await storefrontFor(two.email, 'Shop Two');
    const buyerOfOne = await signedUpBuyer(t.app);
    await t.shop.kit.storefronts.moveBuyer({ customerId: await customerIdOf(t, buyerOfOne.email), storefrontId: s1 });
    await t.shop.kit.payouts.credit({
      partnerId: one.customerId,
      kind: 'adjustment',
      amount: { amount: 1000, currency: t.config.currency },
      idempotencyKey: `c:${one.customerId}`,
      note: 'test credit',
    });
    const w1 = await t.shop.kit.payouts.request({
      partnerId: one.customerId,
      amount: { amount: 500, currency: t.config.currency },
      destination: 'card one',
      idempotencyKey: 'access-w1',
    });
    const account = await t.shop.accounts.getByEmail(two.email);
    const { token } = await t.shop.apiTokens.create(account!.id, 'reseller two', ['read', 'write']);
    const api = (path: string) => two.agent.get(path).set('authorization', `Bearer ${token}`).set('accept', 'application/json');

    const own = await api(`/api/v1/storefront?storefrontId=${s1}`).expect(200);
    expect(own.body.storefront.id).toBe(s2);
    expect((await api('/api/v1/storefront/buyers').expect(200)).body.items).toEqual([]);
    await api(`/api/v1/storefront/withdrawals/${w1.withdrawal.id}`).expect(404);
    expect((await api('/api/v1/storefront/withdrawals').expect(200)).body.items).toEqual([]);
    expect(JSON.stringify((await api('/api/v1/storefront/menu').expect(200)).body)).not.toContain(s1);
    // The owner's pages and actions, with the reseller's session or token: 403, nothing changes.
    await two.agent.get(`/admin/storefronts/${s1}`).expect(403);
    await two.agent.get('/admin/payouts').expect(403);
    await two.agent.post(`/admin/payouts/${w1.withdrawal.id}/approve`).type('form').send({ _csrf: two.csrf }).expect(403);
    await two.agent.post(`/admin/storefronts/${s1}/status`).type('form').send({ _csrf: two.csrf, status: 'suspended' }).expect(403);
    await api(`/admin/storefronts/${s1}`).expect(403);
    expect((await t.shop.kit.payouts.get(w1.withdrawal.id))?.status).toBe('requested');
    expect((await t.shop.kit.storefronts.get(s1)).status).toBe('active');
    // The web back office shows its own name, never the other's buyers.
    const page = await two.agent.get('/account/storefront').expect(200);
    expect(page.text).toContain('Shop Two');
    expect(page.text).not.toContain(buyerOfOne.email);
    // A customer who runs no storefront, and a visitor, read nothing.
    const plain = await signedUpBuyer(t.app);
    await plain.agent.get('/account/storefront').expect(404);
    await plain.agent.get('/api/v1/storefront').set('accept', 'application/json').expect(404);
    await plain.agent.get(`/api/v1/storefront/withdrawals/${w1.withdrawal.id}`).set('accept', 'application/json').expect(404);
    await plain.agent
      .post('/api/v1/storefront/withdrawals')
      .set('x-csrf-token', plain.csrf)
      .send({ amount: 1, destination: 'x', idempotencyKey: 'plain-123' })
      .expect(404);
    await supertest(t.app).get('/api/v1/storefront').set('accept', 'application/json').expect(401);
  });

  it('every reseller route answers 404 to a customer who runs no storefront, 401 to a visitor, and a read-only token may not write', async () => {
    const reseller = await newReseller();
    const id = await storefrontFor(reseller.email, 'Route Shop');
    const plain = await signedUpBuyer(t.app);
    const pages = ['/account/storefront'];
    const forms = ['/account/storefront/menu', '/account/storefront/withdrawals', '/account/storefront/broadcasts'];
    const reads = [
      '/api/v1/storefront',
      '/api/v1/storefront/menu',
      '/api/v1/storefront/buyers',
      '/api/v1/storefront/withdrawals',
      '/api/v1/storefront/withdrawals/wd_x',
    ];
    const writes: Array<[string, object]> = [
      ['/api/v1/storefront/menu', { items: [{ planId: plan.id, retailPrice: retail }] }],
      ['/api/v1/storefront/withdrawals', { amount: 1, destination: 'card', idempotencyKey: 'route-key-1' }],
      ['/api/v1/storefront/broadcasts', { text: 'hello', idempotencyKey: 'route-key-2' }],
    ];
    for (const path of pages) await plain.agent.get(path).expect(404);
    for (const path of forms)
      await plain.agent.post(path).type('form').send({ _csrf: plain.csrf, text: 'x', amount: '1', destination: 'x' }).expect(404);
    for (const path of reads) await plain.agent.get(path).set('accept', 'application/json').expect(404);
    for (const [path, body] of writes) await plain.agent.post(path).set('x-csrf-token', plain.csrf).send(body).expect(404);
    const anonymous = supertest(t.app);
    for (const path of reads) await anonymous.get(path).set('accept', 'application/json').expect(401);
    // A visitor's post is refused before anything is read: no session (401) or no CSRF token (403).
    for (const [path, body] of writes) expect([401, 403]).toContain((await anonymous.post(path).send(body)).status);
    const account = await t.shop.accounts.getByEmail(reseller.email);
    const { token } = await t.shop.apiTokens.create(account!.id, 'read only', ['read']);
    for (const path of reads.slice(0, 4)) await anonymous.get(path).set('authorization', `Bearer ${token}`).expect(200);
    for (const [path, body] of writes) await anonymous.post(path).set('authorization', `Bearer ${token}`).send(body).expect(403);
    expect(await t.shop.kit.storefronts.menu(id)).toEqual([]);
    expect(await withdrawalsOf(reseller.customerId)).toEqual([]);
  });

  it('the JSON API refuses bad bodies with a 400 and changes nothing', async () => {
    const reseller = await newReseller();
    const id = await storefrontFor(reseller.email, 'Api Shop');
    const post = (path: string, body: unknown) =>
      reseller.agent
        .post(path)
        .set('x-csrf-token', reseller.csrf)
        .send(body as object);
    for (const body of [
      {},
      { items: [] },
      { items: [{ planId: plan.id, retailPrice: -1 }] },
      { items: [{ planId: plan.id, retailPrice: 1.5 }] },
      { items: [{ planId: plan.id, retailPrice: retail, extra: 1 }] },
    ])
      expect((await post('/api/v1/storefront/menu', body)).status, JSON.stringify(body)).toBe(400);
    expect((await post('/api/v1/storefront/menu', { items: [{ planId: plan.id, retailPrice: wholesale - 1 }] })).status).toBe(400);
    expect((await post('/api/v1/storefront/menu', { items: [{ planId: 'plan_missing', retailPrice: retail }] })).status).toBe(400);
    expect(await t.shop.kit.storefronts.menu(id)).toEqual([]);
    for (const body of [
      { amount: 0, destination: 'x', idempotencyKey: 'k-1234567' },
      { amount: 10, destination: '', idempotencyKey: 'k-1234567' },
      { amount: 10, destination: 'x' },
    ])
      expect((await post('/api/v1/storefront/withdrawals', body)).status, JSON.stringify(body)).toBe(400);
    expect((await post('/api/v1/storefront/withdrawals', { amount: 10, destination: 'x', idempotencyKey: 'k-over-1' })).status).toBe(409);
    expect((await post('/api/v1/storefront/broadcasts', { text: '', idempotencyKey: 'b-1234567' })).status).toBe(400);
    expect(await withdrawalsOf(reseller.customerId)).toEqual([]);
    expect((await post('/api/v1/storefront/menu', { items: [{ planId: plan.id, retailPrice: retail }] })).status).toBe(200);
    expect((await t.shop.kit.storefronts.menu(id)).map((m) => m.retailPrice.amount)).toEqual([retail]);
  });
});
