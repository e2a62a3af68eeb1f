/**
 * The shop as a Telegram Mini App (issue 47): sign-in from the launch data Telegram signs (valid, altered, expired,
 * dated ahead, replayed, a staff account's), landing on the customer the bot knows or the web account linked to that
 * Telegram user; the session that works inside Telegram's iframe and stays CSRF-protected; the CSP and framing of
 * its pages; the bot's menu button and main-menu button, given once across restarts.
 */
import { createHmac } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { telegramAccountEmail } from '../src/app/auth/telegram-buyers.js';
import { verifyInitData } from '../src/app/auth/telegram-init-data.js';
import { setStorefrontAddress } from '../src/app/storefronts/web-address.js';
import { TelegramLinkStore } from '../src/db/telegram-links.js';
import { menuButtonFor, syncMenuButton } from '../src/telegram/menu-button.js';
import type { BotCall } from './support/fake-telegram.js';
import { launchData } from './support/mini-app-launch.js';
import { csrfFrom, ADMIN } from './support/shop-under-test.js';
import { ADMIN_TELEGRAM_ID, startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';

const SESSION = '__Host-pk_session';

/** The `name=value` of the session cookie a response set, and the cookie's attributes. */
function sessionCookieOf(res: { headers: Record<string, unknown> }): { pair: string; token: string; attributes: string } | null {
  const line = ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith(`${SESSION}=`));
  if (line === undefined) return null;
  const pair = line.split(';')[0] as string;
  return { pair, token: decodeURIComponent(pair.slice(SESSION.length + 1)), attributes: line };
}

function webAppButtonOf(call: BotCall): { text: string; web_app?: { url: string } } | undefined {
  const markup = call.params['reply_markup'] as { inline_keyboard?: Array<Array<{ text: string; web_app?: { url: string } }>> } | undefined;
  return markup?.inline_keyboard?.flat().find((b) => b.web_app !== undefined);
}

describe('the Mini App on an https shop', () => {
  let s: BotShop;
  let token: string;
  const signIn = (initData: string, headers: Record<string, string> = {}) =>
    supertest(s.t.app)
      .post('/tg/app/session')
      .set({ origin: 'https://shop.example.com', ...headers })
      .send({ initData });

  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
    token = s.fake.token;
  });
  afterAll(() => s?.close());

  const accountOfSession = async (sessionToken: string) => {
    const accountId = await s.t.shop.sessions.accountFor(sessionToken);
    return accountId === null ? null : s.t.shop.accounts.get(accountId);
  };

  it('signs a buyer of the bot in as the bot’s customer, with a cookie Telegram’s iframe sends, and makes no second one', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7701);
    await buyer.send(buyer.message('/start'));
    const botCustomer = await shop.storage.customers.getByExternalRef('telegram:7701');
    expect(botCustomer).not.toBeNull();

    const res = await signIn(launchData(token, { id: 7701 }, clock.now())).expect(200);
    expect(res.body).toEqual({ next: '/dashboard' });
    const cookie = sessionCookieOf(res);
    expect(cookie?.attributes).toMatch(/; Secure/);
    expect(cookie?.attributes).toMatch(/; SameSite=None/);
    expect(cookie?.attributes).toMatch(/; Partitioned/);
    expect(cookie?.attributes).toMatch(/; HttpOnly/);
    const account = await accountOfSession(cookie!.token);
    expect(account?.customerId).toBe(botCustomer!.id);
    expect(account?.email).toBe(telegramAccountEmail('7701'));
    expect(account?.role).toBe('buyer');

    // The pages open for that session, as the bot's customer.
    const dashboard = await supertest(s.t.app).get('/dashboard').set('cookie', cookie!.pair).expect(200);
    expect(dashboard.text).toContain('Signed in through Telegram');

    // Opened again later: the same account, the same customer.
    clock.advance(60_000);
    const again = sessionCookieOf(await signIn(launchData(token, { id: 7701 }, clock.now())).expect(200));
    expect((await accountOfSession(again!.token))?.id).toBe(account?.id);
    expect(await shop.storage.customers.getByExternalRef('telegram:7701')).toEqual(botCustomer);
  });

  it('makes the bot’s customer for a Telegram user the bot has not met yet, and the bot then knows them as that one', async () => {
    const { shop, clock } = s.t;
    const res = await signIn(launchData(token, { id: 7702, language_code: 'fa', username: 'new_buyer' }, clock.now())).expect(200);
    const account = await accountOfSession(sessionCookieOf(res)!.token);
    const customer = await shop.storage.customers.get(account!.customerId);
    expect(customer?.externalRef).toBe('telegram:7702');
    expect(customer?.locale).toBe('fa');
    // The pages speak their Telegram's language, in Telegram's iframe too.
    const lang = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('pk_lang='));
    expect(lang).toMatch(/^pk_lang=fa;.*Partitioned; SameSite=None/);
    const dashboard = await supertest(s.t.app)
      .get('/dashboard')
      .set('cookie', [sessionCookieOf(res)!.pair, 'pk_lang=fa'].join('; '));
    expect(dashboard.text).toContain('lang="fa"');
    // A switch on the pages reaches the iframe too: a partitioned cookie beside the browser's Lax one.
    const switched = await supertest(s.t.app).get('/lang/ru').set('cookie', sessionCookieOf(res)!.pair).expect(303);
    const chosen = (switched.headers['set-cookie'] as unknown as string[]).filter((c) => c.startsWith('pk_lang=ru;'));
    expect(chosen.map((c) => /Partitioned; SameSite=None/.test(c)).sort()).toEqual([false, true]);
    expect((await shop.storage.customers.get(account!.customerId))?.locale).toBe('ru');
    // Signing out ends the session and clears its cookie, the partitioned one too.
    const out = await supertest(s.t.app)
      .post('/signout')
      .set('cookie', sessionCookieOf(res)!.pair)
      .type('form')
      .send({ _csrf: csrfFrom(dashboard.text) })
      .expect(303);
    const cleared = (out.headers['set-cookie'] as unknown as string[]).filter((c) => c.startsWith(`${SESSION}=;`));
    expect(cleared).toHaveLength(2);
    expect(cleared.some((c) => c.includes('Partitioned'))).toBe(true);
    expect(await accountOfSession(sessionCookieOf(res)!.token)).toBeNull();
    const links = new TelegramLinkStore(shop.db, shop.shopSchema, clock);
    expect((await links.byUsername('new_buyer'))?.customerId).toBe(customer?.id);
    const buyer = new TelegramUser(s.fake, clock, 7702, 'fa');
    await buyer.send(buyer.message('/start'));
    expect((await links.byTelegramUser('7702'))?.customerId).toBe(customer?.id);
  });

  it("makes a new Telegram user who came through a storefront's web address that storefront's buyer; a known one stays", async () => {
    const { shop, clock } = s.t;
    const reseller = await shop.kit.customers.create({ externalRef: 'reseller:mini-app', name: 'Mini reseller', locale: 'en' });
    const plan = (await shop.storage.plans.list({ onSale: true }))[0]!;
    await shop.kit.resellers.setPrice({ customerId: reseller.id, planId: plan.id, price: plan.price });
    const storefront = await shop.kit.storefronts.create({ resellerId: reseller.id, name: 'Mini Front' });
    const admin = await shop.accounts.getByEmail(ADMIN.email);
    await setStorefrontAddress(shop, storefront.id, { slug: 'mini-front', hosts: '' }, { accountId: admin!.id, role: 'admin' });
    const opened = await supertest(s.t.app).get('/store/mini-front').expect(303);
    const arrival = ((opened.headers['set-cookie'] as unknown as string[]) ?? []).find((c) => c.startsWith('__Host-pk_storefront='));
    expect(arrival).toBeDefined();
    const arrivalPair = arrival!.split(';')[0] as string;

    // The bot met this one before: the owner's buyer, and the Mini App does not move them.
    const known = new TelegramUser(s.fake, clock, 7711);
    await known.send(known.message('/start'));
    await signIn(launchData(token, { id: 7711 }, clock.now()), { cookie: arrivalPair }).expect(200);
    expect((await shop.storage.customers.getByExternalRef('telegram:7711'))?.storefrontId).toBeNull();

    const res = await signIn(launchData(token, { id: 7712 }, clock.now()), { cookie: arrivalPair }).expect(200);
    const customer = await shop.storage.customers.get((await accountOfSession(sessionCookieOf(res)!.token))!.customerId);
    expect(customer?.externalRef).toBe('telegram:7712');
    expect(customer?.storefrontId).toBe(storefront.id);
    expect((await shop.kit.storefronts.buyers(storefront.id, { limit: 10 })).items.map((c) => c.id)).toEqual([customer?.id]);
    // The address did its work: the arrival cookie is dropped, as after a web sign-up.
    expect((res.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith('__Host-pk_storefront=;'))).toBe(true);
    // Its pages wear the storefront's face.
    const dashboard = await supertest(s.t.app).get('/dashboard').set('cookie', sessionCookieOf(res)!.pair).expect(200);
    expect(dashboard.text).toMatch(/<a class="brand" href="\/">Mini Front<\/a>/);
  });

  it('signs a Telegram user linked to a web account in as that web account', async () => {
    const { shop, clock } = s.t;
    const web = await signUp(shop, { email: 'linked-web@example.com', password: 'correct horse battery', locale: 'en' });
    if (!web.ok) throw new Error('sign-up failed');
    const links = new TelegramLinkStore(shop.db, shop.shopSchema, clock);
    const buyer = new TelegramUser(s.fake, clock, 7703);
    await buyer.send(buyer.message(`/start ${await links.createToken(web.account.customerId)}`));
    expect((await links.byTelegramUser('7703'))?.customerId).toBe(web.account.customerId);

    const res = await signIn(launchData(token, { id: 7703 }, clock.now())).expect(200);
    expect((await accountOfSession(sessionCookieOf(res)!.token))?.id).toBe(web.account.id);
    expect(await shop.accounts.getByEmail(telegramAccountEmail('7703'))).toBeNull();
  });

  it('checks the signature as Telegram documents it (every field but hash, sorted, keyed by HMAC("WebAppData", token))', () => {
    const now = s.t.clock.now();
    const fields: Record<string, string> = {
      user: JSON.stringify({ id: 7710, first_name: 'Ada' }),
      auth_date: String(Math.floor(now.getTime() / 1000)),
      query_id: 'AAHq',
      signature: 'sig',
    };
    const checkString = Object.keys(fields)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('\n');
    const secret = createHmac('sha256', 'WebAppData').update(token).digest();
    const hash = createHmac('sha256', secret).update(checkString).digest('hex');
    const initData = new URLSearchParams({ ...fields, hash }).toString();
    expect(verifyInitData(initData, token, now, 3600)).toMatchObject({ ok: true, data: { user: { id: 7710 }, hash } });
    expect(verifyInitData(initData, `${token}x`, now, 3600)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses altered, foreign, expired, future-dated and malformed launch data, and changes nothing', async () => {
    const { shop, clock } = s.t;
    const now = clock.now();
    const valid = launchData(token, { id: 7720 }, now);
    const altered = valid.replace(encodeURIComponent('"id":7720'), encodeURIComponent('"id":7721'));
    expect(altered).not.toBe(valid);
    const otherBot = launchData('999999:ANOTHER-bot-token-abcdefghijk', { id: 7720 }, now);
    const expired = launchData(token, { id: 7720 }, new Date(now.getTime() - 3601_000));
    const future = launchData(token, { id: 7720 }, new Date(now.getTime() + 120_000));
    const noHash = valid.replace(/&?hash=[0-9a-f]+/, '');
    const twice = `${valid}&auth_date=1`;
    for (const [initData, status, reason] of [
      [altered, 401, 'bad_signature'],
      [otherBot, 401, 'bad_signature'],
      [expired, 401, 'expired'],
      [future, 401, 'future'],
      [noHash, 400, 'malformed'],
      [twice, 400, 'malformed'],
    ] as const) {
      const res = await signIn(initData).expect(status);
      expect(res.body.error).toBe(reason);
      expect(res.body.message).toBeTypeOf('string');
      expect(sessionCookieOf(res)).toBeNull();
    }
    expect(await shop.storage.customers.getByExternalRef('telegram:7720')).toBeNull();
    expect(await shop.storage.customers.getByExternalRef('telegram:7721')).toBeNull();
    // Within the window (59 minutes old, or 30 seconds ahead of a slow clock) it is taken.
    await signIn(launchData(token, { id: 7722 }, new Date(now.getTime() - 59 * 60_000))).expect(200);
    await signIn(launchData(token, { id: 7723 }, new Date(now.getTime() + 30_000))).expect(200);
  });

  it('refuses launch data used once already, in the buyer’s language', async () => {
    const initData = launchData(s.fake.token, { id: 7730 }, s.t.clock.now());
    await signIn(initData).expect(200);
    const replay = await signIn(initData, { 'accept-language': 'fa' }).set('cookie', 'pk_lang=fa').expect(409);
    expect(replay.body.error).toBe('replayed');
    expect(replay.body.message).toContain('قبلاً');
    expect(sessionCookieOf(replay)).toBeNull();
  });

  it('refuses a staff account: staff sign in with their password and second factor only', async () => {
    const { shop, clock } = s.t;
    const admin = await shop.accounts.getByEmail(ADMIN.email);
    const links = new TelegramLinkStore(shop.db, shop.shopSchema, clock);
    await links.relink({ telegramUserId: '7740', chatId: '7740', customerId: admin!.customerId });
    const res = await signIn(launchData(token, { id: 7740 }, clock.now())).expect(403);
    expect(res.body.error).toBe('staff');
    expect(sessionCookieOf(res)).toBeNull();
  });

  it('refuses a bot admin (TELEGRAM_ADMIN_IDS) before making anything: no customer, no account, no session', async () => {
    const { shop, clock } = s.t;
    const adminId = String(ADMIN_TELEGRAM_ID);
    const before = await shop.storage.customers.getByExternalRef(`telegram:${adminId}`);
    const res = await signIn(launchData(token, { id: ADMIN_TELEGRAM_ID }, clock.now()), { 'accept-language': 'ru' })
      .set('cookie', 'pk_lang=ru')
      .expect(403);
    expect(res.body).toEqual({ error: 'staff', message: expect.stringContaining('Telegram') });
    expect(res.body.message).toContain('Сотрудники');
    expect(sessionCookieOf(res)).toBeNull();
    expect(await shop.accounts.getByEmail(telegramAccountEmail(adminId))).toBeNull();
    expect(await shop.storage.customers.getByExternalRef(`telegram:${adminId}`)).toEqual(before);
    expect(await new TelegramLinkStore(shop.db, shop.shopSchema, clock).byTelegramUser(adminId)).toBeNull();
  });

  it('takes the launch data only as JSON from the shop’s own origin (no form from another site can sign anyone in)', async () => {
    const initData = launchData(token, { id: 7750 }, s.t.clock.now());
    await supertest(s.t.app).post('/tg/app/session').type('form').send({ initData }).expect(415);
    await signIn(initData, { origin: 'https://evil.example' }).expect(403);
    await signIn(initData).expect(200);
  });

  it('keeps CSRF on a Mini App session: a state change needs the session’s own token', async () => {
    const { clock } = s.t;
    const cookie = sessionCookieOf(await signIn(launchData(token, { id: 7760 }, clock.now())).expect(200))!;
    const agent = supertest(s.t.app);
    const wallet = await agent.get('/wallet').set('cookie', cookie.pair).expect(200);
    const body = { amount: '5', idempotencyKey: 'mini-app-topup-0001' };
    await agent.post('/wallet/topup/test').set('cookie', cookie.pair).type('form').send(body).expect(403);
    await agent
      .post('/wallet/topup/test')
      .set('cookie', cookie.pair)
      .type('form')
      .send({ ...body, _csrf: 'forged' })
      .expect(403);
    const done = await agent
      .post('/wallet/topup/test')
      .set('cookie', cookie.pair)
      .type('form')
      .send({ ...body, _csrf: csrfFrom(wallet.text) })
      .expect(303);
    expect(done.headers['location']).toMatch(/^\/wallet\?done=/);
  });

  it('serves its page under the shop’s own CSP, framed only by Telegram Web, and keeps the back office unframeable', async () => {
    const page = await supertest(s.t.app).get('/tg/app').expect(200);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain('frame-ancestors https://web.telegram.org');
    expect(csp).not.toContain('telegram.org/js');
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.text).toContain('<script src="/assets/miniapp.js" defer></script>');
    expect(page.text).toContain('data-endpoint="/tg/app/session"');
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const admin = await supertest(s.t.app).get('/admin').expect(303);
    expect(admin.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(admin.headers['x-frame-options']).toBe('SAMEORIGIN');
    const script = await supertest(s.t.app).get('/assets/miniapp.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('gives the bot a menu button that opens the Mini App, once across restarts, and a button in its main menu', async () => {
    const { shop, clock } = s.t;
    const url = 'https://shop.example.com/tg/app';
    expect(await s.shopBot.bot.api.getChatMenuButton()).toEqual({ type: 'web_app', text: shop.config.shopName, web_app: { url } });
    const since = s.fake.calls.length;
    expect(await syncMenuButton(shop, s.shopBot.bot.api, menuButtonFor(shop.config.shopName, url), clock.now())).toBe(false);
    expect(s.fake.callsSince(since)).toHaveLength(0);
    const buyer = new TelegramUser(s.fake, clock, 7770);
    const menu = await buyer.send(buyer.message('/menu'));
    expect(webAppButtonOf(menu)).toEqual({ text: '🛍 Open the shop', web_app: { url } });
    // Without an https address the button goes back to Telegram's own, once.
    expect(await syncMenuButton(shop, s.shopBot.bot.api, menuButtonFor(shop.config.shopName, null), clock.now())).toBe(true);
    expect(await s.shopBot.bot.api.getChatMenuButton()).toEqual({ type: 'default' });
    expect(await syncMenuButton(shop, s.shopBot.bot.api, menuButtonFor(shop.config.shopName, null), clock.now())).toBe(false);
  });
});

describe('without an https address, or with the Mini App off', () => {
  it('offers no Mini App button on http, and no Mini App at all when TELEGRAM_MINI_APP is off', async () => {
    const http = await startBotShop({ env: { PUBLIC_URL: 'http://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
    try {
      const buyer = new TelegramUser(http.fake, http.t.clock, 7801);
      expect(webAppButtonOf(await buyer.send(buyer.message('/menu')))).toBeUndefined();
      expect(http.fake.calls.filter((c) => c.method === 'setChatMenuButton')).toEqual([]);
      // The sign-in itself works (Telegram signs the data, not the address), with a Lax cookie on http.
      const res = await supertest(http.t.app)
        .post('/tg/app/session')
        .send({ initData: launchData(http.fake.token, { id: 7801 }, http.t.clock.now()) })
        .expect(200);
      expect(res.headers['set-cookie']?.[0]).toMatch(/^pk_session=.*SameSite=Lax/);
    } finally {
      await http.close();
    }
    const off = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off', TELEGRAM_MINI_APP: 'off' } });
    try {
      const buyer = new TelegramUser(off.fake, off.t.clock, 7802);
      expect(webAppButtonOf(await buyer.send(buyer.message('/menu')))).toBeUndefined();
      await supertest(off.t.app).get('/tg/app').expect(404);
      const initData = launchData(off.fake.token, { id: 7802 }, off.t.clock.now());
      await supertest(off.t.app).post('/tg/app/session').send({ initData }).expect(403);
      const home = await supertest(off.t.app).get('/').expect(200);
      expect(home.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    } finally {
      await off.close();
    }
  });
});
