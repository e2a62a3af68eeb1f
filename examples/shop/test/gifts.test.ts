/**
 * Gift subscriptions through every channel: bought from the wallet on the web, the JSON API and the bot; claimed
 * once by another account by the link (`/gift/<code>`), the API, `/gift <code>` or the bot's `/start gift_<code>`;
 * the giver's list says whether each was claimed; an unclaimed gift goes back to the giver's wallet after the
 * owner's period, once.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNotification } from '../src/app/notifications/render.js';
import { translator } from '../src/i18n/translate.js';
import { fundedBuyer, postForm } from './support/admin-support.js';
import { balanceOf, idempotencyKeyFrom, planNamed } from './support/buying.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, type Visitor } from './support/shop-under-test.js';
import { startBotShop, textOf, TelegramUser, type BotShop } from './support/telegram-driver.js';

const en = translator('en');
let s: BotShop;
let planId: string;
let price: number;
beforeAll(async () => {
  s = await startBotShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
  planId = plan.id;
  price = plan.price.amount;
});
afterAll(() => s.close());

/** Buys a gift of the plan on the web's gifts page; its code, read back from the page. */
async function giftOnTheWeb(giver: Visitor): Promise<string> {
  const page = await giver.agent.get('/gifts').expect(200);
  await postForm({ agent: giver.agent, csrf: csrfFrom(page.text) }, '/gifts', { planId, idempotencyKey: idempotencyKeyFrom(page.text) })
    .expect(303)
    .expect('location', '/gifts?done=gifts.bought');
  const after = await giver.agent.get('/gifts').expect(200);
  const code = /value="([A-Z2-9]{16})" data-testid="gift-code"/.exec(after.text)?.[1];
  if (code === undefined) throw new Error('no gift code on the page');
  return code;
}

/** The notifications a customer was given of `kind`, read from the shop's table. */
const noticesOf = async (customerId: string, kind: string) =>
  (
    await s.t.shop.db.query<{ params: Record<string, unknown> }>(
      `SELECT params FROM ${s.t.shop.shopSchema}.notifications WHERE customer_id = $1 AND kind = $2`,
      [customerId, kind],
    )
  ).rows.map((r) => r.params);

const subscriptionsOf = async (customerId: string) =>
  (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 50 })).items;

describe('gifts on the web', () => {
  it('a giver pays once; another account claims the link once and owns a new subscription; the giver sees it claimed', async () => {
    const giver = await fundedBuyer(s.t, s.t.app, 3 * price);
    const page = await giver.agent.get('/gifts').expect(200);
    const key = idempotencyKeyFrom(page.text);
    const form = { agent: giver.agent, csrf: csrfFrom(page.text) };
    await postForm(form, '/gifts', { planId, idempotencyKey: key }).expect(303);
    // The same form sent again (a double click) charges nothing more.
    await postForm(form, '/gifts', { planId, idempotencyKey: key }).expect(303);
    expect(await balanceOf(s.t, giver.customerId)).toBe(2 * price);
    const list = await giver.agent.get('/gifts').expect(200);
    const code = /value="([A-Z2-9]{16})" data-testid="gift-code"/.exec(list.text)![1]!;
    expect(list.text).toContain(`/gift/${code}`);
    expect(list.text).toContain('data-status="unclaimed"');

    // The giver opens their own link: no claim button, and a claim is refused.
    const own = await giver.agent.get(`/gift/${code}`).expect(200);
    expect(own.text).not.toContain('data-testid="gift-claim-form"');
    expect(own.text).toContain(en('gifts.refused.own_gift'));
    await postForm({ agent: giver.agent, csrf: csrfFrom(own.text) }, `/gift/${code}`, {}).expect(409);

    const friend = await signedUpBuyer(s.t.app);
    const friendId = (await s.t.shop.storage.customers.getByEmail(friend.email))!.id;
    const offer = await friend.agent.get(`/gift/${code.toLowerCase()}`).expect(200);
    expect(offer.text).toContain('data-testid="gift-claim-form"');
    const claimed = await postForm({ agent: friend.agent, csrf: csrfFrom(offer.text) }, `/gift/${code}`, {}).expect(303);
    const subId = /^\/subscriptions\/([a-z]+_[A-Za-z0-9]+)\?done=gifts\.claimed$/.exec(claimed.headers['location'] ?? '')?.[1];
    expect(subId).toBeDefined();
    await s.t.drain();
    const sub = (await s.t.shop.storage.subscriptions.get(subId!))!;
    expect(sub).toMatchObject({ customerId: friendId, planId, status: 'active' });
    expect(await balanceOf(s.t, friendId)).toBe(0);
    // Posting again is the same claim, not a second subscription.
    await postForm({ agent: friend.agent, csrf: csrfFrom(offer.text) }, `/gift/${code}`, {}).expect(303);
    expect(await subscriptionsOf(friendId)).toHaveLength(1);

    const third = await signedUpBuyer(s.t.app);
    const late = await third.agent.get(`/gift/${code}`).expect(200);
    expect(late.text).toContain(en('gifts.refused.gift_claimed'));
    await postForm({ agent: third.agent, csrf: csrfFrom(late.text) }, `/gift/${code}`, {}).expect(409);

    const seen = await giver.agent.get('/gifts').expect(200);
    expect(seen.text).toContain('data-status="claimed"');
    // The giver is told once, by the notification the claim's transaction queued.
    await s.t.drain();
    expect(await noticesOf(giver.customerId, 'gift_claimed')).toEqual([expect.objectContaining({ planId })]);
    const message = renderNotification('gift_claimed', { plan: 'Frankfurt', planId }, { locale: 'ru', timeZone: 'UTC', shopName: 'Shop' });
    expect(message.subject).toBe('Ваш подарок «Frankfurt» получен');
    expect(seen.text).toContain('Claimed on');
  });

  it('refuses a gift the wallet cannot pay (402, nothing charged), an unknown code (404), and sends a visitor to sign in', async () => {
    const poor = await signedUpBuyer(s.t.app);
    const page = await poor.agent.get('/gifts').expect(200);
    await postForm({ agent: poor.agent, csrf: csrfFrom(page.text) }, '/gifts', {
      planId,
      idempotencyKey: idempotencyKeyFrom(page.text),
    }).expect(402);
    const poorId = (await s.t.shop.storage.customers.getByEmail(poor.email))!.id;
    expect(await s.t.shop.kit.gifts.listByGiver(poorId)).toEqual([]);
    await poor.agent.get('/gift/AAAAAAAAAAAAAAAA').expect(404);
    const typed = await poor.agent.get('/gift?code=not-a-code').expect(404);
    expect(typed.text).toContain(en('gifts.refused.unknown_code'));
    const res = await supertest(s.t.app).get('/gift/AAAAAAAAAAAAAAAA').expect(303);
    expect(res.headers['location']).toBe(`/signin?next=${encodeURIComponent('/gift/AAAAAAAAAAAAAAAA')}`);
  });

  it('an unclaimed gift goes back to the giver’s wallet after the owner’s period, once, and can no longer be claimed', async () => {
    const admin = await signedInAdmin(s.t.app);
    const settings = await admin.agent.get('/admin/settings/gifts').expect(200);
    await postForm({ agent: admin.agent, csrf: csrfFrom(settings.text) }, '/admin/settings/gifts', { validDays: '0' }).expect(400);
    await postForm({ agent: admin.agent, csrf: csrfFrom(settings.text) }, '/admin/settings/gifts', { validDays: '2' })
      .expect(303)
      .expect('location', '/admin/settings/gifts?done=gifts.saved');
    const giver = await fundedBuyer(s.t, s.t.app, price);
    const code = await giftOnTheWeb(giver);
    expect(await balanceOf(s.t, giver.customerId)).toBe(0);
    s.t.clock.advance(3 * 86_400_000);
    const scheduler = s.t.shop.kit.createScheduler();
    expect((await scheduler.tick()).giftsExpired).toBeGreaterThanOrEqual(1);
    expect(await s.t.shop.kit.gifts.expireDue()).toBe(0);
    expect(await balanceOf(s.t, giver.customerId)).toBe(price);
    await s.t.drain();
    expect(await noticesOf(giver.customerId, 'gift_refunded')).toEqual([expect.objectContaining({ amount: price })]);
    const list = await giver.agent.get('/gifts').expect(200);
    expect(list.text).toContain('data-status="expired"');
    const friend = await signedUpBuyer(s.t.app);
    const offer = await friend.agent.get(`/gift/${code}`).expect(200);
    expect(offer.text).toContain(en('gifts.refused.gift_expired'));
    await postForm({ agent: friend.agent, csrf: csrfFrom(offer.text) }, `/gift/${code}`, {}).expect(409);
    await postForm({ agent: admin.agent, csrf: csrfFrom(settings.text) }, '/admin/settings/gifts', { validDays: '30' }).expect(303);
  });
});

describe('gifts in the JSON API', () => {
  it('buys (201, then 200 for the same key), lists, and claims once; bad input is 400 and the giver’s own claim 409', async () => {
    const giver = await fundedBuyer(s.t, s.t.app, 2 * price);
    const api = (v: Visitor) => ({
      get: (path: string) => v.agent.get(path).set('accept', 'application/json'),
      post: (path: string, body: object) => v.agent.post(path).set('x-csrf-token', v.csrf).send(body),
    });
    await api(giver).post('/api/v1/gifts', { planId, idempotencyKey: 'api-gift-0001', extra: 1 }).expect(400);
    const first = await api(giver).post('/api/v1/gifts', { planId, idempotencyKey: 'api-gift-0001' }).expect(201);
    expect(first.body).toMatchObject({ replayed: false, gift: { planId, status: 'unclaimed' } });
    const code = first.body.gift.code as string;
    expect(first.body.gift.link).toMatch(new RegExp(`/gift/${code}$`));
    await api(giver).post('/api/v1/gifts', { planId, idempotencyKey: 'api-gift-0001' }).expect(200);
    expect(await balanceOf(s.t, giver.customerId)).toBe(price);
    expect((await api(giver).post('/api/v1/gifts/claim', { code }).expect(409)).body.error.code).toBe('gifts.refused.own_gift');

    const friend = await signedUpBuyer(s.t.app);
    await api(friend).post('/api/v1/gifts/claim', {}).expect(400);
    expect((await api(friend).post('/api/v1/gifts/claim', { code: 'AAAAAAAAAAAAAAAA' }).expect(404)).body.error.code).toBe(
      'gifts.refused.unknown_code',
    );
    const claimed = await api(friend).post('/api/v1/gifts/claim', { code }).expect(201);
    expect(claimed.body).toMatchObject({ replayed: false, planId });
    expect(claimed.body.subscriptionIds).toHaveLength(1);
    expect((await api(friend).post('/api/v1/gifts/claim', { code }).expect(200)).body.orderId).toBe(claimed.body.orderId);
    const other = await signedUpBuyer(s.t.app);
    expect((await api(other).post('/api/v1/gifts/claim', { code }).expect(409)).body.error.code).toBe('gifts.refused.gift_claimed');

    const listed = await api(giver).get('/api/v1/gifts').expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ code, status: 'claimed', claimedAt: expect.any(String) })]);
  });
});

describe('gifts in the bot', () => {
  it('buys a gift from the menu, and another user claims it by the /start link; /gift without a code says how', async () => {
    const { shop, clock } = s.t;
    const giver = new TelegramUser(s.fake, clock, 7701);
    const menu = await giver.send(giver.message('/start'));
    const giverId = (await shop.storage.customers.getByExternalRef(`telegram:${giver.id}`))!.id;
    await shop.kit.topUp({
      customerId: giverId,
      amount: { amount: price, currency: shop.config.currency },
      idempotencyKey: 'bot-gift-topup',
    });
    const gifts = await giver.press(menu, 'gft');
    expect(textOf(gifts)).toContain(en('gifts.given.none'));
    const plans = await giver.press(gifts, 'gfb');
    const offer = await giver.press(plans, `gfp:${planId}`);
    const bought = await giver.press(offer, 'gfy:');
    expect(textOf(bought)).toContain(en('gifts.notices.bought'));
    const code = /([A-Z2-9]{16})/.exec(textOf(bought))![1]!;
    expect(textOf(bought)).toContain(`?start=gift_${code}`);
    expect(await balanceOf(s.t, giverId)).toBe(0);
    // A second tap on the same pay button buys nothing more.
    await giver.press(offer, 'gfy:');
    expect(await shop.kit.gifts.listByGiver(giverId)).toHaveLength(1);

    const friend = new TelegramUser(s.fake, clock, 7702);
    const claimOffer = await friend.send(friend.message(`/start gift_${code}`));
    expect(textOf(claimOffer)).toContain(en('gifts.claim.intro'));
    const claimed = await friend.press(claimOffer, 'gfk:');
    expect(textOf(claimed)).toBe(en('gifts.notices.claimed'));
    const friendId = (await shop.storage.customers.getByExternalRef(`telegram:${friend.id}`))!.id;
    expect(await subscriptionsOf(friendId)).toHaveLength(1);

    const again = await giver.send(giver.message(`/gift ${code}`));
    expect(textOf(again)).toContain(en('gifts.refused.gift_claimed'));
    const hint = await friend.send(friend.message('/gift'));
    expect(textOf(hint)).toBe(en('gifts.claim.botHint'));
    const list = await giver.press(menu, 'gft');
    expect(textOf(list)).toContain('Claimed on');
  });
});
