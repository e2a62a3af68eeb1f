import { generateSync } from 'otplib';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_GUESSES, signInThrottleOf } from '../src/db/sign-in-throttle.js';
import { notificationsOf } from '../src/db/notifications.js';
import { ADMIN, csrfFrom, ROOMY_RATE_LIMITS, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;

beforeAll(async () => {
  // Behind a proxy, so each guess can come from its own address.
  t = await startShop({ env: { TRUST_PROXY: 'on' }, app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

/** A fresh browser at `address`, with the CSRF token of its sign-in page. */
async function browserAt(address: string) {
  const agent = supertest.agent(t.app);
  const page = await agent.get('/signin').set('x-forwarded-for', address).expect(200);
  return { agent, csrf: csrfFrom(page.text), address };
}

async function kindsFor(customerId: string): Promise<string[]> {
  const { items } = await notificationsOf(t.shop).history(customerId, { limit: 50 });
  return items.map((n) => n.kind);
}

describe('sign-in guesses per account', () => {
  it('stops password guesses from many addresses after ten, tells the holder once, and lets them in after the window', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const b = await browserAt(`198.51.100.${i + 1}`);
      const res = await b.agent
        .post('/signin')
        .set('x-forwarded-for', b.address)
        .type('form')
        .send({ _csrf: b.csrf, email: buyer.email, password: `wrong-guess-${i}` });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // The right password is not judged either while the window is full.
    const right = await browserAt('203.0.113.9');
    const refused = await right.agent
      .post('/signin')
      .set('x-forwarded-for', right.address)
      .type('form')
      .send({ _csrf: right.csrf, email: buyer.email.toUpperCase(), password: 'correct horse battery' });
    expect(refused.status).toBe(429);
    expect((await kindsFor(customerId)).filter((k) => k === 'sign_in_locked')).toHaveLength(1);

    t.clock.advance(15 * 60_000 + 1);
    await right.agent
      .post('/signin')
      .set('x-forwarded-for', right.address)
      .type('form')
      .send({ _csrf: right.csrf, email: buyer.email, password: 'correct horse battery' })
      .expect(303);
  });

  it('answers an unknown email the same way (no hint of which emails have accounts)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const b = await browserAt(`192.0.2.${i + 1}`);
      const res = await b.agent
        .post('/signin')
        .set('x-forwarded-for', b.address)
        .type('form')
        .send({ _csrf: b.csrf, email: 'nobody-here@example.com', password: `guess-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('limits second-factor codes per account across sign-ins, and tells the holder', async () => {
    const owner = await browserAt('203.0.113.50');
    await owner.agent
      .post('/signin')
      .set('x-forwarded-for', owner.address)
      .type('form')
      .send({ _csrf: owner.csrf, ...ADMIN })
      .expect(303);
    const security = await owner.agent.get('/account/security').expect(200);
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(security.text)?.[1] as string;
    const codeNow = () => generateSync({ secret, epoch: Math.floor(t.clock.now().getTime() / 1000) });
    await owner.agent.post('/account/security/totp').type('form').send({ _csrf: owner.csrf, code: codeNow() }).expect(201);
    const customerId = (await t.shop.accounts.getByEmail(ADMIN.email))!.customerId;

    const judged: number[] = [];
    for (let signIn = 0; signIn < 4; signIn++) {
      const b = await browserAt(`203.0.113.${60 + signIn}`);
      await b.agent
        .post('/signin')
        .set('x-forwarded-for', b.address)
        .type('form')
        .send({ _csrf: b.csrf, ...ADMIN })
        .expect(303);
      const wrong = codeNow() === '123456' ? '654321' : '123456';
      for (let i = 0; i < 5; i++) {
        const res = await b.agent
          .post('/signin/second-factor')
          .set('x-forwarded-for', b.address)
          .type('form')
          .send({ _csrf: b.csrf, code: wrong });
        judged.push(res.status);
        if (res.status === 429) break;
      }
    }
    expect(judged.filter((s) => s === 401)).toHaveLength(10);
    expect(judged.filter((s) => s === 429).length).toBeGreaterThan(0);
    const b = await browserAt('203.0.113.70');
    await b.agent
      .post('/signin')
      .set('x-forwarded-for', b.address)
      .type('form')
      .send({ _csrf: b.csrf, ...ADMIN })
      .expect(303);
    await b.agent
      .post('/signin/second-factor')
      .set('x-forwarded-for', b.address)
      .type('form')
      .send({ _csrf: b.csrf, code: codeNow() })
      .expect(429);
    expect((await kindsFor(customerId)).filter((k) => k === 'sign_in_locked')).toHaveLength(1);

    t.clock.advance(60 * 60_000 + 1);
    const later = await browserAt('203.0.113.71');
    await later.agent
      .post('/signin')
      .set('x-forwarded-for', later.address)
      .type('form')
      .send({ _csrf: later.csrf, ...ADMIN })
      .expect(303);
    await later.agent
      .post('/signin/second-factor')
      .set('x-forwarded-for', later.address)
      .type('form')
      .send({ _csrf: later.csrf, code: codeNow() })
      .expect(303);
  });
});

describe('re-authentication guesses', () => {
  it('count against the account’s password window: a stolen session cannot guess its way to dangerous actions', async () => {
    const buyer = await signedUpBuyer(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await buyer.agent
        .post('/account/reauth')
        .set('x-forwarded-for', `192.0.2.${100 + i}`)
        .type('form')
        .send({ _csrf: buyer.csrf, password: `wrong-${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });
});

describe('old windows', () => {
  it('are forgotten a day after they start', async () => {
    const throttle = signInThrottleOf(t.shop);
    expect(await throttle.take(PASSWORD_GUESSES, 'stale@example.com')).toBe(true);
    expect(await throttle.deleteStale()).toBe(0);
    t.clock.advance(24 * 3600_000 + 1);
    expect(await throttle.deleteStale()).toBeGreaterThan(0);
  });
});
