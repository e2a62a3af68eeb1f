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
  /** Posts a sign-in from `b` (a fresh browser unless it is one that signed in before). */
  const signInFrom = (b: { agent: supertest.Agent; csrf: string; address: string }, email: string, password: string) =>
    b.agent.post('/signin').set('x-forwarded-for', b.address).type('form').send({ _csrf: b.csrf, email, password });

  it('slows password guesses from many addresses past ten to one every 30 s, tells the holder once, and never walls the holder out', async () => {
    const buyer = await signedUpBuyer(t.app);
    const holderBrowser = { ...buyer, address: '203.0.113.200' };
    await holderBrowser.agent.post('/signout').type('form').send({ _csrf: buyer.csrf }).expect(303);
    holderBrowser.csrf = csrfFrom((await holderBrowser.agent.get('/signin').expect(200)).text);
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await signInFrom(await browserAt(`198.51.100.${i + 1}`), buyer.email, `wrong-guess-${i}`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // A new browser waits for the delay, told how long; the right password is not judged before it ends.
    const right = await browserAt('203.0.113.9');
    const refused = await signInFrom(right, buyer.email.toUpperCase(), 'correct horse battery');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(refused.text).toContain('Try again in 30 seconds');
    expect((await kindsFor(customerId)).filter((k) => k === 'sign_in_locked')).toHaveLength(1);
    // The browser the holder signed in with before is not slowed by anyone else's guesses.
    await signInFrom(holderBrowser, buyer.email, 'correct horse battery').expect(303);

    // Past the delay, one guess is judged (a stranger's, here), then the next waits again.
    t.clock.advance(30_000);
    expect((await signInFrom(await browserAt('198.51.100.90'), buyer.email, 'wrong-again')).status).toBe(401);
    expect((await signInFrom(right, buyer.email, 'correct horse battery')).status).toBe(429);
    t.clock.advance(30_000);
    await signInFrom(right, buyer.email, 'correct horse battery').expect(303);
    expect((await kindsFor(customerId)).filter((k) => k === 'sign_in_locked')).toHaveLength(1);
  });

  it('walls one address off its account after ten wrong passwords, and only that address', async () => {
    const buyer = await signedUpBuyer(t.app);
    const guesser = await browserAt('198.51.100.150');
    for (let i = 0; i < 10; i++) expect((await signInFrom(guesser, buyer.email, `wrong-${i}`)).status).toBe(401);
    t.clock.advance(31_000);
    const walled = await signInFrom(guesser, buyer.email, 'correct horse battery');
    expect(walled.status).toBe(429);
    expect(Number(walled.headers['retry-after'])).toBeGreaterThan(14 * 60);
    // Another address is judged once the account's delay is over: the address wall is that address's alone.
    await signInFrom(await browserAt('198.51.100.151'), buyer.email, 'correct horse battery').expect(303);
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
  it('count against the session’s own window, and the holder is told: a stolen session cannot guess its way to dangerous actions', async () => {
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
    const customerId = (await t.shop.storage.customers.getByEmail(buyer.email))!.id;
    expect((await kindsFor(customerId)).filter((k) => k === 'sign_in_locked')).toHaveLength(1);
  });
});

describe('old windows', () => {
  it('are forgotten a day after they start', async () => {
    const throttle = signInThrottleOf(t.shop);
    expect(await throttle.take(PASSWORD_GUESSES, 'stale@example.com')).toEqual({ allowed: true });
    expect(await throttle.deleteStale()).toBe(0);
    t.clock.advance(24 * 3600_000 + 1);
    expect(await throttle.deleteStale()).toBeGreaterThan(0);
  });
});
