import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { notificationsOf } from '../src/db/notifications.js';
import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import {
  ADMIN,
  ROOMY_RATE_LIMITS,
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  visitor,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

const SUPPORT = { email: 'support-access@example.com', password: 'support-password-123' };

let t: ShopUnderTest;
let owner: Visitor;
let support: Visitor;

async function signIn(who: { email: string; password: string }): Promise<Visitor> {
  const v = await visitor(t.app);
  await v.agent
    .post('/signin')
    .type('form')
    .send({ _csrf: v.csrf, ...who })
    .expect(303);
  return v;
}

async function adjust(who: Visitor, customerId: string, direction: 'credit' | 'debit', amount: string) {
  const page = await who.agent.get(`/admin/customers/${customerId}`).expect(200);
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.text)?.[1];
  return who.agent
    .post(`/admin/customers/${customerId}/adjust`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), direction, amount, note: 'goodwill', nonce });
}

beforeAll(async () => {
  // Support may move at most $5.00 per correction and $8.00 a day.
  t = await startShop({ env: { SUPPORT_MONEY_PER_ACTION: '500', SUPPORT_MONEY_PER_DAY: '800' }, app: { rateLimits: ROOMY_RATE_LIMITS } });
  owner = await signedInAdmin(t.app);
  await owner.agent
    .post('/admin/staff')
    .type('form')
    .send({ _csrf: owner.csrf, ...SUPPORT })
    .expect(303);
  support = await signIn(SUPPORT);
});
afterAll(() => t.close());

describe('what support staff may do', () => {
  it("cannot issue a password-reset link for the owner's or a colleague's account, only for a buyer's", async () => {
    const ownerCustomer = (await t.shop.accounts.getByEmail(ADMIN.email))!.customerId;
    const colleague = (await t.shop.accounts.getByEmail(SUPPORT.email))!.customerId;
    for (const customerId of [ownerCustomer, colleague]) {
      const page = await support.agent.get(`/admin/customers/${customerId}`).expect(200);
      expect(page.text).not.toContain('data-testid="admin-password-reset"');
      const res = await support.agent.post(`/admin/customers/${customerId}/password-reset`).type('form').send({ _csrf: support.csrf });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('/reset-password/');
    }
    const buyer = await signedUpBuyer(t.app);
    const buyerCustomer = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const ok = await support.agent.post(`/admin/customers/${buyerCustomer}/password-reset`).type('form').send({ _csrf: support.csrf });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('/reset-password/');
    // The owner still manages staff accounts.
    const byOwner = await owner.agent.post(`/admin/customers/${colleague}/password-reset`).type('form').send({ _csrf: owner.csrf });
    expect(byOwner.status).toBe(200);
  });

  it('moves money within the caps per action and per day; past them nothing changes', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const balance = () => t.shop.storage.ledger.balance(customerId, 'USD');

    expect((await adjust(support, customerId, 'credit', '5.01')).status).toBe(403);
    expect(await balance()).toBe(0);
    expect((await adjust(support, customerId, 'credit', '5.00')).status).toBe(303);
    expect((await adjust(support, customerId, 'debit', '2.00')).status).toBe(303);
    expect(await balance()).toBe(300);
    // 7.00 used today: 1.00 more is allowed, 1.01 is not.
    const over = await adjust(support, customerId, 'credit', '1.01');
    expect(over.status).toBe(403);
    expect(over.text).toContain('today');
    expect(await balance()).toBe(300);
    expect((await adjust(support, customerId, 'credit', '1.00')).status).toBe(303);
    expect(await balance()).toBe(400);
    // Never their own wallet.
    const own = (await t.shop.accounts.getByEmail(SUPPORT.email))!.customerId;
    expect((await adjust(support, own, 'credit', '1.00')).status).toBe(403);
    expect(await t.shop.storage.ledger.balance(own, 'USD')).toBe(0);
    // The owner is not capped.
    expect((await adjust(owner, customerId, 'credit', '1000.00')).status).toBe(303);
    // A new day, a new allowance.
    t.clock.advance(24 * 3600_000);
    expect((await adjust(support, customerId, 'credit', '5.00')).status).toBe(303);
  });

  it('holds the daily cap when corrections arrive at once', async () => {
    const other = { email: 'support-two@example.com', password: 'support-password-456' };
    owner = await signedInAdmin(t.app);
    await owner.agent
      .post('/admin/staff')
      .type('form')
      .send({ _csrf: owner.csrf, ...other })
      .expect(303);
    const second = await signIn(other);
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const results = await Promise.all(Array.from({ length: 4 }, () => adjust(second, customerId, 'credit', '3.00')));
    expect(results.filter((r) => r.status === 303)).toHaveLength(2);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(600);
  });
});

describe('API tokens', () => {
  async function tokenOf(email: string, scopes: ('read' | 'write')[]): Promise<string> {
    const account = await t.shop.accounts.getByEmail(email);
    return (await t.shop.apiTokens.create(account!.id, 'bot', scopes)).token;
  }

  it("do not open the back office, even the owner's", async () => {
    const token = await tokenOf(ADMIN.email, ['read', 'write']);
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const api = supertest(t.app);
    await api.get('/admin/customers').set('authorization', `Bearer ${token}`).expect(403);
    await api
      .post(`/admin/customers/${customerId}/adjust`)
      .set('authorization', `Bearer ${token}`)
      .type('form')
      .send({ direction: 'credit', amount: '10.00', note: 'x', nonce: randomUUID() })
      .expect(403);
    await api.get('/dashboard').set('authorization', `Bearer ${token}`).expect(403);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    await api.get('/api/v1/wallet').set('authorization', `Bearer ${token}`).expect(200);
  });

  it('read-only tokens look but do not buy', async () => {
    const buyer = await signedUpBuyer(t.app);
    const token = await tokenOf(buyer.email, ['read']);
    const api = supertest(t.app);
    await api.get('/api/v1/plans').set('authorization', `Bearer ${token}`).expect(200);
    const plan = (await t.shop.storage.plans.list())[0]!;
    const body = { items: [{ planId: plan.id, quantity: 1 }] };
    await api.post('/api/v1/checkout/quote').set('authorization', `Bearer ${token}`).send(body).expect(200);
    const refused = await api
      .post('/api/v1/checkout')
      .set('authorization', `Bearer ${token}`)
      .send({ ...body, idempotencyKey: randomUUID() });
    expect(refused.status).toBe(403);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    expect((await t.shop.storage.orders.list({ customerId }, { limit: 5 })).items).toEqual([]);
  });
});

/** The `name=value` of each cookie a response sets. */
function setCookies(res: { headers: Record<string, unknown> }): Map<string, string> {
  const raw = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return new Map(raw.map((c) => c.split(';')[0]!.split('=') as [string, string]));
}

describe('CSRF tokens bound to the session', () => {
  async function signedInRaw(app: ShopUnderTest['app'], email: string, prefix = '') {
    const api = supertest(app);
    const page = await api.get('/signin').expect(200);
    const csrfCookie = setCookies(page).get(`${prefix}pk_csrf`)!;
    const signIn = await api
      .post('/signin')
      .set('cookie', `${prefix}pk_csrf=${csrfCookie}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email, password: 'correct horse battery' })
      .expect(303);
    return {
      csrfCookie,
      csrf: csrfFrom(page.text),
      session: setCookies(signIn).get(`${prefix}pk_session`)!,
      setCookie: signIn.headers['set-cookie'],
    };
  }

  it("refuses a token minted with another visitor's cookie, even sent with that cookie, on the victim's session", async () => {
    const victim = await signedUpBuyer(t.app);
    const v = await signedInRaw(t.app, victim.email);
    const attacker = await supertest(t.app).get('/signin').expect(200);
    const attackerCookie = setCookies(attacker).get('pk_csrf')!;
    const forged = await supertest(t.app)
      .post('/account/notifications')
      .set('cookie', `pk_session=${v.session}; pk_csrf=${attackerCookie}`)
      .type('form')
      .send({ _csrf: csrfFrom(attacker.text) });
    expect(forged.status).toBe(403);
    const customerId = (await t.shop.storage.customers.getByEmail(victim.email))!.id;
    expect(await notificationsOf(t.shop).optedOut(customerId)).toEqual(new Set());
    // The victim's page from before signing in still posts, with the cookie the session was opened with.
    await supertest(t.app)
      .post('/account/notifications')
      .set('cookie', `pk_session=${v.session}; pk_csrf=${v.csrfCookie}`)
      .type('form')
      .send({ _csrf: v.csrf })
      .expect(303);
    // A page of the session works whatever CSRF cookie comes with it: its token is the session's own.
    const own = await supertest(t.app).get('/account/notifications').set('cookie', `pk_session=${v.session}`).expect(200);
    await supertest(t.app)
      .post('/account/notifications')
      .set('cookie', `pk_session=${v.session}; pk_csrf=${attackerCookie}`)
      .type('form')
      .send({ _csrf: csrfFrom(own.text) })
      .expect(303);
  });

  it('draws the anonymous CSRF cookie only for an answer that carries its token, and keeps the one a visitor has', async () => {
    // A client app refreshing a link (here an unknown one: the same middleware) gets no form, so no cookie.
    const refresh = await supertest(t.app)
      .get(`/s/${'A'.repeat(32)}`)
      .set('user-agent', 'Happ/1.63.1')
      .expect(404);
    expect(setCookies(refresh).has('pk_csrf')).toBe(false);
    const page = await supertest(t.app).get('/signin').expect(200);
    const cookie = setCookies(page).get('pk_csrf')!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const again = await supertest(t.app).get('/signin').set('cookie', `pk_csrf=${cookie}`).expect(200);
    expect(setCookies(again).has('pk_csrf')).toBe(false);
    expect(csrfFrom(again.text)).toBe(csrfFrom(page.text));
    // A state-changing request draws none, refused or not.
    const refused = await supertest(t.app).post('/signin').type('form').send({ email: 'x@example.com', password: 'p' }).expect(403);
    expect(setCookies(refused).has('pk_csrf')).toBe(false);
  });

  it('names the cookies __Host- and marks them Secure when the shop runs on https', async () => {
    const https = await startShop({ env: { PUBLIC_URL: 'https://shop.example.com' } });
    try {
      // The helpers' agent speaks http and so keeps no Secure cookie: sign up and in by hand with the __Host- names.
      const email = 'https-buyer@example.com';
      await signUp(https.shop, { email, password: 'correct horse battery', locale: 'en' });
      const v = await signedInRaw(https.app, email, '__Host-');
      expect(v.csrfCookie).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(v.session).toBeDefined();
      const sessionLine = (v.setCookie as unknown as string[]).find((c) => c.startsWith('__Host-pk_session='))!;
      expect(sessionLine).toMatch(/; Secure/);
      expect(sessionLine).toMatch(/; Path=\//);
      expect(sessionLine).not.toMatch(/Domain=/i);
      await supertest(https.app)
        .get('/dashboard')
        .set('cookie', `__Host-pk_session=${v.session}; __Host-pk_csrf=${v.csrfCookie}`)
        .expect(200);
      // The old names are not read any more on https.
      await supertest(https.app).get('/dashboard').set('cookie', `pk_session=${v.session}`).expect(303);
    } finally {
      await https.close();
    }
  });
});

describe('/metrics', () => {
  it('answers a scraper on the same host only, not one through the proxy', async () => {
    const metrics = await supertest(t.app).get('/metrics').expect(200);
    expect(metrics.text).toContain('shop_subscriptions');
    const proxied = await supertest(t.app).get('/metrics').set('x-forwarded-for', '203.0.113.5');
    expect(proxied.status).toBe(404);
    expect(proxied.text).not.toContain('shop_subscriptions');
  });

  it('wants METRICS_TOKEN as a bearer token when one is set, from anywhere', async () => {
    const guarded = await startShop({ env: { METRICS_TOKEN: 'metrics-token-0123456789' } });
    try {
      await supertest(guarded.app).get('/metrics').expect(404);
      await supertest(guarded.app).get('/metrics').set('authorization', 'Bearer metrics-token-wrong-000000').expect(404);
      const ok = await supertest(guarded.app)
        .get('/metrics')
        .set('x-forwarded-for', '203.0.113.5')
        .set('authorization', 'Bearer metrics-token-0123456789')
        .expect(200);
      expect(ok.text).toContain('shop_subscriptions');
    } finally {
      await guarded.close();
    }
  });
});

describe('the per-account checkout limit', () => {
  it('does not count a replayed idempotency key: the client learns the outcome, new checkouts are still limited', async () => {
    const limited = await startShop({ app: { rateLimits: { ...ROOMY_RATE_LIMITS, checkout: { limit: 3, windowMs: 10 * 60_000 } } } });
    try {
      const buyer = await signedUpBuyer(limited.app);
      const account = await limited.shop.accounts.getByEmail(buyer.email);
      await limited.shop.kit.adjust({
        customerId: account!.customerId,
        amount: 100_000,
        currency: 'USD',
        idempotencyKey: `seed:${randomUUID()}`,
        note: 'seed',
        actor: { type: 'system', id: 'test' },
      });
      const { token } = await limited.shop.apiTokens.create(account!.id, 'bot');
      const plan = (await limited.shop.storage.plans.list())[0]!;
      const body = { items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: `order-${randomUUID()}` };
      const api = supertest(limited.app);
      const first = await api.post('/api/v1/checkout').set('authorization', `Bearer ${token}`).send(body).expect(201);
      for (let i = 0; i < 20; i++) {
        const again = await api.post('/api/v1/checkout').set('authorization', `Bearer ${token}`).send(body);
        expect(again.status).toBe(200);
        expect(again.body.replayed).toBe(true);
        expect(again.body.order.id).toBe(first.body.order.id);
      }
      const fresh = async () =>
        (
          await api
            .post('/api/v1/checkout')
            .set('authorization', `Bearer ${token}`)
            .send({ ...body, idempotencyKey: `order-${randomUUID()}` })
        ).status;
      expect([await fresh(), await fresh(), await fresh()]).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });
});
