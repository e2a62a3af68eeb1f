import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import pino from 'pino';
import { signUp } from '../src/app/auth/accounts.js';
import { hashPassword, verifyPassword } from '../src/app/auth/password.js';
import { loadConfig } from '../src/config/config.js';
import { openShop } from '../src/stack/shop.js';
import { pgliteTemplate } from '../../../packages/storage-postgres/test/support/pglite-template.js';
import { csrfFrom, signedUpBuyer, startShop, visitor, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    app: {
      rateLimits: {
        signIn: { limit: 3, windowMs: 60_000 },
        signUp: { limit: 50, windowMs: 60_000 },
        checkout: { limit: 50, windowMs: 60_000 },
      },
    },
  });
});
afterAll(() => t.close());

describe('passwords', () => {
  it('are hashed with scrypt and salted, and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('are hashed at the full cost by a shop opened without a test cost, and at the test cost under test', async () => {
    const shop = await openShop(loadConfig({ SHOP_SECRET: 'test-secret-test-secret-test-secret', LOG_LEVEL: 'silent' }), {
      logger: pino({ level: 'silent' }),
      database: 'memory',
      memoryFrom: pgliteTemplate(),
    });
    try {
      await signUp(shop, { email: 'full.cost@example.com', password: 'correct horse battery', locale: 'en' });
      expect((await shop.accounts.getByEmail('full.cost@example.com'))?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    } finally {
      await shop.close();
    }
    await signedUpBuyer(t.app, 'test.cost@example.com');
    expect((await t.shop.accounts.getByEmail('test.cost@example.com'))?.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/);
  });
});

describe('sign up and sign in', () => {
  it('creates an account and its engine customer, and signs the buyer in', async () => {
    const buyer = await signedUpBuyer(t.app, 'new.buyer@example.com');
    const dashboard = await buyer.agent.get('/').expect(200);
    expect(dashboard.text).toContain('action="/signout"');
    const customer = await t.shop.storage.customers.getByEmail('new.buyer@example.com');
    expect(customer).not.toBeNull();
    expect((await t.shop.accounts.getByEmail('NEW.BUYER@example.com'))?.customerId).toBe(customer?.id);
  });

  it('refuses a taken email (in any case) without a second customer', async () => {
    await signedUpBuyer(t.app, 'taken@example.com');
    const v = await visitor(t.app);
    const res = await v.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: v.csrf, email: 'Taken@Example.com', password: 'another password' })
      .expect(409);
    expect(res.text).toContain('already exists');
  });

  it('answers malformed sign-up input with field messages and writes nothing', async () => {
    const v = await visitor(t.app);
    const before = (await t.shop.storage.customers.list({ limit: 1000 })).items.length;
    for (const body of [
      {},
      { email: 'not-an-email', password: 'long enough password' },
      { email: 'ok@example.com', password: 'short' },
      { email: ['a', 'b'], password: { x: 1 } },
    ]) {
      const res = await v.agent
        .post('/signup')
        .type('form')
        .send({ _csrf: v.csrf, ...body });
      expect(res.status).toBe(400);
      expect(res.text).toContain('class="field-error"');
    }
    expect((await t.shop.storage.customers.list({ limit: 1000 })).items.length).toBe(before);
  });

  it('signs in with the right password only, and sends the buyer back where they were going', async () => {
    const buyer = await signedUpBuyer(t.app, 'returning@example.com');
    await buyer.agent.post('/signout').type('form').send({ _csrf: buyer.csrf }).expect(303);
    const v = await visitor(t.app);
    const wrong = await v.agent
      .post('/signin')
      .type('form')
      .send({ _csrf: v.csrf, email: 'returning@example.com', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong email or password');
    const right = await v.agent
      .post('/signin')
      .type('form')
      .send({ _csrf: v.csrf, email: 'returning@example.com', password: 'correct horse battery', next: '/wallet' });
    expect(right.status).toBe(303);
    expect(right.headers['location']).toBe('/wallet');
    const offsite = await v.agent
      .post('/signin')
      .type('form')
      .send({ _csrf: v.csrf, email: 'returning@example.com', password: 'correct horse battery', next: '//evil.example/' });
    expect(offsite.headers['location']).toBe('/dashboard');
  });

  it('rate-limits sign-in attempts per address', async () => {
    const v = await visitor(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await v.agent.post('/signin').type('form').send({ _csrf: v.csrf, email: 'nobody@example.com', password: 'guess' })).status,
      );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe('CSRF', () => {
  it('refuses a form without the token, with a token from another visitor, and accepts the right one', async () => {
    const v = await visitor(t.app);
    const none = await v.agent.post('/signup').type('form').send({ email: 'csrf@example.com', password: 'correct horse battery' });
    expect(none.status).toBe(403);
    const other = await visitor(t.app);
    const foreign = await v.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: other.csrf, email: 'csrf@example.com', password: 'correct horse battery' });
    expect(foreign.status).toBe(403);
    expect(await t.shop.accounts.getByEmail('csrf@example.com')).toBeNull();
    const ok = await v.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: v.csrf, email: 'csrf@example.com', password: 'correct horse battery' });
    expect(ok.status).toBe(303);
  });

  it('refuses a cookie-less post (no token can match)', async () => {
    const page = await supertest(t.app).get('/signin');
    const res = await supertest(t.app)
      .post('/signout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(403);
  });
});

describe('pages around', () => {
  it('serves the catalog grouped by location, in Farsi right to left with Persian digits', async () => {
    const v = await visitor(t.app);
    const en = await v.agent.get('/').expect(200);
    expect(en.text).toContain('<html lang="en" dir="ltr">');
    expect(en.text).toMatch(/data-location="de"[\s\S]*Germany[\s\S]*data-location="nl"[\s\S]*Netherlands/);
    await v.agent.get('/lang/fa?next=/').expect(303);
    const fa = await v.agent.get('/').expect(200);
    expect(fa.text).toContain('<html lang="fa" dir="rtl">');
    expect(fa.text).toContain('آلمان');
    expect(fa.text).toContain('۳۰ روز');
  });

  it('answers unknown pages with 404 in the page language, and malformed JSON with 400, never 500', async () => {
    const v = await visitor(t.app);
    expect((await v.agent.get('/no/such/page')).status).toBe(404);
    const res = await v.agent.post('/signin').set('content-type', 'application/json').set('x-csrf-token', v.csrf).send('{"email":');
    expect(res.status).toBe(400);
  });

  it('has /healthz and /metrics', async () => {
    const health = await supertest(t.app).get('/healthz').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.clock).toMatchObject({ status: 'within', maxOffsetMs: 5000 });
    const metrics = await supertest(t.app).get('/metrics').expect(200);
    expect(metrics.text).toContain('shop_subscriptions{status="active"}');
    expect(metrics.text).toMatch(/^shop_clock_offset_seconds -?\d/m);
  });

  it('says /healthz is degraded, still 200, while this process’s clock is off the database’s', async () => {
    const kit = t.shop.kit as { clockOffset: typeof t.shop.kit.clockOffset };
    const measured = kit.clockOffset;
    // The real measurement is the SDK's (its own tests move a replica's clock); here only what the route makes of it.
    kit.clockOffset = async () => ({ offsetMs: 600_000, roundTripMs: 1, maxOffsetMs: 5_000, status: 'off' });
    try {
      const health = await supertest(t.app).get('/healthz').expect(200);
      expect(health.body).toMatchObject({ status: 'degraded', database: 'up', clock: { status: 'off', offsetMs: 600_000 } });
    } finally {
      kit.clockOffset = measured;
    }
  });
});
