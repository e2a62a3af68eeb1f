/**
 * Issue 57: sign-in with the Yandex ID and VK ID presets, against fakes that follow their published documentation
 * (`support/yandex-id-server.ts`, `support/vk-id-server.ts`), reached through `SIGN_IN_PRESET_ROOTS`: the callback,
 * the user read from each one's own API, a new buyer's account, a second sign-in to the same account, VK ID's
 * `device_id` and `state` repeated in its secret-less token exchange, refusals (a forged state, no sign-in cookie,
 * the person refusing at the provider), and an address an account already holds joining that account only by the
 * code mailed to it.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveOidcProvider } from '../src/app/auth/oidc-providers.js';
import { oidcIdentitiesOf } from '../src/db/oidc-identities.js';
import { ADMIN, ROOMY_RATE_LIMITS, csrfFrom, signedUpBuyer, startShop, type Agent, type ShopUnderTest } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { startVkIdServer, type VkIdServer } from './support/vk-id-server.js';
import { startYandexIdServer, type YandexIdServer } from './support/yandex-id-server.js';
import { callbackUrl } from '../src/app/auth/oidc-client.js';

const CODE = /\b([0-9]{6})\b/;

describe('sign-in with the Yandex ID and VK ID presets', () => {
  let t: ShopUnderTest;
  let yandex: YandexIdServer;
  let vk: VkIdServer;
  let sink: SmtpSink;

  beforeAll(async () => {
    [yandex, vk, sink] = await Promise.all([startYandexIdServer(), startVkIdServer(), startSmtpSink()]);
    t = await startShop({
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'Shop <shop@example.com>',
        SIGN_IN_PRESET_ROOTS: `yandex=${yandex.origin},vk=${vk.origin}`,
      },
      app: { rateLimits: ROOMY_RATE_LIMITS },
    });
    const owner = await t.shop.accounts.getByEmail(ADMIN.email);
    const actor = { type: 'admin' as const, id: owner?.id as string, role: 'admin' as const };
    const form = { id: '', label: '', issuer: '' };
    expect(
      await saveOidcProvider(t.shop, { ...form, preset: 'yandex', clientId: yandex.clientId, clientSecret: yandex.clientSecret }, actor),
    ).toEqual({ ok: true });
    expect(await saveOidcProvider(t.shop, { ...form, preset: 'vk', clientId: vk.clientId, clientSecret: '' }, actor)).toEqual({ ok: true });
    yandex.redirectUris.add(callbackUrl(t.shop, 'yandex'));
    vk.redirectUris.add(callbackUrl(t.shop, 'vk'));
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([yandex?.close(), vk?.close(), sink?.close()]);
  });

  /** The shop's start → the provider's authorize (the person there allows or refuses) → the shop's callback address. */
  async function throughProvider(agent: Agent, preset: 'yandex' | 'vk'): Promise<URL> {
    const start = await agent.get(`/signin/oidc/${preset}`).expect(303);
    const authorize = new URL(start.headers['location'] as string);
    expect(authorize.origin).toBe(preset === 'yandex' ? yandex.origin : vk.origin);
    expect(authorize.pathname).toBe('/authorize');
    const atProvider = await fetch(authorize, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const back = new URL(atProvider.headers.get('location') as string);
    expect(back.href.startsWith(callbackUrl(t.shop, preset))).toBe(true);
    return back;
  }

  const callback = (agent: Agent, back: URL) => agent.get(`${back.pathname}${back.search}`);

  it('Yandex ID: a new buyer signs up (the user read with `Authorization: OAuth`), then comes back to the same account', async () => {
    yandex.signedIn = { id: '1130000012345678', login: 'ivan.petrov', email: 'Ivan.Petrov@yandex.ru' };
    const agent = supertest.agent(t.app);
    const back = await throughProvider(agent, 'yandex');
    const landed = await callback(agent, back).expect(303);
    expect(landed.headers['location']).toBe('/?done=auth.signed_up');
    const joined = await oidcIdentitiesOf(t.shop).find('yandex', '1130000012345678');
    const account = await t.shop.accounts.get(joined?.accountId as string);
    expect(account?.role).toBe('buyer');
    // Yandex sends no `email_verified`: a new account does not take the address as verified.
    expect(account?.email).toMatch(/@oidc\.invalid$/);
    await agent.get('/dashboard').expect(200);

    const exchange = yandex.received.filter((r) => r.path === '/token').at(-1);
    expect(exchange?.form.get('client_secret')).toBe(yandex.clientSecret);
    expect(exchange?.form.get('code')).toBe(back.searchParams.get('code'));
    expect(exchange?.form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    const info = yandex.received.filter((r) => r.path === '/info').at(-1);
    expect(info?.headers.authorization).toMatch(/^OAuth /);
    expect(info?.query.get('format')).toBe('json');

    const again = supertest.agent(t.app);
    const second = await callback(again, await throughProvider(again, 'yandex')).expect(303);
    expect(second.headers['location']).toBe('/dashboard');
    expect((await oidcIdentitiesOf(t.shop).find('yandex', '1130000012345678'))?.accountId).toBe(account?.id);
  });

  it('VK ID: the secret-less exchange repeats the callback’s device_id and the sign-in’s state; its ID token is not in the way', async () => {
    vk.signedIn = { userId: '987654321', firstName: 'Anna', email: 'anna@vk.example' };
    const agent = supertest.agent(t.app);
    const back = await throughProvider(agent, 'vk');
    expect(back.searchParams.get('type')).toBe('code_v2');
    const landed = await callback(agent, back).expect(303);
    expect(landed.headers['location']).toBe('/?done=auth.signed_up');
    const joined = await oidcIdentitiesOf(t.shop).find('vk', '987654321');
    expect((await t.shop.accounts.get(joined?.accountId as string))?.role).toBe('buyer');

    const exchange = vk.received.filter((r) => r.path === '/oauth2/auth').at(-1);
    expect(exchange?.form.get('device_id')).toBe(back.searchParams.get('device_id'));
    expect(exchange?.form.get('state')).toBe(back.searchParams.get('state'));
    expect(exchange?.form.get('client_id')).toBe(vk.clientId);
    expect(exchange?.form.has('client_secret')).toBe(false);
    expect(exchange?.headers.authorization).toBeUndefined();
    const info = vk.received.filter((r) => r.path === '/oauth2/user_info').at(-1);
    expect(info?.form.get('client_id')).toBe(vk.clientId);
    expect(info?.form.get('access_token')).toMatch(/.+/);
  });

  it('refuses a forged state, a callback without the sign-in’s cookie and a refusal at the provider: nothing exchanged, nothing joined', async () => {
    vk.signedIn = { userId: '111222333', firstName: 'Oleg', email: 'oleg@vk.example' };
    yandex.signedIn = { id: '1130000099999999', login: 'oleg', email: 'oleg@yandex.ru' };
    for (const preset of ['vk', 'yandex'] as const) {
      const exchanges = () =>
        (preset === 'vk' ? vk : yandex).received.filter((r) => r.method === 'POST' && r.path !== '/oauth2/user_info').length;
      const before = exchanges();
      const agent = supertest.agent(t.app);
      const forged = await throughProvider(agent, preset);
      forged.searchParams.set('state', 'x'.repeat(43));
      await callback(agent, forged).expect(400);
      // The code is good, but its sign-in was started in another browser.
      const stranger = supertest.agent(t.app);
      await callback(stranger, await throughProvider(agent, preset)).expect(400);
      expect(exchanges()).toBe(before);
    }
    expect(await oidcIdentitiesOf(t.shop).find('vk', '111222333')).toBeNull();
    expect(await oidcIdentitiesOf(t.shop).find('yandex', '1130000099999999')).toBeNull();

    yandex.signedIn = null;
    const agent = supertest.agent(t.app);
    const refused = await throughProvider(agent, 'yandex');
    expect(refused.searchParams.get('error')).toBe('access_denied');
    await callback(agent, refused).expect(400);
  });

  for (const preset of ['yandex', 'vk'] as const) {
    it(`${preset}: an address an account holds joins it only by the code mailed to that account, never by itself`, async () => {
      const owner = await signedUpBuyer(t.app, `holder-${preset}@example.com`);
      const account = await t.shop.accounts.getByEmail(owner.email);
      const subject = preset === 'yandex' ? '1130000055555555' : '555555555';
      if (preset === 'yandex') yandex.signedIn = { id: subject, login: 'holder', email: owner.email };
      else vk.signedIn = { userId: subject, firstName: 'Holder', email: owner.email };

      const agent = supertest.agent(t.app);
      const landed = await callback(agent, await throughProvider(agent, preset)).expect(303);
      expect(landed.headers['location']).toBe('/signin/join');
      expect(await oidcIdentitiesOf(t.shop).find(preset, subject)).toBeNull();
      // Not signed in yet.
      expect((await agent.get('/dashboard').expect(303)).headers['location']).toMatch(/^\/signin/);

      const joinPage = await agent.get('/signin/join').expect(200);
      const csrf = csrfFrom(joinPage.text);
      await agent.post('/signin/join/send').type('form').send({ _csrf: csrf }).expect(200);
      await t.drain();
      const mail = sink.received.filter((m) => m.to.includes(owner.email)).at(-1);
      const code = CODE.exec(mail?.subject ?? '')?.[1] as string;
      expect(code).toMatch(/^[0-9]{6}$/);
      const wrong = code === '000000' ? '111111' : '000000';
      await agent.post('/signin/join/confirm').type('form').send({ _csrf: csrf, code: wrong }).expect(401);
      expect(await oidcIdentitiesOf(t.shop).find(preset, subject)).toBeNull();
      const joined = await agent.post('/signin/join/confirm').type('form').send({ _csrf: csrf, code }).expect(303);
      expect(joined.headers['location']).toBe('/dashboard?done=signin.joined');
      expect(await oidcIdentitiesOf(t.shop).find(preset, subject)).toMatchObject({ accountId: account?.id });

      // From now on the provider signs in to that account at once.
      const later = supertest.agent(t.app);
      const direct = await callback(later, await throughProvider(later, preset)).expect(303);
      expect(direct.headers['location']).toBe('/dashboard');
    });
  }
});
