/**
 * Issue 92 end to end on the demo (`DEMO_WIREGUARD` on): buyers buy the WireGuard plan, the Telegram proxy plan and
 * the Xray + WireGuard bundle through the JSON API and the bot, the worker provisions them on the simulated panels,
 * and what comes back is each part's own: the `.conf` holds the part's derived private key, the Telegram links its
 * FakeTLS secret. The bundle is extended as one charge; the owner's refund of a WireGuard order removes its peer and
 * pays back once; the PasarGuard demo sells WireGuard on its WireGuard group too.
 */
import type { Subscription } from '@panelkit/sdk';
import { wireGuardPublicKey } from '@panelkit/sdk/adapter';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n/translate.js';
import { adminGet, postForm } from './support/admin-support.js';
import { balanceOf, boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import { csrfFrom, ROOMY_RATE_LIMITS, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';
import { buttonLabelled, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

const DAY = 86_400_000;
const WIREGUARD_PLAN = 'Frankfurt · WireGuard · 1 month';
const TELEGRAM_PLAN = 'Frankfurt · Telegram proxy · 1 month';
const BUNDLE_PLAN = 'Frankfurt · Xray + WireGuard · 1 month';
const WITH_KINDS = { DEMO_WIREGUARD: 'on' } as const;

/** A signed-up buyer with `amount` in the wallet and an API token made on the tokens page. */
async function apiBuyer(t: ShopUnderTest, amount: number) {
  const buyer = await signedUpBuyer(t.app);
  const customerId = await fund(t, buyer.email, amount);
  const page = await buyer.agent.get('/account/api-tokens').expect(200);
  const created = await buyer.agent
    .post('/account/api-tokens')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name: 'kinds' })
    .expect(201);
  const token = /id="new-token" type="text" readonly value="(pk_[^"]+)"/.exec(created.text)?.[1];
  if (token === undefined) throw new Error('no token on the page');
  const auth = { authorization: `Bearer ${token}` };
  return {
    customerId,
    get: (path: string) => supertest(t.app).get(path).set(auth),
    post: (path: string, body: object) => supertest(t.app).post(path).set(auth).send(body),
  };
}

type ApiBuyer = Awaited<ReturnType<typeof apiBuyer>>;

/** Buys one of the plan through `POST /api/v1/checkout`; returns the order's subscription ids. */
async function apiBuy(t: ShopUnderTest, buyer: ApiBuyer, planName: string): Promise<string[]> {
  const plan = await planNamed(t, planName);
  const res = await buyer.post('/api/v1/checkout', {
    items: [{ planId: plan.id, quantity: 1 }],
    idempotencyKey: `kinds-${plan.id}-${buyer.customerId}`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.order.subscriptions.map((s: { id: string }) => s.id);
}

/** The stored subscription (it must exist). */
async function stored(t: ShopUnderTest, id: string): Promise<Subscription> {
  const sub = await t.shop.storage.subscriptions.get(id);
  if (sub === null) throw new Error(`no subscription ${id}`);
  return sub;
}

/** Fetches a link's config file through the shop's own routes (the URL names the shop's public address). */
async function download(t: ShopUnderTest, url: string): Promise<string> {
  const res = await supertest(t.app)
    .get(new URL(url).pathname)
    .buffer(true)
    .parse((r, done) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (body += chunk));
      r.on('end', () => done(null, body));
    });
  expect(res.status).toBe(200);
  return res.body as string;
}

/** `text` matched literally in a RegExp (a base64 key has `+` and `/`). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The `PrivateKey` line of a `.conf`. */
const privateKeyOf = (conf: string) => /^PrivateKey = (\S+)$/m.exec(conf)?.[1];

/** `ee` + the part's derived 16-byte core + the FakeTLS domain in hex: its Telegram secret. */
const telegramSecretOf = (sub: Subscription) => new RegExp(`secret=ee${sub.remote.mtproto!.secretCore}[0-9a-f]+(&|$)`);

describe('buying each kind and a bundle through the JSON API', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ env: WITH_KINDS, app: { rateLimits: ROOMY_RATE_LIMITS } });
  });
  afterAll(() => t?.close());

  it('provisions WireGuard, Telegram and the bundle, and delivers each part its own config or proxy', async () => {
    const buyer = await apiBuyer(t, 10_000);
    const [wgId] = await apiBuy(t, buyer, WIREGUARD_PLAN);
    const [tgId] = await apiBuy(t, buyer, TELEGRAM_PLAN);
    const bundleIds = await apiBuy(t, buyer, BUNDLE_PLAN);
    expect(bundleIds).toHaveLength(2);
    const prices = await Promise.all([WIREGUARD_PLAN, TELEGRAM_PLAN, BUNDLE_PLAN].map(async (n) => (await planNamed(t, n)).price.amount));
    expect(await balanceOf(t, buyer.customerId)).toBe(10_000 - prices.reduce((a, b) => a + b, 0));
    await t.drain();

    const list = (await buyer.get('/api/v1/subscriptions').expect(200)).body.items as Array<Record<string, unknown>>;
    const byId = new Map(list.map((s) => [s.id, s]));
    expect(byId.get(wgId)).toMatchObject({ kind: 'wireguard', bundleId: null, status: 'active' });
    expect(byId.get(tgId)).toMatchObject({ kind: 'mtproto', bundleId: null, status: 'active' });
    const bundle = bundleIds.map((id) => byId.get(id)!);
    expect(bundle.map((s) => s.kind).sort()).toEqual(['wireguard', 'xray']);
    expect(bundle.map((s) => s.status)).toEqual(['active', 'active']);
    expect(bundle[0]!.bundleId).toMatch(/\S/);
    expect(bundle[1]!.bundleId).toBe(bundle[0]!.bundleId);

    // Each WireGuard part's .conf carries its own derived key, the one the panel holds for its peer.
    const bundleWg = bundle.find((s) => s.kind === 'wireguard')!.id as string;
    const panels = t.shop.demo!.panels;
    for (const id of [wgId!, bundleWg]) {
      const one = (await buyer.get(`/api/v1/subscriptions/${id}`).expect(200)).body;
      expect(one.delivery.config.url).toMatch(new RegExp(`/config/${id}\\.conf$`));
      const part = await stored(t, id);
      const conf = await download(t, one.delivery.config.url);
      expect(privateKeyOf(conf)).toBe(part.remote.wireguard!.privateKey);
      const sim = panels.find((p) => p.panel.id === part.panelId)!.sim;
      expect(sim.client(part.remote.username)?.privateKey).toBe(part.remote.wireguard!.privateKey);
    }
    expect(privateKeyOf(await download(t, (await buyer.get(`/api/v1/subscriptions/${wgId}`)).body.delivery.config.url))).not.toBe(
      (await stored(t, bundleWg)).remote.wireguard!.privateKey,
    );

    // The Telegram part's two links carry its FakeTLS secret (ee…), as the panel holds it.
    const tg = (await buyer.get(`/api/v1/subscriptions/${tgId}`).expect(200)).body;
    const tgPart = await stored(t, tgId!);
    expect(tg.delivery.telegram.tg).toMatch(/^tg:\/\/proxy\?/);
    expect(tg.delivery.telegram.https).toMatch(/^https:\/\/t\.me\/proxy\?/);
    for (const link of [tg.delivery.telegram.tg, tg.delivery.telegram.https]) expect(link).toMatch(telegramSecretOf(tgPart));
    const tgSim = panels.find((p) => p.panel.id === tgPart.panelId)!.sim;
    expect(tg.delivery.telegram.tg).toContain(`secret=${String(tgSim.client(tgPart.remote.username)!.secret)}`);
    // The Xray part of the bundle is delivered by its link, as ever.
    const xray = (await buyer.get(`/api/v1/subscriptions/${bundle.find((s) => s.kind === 'xray')!.id}`).expect(200)).body;
    expect(xray).toMatchObject({ kind: 'xray', delivery: null });
  });

  it('extends the bundle through the API as one charge of its total, every part moved by the term', async () => {
    const buyer = await apiBuyer(t, 10_000);
    const ids = await apiBuy(t, buyer, BUNDLE_PLAN);
    await t.drain();
    const before = await Promise.all(ids.map((id) => stored(t, id)));
    t.clock.set(new Date(before[0]!.expiresAt!.getTime() - DAY));
    const quote = (await buyer.get(`/api/v1/subscriptions/${ids[1]}/extension`).expect(200)).body;
    expect(quote.bundle.everyPart).toBe(true);
    const plan = await planNamed(t, BUNDLE_PLAN);
    expect(quote.quote.price).toEqual({ amount: plan.extension.price?.amount ?? plan.price.amount, currency: t.config.currency });

    const balance = await balanceOf(t, buyer.customerId);
    const body = { idempotencyKey: `bundle-extension-${buyer.customerId}` };
    const paid = await buyer.post(`/api/v1/subscriptions/${ids[1]}/extension`, body).expect(202);
    expect(paid.body.charged).toEqual(quote.quote.price);
    expect((await buyer.post(`/api/v1/subscriptions/${ids[1]}/extension`, body).expect(200)).body.replayed).toBe(true);
    expect(await balanceOf(t, buyer.customerId)).toBe(balance - quote.quote.price.amount);
    await t.drain();
    for (const part of before) {
      const after = await stored(t, part.id);
      expect(after.expiresAt!.getTime() - part.expiresAt!.getTime()).toBe(30 * DAY);
    }
  });
});

describe('the owner refunds a WireGuard order', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ env: WITH_KINDS });
  });
  afterAll(() => t?.close());

  it('removes the peer from the panel and pays the price back once', async () => {
    const plan = await planNamed(t, WIREGUARD_PLAN);
    const buyer = await signedUpBuyer(t.app);
    const customerId = await fund(t, buyer.email, 2_000);
    const subId = await boughtAndProvisioned(t, buyer, plan.id);
    const sub = await stored(t, subId);
    expect(sub).toMatchObject({ kind: 'wireguard', status: 'active' });
    const sim = t.shop.demo!.panels.find((p) => p.panel.id === sub.panelId)!.sim;
    const target = (await t.shop.storage.targets.get(sub.targetId!))!;
    const peersBefore = (await sim.peerAddresses(target)).length;
    expect(await sim.countClients(sub.remote.username)).toBe(1);
    const paidBalance = await balanceOf(t, customerId);

    const owner = await signedInAdmin(t.app);
    const page = await adminGet(owner, `/admin/orders/${sub.orderId}`);
    owner.csrf = page.csrf;
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const form = { amount: String(plan.price.amount / 100), note: 'No WireGuard app on the router', nonce };
    const done = await postForm(owner, `/admin/orders/${sub.orderId}/refund`, form);
    expect(done.status).toBe(303);
    expect(done.headers['location']).toBe(`/admin/orders/${sub.orderId}?done=adminOps.order_refunded_full`);
    await postForm(owner, `/admin/orders/${sub.orderId}/refund`, form).expect(303);
    await t.drain();

    expect((await stored(t, subId)).status).toBe('terminated');
    expect(await sim.countClients(sub.remote.username)).toBe(0);
    expect((await sim.peerAddresses(target)).length).toBe(peersBefore - 1);
    expect(await balanceOf(t, customerId)).toBe(paidBalance + plan.price.amount);
    const refunds = (await t.shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.kind === 'refund');
    expect(refunds.map((e) => e.amount)).toEqual([plan.price.amount]);
  });
});

describe('buying WireGuard and a Telegram proxy in the bot', () => {
  let s: BotShop;
  const en = translator('en');
  beforeAll(async () => {
    s = await startBotShop({ env: WITH_KINDS });
  });
  afterAll(() => s?.close());

  /** Catalogue → Germany → the plan → buy from the wallet; the worker provisions it; returns the new subscription. */
  async function buyInBot(user: TelegramUser, menu: Awaited<ReturnType<TelegramUser['send']>>, customerId: string, planName: string) {
    const owned = new Set((await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 50 })).items.map((x) => x.id));
    const locations = await user.press(menu, 'cat');
    const germany = new Intl.DisplayNames(['en'], { type: 'region' }).of('DE')!;
    const plans = await user.send(user.tap(buttonLabelled(locations, germany), messageIdOf(locations)));
    const quote = await user.send(user.tap(buttonLabelled(plans, planName), messageIdOf(plans)));
    expect(textOf(quote)).toContain(planName);
    const ordered = await user.press(quote, 'b:');
    expect(textOf(ordered)).toBe(en('telegram.catalog.ordered'));
    await s.t.drain();
    const mine = (await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 50 })).items;
    const bought = mine.filter((x) => !owned.has(x.id));
    expect(bought.map((x) => x.status)).toEqual(['active']);
    return bought[0]!;
  }

  it('buys the WireGuard plan with the buy buttons and receives its .conf; buys the Telegram plan and gets the t.me/proxy button', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 9401);
    const menu = await user.send(user.message('/start'));
    const customerId = (await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`))!.id;
    await s.t.shop.kit.topUp({
      customerId,
      amount: { amount: 5_000, currency: s.t.config.currency },
      idempotencyKey: `bot-kinds:${customerId}`,
    });

    const wg = await buyInBot(user, menu, customerId, WIREGUARD_PLAN);
    expect(wg.kind).toBe('wireguard');
    const list = await user.press(menu, 'subs');
    const since = s.fake.calls.length;
    const doc = await user.send(user.tap(`s:${wg.id}`, messageIdOf(list)));
    expect(doc.method).toBe('sendDocument');
    // The part's screen follows its document: wait for it, so the next button's answer is not taken for it.
    await s.fake.waitFor(since, (c) => c.ok && c.method === 'sendMessage' && textOf(c).includes('WireGuard'));
    expect(doc.upload?.filename).toMatch(/\.conf$/);
    expect(privateKeyOf(doc.upload!.bytes.toString('utf8'))).toBe(wg.remote.wireguard!.privateKey);

    const tg = await buyInBot(user, menu, customerId, TELEGRAM_PLAN);
    expect(tg.kind).toBe('mtproto');
    const again = await user.press(menu, 'subs');
    const screen = await user.send(user.tap(`s:${tg.id}`, messageIdOf(again)));
    expect(screen.method).toBe('sendMessage');
    const urls = buttonsOf(screen).flatMap((b) => (b.url === undefined ? [] : [[b.text, b.url]]));
    expect(urls).toHaveLength(1);
    expect(urls[0]![0]).toBe(en('kinds.buyer.openTelegram'));
    expect(urls[0]![1]).toMatch(/^https:\/\/t\.me\/proxy\?/);
    expect(urls[0]![1]).toMatch(telegramSecretOf(tg));
    const prices = await Promise.all([WIREGUARD_PLAN, TELEGRAM_PLAN].map(async (n) => (await planNamed(s.t, n)).price.amount));
    expect(await balanceOf(s.t, customerId)).toBe(5_000 - prices[0]! - prices[1]!);
  });
});

describe('buying WireGuard on the PasarGuard demo through the JSON API', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop({ env: { ...WITH_KINDS, DEMO_PANEL_KIND: 'pasarguard' }, app: { rateLimits: ROOMY_RATE_LIMITS } });
  });
  afterAll(() => t?.close());

  it('provisions a peer in the WireGuard group and delivers a .conf with its key; the Xray plans stay on "All inbounds"', async () => {
    const buyer = await apiBuyer(t, 5_000);
    const [id] = await apiBuy(t, buyer, WIREGUARD_PLAN);
    await t.drain();
    const part = await stored(t, id!);
    expect(part).toMatchObject({ kind: 'wireguard', status: 'active' });
    const pg = t.shop.demo!.pasarGuards.find((p) => p.panel.id === part.panelId)!;
    expect(pg.tag).toBe('de');
    expect(pg.sim.user(part.remote.username)).toMatchObject({ status: 'active', groupIds: [3] });
    const peers = pg.sim.wireGuardPeers('wg0').peers;
    expect(peers.map((p) => p.publicKey)).toEqual([part.remote.wireguard!.publicKey]);

    const one = (await buyer.get(`/api/v1/subscriptions/${id}`).expect(200)).body;
    expect(one).toMatchObject({ kind: 'wireguard', bundleId: null });
    const conf = await download(t, one.delivery.config.url);
    expect(privateKeyOf(conf)).toBe(part.remote.wireguard!.privateKey);
    // The Xray plans of that panel are still sold on its "All inbounds" group, not on the WireGuard one.
    const xrayPlan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const [preferred] = xrayPlan.placement.preferredTargetIds ?? [];
    expect((await t.shop.storage.targets.get(preferred!))?.name).toBe('All inbounds');
    expect(conf).toMatch(
      new RegExp(`\\[Peer\\]\\n(.+\\n)*PublicKey = ${literal(wireGuardPublicKey(pg.sim.wireGuardPeers('wg0').privateKey))}\\n`),
    );
  });
});
