/**
 * Issue 71 (and 70): every way the web makes a customer (a password, an e-mailed code, an OpenID Connect identity)
 * passes the one new-accounts-per-network limit, past which nothing is made and the answer (429, Retry-After) names
 * no account; an existing account's sign-in is never slowed. A code sign-up from a storefront's web address makes
 * that storefront's buyer, and so does an identity-provider sign-up started on a storefront's own host name (issue 91:
 * it comes back to that host, where its state cookie is).
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl } from '../src/app/auth/oidc-client.js';
import { baseOnHost } from '../src/config/public-addresses.js';
import { saveOidcProvider } from '../src/app/auth/oidc-providers.js';
import { setStorefrontAddress } from '../src/app/storefronts/web-address.js';
import { customerIdOf, planNamed } from './support/buying.js';
import { startOidcIssuer, type OidcIssuer } from './support/oidc-issuer.js';
import { ADMIN, csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, startShop, type Agent, type ShopUnderTest } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const PROVIDER = 'local-issuer';
const CODE = /\b([0-9]{6})\b/;
const SLOWED = 'Too many new accounts were made from your network just now';

let t: ShopUnderTest;
let sink: SmtpSink;
let issuer: OidcIssuer;
beforeAll(async () => {
  sink = await startSmtpSink();
  issuer = await startOidcIssuer();
  t = await startShop({
    env: { TRUST_PROXY: 'on', SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>' },
    app: { rateLimits: { ...ROOMY_RATE_LIMITS, newAccountsPerNetwork: { limit: 2, windowMs: 10 * 60_000, thenOneEveryMs: 60_000 } } },
  });
  const owner = await t.shop.accounts.getByEmail(ADMIN.email);
  const actor = { type: 'admin' as const, id: owner?.id as string, role: 'admin' as const };
  const form = { preset: 'custom', id: PROVIDER, label: 'Local issuer', issuer: issuer.issuer };
  expect(await saveOidcProvider(t.shop, { ...form, clientId: issuer.clientId, clientSecret: issuer.clientSecret }, actor)).toEqual({
    ok: true,
  });
  issuer.redirectUris.add(callbackUrl(t.shop, PROVIDER));
});
afterAll(async () => {
  await t?.close();
  await issuer?.close();
  await sink?.close();
});

let n = 0;

/** Asks a code for `email` and enters the one mailed, from `ip`: the verify answer. */
async function codeSignIn(agent: Agent, ip: string, email: string) {
  const page = await agent.get('/signin/code').set('X-Forwarded-For', ip).expect(200);
  const csrf = csrfFrom(page.text);
  await agent.post('/signin/code').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email }).expect(200);
  await t.drain();
  const mail = sink.received.filter((m) => m.to.includes(email)).at(-1);
  const code = CODE.exec(mail?.subject ?? '')?.[1] ?? '';
  expect(code).not.toBe('');
  return agent.post('/signin/code/verify').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email, code });
}

/** A person signs in at the issuer and comes back to the shop from `ip`: the callback's answer. */
async function oidcSignIn(agent: Agent, ip: string, user: { sub: string; email: string }) {
  issuer.signedIn = { ...user, emailVerified: true };
  const start = await agent.get(`/signin/oidc/${PROVIDER}`).set('X-Forwarded-For', ip).expect(303);
  const atIssuer = await fetch(new URL(start.headers['location'] as string), { redirect: 'manual' });
  const back = new URL(atIssuer.headers.get('location') as string);
  return agent.get(`${back.pathname}${back.search}`).set('X-Forwarded-For', ip);
}

describe('new accounts per network on every way in', () => {
  it('by e-mail code: past the limit a right code makes nothing (429, no account named); a known address still signs in', async () => {
    const ip = (i: number) => `198.18.1.${i}`;
    const known = `code-known-${++n}@example.com`;
    expect((await codeSignIn(supertest.agent(t.app), ip(1), known)).status).toBe(303);
    expect((await codeSignIn(supertest.agent(t.app), ip(2), `code-${++n}@example.com`)).status).toBe(303);
    const third = `code-${++n}@example.com`;
    const slowed = await codeSignIn(supertest.agent(t.app), ip(3), third);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
    expect(slowed.text).toContain(SLOWED);
    expect(slowed.text).not.toMatch(/already exists|another account/i);
    expect(await t.shop.accounts.getByEmail(third)).toBeNull();
    expect(await t.shop.storage.customers.getByEmail(third)).toBeNull();
    // The existing account is not a new one: not slowed.
    expect((await codeSignIn(supertest.agent(t.app), ip(4), known)).status).toBe(303);
    t.clock.advance(61_000);
    expect((await codeSignIn(supertest.agent(t.app), ip(5), third)).status).toBe(303);
  });

  it('by an identity provider: past the limit nothing is made or joined (429); a joined identity still signs in', async () => {
    const ip = (i: number) => `198.18.2.${i}`;
    const person = (i: number) => ({ sub: `limit-${i}-${++n}`, email: `oidc-${i}-${n}@issuer.example` });
    const first = person(1);
    expect((await oidcSignIn(supertest.agent(t.app), ip(1), first)).status).toBe(303);
    expect((await oidcSignIn(supertest.agent(t.app), ip(2), person(2))).status).toBe(303);
    const third = person(3);
    const slowed = await oidcSignIn(supertest.agent(t.app), ip(3), third);
    expect(slowed.status).toBe(429);
    expect(slowed.text).toContain(SLOWED);
    expect(await t.shop.accounts.getByEmail(third.email)).toBeNull();
    expect((await oidcSignIn(supertest.agent(t.app), ip(4), first)).status).toBe(303);
  });

  it('by password: the refusal is the same whether or not the address has an account', async () => {
    const ip = '198.18.3.1';
    const signUp = async (email: string) => {
      const agent = supertest.agent(t.app);
      const page = await agent.get('/signup').set('X-Forwarded-For', ip).expect(200);
      return agent
        .post('/signup')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email, password: 'correct horse battery' });
    };
    const taken = `pw-${++n}@example.com`;
    expect((await signUp(taken)).status).toBe(303);
    expect((await signUp(`pw-${++n}@example.com`)).status).toBe(303);
    const [again, fresh] = [await signUp(taken), await signUp(`pw-${++n}@example.com`)];
    expect([again.status, fresh.status]).toEqual([429, 429]);
    expect(again.text).toContain(SLOWED);
    expect(again.text).not.toContain('already');
  });
});

/** A reseller's storefront (a price book of one plan), with the web address `address`; its id. */
async function storefrontAt(name: string, address: { slug: string; hosts: string }): Promise<string> {
  const reseller = `sf-reseller-${++n}@example.com`;
  // Each reseller from a network of its own: the limit of new accounts per network is not what this is about.
  expect((await codeSignIn(supertest.agent(t.app), `198.19.${n % 250}.1`, reseller)).status).toBe(303);
  const resellerId = await customerIdOf(t, reseller);
  const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
  await t.shop.kit.resellers.setTerms(
    {
      customerId: resellerId,
      creditLimit: { amount: 0, currency: t.config.currency },
      prices: [{ planId: plan.id, price: plan.price, extensionPrice: null, trafficPricePerGiB: null }],
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  const storefront = await t.shop.kit.storefronts.create({ resellerId, name });
  const owner = await t.shop.accounts.getByEmail(ADMIN.email);
  await setStorefrontAddress(t.shop, storefront.id, address, { accountId: owner!.id, role: 'admin' });
  return storefront.id;
}

describe("a code sign-up from a storefront's web address", () => {
  it("makes that storefront's buyer", async () => {
    const slug = `code-shop-${++n}`;
    const storefrontId = await storefrontAt('Code Shop', { slug, hosts: '' });
    const agent = supertest.agent(t.app);
    await agent.get(`/store/${slug}`).set('X-Forwarded-For', '198.18.5.1').expect(303);
    const email = `sf-code-${++n}@example.com`;
    expect((await codeSignIn(agent, '198.18.5.1', email)).status).toBe(303);
    expect((await t.shop.storage.customers.getByEmail(email))?.storefrontId).toBe(storefrontId);
  });
});

describe("an identity-provider sign-up on a storefront's own host name", () => {
  it("comes back to that host with its state cookie and makes that storefront's buyer", async () => {
    const host = `sso-${++n}.example.com`;
    const storefrontId = await storefrontAt('SSO Shop', { slug: `sso-shop-${n}`, hosts: host });
    issuer.redirectUris.add(callbackUrl(t.shop, PROVIDER, baseOnHost(t.config, host)));
    const ip = '198.18.7.1';
    const person = { sub: `sso-${n}`, email: `sso-${n}@issuer.example` };
    issuer.signedIn = { ...person, emailVerified: true };

    const start = await supertest(t.app).get(`/signin/oidc/${PROVIDER}`).set({ Host: host, 'X-Forwarded-For': ip }).expect(303);
    const cookies = ((start.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0] as string);
    expect(cookies.some((c) => c.startsWith('pk_oidc='))).toBe(true);
    const atIssuer = await fetch(new URL(start.headers['location'] as string), { redirect: 'manual' });
    const back = new URL(atIssuer.headers.get('location') as string);
    expect(back.hostname).toBe(host);
    // A browser sends the cookies of the host it comes back to: the start's only on the same host.
    const callback = supertest(t.app).get(`${back.pathname}${back.search}`).set({ Host: back.host, 'X-Forwarded-For': ip });
    const answer = await (back.hostname === host ? callback.set('Cookie', cookies.join('; ')) : callback);
    expect(answer.status).toBe(303);
    expect((await t.shop.storage.customers.getByEmail(person.email))?.storefrontId).toBe(storefrontId);
    expect((await t.shop.accounts.getByEmail(person.email))?.role).toBe('buyer');
  });

  it("lists the callback address of every storefront host on the owner's providers page", async () => {
    const host = `sso-listed-${++n}.example.com`;
    await storefrontAt('Listed Shop', { slug: `listed-shop-${n}`, hosts: host });
    const owner = await signedInAdmin(t.app);
    const page = await owner.agent.get('/admin/settings/sign-in').expect(200);
    expect(page.text).toContain(`<code>${callbackUrl(t.shop, PROVIDER)}</code>`);
    expect(page.text).toContain(`<code>${callbackUrl(t.shop, PROVIDER, baseOnHost(t.config, host))}</code>`);
    expect(callbackUrl(t.shop, PROVIDER, baseOnHost(t.config, host))).toContain(`//${host}`);
  });
});
