/**
 * Campaigns in the shop: the owner creates one in the admin (its bot and web links on the page, audited); a new buyer
 * who comes through its web link (`/signup?c=<slug>`) or its bot link (`/start campaign_<slug>`) belongs to it and gets
 * its welcome bonus and code once; a later campaign does not take them over, an existing buyer is not counted, and
 * the admin page counts sign-ups, first purchases and revenue net of refunds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { campaignBonusKey, createCampaign } from '../src/app/growth/campaigns.js';
import { launchData } from './support/mini-app-launch.js';
import { notificationsOf } from '../src/db/notifications.js';
import { adminGet, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, visitor } from './support/shop-under-test.js';
import { BOT_SHOP_URL, startBotShop, TelegramUser, type BotShop } from './support/telegram-driver.js';
import { campaignUrls } from '../src/config/public-addresses.js';

const PLAN = 'Frankfurt · 1 month · unlimited';

describe('campaigns', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  const welcomeNotices = async (customerId: string) =>
    (await notificationsOf(s.t.shop).history(customerId, { limit: 20 })).items.filter((n) => n.kind === 'campaign_welcome');
  const bonusEntries = async (customerId: string) =>
    (await s.t.shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.idempotencyKey === campaignBonusKey(customerId));

  it('the owner creates campaigns in the admin: bad input is refused, changing nothing; the page shows its links', async () => {
    const admin = await signedInAdmin(s.t.app);
    const page = await adminGet(admin, '/admin/campaigns');
    const create = (values: Record<string, string>) =>
      postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/campaigns', { slug: '', name: '', bonus: '', welcomeCode: '', ...values });
    expect((await create({ slug: 'no spaces', name: 'Bad' })).status).toBe(400);
    expect((await create({ slug: 'insta-ads', name: 'Instagram', bonus: 'lots' })).status).toBe(400);
    expect((await create({ slug: 'insta-ads', name: 'Instagram', welcomeCode: '!' })).status).toBe(400);
    expect((await adminGet(admin, '/admin/campaigns')).html).not.toContain('insta-ads');
    const made = await create({ slug: 'Insta-Ads', name: 'Instagram', bonus: '2.50', welcomeCode: 'hello10' });
    expect(made.status).toBe(303);
    expect((await create({ slug: 'insta-ads', name: 'Again' })).status).toBe(400); // the slug is taken
    expect((await create({ slug: 'tg-ads', name: 'Telegram ads' })).status).toBe(303);
    const shown = (await adminGet(admin, '/admin/campaigns')).html;
    // This app was built without the bot (its bot runs beside it): the web link only; both come from one builder.
    expect(shown).toContain(`${BOT_SHOP_URL}/signup?c=insta-ads`);
    expect(campaignUrls(s.t.shop.config, 'panelkit_test_bot', 'insta-ads')).toEqual({
      bot: 'https://t.me/panelkit_test_bot?start=campaign_insta-ads',
      web: `${BOT_SHOP_URL}/signup?c=insta-ads`,
    });
    const audit = await s.t.shop.storage.audit.list({ subjectType: 'campaign', subjectId: 'insta-ads' }, { limit: 5 });
    expect(audit.items.map((e) => [e.action, e.data['bonusAmount'], e.data['welcomeCode']])).toEqual([
      ['campaign.created', 250, 'HELLO10'],
    ]);
  });

  it('a buyer through the web link belongs to the campaign and gets its welcome once; a later link does not take them over', async () => {
    const v = await visitor(s.t.app);
    const form = await v.agent.get('/signup?c=insta-ads').expect(200);
    expect(form.text).toContain('name="c" value="insta-ads"');
    const email = `web-campaign-${Date.now()}@example.com`;
    await v.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email, password: 'correct horse battery', c: 'insta-ads' })
      .expect(303);
    const customer = (await s.t.shop.storage.customers.getByEmail(email))!;
    expect(await s.t.shop.storage.campaigns.get(customer.id)).toMatchObject({ campaign: 'insta-ads' });
    expect(await s.t.shop.storage.ledger.balance(customer.id, 'USD')).toBe(250);
    expect((await welcomeNotices(customer.id)).map((n) => [n.params['amount'], n.params['code']])).toEqual([[250, 'HELLO10']]);

    // The same buyer through another campaign's link, on the web and in the JSON API: still the first one, no more bonus.
    const dashboard = await v.agent.get('/dashboard').expect(200);
    const again = await v.agent
      .post('/campaigns/join')
      .type('form')
      .send({ _csrf: csrfFrom(dashboard.text), campaign: 'tg-ads' });
    expect(again.headers['location']).toBe('/dashboard?done=campaigns.already_joined');
    const api = await v.agent.post('/api/v1/campaigns/join').set('x-csrf-token', csrfFrom(dashboard.text)).send({ campaign: 'tg-ads' });
    expect(api.status).toBe(200);
    expect(api.body).toEqual({ campaign: 'insta-ads', joined: false, bonus: { amount: 0, currency: 'USD' }, welcomeCode: null });
    expect(await bonusEntries(customer.id)).toHaveLength(1);
    expect(await welcomeNotices(customer.id)).toHaveLength(1);
  });

  it('refuses an unknown campaign and a buyer who was not new, changing nothing', async () => {
    const buyer = await signedUpBuyer(s.t.app);
    const customer = (await s.t.shop.storage.customers.getByEmail(buyer.email))!;
    const unknown = await buyer.agent.post('/api/v1/campaigns/join').set('x-csrf-token', buyer.csrf).send({ campaign: 'nosuch' });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'campaigns.refused.unknown_campaign']);
    const bad = await buyer.agent.post('/api/v1/campaigns/join').set('x-csrf-token', buyer.csrf).send({ campaign: 'tg-ads', extra: 1 });
    expect(bad.status).toBe(400);
    s.t.clock.advance(11 * 60_000);
    const late = await buyer.agent.post('/api/v1/campaigns/join').set('x-csrf-token', buyer.csrf).send({ campaign: 'tg-ads' });
    expect([late.status, late.body.error?.code]).toEqual([409, 'campaigns.refused.not_new']);
    expect(await s.t.shop.storage.campaigns.get(customer.id)).toBeNull();
    expect(await bonusEntries(customer.id)).toEqual([]);
  });

  it('a bot user through the deep link at first contact belongs to the campaign; a user the bot met before does not', async () => {
    const { shop, clock } = s.t;
    const fresh = new TelegramUser(s.fake, clock, 9301, 'ru');
    await fresh.send(fresh.message('/start campaign_insta-ads'));
    const freshCustomer = (await shop.storage.customers.getByExternalRef(`telegram:${fresh.id}`))!;
    expect(await shop.storage.campaigns.get(freshCustomer.id)).toMatchObject({ campaign: 'insta-ads' });
    await fresh.send(fresh.message('/start campaign_insta-ads'));
    expect(await bonusEntries(freshCustomer.id)).toHaveLength(1);
    expect(await shop.storage.ledger.balance(freshCustomer.id, 'USD')).toBe(250);

    const old = new TelegramUser(s.fake, clock, 9302, 'en');
    await old.send(old.message('/start'));
    clock.advance(11 * 60_000);
    await old.send(old.message('/start campaign_tg-ads'));
    expect(await shop.storage.campaigns.get((await shop.storage.customers.getByExternalRef(`telegram:${old.id}`))!.id)).toBeNull();
  });

  it('the admin page counts sign-ups, first purchases and revenue net of refunds', async () => {
    const { shop } = s.t;
    const v = await visitor(s.t.app);
    const form = await v.agent.get('/signup?c=tg-ads').expect(200);
    const email = `buyer-campaign-${Date.now()}@example.com`;
    await v.agent
      .post('/signup')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email, password: 'correct horse battery', c: 'tg-ads' })
      .expect(303);
    const customerId = (await shop.storage.customers.getByEmail(email))!.id;
    await shop.kit.topUp({ customerId, amount: { amount: 100_000, currency: 'USD' }, idempotencyKey: `campaign-fund:${customerId}` });
    const plan = await planNamed(s.t, PLAN);
    const sub = await boughtAndProvisioned(s.t, v, plan.id);
    const orderId = (await shop.storage.subscriptions.get(sub))!.orderId!;
    await shop.kit.refund({
      customerId,
      orderId,
      amount: { amount: 100, currency: 'USD' },
      idempotencyKey: `campaign-refund:${customerId}`,
    });

    const admin = await signedInAdmin(s.t.app);
    const html = (await adminGet(admin, '/admin/campaigns')).html;
    const row = html.slice(html.indexOf('data-testid="campaign-tg-ads"'));
    const cell = (name: string) => new RegExp(`data-testid="${name}">([^<]*)<`).exec(row)?.[1];
    expect(cell('campaign-sign-ups')).toBe('1');
    expect(cell('campaign-first-purchases')).toBe('1');
    expect(cell('campaign-revenue')).toContain(((plan.price.amount - 100) / 100).toFixed(2));
  });
});

describe('a campaign through the Mini App', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' } });
  });
  afterAll(() => s?.close());

  it('a new user who opens the Mini App from a campaign link (startapp) belongs to the campaign', async () => {
    const { shop, clock } = s.t;
    await createCampaign(shop, { slug: 'app-ads', name: 'App ads', bonusAmount: 100, welcomeCode: null }, { type: 'admin', id: null });
    const initData = launchData(s.fake.token, { id: 9401 }, clock.now(), { start_param: 'campaign_app-ads' });
    await supertest(s.t.app).post('/tg/app/session').set({ origin: 'https://shop.example.com' }).send({ initData }).expect(200);
    const customer = (await shop.storage.customers.getByExternalRef('telegram:9401'))!;
    expect(await shop.storage.campaigns.get(customer.id)).toMatchObject({ campaign: 'app-ads' });
    expect(await shop.storage.ledger.balance(customer.id, 'USD')).toBe(100);
  });
});
