import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { createApp } from '../src/stack/web-app.js';
import type { TelegramConfig } from '../src/config/config.js';
import { translator } from '../src/i18n/translate.js';
import { createShopBot } from '../src/telegram/bot.js';
import { runBot } from '../src/telegram/runtime.js';
import { planNamed } from './support/buying.js';
import { buttonsOf } from './support/fake-telegram.js';
import { ADMIN_TELEGRAM_ID, messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';

const en = translator('en');

/** A buyer who has pressed /start, with `amount` (minor units) in the wallet; returns the customer id. */
async function fundedBuyer(s: BotShop, user: TelegramUser, amount: number): Promise<string> {
  await user.send(user.message('/start'));
  const customer = await s.t.shop.storage.customers.getByExternalRef(`telegram:${user.id}`);
  if (customer === null) throw new Error('no customer for the Telegram user');
  await s.t.shop.kit.topUp({ customerId: customer.id, amount: { amount, currency: 'USD' }, idempotencyKey: `test-topup:${customer.id}` });
  return customer.id;
}

describe('the Telegram bot under double taps, redeliveries, forged buttons and rate limits', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(() => s.close());

  it('charges once when Confirm is tapped twice and the tap is delivered again', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6001);
    const customerId = await fundedBuyer(s, buyer, 2000);
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const quote = await buyer.send(buyer.tap(`p:${plan.id}`, 1));
    const tap = buyer.tap(`b:${plan.id}`, messageIdOf(quote));
    const since = s.fake.calls.length;
    s.fake.push(tap);
    s.fake.push(buyer.tap(`b:${plan.id}`, messageIdOf(quote))); // the second tap: a new update, the same button
    s.fake.push(tap); // Telegram delivering the first tap again
    // Updates are handled in order: once /menu is answered, the three taps before it are done.
    await buyer.send(buyer.message('/menu'), (c) => textOf(c).includes(en('telegram.menu.title', { shop: s.t.shop.config.shopName })));

    const orders = await s.t.shop.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${s.t.config.schema}".orders WHERE customer_id = $1`,
      [customerId],
    );
    expect(orders.rows[0]?.n).toBe(1);
    expect(await s.t.shop.storage.ledger.balance(customerId, 'USD')).toBe(2000 - plan.price.amount);
    const replies = s.fake.callsSince(since, 'sendMessage').map(textOf);
    expect(replies.filter((r) => r === en('telegram.catalog.ordered'))).toHaveLength(1);
    expect(replies.filter((r) => r === en('telegram.catalog.alreadyOrdered'))).toHaveLength(1);
    const answered = s.fake
      .callsSince(since, 'answerCallbackQuery')
      .filter((c) => c.params['callback_query_id'] === tap.callback_query?.id);
    expect(answered).toHaveLength(1);
  });

  it('records one payment for a receipt photo delivered twice', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6002);
    const customerId = await fundedBuyer(s, buyer, 100);
    const photo = buyer.photo('7.25 ZX99887766 4321');
    await buyer.send(photo);
    s.fake.push(photo);
    await buyer.send(buyer.message('/menu'), (c) => textOf(c).includes(en('telegram.menu.title', { shop: s.t.shop.config.shopName })));
    const payments = await paymentsOf(s.t.shop).listByCustomer(customerId, { limit: 10 });
    expect(payments.items.map((p) => p.amount.amount)).toEqual([725]);
  });

  it('refuses another buyer’s subscription and an admin button from a buyer, doing nothing', async () => {
    const owner = new TelegramUser(s.fake, s.t.clock, 6003);
    const ownerId = await fundedBuyer(s, owner, 2000);
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const quote = await owner.send(owner.tap(`p:${plan.id}`, 1));
    await owner.press(quote, 'b:');
    await s.t.drain();
    const [sub] = (await s.t.shop.storage.subscriptions.listByCustomer(ownerId, { limit: 1 })).items;
    if (sub === undefined) throw new Error('no subscription');
    s.t.clock.advanceDays(28);

    const thief = new TelegramUser(s.fake, s.t.clock, 6004);
    const thiefId = await fundedBuyer(s, thief, 2000);
    const payment = await s.t.shop.kit.payments.start({
      customerId: thiefId,
      providerId: 'card',
      amount: { amount: 999, currency: 'USD' },
      externalRef: 'forged1234',
      details: { reference: 'FORGED1234' },
    });
    if (!payment.ok) throw new Error('payment not created');
    const since = s.fake.calls.length;
    for (const data of [`s:${sub.id}`, `q:${sub.id}`, `x:${sub.id}`, `xc:${sub.id}`, `ra:${payment.payment.id}`, 'rq'])
      s.fake.push(thief.tap(data, 1));
    await thief.send(thief.message('/menu'), (c) => textOf(c).includes(en('telegram.menu.title', { shop: s.t.shop.config.shopName })));

    const toThief = s.fake.callsSince(since).filter((c) => Number(c.params['chat_id']) === thief.id);
    expect(toThief.map((c) => c.method)).toEqual(['sendMessage']); // only the menu
    const ownersLink = await buyerLinkOf(s.t.shop, sub.customerId);
    expect(toThief.some((c) => textOf(c).includes(sub.subscriptionUrl ?? '§') || textOf(c).includes(ownersLink))).toBe(false);
    const answers = s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text']);
    expect(answers).toEqual(Array(6).fill(en('telegram.notYours')));
    expect(await s.t.shop.storage.ledger.balance(ownerId, 'USD')).toBe(2000 - plan.price.amount);
    expect(await s.t.shop.storage.ledger.balance(thiefId, 'USD')).toBe(2000);
    expect((await paymentsOf(s.t.shop).get(payment.payment.id))?.status).toBe('pending');
    expect(buttonsOf(toThief[0] as never).some((b) => b.callback_data === 'rq')).toBe(false);
  });

  it('gives a free trial once, and says why a second one is refused', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6007);
    const customerId = await fundedBuyer(s, buyer, 1);
    const plan = await planNamed(s.t, 'Frankfurt · 1 month · 50');
    const first = await buyer.send(buyer.tap(`p:${plan.id}`, 1));
    expect(textOf(await buyer.press(first, 't:'))).toBe(en('telegram.catalog.ordered'));
    const second = await buyer.send(buyer.tap(`p:${plan.id}`, 1));
    expect(textOf(await buyer.press(second, 't:'))).toBe(en('checkout.refused.already_used'));
    const subs = await s.t.shop.storage.subscriptions.listByCustomer(customerId, { limit: 5 });
    expect(subs.items.map((sub) => sub.trial)).toEqual([true]);
    expect(await s.t.shop.storage.ledger.balance(customerId, 'USD')).toBe(1);
  });

  it('waits out a 429 with retry_after and sends the message', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6005);
    await buyer.send(buyer.message('/start'));
    const since = s.fake.calls.length;
    s.fake.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    const reply = await buyer.send(buyer.message('/menu'));
    expect(textOf(reply)).toContain(en('telegram.menu.title', { shop: s.t.shop.config.shopName }));
    const attempts = s.fake.callsSince(since, 'sendMessage');
    expect(attempts.map((c) => c.result)).toEqual([{ error_code: 429 }, reply.result]);
  });

  it('gives up starting when Telegram cannot be reached, with an error that says so (the shop then runs without its bot)', async () => {
    const config = s.t.config.telegram as TelegramConfig;
    const unreachable = createShopBot(s.t.shop, { ...config, apiRoot: 'http://127.0.0.1:9' });
    await expect(runBot(s.t.shop, unreachable, { initTimeoutMs: 300 })).rejects.toThrow(
      'Telegram did not answer getMe at http://127.0.0.1:9',
    );
  });

  it('lets an admin win a receipt once: a second approval (or a rejection) changes nothing', async () => {
    const buyer = new TelegramUser(s.fake, s.t.clock, 6006);
    const customerId = await fundedBuyer(s, buyer, 100);
    await buyer.send(buyer.photo('3 QW11223344 1111'));
    const [payment] = (await paymentsOf(s.t.shop).listByCustomer(customerId, { limit: 1 })).items;
    const admin = new TelegramUser(s.fake, s.t.clock, ADMIN_TELEGRAM_ID);
    await admin.send(admin.tap(`ra:${payment?.id}`, 1), (c) => textOf(c) === en('telegram.receipts.approved'));
    const since = s.fake.calls.length;
    s.fake.push(admin.tap(`ra:${payment?.id}`, 1));
    s.fake.push(admin.tap(`rr:${payment?.id}`, 1));
    await admin.send(admin.message('/menu'));
    expect(s.fake.callsSince(since, 'answerCallbackQuery').map((c) => c.params['text'])).toEqual([
      en('telegram.receipts.already'),
      en('telegram.receipts.already'),
    ]);
    expect(await s.t.shop.storage.ledger.balance(customerId, 'USD')).toBe(400);
  });
});

describe('the Telegram webhook', () => {
  let s: BotShop;
  beforeAll(async () => {
    s = await startBotShop({ webhook: true });
  });
  afterAll(() => s.close());

  it('answers 401 to a wrong secret and handles a right one once, however often it is posted', async () => {
    const app = createApp(s.t.shop, { telegram: s.shopBot });
    const buyer = new TelegramUser(s.fake, s.t.clock, 7001, 'fa');
    const update = buyer.message('/start');
    const wrong = await supertest(app)
      .post('/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', 'not-the-secret-at-all')
      .send(update);
    expect(wrong.status).toBe(401);
    const none = await supertest(app).post('/telegram/webhook').send(update);
    expect(none.status).toBe(401);
    expect(s.fake.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
    expect(await s.t.shop.storage.customers.getByExternalRef('telegram:7001')).toBeNull();

    for (let i = 0; i < 2; i++) {
      const ok = await supertest(app)
        .post('/telegram/webhook')
        .set('X-Telegram-Bot-Api-Secret-Token', 'webhook-secret-for-tests-0123')
        .send(update);
      expect(ok.status).toBe(200);
    }
    const sent = s.fake.calls.filter((c) => c.method === 'sendMessage');
    expect(sent).toHaveLength(1);
    expect(textOf(sent[0] as never)).toContain(translator('fa')('telegram.start.welcome', { shop: s.t.shop.config.shopName }));
  });
});
