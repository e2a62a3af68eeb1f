/**
 * Issue 70: one shop process serves every storefront's bot. Two storefronts, each with its own bot on the fake Bot
 * API (which serves several bots at once), each with its own buyers who buy, top up and get notices through their
 * own bot, under its name and at its prices; a buyer of one never sees the other's plans or prices; a suspended
 * storefront's bot answers with a notice and sells nothing while its buyers' links keep working; a wrong secret or
 * an unknown bot is refused before anything is done; a replayed update does nothing twice (update ids are per bot).
 */
import { randomUUID } from 'node:crypto';
import type { Storefront } from '@panelkit/sdk/storefronts';
import type { Plan } from '@panelkit/sdk';
import type { Update } from 'grammy/types';
import supertest from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/stack/web-app.js';
import { connectStorefrontBot, storefrontBots } from '../src/app/storefront-bots/connect-bot.js';
import { setStorefrontBrand } from '../src/app/storefront-bots/brand.js';
import { kitStorefrontSales } from '../src/app/storefront-bots/kit-sales.js';
import { createStorefrontBots } from '../src/telegram/storefront/runtime.js';
import { storefrontExternalRef } from '../src/telegram/storefront/buyer.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import { reviewPayment } from '../src/app/payments/review.js';
import { paymentsOf } from '../src/app/payments/records.js';
import { formatMoney } from '../src/i18n/format.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

interface Front {
  storefront: Storefront;
  resellerId: string;
  botId: string;
  token: string;
  secret: string;
  name: string;
  retail: number;
}

describe('every storefront’s bot, served by one shop', () => {
  let s: BotShop;
  let app: Express;
  let plan: Plan;
  let only: Plan;
  const fronts: Front[] = [];
  const currency = () => s.t.config.currency;

  const fund = (customerId: string, amount: number) =>
    s.t.shop.kit.adjust({
      customerId,
      amount,
      currency: currency(),
      idempotencyKey: `seed:${randomUUID()}`,
      note: 'seed',
      actor: { type: 'system', id: 'test' },
    });

  async function openFront(botId: number, username: string, name: string, retail: number): Promise<Front> {
    const { shop } = s.t;
    const reseller = await shop.kit.customers.create({ externalRef: `reseller:${username}`, name: `${name} owner`, locale: 'en' });
    await fund(reseller.id, 1_000_000);
    await shop.kit.resellers.setPrice({ customerId: reseller.id, planId: plan.id, price: { amount: 100, currency: currency() } });
    const storefront = await shop.kit.storefronts.create({ resellerId: reseller.id, name });
    await shop.kit.storefronts.setMenuItem({
      storefrontId: storefront.id,
      planId: plan.id,
      retailPrice: { amount: retail, currency: currency() },
    });
    const token = s.fake.addBot(botId, username);
    await connectStorefrontBot(shop, storefront.id, token);
    await setStorefrontBrand(shop, storefront.id, { shopName: name, support: `@${username}_help`, welcome: { en: `Welcome to ${name}!` } });
    const secret = (await storefrontBots(shop).byStorefront(storefront.id))!.webhookSecret;
    return { storefront, resellerId: reseller.id, botId: String(botId), token, secret, name, retail };
  }

  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
    const plans = (await s.t.shop.storage.plans.list({ onSale: true })).filter((p) => p.price.currency === s.t.config.currency);
    plan = plans[0]!;
    only = plans[1]!;
    fronts.push(await openFront(7770001, 'alpha_vpn_bot', 'Alpha VPN', 1234));
    fronts.push(await openFront(7770002, 'beta_net_bot', 'Beta Net', 987));
    // Only Beta sells the second plan.
    await s.t.shop.kit.resellers.setPrice({
      customerId: fronts[1]!.resellerId,
      planId: only.id,
      price: { amount: 100, currency: currency() },
    });
    await s.t.shop.kit.storefronts.setMenuItem({
      storefrontId: fronts[1]!.storefront.id,
      planId: only.id,
      retailPrice: { amount: 4321, currency: currency() },
    });
    const storefrontBotRuntime = createStorefrontBots(s.t.shop, { sales: kitStorefrontSales(s.t.shop) });
    app = createApp(s.t.shop, { telegram: s.shopBot, storefrontBots: storefrontBotRuntime });
  });
  afterAll(() => s.close());

  const alpha = () => fronts[0]!;
  const beta = () => fronts[1]!;
  const post = (front: Front, update: Update, secret = front.secret) =>
    supertest(app).post(`/telegram/${front.botId}/webhook`).set('X-Telegram-Bot-Api-Secret-Token', secret).send(update);
  /** Delivers an update to the front's bot and returns what its bot sent (to anyone) meanwhile. */
  const deliver = async (front: Front, update: Update): Promise<BotCall[]> => {
    const since = s.fake.calls.length;
    const res = await post(front, update);
    expect(res.status).toBe(200);
    return s.fake.callsOf(front.token, since).filter((c) => c.ok && c.method === 'sendMessage');
  };
  const only1 = (sent: BotCall[]) => {
    expect(sent).toHaveLength(1);
    return sent[0]!;
  };
  const tapOn = (user: TelegramUser, message: BotCall, prefix: string) => {
    const data = buttonsOf(message).find((b) => b.callback_data?.startsWith(prefix))?.callback_data;
    if (data === undefined) throw new Error(`no ${prefix} button on ${textOf(message)}`);
    return user.tap(data, (message.result as { message_id: number }).message_id);
  };
  /** The catalog's plan lists, one per location (the owner's bot's catalog screens, as every bot has them). */
  const catalogOf = async (front: Front, user: TelegramUser, menu: BotCall): Promise<BotCall[]> => {
    const locations = only1(await deliver(front, tapOn(user, menu, 'cat')));
    const lists: BotCall[] = [];
    for (const b of buttonsOf(locations).filter((b) => b.callback_data?.startsWith('loc:')))
      lists.push(only1(await deliver(front, user.tap(b.callback_data!, (locations.result as { message_id: number }).message_id))));
    return lists;
  };
  /** The catalog's list that has plan `planId`. */
  const listWith = async (front: Front, user: TelegramUser, menu: BotCall, planId: string): Promise<BotCall> => {
    const found = (await catalogOf(front, user, menu)).find((l) => buttonsOf(l).some((b) => b.callback_data === `p:${planId}`));
    if (found === undefined) throw new Error(`no plan ${planId} in the catalog`);
    return found;
  };
  const customerOf = async (front: Front, user: TelegramUser) =>
    (await s.t.shop.storage.customers.getByExternalRef(storefrontExternalRef(front.storefront.id, String(user.id))))!;

  it('refuses a wrong secret (401) and an unknown bot (404) before anything is done', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8801);
    const customersBefore = (await s.t.shop.storage.customers.list({ limit: 500 })).items.length;
    const since = s.fake.calls.length;
    expect((await post(alpha(), user.message('/start'), 'wrong-secret')).status).toBe(401);
    // Beta's secret is not Alpha's.
    expect((await post(alpha(), user.message('/start'), beta().secret)).status).toBe(401);
    expect((await post(alpha(), user.message('/start'), s.shopBot.webhookSecret)).status).toBe(401);
    const noHeader = await supertest(app).post(`/telegram/${alpha().botId}/webhook`).send(user.message('/start'));
    expect(noHeader.status).toBe(401);
    const unknown = await supertest(app)
      .post('/telegram/7779999/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', alpha().secret)
      .send(user.message('/start'));
    expect(unknown.status).toBe(404);
    expect((await supertest(app).post('/telegram/not-a-bot/webhook').send(user.message('/start'))).status).toBe(404);
    expect(s.fake.calls.length).toBe(since);
    expect((await s.t.shop.storage.customers.list({ limit: 500 })).items.length).toBe(customersBefore);
  });

  it('greets each storefront’s buyer through its own bot and name; one Telegram user is a buyer of each, apart', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8802);
    const start = user.message('/start');
    const hello = only1(await deliver(alpha(), start));
    expect(Number(hello.params['chat_id'])).toBe(8802);
    expect(textOf(hello)).toContain('Welcome to Alpha VPN!');
    expect(textOf(hello)).not.toContain(s.t.config.shopName);
    // The same update id to another bot is another update (ids are per bot).
    const helloBeta = only1(await deliver(beta(), start));
    expect(textOf(helloBeta)).toContain('Welcome to Beta Net!');
    // A replay of the update to Alpha does nothing.
    expect(await deliver(alpha(), start)).toHaveLength(0);

    const a = await customerOf(alpha(), user);
    const b = await customerOf(beta(), user);
    expect(a.storefrontId).toBe(alpha().storefront.id);
    expect(b.storefrontId).toBe(beta().storefront.id);
    expect(a.id).not.toBe(b.id);
    // Not the owner's bot's customer either.
    expect(await s.t.shop.storage.customers.getByExternalRef('telegram:8802')).toBeNull();
  });

  it('shows each buyer only their storefront’s plans at its retail prices', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8803);
    const menu = only1(await deliver(alpha(), user.message('/start')));
    const labels = (await catalogOf(alpha(), user, menu)).flatMap((list) => buttonsOf(list).map((b) => b.text));
    const money = (amount: number) => formatMoney({ amount, currency: currency() }, 'en');
    expect(labels.some((l) => l.includes(money(1234)))).toBe(true);
    expect(labels.join('\n')).not.toContain(money(987));
    expect(labels.join('\n')).not.toContain(money(4321));
    expect(labels.join('\n')).not.toContain(money(plan.price.amount));
    // Beta's own plan, asked of Alpha's bot by its id: not sold there.
    const forged = only1(await deliver(alpha(), user.tap(`p:${only.id}`, (menu.result as { message_id: number }).message_id)));
    expect(textOf(forged)).not.toContain(money(4321));

    const betaUser = new TelegramUser(s.fake, s.t.clock, 8804);
    const betaMenu = only1(await deliver(beta(), betaUser.message('/start')));
    const betaLabels = (await catalogOf(beta(), betaUser, betaMenu)).flatMap((list) => buttonsOf(list).map((b) => b.text)).join('\n');
    expect(betaLabels).toContain(money(987));
    expect(betaLabels).toContain(money(4321));
    expect(betaLabels).not.toContain(money(1234));
  });

  it('sells at the retail price from the buyer’s wallet, once for a replayed tap; the reseller’s wholesale and payout are in the books', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8805);
    const menu = only1(await deliver(alpha(), user.message('/start')));
    const buyer = await customerOf(alpha(), user);
    await fund(buyer.id, 5000);
    const catalog = await listWith(alpha(), user, menu, plan.id);
    const quote = only1(await deliver(alpha(), tapOn(user, catalog, `p:${plan.id}`)));
    expect(textOf(quote)).toContain(formatMoney({ amount: 1234, currency: currency() }, 'en'));
    const buy = tapOn(user, quote, `b:${plan.id}`);
    const payoutBefore = await s.t.shop.kit.payouts.balances(alpha().resellerId);
    const walletBefore = await s.t.shop.storage.ledger.balance(alpha().resellerId, currency());
    const ordered = only1(await deliver(alpha(), buy));
    expect(textOf(ordered)).not.toContain('Beta');
    // The same tap delivered again (a replay): nothing more is sold or said.
    expect(await deliver(alpha(), buy)).toHaveLength(0);
    expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(5000 - 1234);
    const orders = await s.t.shop.storage.subscriptions.listByCustomer(buyer.id, { limit: 10 });
    expect(orders.items).toHaveLength(1);
    const margin = (await s.t.shop.kit.payouts.balances(alpha().resellerId)).find((m) => m.currency === currency())?.amount ?? 0;
    const marginBefore = payoutBefore.find((m) => m.currency === currency())?.amount ?? 0;
    // The reseller's wallet pays the wholesale 100; the retail collected for them goes to their payout balance.
    expect(margin - marginBefore).toBe(1234);
    expect(await s.t.shop.storage.ledger.balance(alpha().resellerId, currency())).toBe(walletBefore - 100);
  });

  it('tops up by a card receipt in the storefront’s bot; the approval’s notice comes through that bot, under its name', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8806);
    await deliver(beta(), user.message('/start'));
    const pending = only1(await deliver(beta(), user.photo('20 AB99887766 1234', 'receipt-8806')));
    expect(textOf(pending).length).toBeGreaterThan(0);
    const buyer = await customerOf(beta(), user);
    const [payment] = (await paymentsOf(s.t.shop).listByCustomer(buyer.id, { limit: 5 })).items;
    expect(payment?.status).toBe('pending');
    await reviewPayment(s.t.shop, { paymentId: payment!.id, decision: 'approved', reviewerId: 'admin-test', note: null });
    const since = s.fake.calls.length;
    for (let i = 0; i < 4; i++) await s.t.drain();
    expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(2000);
    const notices = s.fake.calls.slice(since).filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === 8806);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    // Through Beta's bot only (never the owner's, never Alpha's), signed with Beta's name.
    expect(notices.every((c) => c.token === beta().token)).toBe(true);
    expect(textOf(notices[0]!)).toContain('Beta Net');
    expect(textOf(notices[0]!)).not.toContain(s.t.config.shopName);
  });

  it('answers a suspended storefront’s buyers with a notice and sells nothing; their links keep working', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8807);
    const menu = only1(await deliver(alpha(), user.message('/start')));
    const buyer = await customerOf(alpha(), user);
    await fund(buyer.id, 5000);
    const catalog = await listWith(alpha(), user, menu, plan.id);
    const quote = only1(await deliver(alpha(), tapOn(user, catalog, `p:${plan.id}`)));
    await deliver(alpha(), tapOn(user, quote, `b:${plan.id}`));
    const link = await buyerLinkOf(s.t.shop, buyer.id);
    await s.t.drain();

    await s.t.shop.kit.storefronts.suspend(alpha().storefront.id, { type: 'admin', id: 'owner' }, 'test');
    try {
      const again = only1(await deliver(alpha(), tapOn(user, catalog, `p:${plan.id}`)));
      expect(textOf(again)).toBe(`Alpha VPN is not selling right now. Your subscriptions keep working and your links stay the same.`);
      const notice = only1(await deliver(alpha(), user.tap(`b:${plan.id}`, 424242)));
      expect(textOf(notice)).toContain('not selling right now');
      expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(5000 - 1234);
      expect((await s.t.shop.storage.subscriptions.listByCustomer(buyer.id, { limit: 10 })).items).toHaveLength(1);
      // The buyer's link (a web address of the shop) still serves their subscription.
      const path = new URL(link).pathname;
      const served = await supertest(app).get(path).set('User-Agent', 'v2rayNG/1.8.5');
      expect(served.status).toBe(200);
      // Beta sells on.
      const betaUser = new TelegramUser(s.fake, s.t.clock, 8808);
      const betaMenu = only1(await deliver(beta(), betaUser.message('/start')));
      expect(textOf(betaMenu)).toContain('Beta Net');
    } finally {
      await s.t.shop.kit.storefronts.resume(alpha().storefront.id, { type: 'admin', id: 'owner' }, 'test');
    }
  });
});
