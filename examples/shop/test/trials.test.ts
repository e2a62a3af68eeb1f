import type { User } from 'grammy/types';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkOf } from '../src/app/auth/new-account-throttle.js';
import { customerOfTelegramUser } from '../src/app/auth/telegram-buyers.js';
import { ShopError } from '../src/app/shop-error.js';
import { TelegramLinkStore } from '../src/db/telegram-links.js';
import { buy, customerIdOf, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({
    env: { TRUST_PROXY: 'on', TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: '3' },
    app: { rateLimits: { ...ROOMY_RATE_LIMITS, newAccountsPerNetwork: { limit: 10, windowMs: 10 * 60_000, thenOneEveryMs: 60_000 } } },
  });
});
afterAll(() => t.close());

let n = 0;
/** Signs up a new account from `ip` (behind the trusted proxy): the status, the body and the Retry-After header. */
async function signUpFrom(ip: string) {
  const agent = supertest.agent(t.app);
  const page = await agent.get('/signup').set('X-Forwarded-For', ip).expect(200);
  const res = await agent
    .post('/signup')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: `farm${++n}-${Date.now()}@example.com`, password: 'correct horse battery' });
  return { status: res.status, text: res.text, retryAfter: res.headers['retry-after'] as string | undefined };
}

describe('networkOf', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:203.0.113.9', '203.0.113.0/24'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0001:0002::9', '2001:db8:1:2::/64'],
    [undefined, 'unknown'],
    ['not an address', 'unknown'],
  ])('%s → %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });
});

describe('new accounts per network', () => {
  it('20 sign-ups from one network in a minute: 10 pass, the rest are slowed with 429, a clear text and Retry-After', async () => {
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await signUpFrom(`192.0.2.${i + 1}`));
    expect(results.map((r) => r.status)).toEqual([...Array(10).fill(303), ...Array(10).fill(429)]);
    const slowed = results[10]!;
    expect(slowed.text).toContain('Too many new accounts were made from your network just now');
    expect(Number(slowed.retryAfter)).toBeGreaterThan(0);
    expect(slowed.text).not.toMatch(/already exists|another account/i);
    // Another network is not slowed; this one gets its next account a minute later.
    expect((await signUpFrom('198.51.100.7')).status).toBe(303);
    t.clock.advance(61_000);
    expect((await signUpFrom('192.0.2.200')).status).toBe(303);
    expect((await signUpFrom('192.0.2.201')).status).toBe(429);
  });

  it('new Telegram users past the per-minute limit are slowed shop-wide; known users are not', async () => {
    const links = new TelegramLinkStore(t.shop.db, t.shop.shopSchema, t.shop.clock);
    const user = (id: number): User => ({ id, is_bot: false, first_name: `U${id}` });
    const base = 7_000_000 + Math.floor(Math.random() * 1_000_000);
    for (let i = 0; i < 3; i++) await customerOfTelegramUser(t.shop, links, user(base + i), String(base + i));
    const slowed = await customerOfTelegramUser(t.shop, links, user(base + 3), String(base + 3)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(slowed).toBeInstanceOf(ShopError);
    expect((slowed as ShopError).code).toBe('too_many_requests');
    expect((slowed as ShopError).messageKey).toBe('auth.newAccountsSlowed');
    expect(await t.shop.storage.customers.getByExternalRef(`telegram:${base + 3}`)).toBeNull();
    // A user the shop knows is served as before.
    expect((await customerOfTelegramUser(t.shop, links, user(base), String(base))).customer.telegramId).toBe(String(base));
    t.clock.advance(61_000);
    await customerOfTelegramUser(t.shop, links, user(base + 3), String(base + 3));
  });
});

describe('trials nobody can farm, in the shop', () => {
  it('a second trial through an +alias account is refused with a text that names no other account; the owner sees it on the web and in the API', async () => {
    t.clock.advance(10 * 60_000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const stamp = Date.now();
    const first = await signedUpBuyer(t.app, `trial.farmer${stamp}@example.com`);
    expect((await buy(first, plan.id, { trial: 'on' })).status).toBe(303);
    const second = await signedUpBuyer(t.app, `trial.farmer${stamp}+again@example.com`);
    const refused = await buy(second, plan.id, { trial: 'on' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('trial has already been used: one trial per person');
    expect(refused.text).not.toMatch(/another account|e-mail|same person/i);
    // The same words as the first account gets for its own second try.
    const own = await buy(first, plan.id, { trial: 'on' });
    expect(own.status).toBe(409);
    expect(own.text).toContain('trial has already been used: one trial per person');

    const secondId = await customerIdOf(t, second.email);
    const firstId = await customerIdOf(t, first.email);
    const admin = await signedInAdmin(t.app);
    const page = await admin.agent.get('/admin/trials').expect(200);
    expect(page.text).toContain('data-testid="trial-refusals"');
    expect(page.text).toContain(secondId);
    const api = await admin.agent.get('/api/v1/trial-refusals?limit=10').expect(200);
    const items = api.body.items as { customerId: string; matched: string[]; reason: string; planId: string }[];
    expect(items.find((r) => r.customerId === secondId)).toMatchObject({ reason: 'already_used', matched: ['email'], planId: plan.id });
    expect(items.find((r) => r.customerId === firstId)).toMatchObject({ reason: 'already_used', matched: ['account'] });

    // Buyers never see the list; bad input is a 400.
    await second.agent.get('/api/v1/trial-refusals').expect(403);
    await admin.agent.get('/api/v1/trial-refusals?limit=0').expect(400);
    await admin.agent.get('/api/v1/trial-refusals?limit=abc').expect(400);
    await admin.agent.get('/api/v1/trial-refusals?other=1').expect(400);
  });

  it('a trial taken in the bot refuses a web account that linked the same Telegram user', async () => {
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const links = new TelegramLinkStore(t.shop.db, t.shop.shopSchema, t.shop.clock);
    const telegramId = 8_000_000 + Math.floor(Math.random() * 1_000_000);
    t.clock.advance(61_000);
    const bot = await customerOfTelegramUser(t.shop, links, { id: telegramId, is_bot: false, first_name: 'Bot' }, String(telegramId));
    await t.shop.kit.checkout({ customerId: bot.customer.id, items: [{ planId: plan.id, trial: true }], idempotencyKey: 'bot-trial' });
    // A web account whose customer the same Telegram user is linked to (as after `/start <token>` from the web).
    const web = await signedUpBuyer(t.app);
    const webId = await customerIdOf(t, web.email);
    await t.shop.db.query(`UPDATE ${t.shop.shopSchema}.telegram_links SET customer_id = $1 WHERE telegram_user_id = $2`, [
      webId,
      String(telegramId),
    ]);
    const refused = await buy(web, plan.id, { trial: 'on' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('trial has already been used');
  });
});
