import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSetting } from '../src/db/shop-settings.js';
import { YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { buy } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const key = (n: number) => `yookassa-form-key-${String(n).padStart(6, '0')}`;

describe('YooKassa in the wallet of a shop in roubles, against the YooKassa simulator', () => {
  let t: ShopUnderTest;
  let server: Server;
  let base: string;
  let sim: YooKassaSimulator;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startShop({ env: { PUBLIC_URL: base, SHOP_CURRENCY: 'RUB' } });
    server.on('request', t.app);
    sim = await new YooKassaSimulator().start();
    sim.webhookUrl = `${base}/payments/yookassa/notify`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await t.close();
  });

  it('on in settings (key sealed, receipts with the VAT code); paid by SBP and credited once; forged notifications refused; refunded once; the money buys a plan', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="yookassa"');

    const admin = await signedInAdmin(t.app);
    expect((await admin.agent.get('/admin/settings/payments').expect(200)).text).toContain(`${base}/payments/yookassa/notify`);
    const form = {
      _csrf: admin.csrf,
      yookassaEnabled: 'on',
      yookassaBaseUrl: sim.url,
      yookassaShopId: sim.shopId,
      yookassaSecretKey: sim.secretKey,
      yookassaReceipts: 'on',
      yookassaVatCode: '4',
    };
    await admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({ ...form, yookassaVatCode: '9' })
      .expect(400);
    await admin.agent.post('/admin/settings/payments').type('form').send(form).expect(303);
    const stored = await readSetting<Record<string, unknown>, { secretKey: string }>(t.shop, 'payments.yookassa');
    expect(stored?.value).toEqual({ enabled: true, baseUrl: sim.url, shopId: sim.shopId, receipts: true, vatCode: 4, receiptEmail: '' });
    expect(stored?.secret?.secretKey).toBe(sim.secretKey);

    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('data-provider="yookassa"');
    expect(wallet.text).toContain('value="sbp"');
    const started = await buyer.agent
      .post('/wallet/pay/yookassa')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '750', idempotencyKey: key(1), method: 'sbp', saveMethod: 'on' })
      .expect(303);
    const paymentId = /(pay_\w+)$/.exec(started.headers['location'] as string)![1]!;
    const payment = (await t.shop.kit.payments.get(paymentId))!;
    expect(payment).toMatchObject({ providerId: 'yookassa', status: 'pending', amount: 75_000, currency: 'RUB' });
    const remote = sim.payment(payment.externalRef!);
    expect(remote).toMatchObject({
      amount: { value: '750.00', currency: 'RUB' },
      metadata: { paymentId },
      wanted: { method: 'sbp', save: true },
    });
    expect(remote.receipt).toMatchObject({ customer: { email: buyer.email }, items: [{ vat_code: 4, amount: { value: '750.00' } }] });

    // Unsigned "succeeded" while YooKassa says pending: nothing. A payment YooKassa does not know: refused.
    const lying = sim.notification('payment.succeeded', remote.id).replace('"status":"pending"', '"status":"succeeded"');
    expect(await sim.deliver(lying)).toBe(200);
    expect(await sim.deliver(sim.notification('payment.succeeded', 'ffffffff-000f-5000-9000-000000000000'))).toBe(400);
    expect(await sim.deliver('{"type":"notification"}')).toBe(400);
    expect(await t.shop.storage.ledger.balance(customerId, 'RUB')).toBe(0);

    // Paid: the notification twice at once, and the buyer's return: credited once.
    await sim.pay(remote.id, { deliveries: 0 });
    const body = sim.notification('payment.succeeded', remote.id);
    expect(await Promise.all([sim.deliver(body), sim.deliver(body)])).toEqual([200, 200]);
    const back = await buyer.agent.get(`/wallet/pay/yookassa/${paymentId}/return`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=payRails.credited');
    expect(await t.shop.storage.ledger.balance(customerId, 'RUB')).toBe(75_000);
    expect((await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(1);
    // The SBP account YooKassa saved is kept for the buyer (sealed), allowed for renewals as asked.
    expect(await t.shop.kit.payments.savedMethods(customerId)).toMatchObject([{ label: 'СБП · Сбербанк', allowRenewal: true }]);

    // The owner refunds it at YooKassa from the receipts queue: one refund there, one reversal here.
    const queue = await admin.agent.get('/admin/receipts?status=approved&provider=yookassa').expect(200);
    expect(queue.text).toContain('data-testid="refund-gateway"');
    const refund = () =>
      admin.agent.post(`/admin/payments/${paymentId}/refund-gateway`).type('form').send({ _csrf: admin.csrf, confirm: 'yes' }).expect(303);
    expect((await refund()).headers['location']).toContain('gateway_refund_queued');
    expect((await refund()).headers['location']).toContain('gateway_refund_queued');
    await t.drain();
    expect(sim.refunds.size).toBe(1);
    const [made] = [...sim.refunds.values()];
    expect(made).toMatchObject({ payment_id: remote.id, amount: { value: '750.00' } });
    // YooKassa's refund.succeeded arriving after it changes nothing more.
    expect(await sim.deliver(sim.notification('refund.succeeded', made!.id))).toBe(200);
    await t.drain();
    expect(await t.shop.storage.ledger.balance(customerId, 'RUB')).toBe(0);
    expect((await t.shop.kit.payments.get(paymentId))!.status).toBe('reversed');

    // A second top-up by card on the smart page buys a plan with the wallet's money.
    const second = await buyer.agent
      .post('/api/v1/gateway-topups/yookassa')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '5000', idempotencyKey: key(2), method: 'smart' })
      .expect(202);
    const secondRef = (await t.shop.kit.payments.get(second.body.payment.id))!.externalRef!;
    expect(await sim.pay(secondRef, { deliveries: 2 })).toEqual([200, 200]);
    expect(await t.shop.storage.ledger.balance(customerId, 'RUB')).toBe(500_000);
    const plan = (await t.shop.storage.plans.list()).find((p) => p.price.amount <= 500_000)!;
    expect((await buy(buyer, plan.id)).status).toBe(303);
    expect(await t.shop.storage.ledger.balance(customerId, 'RUB')).toBe(500_000 - plan.price.amount);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('YooKassa');
  });

  it('a Telegram-only buyer (no e-mail) pays with receipts on once the owner gives an address for such receipts', async () => {
    const admin = await signedInAdmin(t.app);
    const form = {
      _csrf: admin.csrf,
      yookassaEnabled: 'on',
      yookassaBaseUrl: sim.url,
      yookassaShopId: sim.shopId,
      yookassaReceipts: 'on',
      yookassaVatCode: '1',
    };
    await admin.agent.post('/admin/settings/payments').type('form').send(form).expect(303);
    const botOnly = await t.shop.kit.customers.create({ externalRef: 'telegram:7770056', telegramId: '7770056', name: 'Bot Only' });
    const start = (n: number) =>
      t.shop.kit.payments.start({
        customerId: botOnly.id,
        providerId: 'yookassa',
        amount: { amount: 20_000, currency: 'RUB' },
        requestKey: key(100 + n),
      });
    await expect(start(1)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });

    const page = await admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({ ...form, yookassaReceiptEmail: 'not an address' })
      .expect(400);
    expect(page.text).toContain('receipts@example.com');
    await admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({ ...form, yookassaReceiptEmail: 'receipts@shop.example' })
      .expect(303);
    expect((await admin.agent.get('/admin/settings/payments').expect(200)).text).toContain('value="receipts@shop.example"');
    const started = await start(2);
    if (!started.ok) throw new Error(started.reason);
    expect(sim.payment(started.payment.externalRef!).receipt).toMatchObject({ customer: { email: 'receipts@shop.example' } });
  });
});
