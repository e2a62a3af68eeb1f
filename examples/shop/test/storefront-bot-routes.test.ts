/**
 * Issue 70, the bots' use cases on the web and the JSON API: the owner connects a storefront's bot and sets its
 * brand on /admin/storefronts/:id, the reseller on /account/storefront and /api/v1/storefront/{bot,brand}. Bad input
 * is a 4xx that saves nothing; a reseller reaches only its own storefront; the owner's routes refuse a reseller.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEGRAM_UNREACHABLE, WEBHOOK_NOT_SET } from '../src/app/storefronts/bot-health-source.js';
import { storefrontBots } from '../src/app/storefront-bots/connect-bot.js';
import { StorefrontUpdateLog } from '../src/db/storefront-telegram-updates.js';
import { storefrontBrands } from '../src/app/storefront-bots/brand.js';
import { customerIdOf, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, type Visitor } from './support/shop-under-test.js';
import { startBotShop, type BotShop } from './support/telegram-driver.js';

let s: BotShop;
let owner: Visitor;
beforeAll(async () => {
  s = await startBotShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  owner = await signedInAdmin(s.t.app);
});
afterAll(() => s?.close());

/** Posts a form the way a browser does: the page's CSRF token first. */
async function postForm(v: Visitor, page: string, action: string, fields: Record<string, string>) {
  const shown = await v.agent.get(page);
  const csrf = shown.status === 200 ? csrfFrom(shown.text) : v.csrf;
  return v.agent
    .post(action)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

/** A signed-up customer with a storefront the owner made; its id, and an API token with write scope. */
async function reseller(name: string) {
  const who = await signedUpBuyer(s.t.app);
  const customerId = await customerIdOf(s.t, who.email);
  const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  await s.t.shop.kit.resellers.setTerms(
    {
      customerId,
      creditLimit: { amount: 10_000, currency: s.t.config.currency },
      prices: [{ planId: plan.id, price: { amount: 100, currency: s.t.config.currency }, extensionPrice: null, trafficPricePerGiB: null }],
      removePlanIds: [],
    },
    { type: 'admin', id: null },
  );
  const { id } = await s.t.shop.kit.storefronts.create({ resellerId: customerId, name }, { type: 'admin', id: null });
  const account = await s.t.shop.accounts.getByEmail(who.email);
  const { token } = await s.t.shop.apiTokens.create(account!.id, name, ['read', 'write']);
  const get = (path: string) => supertest(s.t.app).get(path).set('authorization', `Bearer ${token}`).set('accept', 'application/json');
  const post = (path: string, body: object) =>
    supertest(s.t.app).post(path).set('authorization', `Bearer ${token}`).set('accept', 'application/json').send(body);
  return { ...who, customerId, storefrontId: id, get, post };
}

const botOf = (storefrontId: string) => storefrontBots(s.t.shop).byStorefront(storefrontId);
const brandOf = (storefrontId: string) => storefrontBrands(s.t.shop).get(storefrontId);

describe("a reseller's bot and brand", () => {
  it('connects its own bot by the JSON API; a bad or refused token is a 400 and saves nothing', async () => {
    const r = await reseller('Api Bot Shop');
    const bad = await r.post('/api/v1/storefront/bot', { token: 'not-a-token' }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('token');
    await r.post('/api/v1/storefront/bot', { token: '5550101:TEST-no-such-bot-token-at-all' }).expect(400);
    await r.post('/api/v1/storefront/bot', { token: 42 }).expect(400);
    await r.post('/api/v1/storefront/bot', { token: 'x', storefrontId: 'other' }).expect(400);
    expect(await botOf(r.storefrontId)).toBeNull();

    const token = s.fake.addBot(5550102, 'api_reseller_bot');
    const ok = await r.post('/api/v1/storefront/bot', { token }).expect(200);
    expect(ok.body).toEqual({ storefrontId: r.storefrontId, botId: '5550102', username: 'api_reseller_bot', webhookSet: true });
    expect(JSON.stringify(ok.body)).not.toContain(token.split(':')[1]);
    expect((await botOf(r.storefrontId))?.username).toBe('api_reseller_bot');

    // Another reseller cannot take the same bot: 409, its storefront keeps none.
    const other = await reseller('Api Bot Shop Two');
    await other.post('/api/v1/storefront/bot', { token }).expect(409);
    expect(await botOf(other.storefrontId)).toBeNull();
  });

  it('sets its own brand by the JSON API and the form; a bad brand is a 400 and changes nothing', async () => {
    const r = await reseller('Brand Shop');
    await r.post('/api/v1/storefront/brand', { shopName: '' }).expect(400);
    await r.post('/api/v1/storefront/brand', { shopName: 'X', welcome: { de: 'Hallo' } }).expect(400);
    await r.post('/api/v1/storefront/brand', { shopName: 'X', storefrontId: 'other' }).expect(400);
    expect(await brandOf(r.storefrontId)).toBeNull();
    const ok = await r
      .post('/api/v1/storefront/brand', { shopName: 'Brand VPN', welcome: { ru: 'Привет' }, planNames: { 'plan-x': { en: 'Basic' } } })
      .expect(200);
    expect(ok.body).toMatchObject({ storefrontId: r.storefrontId, shopName: 'Brand VPN', welcome: { ru: 'Привет' } });

    const page = await r.agent.get('/account/storefront').expect(200);
    expect(page.text).toContain('data-testid="storefront-brand-form"');
    // The form shows the brand as saved (a save sets it whole).
    expect(page.text).toContain('value="Brand VPN"');
    expect(page.text).toContain('value="Привет"');
    const refused = await postForm(r, '/account/storefront', '/account/storefront/brand', { shopName: 'y'.repeat(65) });
    expect(refused.status).toBe(400);
    expect((await brandOf(r.storefrontId))?.shopName).toBe('Brand VPN');
    const saved = await postForm(r, '/account/storefront', '/account/storefront/brand', {
      shopName: 'Form VPN',
      support: '@form_help',
      welcome_fa: 'خوش آمدید',
      welcome_en: '',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers['location']).toBe('/account/storefront?done=storefronts.brand_saved');
    // The plan names, which the form does not show, are kept.
    expect(await brandOf(r.storefrontId)).toMatchObject({
      shopName: 'Form VPN',
      support: '@form_help',
      welcome: { fa: 'خوش آمدید' },
      planNames: { 'plan-x': { en: 'Basic' } },
    });
  });

  it('connects its bot by the form; a malformed token is a 400 and saves nothing', async () => {
    const r = await reseller('Form Bot Shop');
    const refused = await postForm(r, '/account/storefront', '/account/storefront/bot', { token: '123:short' });
    expect(refused.status).toBe(400);
    expect(await botOf(r.storefrontId)).toBeNull();
    const token = s.fake.addBot(5550103, 'form_reseller_bot');
    const done = await postForm(r, '/account/storefront', '/account/storefront/bot', { token });
    expect(done.status).toBe(303);
    expect((await botOf(r.storefrontId))?.botId).toBe('5550103');
    expect((await r.agent.get(done.headers['location'] ?? '').expect(200)).text).toContain('Bot connected.');
  });

  it('answers 404 to a customer who runs no storefront and 401 to a visitor, saving nothing', async () => {
    const plain = await signedUpBuyer(s.t.app);
    const token = s.fake.addBot(5550104, 'nobody_bot');
    await plain.agent.post('/api/v1/storefront/bot').set('x-csrf-token', plain.csrf).send({ token }).expect(404);
    await plain.agent.post('/api/v1/storefront/brand').set('x-csrf-token', plain.csrf).send({ shopName: 'Mine' }).expect(404);
    await plain.agent.post('/account/storefront/bot').type('form').send({ _csrf: plain.csrf, token }).expect(404);
    await plain.agent.post('/account/storefront/brand').type('form').send({ _csrf: plain.csrf, shopName: 'Mine' }).expect(404);
    // A visitor: no session to act for (401), or no CSRF token for a cookie-less post (403).
    const visitor = await supertest(s.t.app).post('/api/v1/storefront/bot').set('accept', 'application/json').send({ token });
    expect([401, 403]).toContain(visitor.status);
    const { rows } = await s.t.shop.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${s.t.shop.shopSchema}.storefront_bots WHERE bot_id = 5550104`,
    );
    expect(rows[0]?.n).toBe(0);
  });
});

describe("the owner's bot and brand forms", () => {
  it('connects a bot and sets a brand on /admin/storefronts/:id; bad input is a 4xx and saves nothing', async () => {
    const r = await reseller('Owner Bot Shop');
    const page = `/admin/storefronts/${r.storefrontId}`;
    const shown = await owner.agent.get(page).expect(200);
    expect(shown.text).toContain('data-testid="storefront-bot-form"');
    expect((await postForm(owner, page, `${page}/bot`, { token: 'nope' })).status).toBe(400);
    expect((await postForm(owner, page, `${page}/brand`, { shopName: '' })).status).toBe(400);
    expect(await botOf(r.storefrontId)).toBeNull();
    expect(await brandOf(r.storefrontId)).toBeNull();
    const token = s.fake.addBot(5550105, 'owner_made_bot');
    expect((await postForm(owner, page, `${page}/bot`, { token })).headers['location']).toBe(`${page}?done=storefronts.bot_connected`);
    expect((await postForm(owner, page, `${page}/brand`, { shopName: 'Owner Made' })).status).toBe(303);
    expect((await botOf(r.storefrontId))?.username).toBe('owner_made_bot');
    expect((await brandOf(r.storefrontId))?.shopName).toBe('Owner Made');
    // An unknown storefront: 404, nothing saved.
    const unknown = s.fake.addBot(5550106, 'unknown_sf_bot');
    expect((await postForm(owner, page, '/admin/storefronts/sf_nope/bot', { token: unknown })).status).toBe(404);
  });

  it("refuses a reseller on another storefront's owner routes (403) and changes nothing", async () => {
    const victim = await reseller('Victim Shop');
    const intruder = await reseller('Intruder Shop');
    const token = s.fake.addBot(5550107, 'intruder_bot');
    const base = `/admin/storefronts/${victim.storefrontId}`;
    await intruder.agent.post(`${base}/bot`).type('form').send({ _csrf: intruder.csrf, token }).expect(403);
    await intruder.agent.post(`${base}/brand`).type('form').send({ _csrf: intruder.csrf, shopName: 'Hijacked' }).expect(403);
    expect(await botOf(victim.storefrontId)).toBeNull();
    expect(await brandOf(victim.storefrontId)).toBeNull();
    // Its own API names no storefront: the body's id is refused, its own storefront is the only one it can brand.
    await intruder.post('/api/v1/storefront/brand', { shopName: 'Hijacked', storefrontId: victim.storefrontId }).expect(400);
    expect(await brandOf(victim.storefrontId)).toBeNull();
  });
});

describe("a storefront bot's health in the back office", () => {
  it('reads connected, username, webhook and last update from the bots’ store; resuming sets the webhook again', async () => {
    const r = await reseller('Health Shop');
    const health = async () => (await r.get('/api/v1/storefront').expect(200)).body.bot;
    expect(await health()).toEqual({ state: 'none', username: null, problem: null, lastUpdateAt: null });

    const token = s.fake.addBot(5550201, 'health_shop_bot');
    await r.post('/api/v1/storefront/bot', { token }).expect(200);
    expect(await health()).toEqual({ state: 'working', username: 'health_shop_bot', problem: null, lastUpdateAt: null });

    const at = new Date('2026-11-20T10:00:00Z');
    await new StorefrontUpdateLog(s.t.shop.db, s.t.shop.shopSchema, { now: () => at }).claim('5550201', 77);
    expect((await health()).lastUpdateAt).toBe(at.toISOString());

    s.fake.failNext('getWebhookInfo', { code: 401, description: 'Unauthorized' });
    expect(await health()).toMatchObject({ state: 'failing', problem: 'Unauthorized' });
    s.fake.down = true;
    try {
      expect(await health()).toMatchObject({ state: 'failing', problem: TELEGRAM_UNREACHABLE });
    } finally {
      s.fake.down = false;
    }
    const page = await r.agent.get('/account/storefront').expect(200);
    expect(page.text).toContain('data-state="working"');

    // Telegram lost the webhook: failing until the owner resumes the storefront, which gives it back.
    s.fake.webhooks.delete(token);
    expect(await health()).toMatchObject({ state: 'failing', problem: WEBHOOK_NOT_SET });
    const base = `/admin/storefronts/${r.storefrontId}`;
    expect((await postForm(owner, base, `${base}/status`, { status: 'suspended' })).status).toBe(303);
    expect(await health()).toMatchObject({ state: 'failing' });
    const since = s.fake.calls.length;
    expect((await postForm(owner, base, `${base}/status`, { status: 'active' })).status).toBe(303);
    expect(s.fake.callsOf(token, since, 'setWebhook')).toHaveLength(1);
    expect(await health()).toMatchObject({ state: 'working', problem: null });
  });
});
