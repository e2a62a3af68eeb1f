/**
 * Issue 70, a storefront's web address: the owner gives a storefront a path (`/store/<slug>`) and host names (bad or
 * taken ones refused with a 4xx, nothing saved; audited); a visitor who opens it and signs up is that storefront's
 * buyer, sees its brand and retail prices, buys at them, and shows in the reseller's office; a signed-in customer is
 * never moved; a storefront's buyer never sees another storefront's brand or prices; a suspended one says so.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../src/i18n/format.js';
import { buy, customerIdOf, fund, planNamed } from './support/buying.js';
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
let wholesale: number;

beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  wholesale = Math.round(plan.price.amount * 0.6);
  owner = await signedInAdmin(t.app);
});
afterAll(() => t.close());

const moneyText = (minor: number) => formatMoney({ amount: minor, currency: t.config.currency }, 'en');

async function postForm(v: Visitor, page: string, action: string, fields: Record<string, string>) {
  const shown = await v.agent.get(page);
  return v.agent
    .post(action)
    .type('form')
    .send({ _csrf: shown.status === 200 ? csrfFrom(shown.text) : v.csrf, ...fields });
}

let made = 0;
/** A reseller's storefront selling `plan` at `retail`, branded `brand`; returns its id and reseller. */
async function storefront(brand: string, retail: number): Promise<{ id: string; reseller: Visitor & { email: string } }> {
  const reseller = await signedUpBuyer(t.app);
  const resellerId = await customerIdOf(t, reseller.email);
  await t.shop.kit.resellers.setTerms(
    {
      customerId: resellerId,
      creditLimit: { amount: plan.price.amount * 10, currency: t.config.currency },
      prices: [
        { planId: plan.id, price: { amount: wholesale, currency: t.config.currency }, extensionPrice: null, trafficPricePerGiB: null },
      ],
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  const created = await t.shop.kit.storefronts.create({ resellerId, name: `${brand} ${++made}` });
  await t.shop.kit.storefronts.setMenuItem({
    storefrontId: created.id,
    planId: plan.id,
    retailPrice: { amount: retail, currency: t.config.currency },
  });
  const page = `/admin/storefronts/${created.id}`;
  const branded = await postForm(owner, page, `${page}/brand`, {
    shopName: brand,
    support: `@${brand.toLowerCase()}_help`,
    welcome_en: `Welcome to ${brand}`,
  });
  expect(branded.status).toBe(303);
  return { id: created.id, reseller };
}

const setAddress = (id: string, fields: { slug: string; hosts?: string }) =>
  postForm(owner, `/admin/storefronts/${id}`, `/admin/storefronts/${id}/address`, { hosts: '', ...fields });

let slugs = 0;
const newSlug = () => `shop-${++slugs}-${Date.now().toString(36)}`;

/** A visitor who opened `/store/<slug>` and then signed up with a password. */
async function signedUpThrough(slug: string): Promise<Visitor & { email: string }> {
  const v = await visitor(t.app);
  const opened = await v.agent.get(`/store/${slug}`).expect(303);
  expect(opened.headers['location']).toBe('/');
  const email = `web-${slug}-${Date.now()}@example.com`;
  const page = await v.agent.get('/signup').expect(200);
  await v.agent
    .post('/signup')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password: 'correct horse battery' })
    .expect(303);
  return { ...v, email };
}

describe("the owner sets a storefront's web address", () => {
  it('refuses a bad slug, a bad host and a taken one with a 4xx, saving nothing; saves and audits a good one', async () => {
    const a = await storefront('Alpha', Math.round(plan.price.amount * 0.9));
    const b = await storefront('Beta', Math.round(plan.price.amount * 0.8));
    const slug = newSlug();
    for (const bad of ['', 'a', '-lead', 'trail-', 'UPPER case', 'x'.repeat(41), 'dots.in.it', 'خرید'])
      expect((await setAddress(a.id, { slug: bad, hosts: bad === '' ? 'shop.example.com' : '' })).status, bad).toBe(400);
    for (const hosts of [
      'localhost',
      '10.0.0.1',
      'shop.example.com:8080',
      'bad_host.example.com',
      'a.b.c.d.e.f',
      'x.io y.io z.io w.io v.io u.io',
    ])
      expect((await setAddress(a.id, { slug, hosts })).status, hosts).toBe(hosts === 'a.b.c.d.e.f' ? 303 : 400);
    const written = (await t.shop.storage.audit.list({ subjectType: 'storefront', subjectId: a.id }, { limit: 50 })).items;
    expect(written.filter((e) => e.action === 'storefront.address_set')).toHaveLength(1);

    const saved = await setAddress(a.id, { slug: slug.toUpperCase(), hosts: `alpha-${slug}.example.com\nwww.alpha-${slug}.example.com` });
    expect(saved.status).toBe(303);
    const page = await owner.agent.get(`/admin/storefronts/${a.id}`).expect(200);
    expect(page.text).toContain(`href="/store/${slug}"`);
    expect(page.text).toContain(`www.alpha-${slug}.example.com`);

    // Another storefront cannot take the slug or a host: 409, and its own address stays as it was.
    const bSlug = newSlug();
    expect((await setAddress(b.id, { slug: bSlug })).status).toBe(303);
    const taken = await setAddress(b.id, { slug });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('Another storefront already uses this path.');
    expect((await setAddress(b.id, { slug: bSlug, hosts: `alpha-${slug}.example.com` })).status).toBe(409);
    const bPage = await owner.agent.get(`/admin/storefronts/${b.id}`).expect(200);
    expect(bPage.text).toContain(`href="/store/${bSlug}"`);
    expect(bPage.text).not.toContain(`alpha-${slug}`);

    const events = (await t.shop.storage.audit.list({ subjectType: 'storefront', subjectId: a.id }, { limit: 50 })).items;
    expect(events.filter((e) => e.action === 'storefront.address_set').at(0)?.data).toMatchObject({ slug });
  });

  it('is the owner’s alone: a buyer or the reseller gets 403 and nothing is saved', async () => {
    const a = await storefront('Gamma', Math.round(plan.price.amount * 0.9));
    const res = await postForm(a.reseller, '/account/storefront', `/admin/storefronts/${a.id}/address`, { slug: newSlug(), hosts: '' });
    expect(res.status).toBe(403);
    expect((await owner.agent.get(`/admin/storefronts/${a.id}`).expect(200)).text).toContain('data-testid="storefront-address"');
    expect(await t.shop.kit.storefronts.get(a.id)).toBeDefined();
  });

  it('answers 404 for an unknown address', async () => {
    const v = await visitor(t.app);
    await v.agent.get('/store/no-such-shop').expect(404);
    await v.agent.get('/store/%00').expect((res) => expect(res.status).toBeGreaterThanOrEqual(400));
  });
});

describe("a buyer who came through a storefront's web address", () => {
  it('is its buyer: its brand and retail prices, buys at them, and shows in the reseller office', async () => {
    const retail = Math.round(plan.price.amount * 0.9);
    const a = await storefront('Delta', retail);
    const slug = newSlug();
    expect((await setAddress(a.id, { slug })).status).toBe(303);

    // A visitor sees the storefront's brand and its prices before signing up.
    const v = await visitor(t.app);
    await v.agent.get(`/store/${slug}`).expect(303);
    const seen = await v.agent.get('/').expect(200);
    expect(seen.text).toMatch(/<a class="brand" href="\/">Delta<\/a>/);
    expect(seen.text).toContain('data-testid="storefront-welcome">Welcome to Delta<');
    expect(seen.text).toContain(moneyText(retail));
    expect(seen.text).not.toContain(moneyText(plan.price.amount));

    const buyer = await signedUpThrough(slug);
    const customer = await t.shop.storage.customers.getByEmail(buyer.email);
    expect(customer?.storefrontId).toBe(a.id);
    const catalog = await buyer.agent.get('/').expect(200);
    expect(catalog.text).toMatch(/<a class="brand" href="\/">Delta<\/a>/);
    expect(catalog.text).toContain('data-testid="footer-support"');
    expect(catalog.text).toContain('@delta_help');
    const checkout = await buyer.agent.get(`/checkout/${plan.id}`).expect(200);
    expect(checkout.text).toContain(moneyText(retail));
    const apiPlans = await buyer.agent.get('/api/v1/plans').expect(200);
    expect(apiPlans.body.items.map((p: { id: string; price: { amount: number } }) => [p.id, p.price.amount])).toEqual([[plan.id, retail]]);

    await fund(t, buyer.email, retail);
    expect((await buy(buyer, plan.id)).status).toBe(303);
    expect(await t.shop.storage.ledger.balance(customer!.id, t.config.currency)).toBe(0);
    const office = await a.reseller.agent.get('/account/storefront').expect(200);
    expect(office.text).toContain(buyer.email);
  });

  it('by a host name of the storefront is its buyer too, without the path', async () => {
    const a = await storefront('Epsilon', Math.round(plan.price.amount * 0.85));
    const host = `epsilon-${newSlug()}.example.com`;
    expect((await setAddress(a.id, { slug: newSlug(), hosts: host })).status).toBe(303);
    const v = await visitor(t.app);
    const page = await v.agent.get('/signup').set('Host', host).expect(200);
    expect(page.text).toMatch(/<a class="brand" href="\/">Epsilon<\/a>/);
    const email = `host-${Date.now()}@example.com`;
    await v.agent
      .post('/signup')
      .set('Host', host)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email, password: 'correct horse battery' })
      .expect(303);
    expect((await t.shop.storage.customers.getByEmail(email))?.storefrontId).toBe(a.id);
  });

  it('never moves a signed-in customer, and a storefront buyer never sees another storefront', async () => {
    const a = await storefront('Zeta', Math.round(plan.price.amount * 0.9));
    const b = await storefront('Eta', Math.round(plan.price.amount * 0.7));
    const aSlug = newSlug();
    const bSlug = newSlug();
    const bHost = `eta-${bSlug}.example.com`;
    expect((await setAddress(a.id, { slug: aSlug })).status).toBe(303);
    expect((await setAddress(b.id, { slug: bSlug, hosts: bHost })).status).toBe(303);

    const ownBuyer = await signedUpBuyer(t.app);
    await ownBuyer.agent.get(`/store/${bSlug}`).expect(303);
    expect((await t.shop.storage.customers.getByEmail(ownBuyer.email))?.storefrontId).toBeNull();
    const ownCatalog = await ownBuyer.agent.get('/').expect(200);
    expect(ownCatalog.text).not.toContain('>Eta<');
    expect(ownCatalog.text).toContain(moneyText(plan.price.amount));

    const aBuyer = await signedUpThrough(aSlug);
    await aBuyer.agent.get(`/store/${bSlug}`).expect(303);
    for (const res of [await aBuyer.agent.get('/').expect(200), await aBuyer.agent.get('/').set('Host', bHost).expect(200)]) {
      expect(res.text).toMatch(/<a class="brand" href="\/">Zeta<\/a>/);
      expect(res.text).not.toContain('Eta');
      expect(res.text).not.toContain(moneyText(Math.round(plan.price.amount * 0.7)));
    }
    expect((await t.shop.storage.customers.getByEmail(aBuyer.email))?.storefrontId).toBe(a.id);
    const bOffice = await b.reseller.agent.get('/account/storefront').expect(200);
    expect(bOffice.text).not.toContain(aBuyer.email);
    expect(bOffice.text).not.toContain(ownBuyer.email);
  });

  it("of a suspended storefront says so on its pages and buys nothing; the buyer's pages keep working", async () => {
    const retail = Math.round(plan.price.amount * 0.9);
    const a = await storefront('Theta', retail);
    const slug = newSlug();
    expect((await setAddress(a.id, { slug })).status).toBe(303);
    const buyer = await signedUpThrough(slug);
    await fund(t, buyer.email, retail * 2);
    const page = `/admin/storefronts/${a.id}`;
    expect((await postForm(owner, page, `${page}/status`, { status: 'suspended' })).status).toBe(303);
    for (const [locale, text] of [
      ['en', 'This shop is not selling right now.'],
      ['ru', 'Этот магазин сейчас не продаёт.'],
      ['zh', '该店铺暂时不销售。'],
    ] as const) {
      await buyer.agent.get(`/lang/${locale}?next=/dashboard`).expect(303);
      const shown = await buyer.agent.get('/dashboard').expect(200);
      expect(shown.text).toContain('data-testid="storefront-suspended"');
      expect(shown.text).toContain(text);
    }
    await buyer.agent.get('/lang/en').expect(303);
    const refused = await buy(buyer, plan.id);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('This shop is not selling right now.');
    expect(await t.shop.storage.ledger.balance(await customerIdOf(t, buyer.email), t.config.currency)).toBe(retail * 2);
    await buyer.agent.get('/wallet').expect(200);
  });
});
