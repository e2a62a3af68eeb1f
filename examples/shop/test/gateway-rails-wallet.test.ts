import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCryptoBotSettings } from '../src/app/payments/cryptobot/settings.js';
import { saveZarinpalSettings } from '../src/app/payments/zarinpal/settings.js';
import { CryptoBotSimulator, ZarinpalSimulator } from '@panelkit/payment-providers/simulators';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

/** The shop's app listening on 127.0.0.1 at its PUBLIC_URL, so a gateway simulator can call it back. */
async function listeningShop(env: Record<string, string> = {}): Promise<{ t: ShopUnderTest; server: Server; base: string }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await startShop({ env: { PUBLIC_URL: base, ...env } });
  server.on('request', t.app);
  return { t, server, base };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

const key = (n: number) => `rails-form-key-${String(n).padStart(6, '0')}`;

async function customerOf(t: ShopUnderTest, buyer: Visitor & { email: string }): Promise<string> {
  return (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
}

describe('CryptoBot in the wallet, against the Crypto Pay simulator', () => {
  let t: ShopUnderTest;
  let server: Server;
  let base: string;
  let sim: CryptoBotSimulator;

  beforeAll(async () => {
    ({ t, server, base } = await listeningShop());
    sim = await new CryptoBotSimulator().start();
    sim.webhookUrl = `${base}/payments/cryptobot/webhook`;
  });
  afterAll(async () => {
    await closeServer(server);
    await sim.close();
    await t.close();
  });

  it('is offered once the owner turns it on; a paid invoice is credited once however often its webhook comes; forged ones are refused', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerOf(t, buyer);
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="cryptobot"');
    await buyer.agent
      .post('/wallet/pay/cryptobot')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '12.50', idempotencyKey: key(1) })
      .expect(404);

    await saveCryptoBotSettings(t.shop, { enabled: true, baseUrl: sim.url, token: sim.token }, t.clock.now(), null);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('data-provider="cryptobot"');
    const form = { _csrf: buyer.csrf, amount: '12.50', idempotencyKey: key(2) };
    const started = await buyer.agent.post('/wallet/pay/cryptobot').type('form').send(form).expect(303);
    const again = await buyer.agent.post('/wallet/pay/cryptobot').type('form').send(form).expect(303);
    expect(again.headers['location']).toBe(started.headers['location']);
    const paymentId = /\/wallet\/pay\/cryptobot\/(pay_\w+)$/.exec(started.headers['location'] as string)![1]!;
    const payment = (await t.shop.kit.payments.get(paymentId))!;
    expect(payment).toMatchObject({ providerId: 'cryptobot', status: 'pending', amount: 1250, currency: 'USD' });
    const invoiceId = payment.externalRef!;
    expect(sim.invoice(invoiceId)).toMatchObject({ fiat: 'USD', amount: '12.50', payload: paymentId });
    const page = await buyer.agent.get(started.headers['location'] as string).expect(200);
    expect(page.text).toContain(sim.invoice(invoiceId).bot_invoice_url);

    // A forged webhook (another token's signature) for the unpaid invoice is refused and credits nothing.
    expect(await sim.deliver(invoiceId, { wrongToken: true })).toBe(401);
    // A signed webhook while the invoice is unpaid at Crypto Pay credits nothing either: the API is asked.
    expect(await sim.deliver(invoiceId)).toBe(200);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);

    // Paid: the webhook twice, replayed once more, and a forgery after it: credited once.
    expect(await sim.pay(invoiceId, { deliveries: 2 })).toEqual([200, 200]);
    const replayed = sim.webhook(invoiceId);
    expect(await sim.deliver(invoiceId, { webhook: replayed })).toBe(200);
    expect(await sim.deliver(invoiceId, { webhook: replayed })).toBe(200);
    expect(await sim.deliver(invoiceId, { wrongToken: true })).toBe(401);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(1250);
    const topUps = (await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up');
    expect(topUps).toHaveLength(1);
    const back = await buyer.agent.get(`/wallet/pay/cryptobot/${paymentId}/return`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=payRails.credited');

    // In the buyer's history and the receipts queue like the others.
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('CryptoBot');
    const admin = await signedInAdmin(t.app);
    const queue = await admin.agent.get('/admin/receipts?status=approved&provider=cryptobot').expect(200);
    expect(queue.text).toContain(paymentId);
  });

  it('an unpaid invoice expires; a gateway that is down stores nothing; the JSON API starts the same top-up', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerOf(t, buyer);
    await t.shop.storage.ledger.balance(customerId, 'USD');
    const started = await buyer.agent
      .post('/wallet/pay/cryptobot')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '3', idempotencyKey: key(3) })
      .expect(303);
    const paymentId = /(pay_\w+)$/.exec(started.headers['location'] as string)![1]!;
    sim.expire((await t.shop.kit.payments.get(paymentId))!.externalRef!);
    t.clock.advance(2 * 3_600_000);
    expect(await t.shop.kit.payments.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await t.shop.kit.payments.get(paymentId))!.status).toBe('expired');
    const back = await buyer.agent.get(`/wallet/pay/cryptobot/${paymentId}/return`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=payRails.failed');

    // A signed webhook for an invoice the shop never made (the token used by another app too): acknowledged, nothing moves.
    const foreign = await fetch(`${sim.url}api/createInvoice`, {
      method: 'POST',
      headers: { 'crypto-pay-api-token': sim.token, 'content-type': 'application/json' },
      body: JSON.stringify({ currency_type: 'fiat', fiat: 'USD', amount: '9.00', payload: 'elsewhere' }),
    });
    const foreignId = String(((await foreign.json()) as { result: { invoice_id: number } }).result.invoice_id);
    expect(await sim.pay(foreignId, { deliveries: 1 })).toEqual([200]);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);

    sim.down = true;
    try {
      await buyer.agent
        .post('/wallet/pay/cryptobot')
        .type('form')
        .send({ _csrf: buyer.csrf, amount: '3', idempotencyKey: key(4) })
        .expect(503);
    } finally {
      sim.down = false;
    }
    expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toHaveLength(1);

    const api = await buyer.agent
      .post('/api/v1/gateway-topups/cryptobot')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '4.20', idempotencyKey: key(5) })
      .expect(202);
    expect(api.body).toMatchObject({ payment: { status: 'pending' }, payUrl: expect.stringContaining(sim.url) });
    await buyer.agent
      .post('/api/v1/gateway-topups/cryptobot')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '4.20', idempotencyKey: key(6), extra: 1 })
      .expect(400);
    await buyer.agent
      .post('/api/v1/gateway-topups/nope')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '4.20', idempotencyKey: key(7) })
      .expect(404);
  });
});

describe('Zarinpal in the wallet of a shop in rials, against the Zarinpal simulator', () => {
  let t: ShopUnderTest;
  let server: Server;
  let sim: ZarinpalSimulator;

  beforeAll(async () => {
    ({ t, server } = await listeningShop({ SHOP_CURRENCY: 'IRR' }));
    sim = await new ZarinpalSimulator().start();
  });
  afterAll(async () => {
    await closeServer(server);
    await sim.close();
    await t.close();
  });

  it('credits a verified payment once however often the buyer comes back; a forged or cancelled return credits nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = await customerOf(t, buyer);
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="zarinpal"');
    await saveZarinpalSettings(t.shop, { enabled: true, baseUrl: sim.url, merchantId: sim.merchantId }, t.clock.now(), null);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('data-provider="zarinpal"');

    const started = await buyer.agent
      .post('/wallet/pay/zarinpal')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '500000', idempotencyKey: key(11) })
      .expect(303);
    const paymentId = /(pay_\w+)$/.exec(started.headers['location'] as string)![1]!;
    const payment = (await t.shop.kit.payments.get(paymentId))!;
    expect(payment).toMatchObject({ providerId: 'zarinpal', status: 'pending', amount: 500_000, currency: 'IRR' });
    const returnPath = `/wallet/pay/zarinpal/${paymentId}/return`;

    // A forged return (Status=OK before paying) is asked of Zarinpal: nothing is credited.
    const forged = await buyer.agent.get(`${returnPath}?Authority=${payment.externalRef}&Status=OK`).expect(303);
    expect(forged.headers['location']).toBe('/wallet?done=payRails.waiting');
    expect(await t.shop.storage.ledger.balance(customerId, 'IRR')).toBe(0);

    const back = await sim.pay(payment.externalRef!);
    expect(back.pathname).toBe(returnPath);
    for (let i = 0; i < 3; i++) {
      const res = await buyer.agent.get(`${back.pathname}${back.search}`).expect(303);
      expect(res.headers['location']).toBe('/wallet?done=payRails.credited');
    }
    expect(await t.shop.storage.ledger.balance(customerId, 'IRR')).toBe(500_000);
    expect((await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(1);
    // Another buyer replaying this return finds nothing of theirs.
    const other = await signedUpBuyer(t.app);
    await other.agent.get(`${back.pathname}${back.search}`).expect(404);

    // A buyer who cancels at Zarinpal comes back NOK: the payment is closed, nothing credited.
    const second = await buyer.agent
      .post('/wallet/pay/zarinpal')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '200000', idempotencyKey: key(12) })
      .expect(303);
    const secondId = /(pay_\w+)$/.exec(second.headers['location'] as string)![1]!;
    const cancelled = await sim.pay((await t.shop.kit.payments.get(secondId))!.externalRef!, 'cancel');
    const res = await buyer.agent.get(`${cancelled.pathname}${cancelled.search}`).expect(303);
    expect(res.headers['location']).toBe('/wallet?done=payRails.failed');
    expect(await t.shop.storage.ledger.balance(customerId, 'IRR')).toBe(500_000);

    const admin = await signedInAdmin(t.app);
    expect((await admin.agent.get('/admin/receipts?status=approved&provider=zarinpal').expect(200)).text).toContain(paymentId);
  });
});
