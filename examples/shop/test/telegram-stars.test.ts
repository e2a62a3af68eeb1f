import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { saveStarsSettings } from '../src/app/payments/stars/settings.js';
import { requestStarsRefund } from '../src/app/payments/stars/refund.js';
import { TelegramLinkStore } from '../src/db/telegram-links.js';
import { translator } from '../src/i18n/translate.js';
import { handleUpdate } from '../src/telegram/bot.js';
import { postForm } from './support/admin-support.js';
import { signedInAdmin, signedUpBuyer } from './support/shop-under-test.js';
import { buttonsOf, type BotCall } from './support/fake-telegram.js';
import { launchData } from './support/mini-app-launch.js';
import { messageIdOf, startBotShop, TelegramUser, textOf, type BotShop } from './support/telegram-driver.js';

describe('a wallet top-up in Telegram Stars, bought in the bot and refunded by the owner', () => {
  let s: BotShop;
  const t = translator('en');

  beforeAll(async () => {
    s = await startBotShop();
  });
  afterAll(async () => {
    await s.close();
  });

  const answersSince = async (since: number): Promise<BotCall> =>
    s.fake.waitFor(since, (c) => c.method === 'answerPreCheckoutQuery', 'answer to the pre-checkout query');

  it('prices the top-up in Stars, checks the pre-checkout, credits each charge once and refunds it through the Bot API', async () => {
    const { shop, clock } = s.t;
    const buyer = new TelegramUser(s.fake, clock, 7101, 'en');
    const stranger = new TelegramUser(s.fake, clock, 7102, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    await stranger.send(stranger.message('/start'));
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;

    // Off until the owner sets a rate.
    const before = await buyer.press(menu, 'tu');
    expect(buttonsOf(before).some((b) => b.callback_data?.startsWith('xs:'))).toBe(false);
    await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
    const offer = await buyer.press(menu, 'tu');
    expect(textOf(offer)).toContain(t('payRails.stars.offer'));
    const cheapest = Math.min(...(await shop.storage.plans.list({ onSale: true })).map((p) => p.price.amount));
    const stars = Math.ceil((cheapest / 100) * 50);
    // The buyer sees the price in Stars before paying.
    const button = buttonsOf(offer).find((b) => b.callback_data === `xs:${cheapest}`);
    expect(button?.text).toContain(`${stars} Stars`);

    // A tap makes one payment and sends an invoice in Stars (XTR) for that price.
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(`xs:${cheapest}`, messageIdOf(offer)));
    const invoice = await s.fake.waitFor(since, (c) => c.method === 'sendInvoice', 'invoice');
    expect(invoice.params).toMatchObject({ chat_id: buyer.id, currency: 'XTR' });
    const payload = String(invoice.params['payload']);
    expect(s.fake.invoices.get(payload)).toMatchObject({ currency: 'XTR', totalAmount: stars });
    expect(s.fake.callsSince(since, 'createInvoiceLink')).toHaveLength(1);
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 10 })).items;
    expect(payment).toMatchObject({ provider: 'stars', status: 'pending', amount: { amount: cheapest, currency: 'USD' } });
    // The buyer's wallet says the invoice waits for their payment, not for a review.
    const unpaid = textOf(await buyer.press(menu, 'w'));
    expect(unpaid).toContain(t('wallet.status.awaiting_payment'));
    expect(unpaid).not.toContain(t('wallet.status.pending'));

    // Waiting in the receipts queue, with no admin decision offered: only Telegram confirms it.
    const pendingQueue = await (await signedInAdmin(s.t.app)).agent.get('/admin/receipts?provider=stars').expect(200);
    expect(pendingQueue.text).toContain(payment!.id);
    expect(pendingQueue.text).toContain(t('payRails.gateway.onlyGateway'));
    expect(pendingQueue.text).not.toContain(`/admin/receipts/${payment!.id}/approve`);

    // Pre-checkout: refused for another amount and for another payer, accepted for the invoice as made.
    let at = s.fake.calls.length;
    s.fake.push(buyer.preCheckout(payload, stars - 1));
    expect((await answersSince(at)).params).toMatchObject({ ok: false, error_message: t('payRails.stars.refused.amount') });
    at = s.fake.calls.length;
    s.fake.push(stranger.preCheckout(payload, stars));
    expect((await answersSince(at)).params).toMatchObject({ ok: false, error_message: t('payRails.stars.refused.not_yours') });
    at = s.fake.calls.length;
    s.fake.push(buyer.preCheckout(`${payment!.id}:1`, 1));
    expect((await answersSince(at)).params).toMatchObject({ ok: false });
    at = s.fake.calls.length;
    s.fake.push(buyer.preCheckout(payload, stars));
    expect((await answersSince(at)).params).toMatchObject({ ok: true });

    // Telegram charges and delivers the successful payment: redelivered as the same update, and again under a new update id.
    const charge = s.fake.charge(buyer.id, payload);
    const paid = buyer.successfulPayment(charge, payload);
    for (const update of [paid, paid, buyer.successfulPayment(charge, payload)]) await handleUpdate(s.shopBot, update);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(cheapest);
    const credited = (await shop.kit.payments.get(payment!.id))!;
    expect(credited).toMatchObject({ status: 'credited', confirmation: 'gateway' });
    expect(credited.details['settlementRef']).toBe(charge.chargeId);
    const topUps = (await shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.kind === 'top_up');
    expect(topUps).toHaveLength(1);

    // The buyer is told once; a paid invoice is refused at pre-checkout.
    await s.t.drain();
    await s.t.drain();
    const told = s.fake.calls.filter(
      (c) =>
        c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === buyer.id && textOf(c).includes('was added to your wallet'),
    );
    expect(told).toHaveLength(1);
    at = s.fake.calls.length;
    s.fake.push(buyer.preCheckout(payload, stars));
    expect((await answersSince(at)).params).toMatchObject({ ok: false, error_message: t('payRails.stars.refused.not_pending') });

    // Support staff may not refund; the owner's refund goes back through refundStarPayment as a job, and writes the reversal.
    const owner = (await shop.accounts.getByEmail('admin@example.com'))!;
    expect(await requestStarsRefund(shop, { paymentId: payment!.id, staff: { accountId: owner.id, role: 'support' } })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(s.fake.calls.filter((c) => c.method === 'refundStarPayment')).toHaveLength(0);
    // The owner refunds from the receipts queue: the request twice is one refund.
    const admin = await signedInAdmin(s.t.app);
    const queue = await admin.agent.get('/admin/receipts?status=approved&provider=stars').expect(200);
    expect(queue.text).toContain(`/admin/payments/${payment!.id}/refund-stars`);
    await postForm(admin, `/admin/payments/${payment!.id}/refund-stars`, {}).expect(400);
    for (let i = 0; i < 2; i++) {
      const done = await postForm(admin, `/admin/payments/${payment!.id}/refund-stars`, { confirm: 'yes' }).expect(303);
      expect(done.headers['location']).toContain('done=payRails.refund_queued');
    }
    await s.t.drain();
    await s.t.drain();
    const refunds = s.fake.calls.filter((c) => c.method === 'refundStarPayment');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.params).toMatchObject({ user_id: buyer.id, telegram_payment_charge_id: charge.chargeId });
    expect(s.fake.charges.get(charge.chargeId)!.refunded).toBe(true);
    expect((await shop.kit.payments.get(payment!.id))!.status).toBe('reversed');
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    const reversals = (await shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.kind === 'payment_reversal');
    expect(reversals.map((e) => e.amount)).toEqual([-cheapest]);
    // The buyer hears of the refund, once, in their chat.
    await s.t.drain();
    await s.t.drain();
    const refundTold = s.fake.calls.filter(
      (c) => c.ok && c.method === 'sendMessage' && Number(c.params['chat_id']) === buyer.id && textOf(c).includes('was refunded'),
    );
    expect(refundTold).toHaveLength(1);
    // Telegram's own word of the refund arrives after: the payment is reversed already, nothing moves again.
    await handleUpdate(s.shopBot, buyer.refundedPayment(charge, payload));
    expect((await shop.storage.ledger.list(customerId, { limit: 20 })).items.filter((e) => e.kind === 'payment_reversal')).toHaveLength(1);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    expect(await requestStarsRefund(shop, { paymentId: payment!.id, staff: { accountId: owner.id, role: 'admin' } })).toEqual({
      ok: false,
      reason: 'not_credited',
    });
  });

  it('labels a pending invoice asked for in the web wallet "Waiting for your payment" there, not "Waiting for review"', async () => {
    const { shop, clock } = s.t;
    await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
    // A web buyer whose Telegram is linked (only they can pay a Stars invoice) asks for one from the web wallet.
    const web = await signedUpBuyer(s.t.app);
    const customerId = (await shop.accounts.getByEmail(web.email))!.customerId;
    const links = new TelegramLinkStore(shop.db, shop.shopSchema, clock);
    const telegram = new TelegramUser(s.fake, clock, 7151, 'en');
    await telegram.send(telegram.message(`/start ${await links.createToken(customerId)}`));
    await web.agent
      .post('/wallet/stars')
      .type('form')
      .send({ _csrf: web.csrf, amount: '5', idempotencyKey: 'stars-web-pending-0001' })
      .expect(303);
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 10 })).items;
    expect(payment).toMatchObject({ provider: 'stars', status: 'pending' });
    const row = paymentRowOf((await web.agent.get('/wallet').expect(200)).text, payment!.id);
    expect(row).toContain(t('wallet.status.awaiting_payment'));
    expect(row).not.toContain(t('wallet.status.pending'));
    await saveStarsSettings(shop, { enabled: false, starsPerUnit: '50' }, clock.now(), null);
  });

  it('is offered in the web wallet and the JSON API only to a buyer whose Telegram is linked (Telegram lets only them pay)', async () => {
    const buyer = await signedUpBuyer(s.t.app);
    await saveStarsSettings(s.t.shop, { enabled: true, starsPerUnit: '50' }, s.t.clock.now(), null);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('data-provider="stars"');
    const refused = await buyer.agent
      .post('/wallet/stars')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '5', idempotencyKey: 'stars-web-key-000001' })
      .expect(409);
    expect(refused.text).toContain(t('payRails.stars.notLinked'));
    await buyer.agent
      .post('/api/v1/stars-topups')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '5', idempotencyKey: 'stars-web-key-000002' })
      .expect(409);
    await buyer.agent
      .post('/api/v1/stars-topups')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: 'x', idempotencyKey: 'stars-web-key-000003' })
      .expect(400);
    await saveStarsSettings(s.t.shop, { enabled: false, starsPerUnit: '50' }, s.t.clock.now(), null);
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="stars"');
    await buyer.agent
      .post('/wallet/stars')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '5', idempotencyKey: 'stars-web-key-000004' })
      .expect(404);
    const customerId = (await s.t.shop.accounts.getByEmail(buyer.email))!.customerId;
    expect((await s.t.shop.kit.payments.list({ customerId }, { limit: 50 })).items).toEqual([]);
  });
});

describe('a pending Stars invoice in the Mini App', () => {
  let s: BotShop;
  const t = translator('en');
  // The Mini App needs an https address.
  beforeAll(async () => {
    s = await startBotShop({ env: { PUBLIC_URL: 'https://shop.example.com' } });
  });
  afterAll(() => s?.close());

  it('is "Waiting for your payment" on the wallet page the buyer opens inside Telegram, not "Waiting for review"', async () => {
    const { shop, clock } = s.t;
    await saveStarsSettings(shop, { enabled: true, starsPerUnit: '50' }, clock.now(), null);
    // The buyer asks for a Stars invoice in the bot...
    const buyer = new TelegramUser(s.fake, clock, 7161, 'en');
    const menu = await buyer.send(buyer.message('/start'));
    const offer = await buyer.press(menu, 'tu');
    const button = buttonsOf(offer).find((b) => b.callback_data?.startsWith('xs:'));
    const since = s.fake.calls.length;
    s.fake.push(buyer.tap(button!.callback_data as string, messageIdOf(offer)));
    await s.fake.waitFor(since, (c) => c.method === 'sendInvoice', 'invoice');
    const customerId = (await shop.storage.customers.getByExternalRef(`telegram:${buyer.id}`))!.id;
    const [payment] = (await paymentsOf(shop).listByCustomer(customerId, { limit: 10 })).items;
    expect(payment).toMatchObject({ provider: 'stars', status: 'pending' });

    // ...then opens the Mini App, signed in by Telegram's launch data, and its wallet.
    const session = await supertest(s.t.app)
      .post('/tg/app/session')
      .set({ origin: 'https://shop.example.com' })
      .send({ initData: launchData(s.fake.token, { id: buyer.id }, clock.now()) })
      .expect(200);
    const cookie = ((session.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]).join('; ');
    const wallet = await supertest(s.t.app).get('/wallet').set('cookie', cookie).expect(200);
    const row = paymentRowOf(wallet.text, payment!.id);
    expect(row).toContain(t('wallet.status.awaiting_payment'));
    expect(row).not.toContain(t('wallet.status.pending'));
  });
});

/** The wallet page's row of one payment (its status badge among its cells). */
function paymentRowOf(page: string, paymentId: string): string {
  const row = new RegExp(`data-payment-id="${paymentId}">([\\s\\S]*?)</tr>`).exec(page)?.[1];
  if (row === undefined) throw new Error(`no row for payment ${paymentId} on the page`);
  return row;
}
