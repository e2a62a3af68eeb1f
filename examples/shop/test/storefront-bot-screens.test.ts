/**
 * Issue 70, the storefront bots complete: two storefront bots at once on the fake Bot API run the owner's bot's buyer
 * screens under their own names (one renderer): a buyer sees their subscriptions and link, extends, changes plan
 * within the storefront's menu only, and tops up on the owner's rails but never with Telegram Stars (paid to the
 * bot's maker, the reseller). The storefront's reseller, known by the Telegram user linked to their shop account,
 * has their back office in their own bot (figures, payout, broadcast) and is their shop account's customer there,
 * never one of its buyers (issue 91); a buyer who sends /office gets nothing of it.
 * Each bot broadcasts in its own send lane: a 429 to one bot pauses no other's.
 */
import { randomUUID } from 'node:crypto';
import type { Plan } from '@panelkit/sdk';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoBotSimulator } from '@panelkit/payment-providers/simulators';
import { saveCryptoBotSettings } from '../src/app/payments/cryptobot/settings.js';
import { saveStarsSettings } from '../src/app/payments/stars/settings.js';
import { connectStorefrontBot } from '../src/app/storefront-bots/connect-bot.js';
import { setStorefrontBrand } from '../src/app/storefront-bots/brand.js';
import { kitStorefrontSales } from '../src/app/storefront-bots/kit-sales.js';
import { broadcastToBuyers } from '../src/app/storefronts/broadcast-to-buyers.js';
import { formatMoney } from '../src/i18n/format.js';
import { translator } from '../src/i18n/translate.js';
import { createStorefrontBots, type StorefrontBotRuntime } from '../src/telegram/storefront/runtime.js';
import { storefrontExternalRef } from '../src/telegram/storefront/buyer.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

interface Front {
  storefrontId: string;
  resellerId: string;
  botId: string;
  token: string;
  name: string;
}

const t = translator('en');
let s: BotShop;
let bots: StorefrontBotRuntime;
let sim: CryptoBotSimulator;
let plan: Plan;
let second: Plan;
let third: Plan;
const fronts: Front[] = [];
const alpha = () => fronts[0]!;
const beta = () => fronts[1]!;
const currency = () => s.t.config.currency;
const money = (amount: number) => formatMoney({ amount, currency: currency() }, 'en');

const fund = (customerId: string, amount: number) =>
  s.t.shop.kit.adjust({
    customerId,
    amount,
    currency: currency(),
    idempotencyKey: `seed:${randomUUID()}`,
    note: 'seed',
    actor: { type: 'system', id: 'test' },
  });

async function openFront(botId: number, username: string, name: string, menu: Array<[Plan, number]>): Promise<Front> {
  const { shop } = s.t;
  const reseller = await shop.kit.customers.create({ externalRef: `reseller:${username}`, name: `${name} owner`, locale: 'en' });
  await fund(reseller.id, 1_000_000);
  for (const [p] of menu)
    await shop.kit.resellers.setPrice({ customerId: reseller.id, planId: p.id, price: { amount: 100, currency: currency() } });
  const storefront = await shop.kit.storefronts.create({ resellerId: reseller.id, name });
  for (const [p, retail] of menu) {
    await shop.kit.storefronts.setMenuItem({
      storefrontId: storefront.id,
      planId: p.id,
      retailPrice: { amount: retail, currency: currency() },
    });
  }
  const token = s.fake.addBot(botId, username);
  await connectStorefrontBot(shop, storefront.id, token);
  await setStorefrontBrand(shop, storefront.id, { shopName: name, support: `@${username}_help`, welcome: { en: `Welcome to ${name}!` } });
  return { storefrontId: storefront.id, resellerId: reseller.id, botId: String(botId), token, name };
}

beforeAll(async () => {
  s = await startBotShop({ webhook: true });
  sim = await new CryptoBotSimulator().start();
  const plans = (await s.t.shop.storage.plans.list({ onSale: true })).filter((p) => p.price.currency === currency());
  // The plan bought and extended: its period starts when it is sold (not at first use), so it can be extended.
  plan = plans.find((p) => !p.startOnFirstUse && p.renewable && p.builder === null)!;
  [second, third] = plans.filter((p) => p.id !== plan.id && p.builder === null) as [Plan, Plan];
  expect(third).toBeDefined();
  fronts.push(await openFront(7790001, 'alpha_screens_bot', 'Alpha Screens', [[plan, 1500]]));
  fronts.push(
    await openFront(7790002, 'beta_screens_bot', 'Beta Screens', [
      [plan, 900],
      [second, 2500],
    ]),
  );
  bots = createStorefrontBots(s.t.shop, { sales: kitStorefrontSales(s.t.shop) });
});
afterAll(async () => {
  await sim?.close();
  await s?.close();
});

/** Hands `update` to the front's bot and returns the messages that bot sent meanwhile. */
async function deliver(front: Front, update: Update): Promise<BotCall[]> {
  const since = s.fake.calls.length;
  await bots.handleUpdate(front.botId, update);
  return s.fake.callsOf(front.token, since).filter((c) => c.ok && (c.method === 'sendMessage' || c.method === 'sendPhoto'));
}
const last = (sent: BotCall[]): BotCall => {
  expect(sent.length).toBeGreaterThan(0);
  return sent[sent.length - 1]!;
};
const tapOn = (user: TelegramUser, message: BotCall, prefix: string) => {
  const data = buttonsOf(message).find((b) => b.callback_data?.startsWith(prefix))?.callback_data;
  if (data === undefined) throw new Error(`no ${prefix} button on ${textOf(message)}`);
  return user.tap(data, messageIdOf(message));
};
const customerOf = async (front: Front, user: TelegramUser) =>
  (await s.t.shop.storage.customers.getByExternalRef(storefrontExternalRef(front.storefrontId, String(user.id))))!;

/** Buys `p` through the storefront's catalog (menu, location, quote, buy) and lets the worker provision it. */
async function buyThrough(front: Front, user: TelegramUser, p: Plan): Promise<void> {
  const menu = last(await deliver(front, user.message('/start')));
  const locations = last(await deliver(front, tapOn(user, menu, 'cat')));
  let quote: BotCall | undefined;
  for (const button of buttonsOf(locations).filter((b) => b.callback_data?.startsWith('loc:'))) {
    const list = last(await deliver(front, user.tap(button.callback_data!, messageIdOf(locations))));
    if (buttonsOf(list).some((b) => b.callback_data === `p:${p.id}`)) {
      quote = last(await deliver(front, tapOn(user, list, `p:${p.id}`)));
      break;
    }
  }
  if (quote === undefined) throw new Error(`plan ${p.id} is not in ${front.name}'s catalog`);
  expect(textOf(last(await deliver(front, tapOn(user, quote, `b:${p.id}`))))).toBe(t('telegram.catalog.ordered'));
  for (let i = 0; i < 3; i++) await s.t.drain();
}

describe('a storefront bot runs the owner’s buyer screens under its own name', () => {
  it('lists only the storefront’s plans at its retail prices, by location as the owner’s bot does', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8901);
    const menu = last(await deliver(beta(), user.message('/start')));
    expect(textOf(menu)).toContain('Welcome to Beta Screens!');
    expect(textOf(menu)).not.toContain(s.t.config.shopName);
    // A storefront's menu: no referral, gift or back office button for a buyer.
    const data = buttonsOf(menu).map((b) => b.callback_data);
    expect(data).toEqual(expect.arrayContaining(['cat', 'subs', 'w', 'tu', 'sup']));
    expect(data).not.toContain('ref');
    expect(data).not.toContain('gft');
    expect(data).not.toContain('sfo');
    const locations = last(await deliver(beta(), tapOn(user, menu, 'cat')));
    const labels: string[] = [];
    for (const button of buttonsOf(locations).filter((b) => b.callback_data?.startsWith('loc:')))
      labels.push(...buttonsOf(last(await deliver(beta(), user.tap(button.callback_data!, messageIdOf(locations))))).map((b) => b.text));
    expect(labels.some((l) => l.includes(money(900)))).toBe(true);
    expect(labels.some((l) => l.includes(money(2500)))).toBe(true);
    expect(labels.join('\n')).not.toContain(money(1500));
    expect(labels.join('\n')).not.toContain(money(third.price.amount));
    // A plan off the menu, asked for by its id: not for sale here.
    expect(textOf(last(await deliver(beta(), user.tap(`p:${third.id}`, messageIdOf(menu)))))).toBe(t('telegram.catalog.gone'));
  });

  it('shows the buyer’s subscription with its link, extends it at the storefront’s price, changes plan within the menu only', async () => {
    const user = new TelegramUser(s.fake, s.t.clock, 8902);
    await deliver(beta(), user.message('/start'));
    const buyer = await customerOf(beta(), user);
    await fund(buyer.id, 20_000);
    await buyThrough(beta(), user, plan);
    expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(20_000 - 900);

    const list = last(await deliver(beta(), user.tap('subs', 1)));
    const [sub] = (await s.t.shop.storage.subscriptions.listByCustomer(buyer.id, { limit: 5 })).items;
    const detail = last(await deliver(beta(), tapOn(user, list, `s:${sub!.id}`)));
    expect(textOf(detail)).toContain('/s/');
    const buttons = buttonsOf(detail).map((b) => b.callback_data ?? '');
    expect(buttons).toEqual(expect.arrayContaining([`x:${sub!.id}`, `pl:${sub!.id}`]));

    // Extension: the storefront's price (frozen into the subscription when it was sold), paid once for a double tap,
    // in the last hour of its period (inside any extension window).
    s.t.clock.set(new Date(sub!.expiresAt!.getTime() - 3600_000));
    const quote = last(await deliver(beta(), tapOn(user, detail, `x:${sub!.id}`)));
    expect(textOf(quote)).toContain(money(900));
    const confirm = tapOn(user, quote, `xc:${sub!.id}`);
    expect(textOf(last(await deliver(beta(), confirm)))).toBe(t('telegram.extension.done'));
    const again = { ...confirm, update_id: s.fake.updateId() };
    await deliver(beta(), again);
    expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(20_000 - 900 - 900);

    // Plan change: only the other plan this storefront sells; a plan off its menu is refused and nothing is charged.
    const choices = last(await deliver(beta(), tapOn(user, detail, `pl:${sub!.id}`)));
    const targets = buttonsOf(choices)
      .map((b) => b.callback_data ?? '')
      .filter((d) => d.startsWith('pq:'));
    expect(targets).toEqual([`pq:${sub!.id}:${second.id}`]);
    const before = await s.t.shop.storage.ledger.balance(buyer.id, currency());
    const forgedQuote = last(await deliver(beta(), user.tap(`pq:${sub!.id}:${third.id}`, messageIdOf(choices))));
    expect(textOf(forgedQuote)).toBe(t('planChange.reasons.not_on_sale'));
    const forged = last(await deliver(beta(), user.tap(`pc:${sub!.id}:${third.id}`, messageIdOf(choices))));
    expect(textOf(forged)).toBe(t('planChange.reasons.not_on_sale'));
    expect(await s.t.shop.storage.ledger.balance(buyer.id, currency())).toBe(before);
    expect((await s.t.shop.storage.subscriptions.get(sub!.id))?.planId).toBe(plan.id);

    // The other storefront's buyer cannot reach this subscription through their bot.
    const stranger = new TelegramUser(s.fake, s.t.clock, 8903);
    await deliver(alpha(), stranger.message('/start'));
    expect(await deliver(alpha(), stranger.tap(`s:${sub!.id}`, 1))).toHaveLength(0);
    expect(
      s.fake.callsOf(alpha().token).some((c) => c.method === 'answerCallbackQuery' && c.params['text'] === t('telegram.notYours')),
    ).toBe(true);
  });

  it('tops up on the owner’s gateway rails and by card receipt, never with Stars (paid to the bot’s maker)', async () => {
    const { shop, clock } = s.t;
    await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
    await saveCryptoBotSettings(shop, { enabled: true, baseUrl: sim.url, token: sim.token }, clock.now(), null);
    const user = new TelegramUser(s.fake, clock, 8904);
    const menu = last(await deliver(alpha(), user.message('/start')));
    const offer = last(await deliver(alpha(), tapOn(user, menu, 'tu')));
    const data = buttonsOf(offer).map((b) => b.callback_data ?? '');
    expect(data.some((d) => d.startsWith('gp:cryptobot:'))).toBe(true);
    expect(data.some((d) => d.startsWith('xs:'))).toBe(false);
    expect(textOf(offer)).not.toContain(t('payRails.stars.offer'));
    // The owner's bot does offer Stars to its own buyers.
    const owner = new TelegramUser(s.fake, clock, 8905);
    await bots.handleUpdate(alpha().botId, owner.message('/start'));
    const since = s.fake.calls.length;
    const { handleUpdate } = await import('../src/telegram/bot.js');
    await handleUpdate(s.shopBot, owner.message('/start'));
    const ownerMenu = s.fake.callsOf(s.fake.token, since, 'sendMessage').at(-1)!;
    await handleUpdate(s.shopBot, owner.tap('tu', messageIdOf(ownerMenu)));
    const ownerOffer = s.fake.callsOf(s.fake.token, since, 'sendMessage').at(-1)!;
    expect(buttonsOf(ownerOffer).some((b) => b.callback_data?.startsWith('xs:'))).toBe(true);
    // A Stars button forged in the storefront's bot makes no invoice.
    const forged = await deliver(
      alpha(),
      user.tap(`${buttonsOf(ownerOffer).find((b) => b.callback_data?.startsWith('xs:'))!.callback_data}`, 1),
    );
    expect(forged).toHaveLength(0);
    expect(s.fake.callsOf(alpha().token, 0, 'sendInvoice')).toHaveLength(0);

    // The gateway: one invoice for the storefront's buyer, on the owner's rail.
    const tap = data.find((d) => d.startsWith('gp:cryptobot:'))!;
    const invoice = last(await deliver(alpha(), user.tap(tap, messageIdOf(offer))));
    expect(buttonsOf(invoice).find((b) => b.url !== undefined)?.url).toContain(sim.url);
    const buyer = await customerOf(alpha(), user);
    const [payment] = (await shop.kit.payments.list({ customerId: buyer.id }, { limit: 5 })).items;
    expect(payment).toMatchObject({ providerId: 'cryptobot', status: 'pending' });

    // Card to card: a receipt photo queues a payment for the owner's review.
    const pending = last(await deliver(alpha(), user.photo('20 AB55667788 1234', 'receipt-8904')));
    expect(textOf(pending)).toBe(t('wallet.notices.pending'));
    const card = (await shop.kit.payments.list({ customerId: buyer.id }, { limit: 5 })).items.filter((p) => p.providerId === 'card');
    expect(card).toHaveLength(1);
    await saveStarsSettings(shop, { enabled: false, starsPerUnit: '50' }, clock.now(), null);
  });
});

describe('the reseller’s back office in their own bot', () => {
  it('is theirs alone: figures, a payout asked, a broadcast to their own buyers only; a buyer’s /office gets nothing of it', async () => {
    const { shop } = s.t;
    const reseller = new TelegramUser(s.fake, s.t.clock, 8950);
    // The reseller's shop account is linked to their Telegram user (as the owner's bot links any account).
    await s.shopBot.links.linkIfNew({ telegramUserId: String(reseller.id), chatId: String(reseller.id), customerId: alpha().resellerId });

    const buyer = new TelegramUser(s.fake, s.t.clock, 8951);
    // Newer than the buyers before: among the newest the office names.
    s.t.clock.advance(1000);
    await deliver(alpha(), buyer.message('/start'));
    await fund((await customerOf(alpha(), buyer)).id, 5_000);
    await buyThrough(alpha(), buyer, plan);

    const sentByBuyer = await deliver(alpha(), buyer.message('/office'));
    expect(sentByBuyer).toHaveLength(1);
    expect(textOf(sentByBuyer[0]!)).toBe(t('telegram.menu.hint'));
    expect(buttonsOf(sentByBuyer[0]!).some((b) => b.callback_data === 'sfo')).toBe(false);
    expect(await deliver(alpha(), buyer.tap('sfo', 1))).toHaveLength(0);
    // Beta's reseller is nobody in Alpha's bot either.
    const betaReseller = new TelegramUser(s.fake, s.t.clock, 8952);
    await s.shopBot.links.linkIfNew({
      telegramUserId: String(betaReseller.id),
      chatId: String(betaReseller.id),
      customerId: beta().resellerId,
    });
    expect(textOf(last(await deliver(alpha(), betaReseller.message('/office'))))).toBe(t('telegram.menu.hint'));

    const menu = last(await deliver(alpha(), reseller.message('/start')));
    expect(buttonsOf(menu).some((b) => b.callback_data === 'sfo')).toBe(true);
    const office = last(await deliver(alpha(), reseller.message('/office')));
    const text = textOf(office);
    expect(text).toContain(t('storefrontOffice.title', { shop: 'Alpha Screens' }));
    expect(text).toContain(t('storefrontOffice.sales', { count: 1 }));
    expect(text).toContain(t('storefrontOffice.retail', { amount: money(1500) }));
    expect(text).toContain(t('storefrontOffice.wholesale', { amount: money(100) }));
    expect(text).toContain(t('storefrontOffice.margin', { amount: money(1400) }));
    expect(text).toContain('User 8951');
    expect(text).toContain(t('storefrontOffice.payout', { amount: money(1500), held: money(0) }));
    expect(text).toContain(t('storefrontOffice.payoutsPaid', { amount: money(0) }));
    expect(text).toContain('@alpha_screens_bot');
    expect(text).not.toContain('Beta');

    // A payout: bad input asks nothing; a good one is asked once, as on the web.
    expect(textOf(last(await deliver(alpha(), reseller.message('/payout lots IBAN'))))).toBe(t('storefrontOffice.payoutUsage'));
    expect(textOf(last(await deliver(alpha(), reseller.message('/payout 5'))))).toBe(t('storefrontOffice.payoutUsage'));
    expect(textOf(last(await deliver(alpha(), reseller.message('/payout 999999 IBAN DE89'))))).toBe(t('storefronts.errors.overBalance'));
    expect((await shop.kit.payouts.list({ partnerId: alpha().resellerId }, { limit: 10 })).items).toHaveLength(0);
    const ask = reseller.message('/payout 5 IBAN DE89 3704');
    expect(textOf(last(await deliver(alpha(), ask)))).toBe(t('storefrontOffice.payoutAsked', { amount: money(500) }));
    await deliver(alpha(), ask);
    const asked = (await shop.kit.payouts.list({ partnerId: alpha().resellerId }, { limit: 10 })).items;
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ status: 'requested', destination: 'IBAN DE89 3704', amount: { amount: 500, currency: currency() } });
    // A buyer's /payout asks nothing.
    await deliver(alpha(), buyer.message('/payout 5 IBAN X'));
    expect((await shop.kit.payouts.list({ partnerId: alpha().resellerId }, { limit: 10 })).items).toHaveLength(1);
    // Paid by the owner: the office says what was paid out this month, as the web office does.
    await shop.kit.payouts.approve(asked[0]!.id);
    await shop.kit.payouts.markPaid(asked[0]!.id, 'bank-1');
    const paid = textOf(last(await deliver(alpha(), reseller.message('/office'))));
    expect(paid).toContain(t('storefrontOffice.payoutsPaid', { amount: money(500) }));
    expect(paid).toContain(t('storefrontOffice.payout', { amount: money(1000), held: money(0) }));

    // A broadcast to Alpha's buyers only, through Alpha's bot.
    const betaBuyer = new TelegramUser(s.fake, s.t.clock, 8953);
    await deliver(beta(), betaBuyer.message('/start'));
    expect(textOf(last(await deliver(alpha(), reseller.message('/broadcast'))))).toBe(t('storefrontOffice.broadcastUsage'));
    const queued = last(await deliver(alpha(), reseller.message('/broadcast Alpha: new servers')));
    expect(textOf(queued)).toMatch(/Buyers it goes to: \d+/);
    const since = s.fake.calls.length;
    await s.shopBot.sendBroadcasts();
    const copies = s.fake.calls.slice(since).filter((c) => c.method === 'sendMessage' && c.params['text'] === 'Alpha: new servers');
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((c) => c.token === alpha().token)).toBe(true);
    expect(copies.map((c) => Number(c.params['chat_id']))).toContain(8951);
    expect(copies.map((c) => Number(c.params['chat_id']))).not.toContain(8953);
  });
});

describe('the reseller in their own bot', () => {
  it('is their shop account’s customer there, never one of its buyers: not listed, not counted, not broadcast to', async () => {
    const { shop } = s.t;
    const gamma = await openFront(7790003, 'gamma_screens_bot', 'Gamma Screens', [[plan, 1200]]);
    const reseller = new TelegramUser(s.fake, s.t.clock, 8960);
    await s.shopBot.links.linkIfNew({ telegramUserId: String(reseller.id), chatId: String(reseller.id), customerId: gamma.resellerId });

    const menu = last(await deliver(gamma, reseller.message('/start')));
    expect(buttonsOf(menu).some((b) => b.callback_data === 'sfo')).toBe(true);
    expect(await shop.storage.customers.getByExternalRef(storefrontExternalRef(gamma.storefrontId, String(reseller.id)))).toBeNull();
    expect((await shop.kit.storefronts.buyers(gamma.storefrontId, { limit: 10 })).items).toEqual([]);
    // Their wallet there is their shop account's (funded by `openFront`), not an empty buyer's.
    const wallet = last(await deliver(gamma, reseller.tap('w', messageIdOf(menu))));
    expect(textOf(wallet)).toContain(money(1_000_000));

    const buyer = new TelegramUser(s.fake, s.t.clock, 8961);
    await deliver(gamma, buyer.message('/start'));
    const buyers = (await shop.kit.storefronts.buyers(gamma.storefrontId, { limit: 10 })).items;
    expect(buyers.map((c) => c.externalRef)).toEqual([storefrontExternalRef(gamma.storefrontId, String(buyer.id))]);
    const office = textOf(last(await deliver(gamma, reseller.message('/office'))));
    expect(office).toContain('User 8961');
    expect(office).not.toContain('User 8960');

    const queued = last(await deliver(gamma, reseller.message('/broadcast Gamma: hello')));
    expect(textOf(queued)).toMatch(/Buyers it goes to: 1\b/);
    const since = s.fake.calls.length;
    await s.shopBot.sendBroadcasts();
    const copies = s.fake.calls.slice(since).filter((c) => c.method === 'sendMessage' && c.params['text'] === 'Gamma: hello');
    expect(copies.map((c) => Number(c.params['chat_id']))).toEqual([8961]);
  });
});

describe('a send lane per bot', () => {
  it('pauses only the bot Telegram answered 429: the other storefront’s broadcast goes out meanwhile', async () => {
    const users = [8961, 8962, 8963, 8964].map((id) => new TelegramUser(s.fake, s.t.clock, id));
    await deliver(alpha(), users[0]!.message('/start'));
    await deliver(alpha(), users[1]!.message('/start'));
    await deliver(beta(), users[2]!.message('/start'));
    await deliver(beta(), users[3]!.message('/start'));
    // Alpha's broadcast is queued first, so its run is the first claimed; Telegram tells Alpha's bot to wait 30 s.
    await broadcastToBuyers(s.t.shop, alpha().resellerId, { text: 'Alpha lane', idempotencyKey: 'alpha-lane-1' });
    await broadcastToBuyers(s.t.shop, beta().resellerId, { text: 'Beta lane', idempotencyKey: 'beta-lane-1' });
    s.fake.failNextOf(alpha().token, 'sendMessage', { code: 429, description: 'Too Many Requests: retry after 30', retryAfter: 30 });
    const since = s.fake.calls.length;
    await s.shopBot.sendBroadcasts();
    const sent = (text: string) =>
      s.fake.calls
        .slice(since)
        .filter((c) => c.ok && c.method === 'sendMessage' && c.params['text'] === text)
        .map((c) => Number(c.params['chat_id']));
    const refused = s.fake.calls.slice(since).filter((c) => !c.ok && c.method === 'sendMessage');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.token).toBe(alpha().token);
    expect(sent('Beta lane')).toEqual(expect.arrayContaining([8963, 8964]));
    expect(sent('Alpha lane')).toHaveLength(0);
    // After the wait, Alpha's copies go out, each once.
    s.t.clock.advance(31_000);
    await s.shopBot.sendBroadcasts();
    expect(sent('Alpha lane').sort()).toEqual(expect.arrayContaining([8961, 8962]));
    expect(new Set(sent('Alpha lane')).size).toBe(sent('Alpha lane').length);
  });
});
