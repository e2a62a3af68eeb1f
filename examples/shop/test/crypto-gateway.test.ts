import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsOf } from '../src/app/payments/records.js';
import { saveGatewaySettings } from '../src/app/payments/crypto/gateway-settings.js';
import { ipnSignature, sortedJson, verifyIpnSignature } from '@panelkit/payment-providers/nowpayments';
import { NowPaymentsSimulator as CryptoGatewaySimulator } from '@panelkit/payment-providers/simulators';
import { customerIdOf } from './support/buying.js';
import { csrfFrom, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

describe('the gateway signature', () => {
  it('signs the JSON with its keys sorted at every depth, and checks it in constant time', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
    const body = { payment_id: 5, payment_status: 'finished', price_amount: 12 };
    const sig = ipnSignature(body, 'secret');
    expect(sig).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyIpnSignature({ price_amount: 12, payment_status: 'finished', payment_id: 5 }, sig, 'secret')).toBe(true);
    expect(verifyIpnSignature(body, sig, 'other')).toBe(false);
    expect(verifyIpnSignature({ ...body, price_amount: 13 }, sig, 'secret')).toBe(false);
    expect(verifyIpnSignature(body, undefined, 'secret')).toBe(false);
    expect(verifyIpnSignature(body, 'abc', 'secret')).toBe(false);
  });
});

describe('crypto top-ups through the gateway', () => {
  let t: ShopUnderTest;
  let server: Server;
  let sim: CryptoGatewaySimulator;
  let buyer: Visitor & { email: string };
  let customerId: string;

  const entries = async () => (await t.shop.storage.ledger.list(customerId, { limit: 100 })).items;
  const balance = () => t.shop.storage.ledger.balance(customerId, 'USD');

  /** The buyer asks for `amount` and follows the shop to the gateway: the invoice id and the shop's payment id. */
  async function invoiceFor(amount: string): Promise<{ invoiceId: string; paymentId: string }> {
    const wallet = await buyer.agent.get('/wallet').expect(200);
    const key = /data-testid="topup-crypto"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(wallet.text)![1]!;
    const res = await buyer.agent
      .post('/wallet/crypto')
      .type('form')
      .send({ _csrf: csrfFrom(wallet.text), amount, idempotencyKey: key })
      .expect(303);
    const invoicePage = await buyer.agent.get(res.headers['location'] as string).expect(200);
    const invoiceId = /href="[^"]*\/pay\/(\w+)"/.exec(invoicePage.text)![1]!;
    return { invoiceId, paymentId: sim.invoices.get(invoiceId)!.orderId };
  }

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startShop({ env: { PUBLIC_URL: url } });
    server.on('request', t.app);
    sim = await new CryptoGatewaySimulator().start();
    await saveGatewaySettings(
      t.shop,
      { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret },
      t.clock.now(),
      null,
    );
    buyer = await signedUpBuyer(t.app);
    customerId = await customerIdOf(t, buyer.email);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await t.close();
  });

  it('credits once when the callback comes twice and the buyer returns', async () => {
    const { invoiceId, paymentId } = await invoiceFor('12');
    sim.next = { deliveries: 2 };
    const gatewayPaymentId = await sim.pay(invoiceId);
    expect(await balance()).toBe(1200);
    const back = await buyer.agent.get(`/wallet/crypto/${paymentId}/return?NP_id=${gatewayPaymentId}`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=wallet.crypto_credited');
    expect((await entries()).filter((e) => e.kind === 'top_up')).toHaveLength(1);
    const payment = await paymentsOf(t.shop).get(paymentId);
    // The invoice is the payment's reference; the gateway's payment that settled it is noted beside it.
    expect(payment).toMatchObject({
      status: 'approved',
      referenceKey: invoiceId,
      details: expect.objectContaining({ settlementRef: gatewayPaymentId }),
    });
    expect(payment!.creditedEntryId).not.toBeNull();
  });

  it('credits once when two callbacks and the return arrive at the same moment', async () => {
    const before = await balance();
    const { invoiceId, paymentId } = await invoiceFor('7.5');
    sim.next = { deliveries: 0 };
    const gatewayPaymentId = await sim.pay(invoiceId);
    expect(await balance()).toBe(before);
    const [a, b, back] = await Promise.all([
      sim.deliver(gatewayPaymentId),
      sim.deliver(gatewayPaymentId),
      buyer.agent.get(`/wallet/crypto/${paymentId}/return?NP_id=${gatewayPaymentId}`),
    ]);
    expect([a, b, back.status]).toEqual([200, 200, 303]);
    expect(await balance()).toBe(before + 750);
    expect((await entries()).filter((e) => e.kind === 'top_up')).toHaveLength(2);
  });

  it('refuses forged and unsigned callbacks with 401 and changes nothing', async () => {
    const before = await balance();
    const { invoiceId } = await invoiceFor('5');
    sim.next = { deliveries: 0 };
    const gatewayPaymentId = await sim.pay(invoiceId);
    expect(await sim.deliver(gatewayPaymentId, { wrongSignature: true })).toBe(401);
    const unsigned = await fetch(new URL('/payments/crypto/ipn', `http://127.0.0.1:${(server.address() as AddressInfo).port}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sim.payments.get(gatewayPaymentId)),
    });
    expect(unsigned.status).toBe(401);
    expect(await balance()).toBe(before);
  });

  it("leaves a payment whose amount is not the invoice's for an admin, and ends an expired one", async () => {
    const before = await balance();
    const short = await invoiceFor('20');
    sim.next = { priceAmount: 2 };
    await sim.pay(short.invoiceId);
    expect((await paymentsOf(t.shop).get(short.paymentId))!.status).toBe('pending');
    const expired = await invoiceFor('3');
    sim.next = { status: 'expired' };
    await sim.pay(expired.invoiceId);
    expect((await paymentsOf(t.shop).get(expired.paymentId))!.status).toBe('expired');
    expect(await balance()).toBe(before);
  });

  it('records a second payment on one invoice as money of its own, credited once', async () => {
    const before = await balance();
    const { invoiceId } = await invoiceFor('4');
    await sim.pay(invoiceId);
    const second = await sim.pay(invoiceId);
    await sim.deliver(second);
    expect(await balance()).toBe(before + 800);
  });

  it("prints an invoice for the buyer's payments only", async () => {
    const [payment] = (await paymentsOf(t.shop).listByCustomer(customerId, { limit: 1 })).items;
    const page = await buyer.agent.get(`/wallet/payments/${payment!.id}/invoice`).expect(200);
    expect(page.text).toContain('data-testid="invoice"');
    expect(page.text).toContain(payment!.id);
    const other = await signedUpBuyer(t.app);
    await other.agent.get(`/wallet/payments/${payment!.id}/invoice`).expect(404);
  });
});
