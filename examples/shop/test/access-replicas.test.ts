import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { csrfFrom, TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];

/** `name=value` of each cookie a response sets. */
function cookiesOf(res: { headers: Record<string, unknown> }): string {
  return ((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
}

/**
 * Per-account limits held by three web replicas (three OS processes on one PostgreSQL) at once: password guesses
 * spread over the replicas and over many addresses, and support staff's daily money cap. Nothing in one process's
 * memory could hold either.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `per-account limits across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'access-replicas-secret-access-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      LOG_LEVEL: 'silent',
      STAFF_TOTP: 'optional',
      TRUST_PROXY: 'on',
      SUPPORT_MONEY_PER_ACTION: '300',
      SUPPORT_MONEY_PER_DAY: '1000',
    };
    const beside = shopBesideReplicas(3, env);

    it('judges ten wrong passwords in all, whichever replica and address they reach at once', async () => {
      await signUp(beside.shop, { email: 'target@example.com', password: 'correct horse battery', locale: 'en' });
      const guesses = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const url = beside.replicas[i % beside.replicas.length] as string;
          const address = `198.51.100.${i + 1}`;
          const page = await supertest(url).get('/signin').set('x-forwarded-for', address).expect(200);
          const res = await supertest(url)
            .post('/signin')
            .set('x-forwarded-for', address)
            .set('cookie', cookiesOf(page))
            .type('form')
            .send({ _csrf: csrfFrom(page.text), email: 'target@example.com', password: `wrong-${i}` });
          return res.status;
        }),
      );
      expect(guesses.filter((s) => s === 401)).toHaveLength(10);
      expect(guesses.filter((s) => s === 429)).toHaveLength(20);
    });

    it("holds support staff's daily cap when corrections reach three replicas at once", async () => {
      const support = await signUp(beside.shop, {
        email: 'support@example.com',
        password: 'support-password-123',
        locale: 'en',
        role: 'support',
      });
      expect(support.ok).toBe(true);
      const buyer = await signUp(beside.shop, { email: 'buyer@example.com', password: 'correct horse battery', locale: 'en' });
      const customerId = buyer.ok ? buyer.account.customerId : '';
      const first = beside.replicas[0] as string;
      const page = await supertest(first).get('/signin').set('x-forwarded-for', '203.0.113.1').expect(200);
      const signedIn = await supertest(first)
        .post('/signin')
        .set('x-forwarded-for', '203.0.113.1')
        .set('cookie', cookiesOf(page))
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'support@example.com', password: 'support-password-123' })
        .expect(303);
      const cookie = `${cookiesOf(page)}; ${cookiesOf(signedIn)}`;
      // Six corrections of 3.00 against a day's cap of 10.00: three pass, whichever replicas take them.
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const url = beside.replicas[i % beside.replicas.length] as string;
          const form = await supertest(url).get(`/admin/customers/${customerId}`).set('cookie', cookie).expect(200);
          const nonce = /name="nonce" value="([^"]+)"/.exec(form.text)?.[1];
          const res = await supertest(url)
            .post(`/admin/customers/${customerId}/adjust`)
            .set('cookie', cookie)
            .type('form')
            .send({ _csrf: csrfFrom(form.text), direction: 'credit', amount: '3.00', note: 'goodwill', nonce });
          return res.status;
        }),
      );
      expect(results.filter((s) => s === 303)).toHaveLength(3);
      expect(results.filter((s) => s === 403)).toHaveLength(3);
      expect(await beside.shop.storage.ledger.balance(customerId, 'USD')).toBe(900);
    });
  },
);
