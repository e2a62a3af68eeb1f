/**
 * Issue 67: the ID token's signature is checked, not only its claims. The shop reaches an OpenID Connect issuer over
 * plain http on this machine, or through a TLS-intercepting proxy an owner runs: a token answer altered on the way
 * must not sign anyone in. Against a fake issuer (`support/oidc-issuer.ts`) that signs RS256 or ES256 (its keys at
 * `jwks_uri`) or HS256 (the client secret): each signs a buyer up; the same token with its signature's bytes flipped,
 * or re-signed with a key that is not the issuer's (another RSA key under the issuer's `kid`, HS256 keyed with
 * anything but the client secret), is refused (400) with nothing joined, no account, no session.
 */
import { generateKeyPairSync } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callbackUrl } from '../src/app/auth/oidc-client.js';
import { saveOidcProvider } from '../src/app/auth/oidc-providers.js';
import { oidcIdentitiesOf } from '../src/db/oidc-identities.js';
import { claimsOf, flipSignature, signJwt, startOidcIssuer, type IdTokenAlg, type OidcIssuer } from './support/oidc-issuer.js';
import { ADMIN, ROOMY_RATE_LIMITS, startShop, type Agent, type ShopUnderTest } from './support/shop-under-test.js';

const PROVIDER = 'local-issuer';

describe('the ID token’s signature at a sign-in with an OpenID Connect issuer', () => {
  let t: ShopUnderTest;
  let issuer: OidcIssuer;
  let person = 0;

  beforeAll(async () => {
    issuer = await startOidcIssuer();
    t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
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
  });
  afterEach(() => {
    issuer.alterIdToken = null;
  });

  /** A new person signed in at the issuer, with a verified address no account holds. */
  function newPerson(): { sub: string; email: string } {
    person += 1;
    const user = { sub: `person-${person}`, email: `person-${person}@issuer.example`, emailVerified: true };
    issuer.signedIn = user;
    return user;
  }

  /** The shop's start → the issuer's authorize (the person allows at once) → the shop's callback: its answer. */
  async function signIn(agent: Agent) {
    const start = await agent.get(`/signin/oidc/${PROVIDER}`).expect(303);
    const authorize = new URL(start.headers['location'] as string);
    expect(authorize.origin).toBe(issuer.issuer);
    const atIssuer = await fetch(authorize, { redirect: 'manual' });
    expect(atIssuer.status).toBe(302);
    const back = new URL(atIssuer.headers.get('location') as string);
    return agent.get(`${back.pathname}${back.search}`);
  }

  /** The person's `/start` through `/callback` is refused: 400, and nothing joined, made or signed in. */
  async function expectRefused(user: { sub: string; email: string }): Promise<void> {
    const agent = supertest.agent(t.app);
    const answer = await signIn(agent);
    expect(answer.status).toBe(400);
    expect(await oidcIdentitiesOf(t.shop).find(PROVIDER, user.sub)).toBeNull();
    expect(await t.shop.accounts.getByEmail(user.email)).toBeNull();
    expect((await agent.get('/dashboard').expect(303)).headers['location']).toMatch(/^\/signin/);
  }

  for (const alg of ['RS256', 'ES256', 'HS256'] as const satisfies readonly IdTokenAlg[]) {
    it(`${alg}: a token as signed signs the buyer up; the same token with its signature altered is refused`, async () => {
      issuer.alg = alg;
      const user = newPerson();
      const agent = supertest.agent(t.app);
      const landed = await signIn(agent);
      expect(landed.status).toBe(303);
      expect(landed.headers['location']).toBe('/?done=auth.signed_up');
      expect(await oidcIdentitiesOf(t.shop).find(PROVIDER, user.sub)).not.toBeNull();

      issuer.alterIdToken = flipSignature;
      await expectRefused(newPerson());
    });
  }

  it('refuses a token re-signed with a key that is not the issuer’s: another RSA key under its kid, or HS256 keyed with its public key', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    issuer.alg = 'RS256';
    issuer.alterIdToken = (idToken) => signJwt(claimsOf(idToken), 'RS256', { private: stranger.privateKey, kid: 'rsa-1' });
    await expectRefused(newPerson());
    // The classic confusion: an HMAC keyed with what anyone can read (the issuer's published key) instead of the secret.
    const published = (await (await fetch(`${issuer.issuer}/jwks`)).text()) as string;
    issuer.alterIdToken = (idToken) => signJwt(claimsOf(idToken), 'HS256', { secret: published });
    await expectRefused(newPerson());
  });
});
