/**
 * Issue 30's payment defects and issue 32's gateway outage, as a buyer and an admin meet them on the web:
 * a crypto payment an admin settles before the late callback, abandoned invoices, a refund after credit,
 * and a top-up while the gateway is down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveGatewaySettings } from '../src/app/payments/crypto/gateway-settings.js';
import { NowPaymentsSimulator as CryptoGatewaySimulator } from '@panelkit/payment-providers/simulators';
import { translator } from '../src/i18n/translate.js';
import { customerIdOf } from './support/buying.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { receipt, startMoneyShop, submitReceipt } from './support/wallet-helpers.js';

let t: ShopUnderTest;
let server: Server;
let sim: CryptoGatewaySimulator;
let admin: Visitor;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t = await startMoneyShop({ PUBLIC_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  server.on('request', t.app);
  sim = await new CryptoGatewaySimulator().start();
  await saveGatewaySettings(t.shop, { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret }, t.clock.now(), null);
  admin = await signedInAdmin(t.app);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  await sim.close();
  await t.close();
});

async function buyer(): Promise<{ v: Visitor & { email: string }; customerId: string }> {
  const v = await signedUpBuyer(t.app);
  return { v, customerId: await customerIdOf(t, v.email) };
}

/** A "Pay with crypto" click: the response, and the invoice when one was made. */
async function payWithCrypto(v: Visitor, amount: string) {
  const wallet = await v.agent.get('/wallet').expect(200);
  const key = /data-testid="topup-crypto"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(wallet.text)![1]!;
  const res = await v.agent
    .post('/wallet/crypto')
    .type('form')
    .send({ _csrf: csrfFrom(wallet.text), amount, idempotencyKey: key });
  if (res.status !== 303) return { res, invoiceId: null, paymentId: null };
  const page = await v.agent.get(res.headers['location'] as string).expect(200);
  const invoiceId = /href="[^"]*\/pay\/(\w+)"/.exec(page.text)![1]!;
  return { res, invoiceId, paymentId: sim.invoices.get(invoiceId)!.orderId };
}

const balance = (customerId: string) => t.shop.storage.ledger.balance(customerId, 'USD');
const topUps = async (customerId: string) =>
  (await t.shop.storage.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.kind === 'top_up').length;
const decide = async (paymentId: string, action: 'approve' | 'mark-paid') => {
  const page = await admin.agent.get('/admin/receipts').expect(200);
  return admin.agent
    .post(`/admin/receipts/${paymentId}/${action}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
};

describe('One crypto payment credited twice', () => {
  it('an admin cannot approve the gateway’s payment; an explicit mark-paid credits it, and the late callback finds it credited', async () => {
    const { v, customerId } = await buyer();
    const { invoiceId, paymentId } = await payWithCrypto(v, '8');
    sim.next = { deliveries: 0 };
    const gatewayPaymentId = await sim.pay(invoiceId!);
    // The receipts queue lists it with "mark paid", not "approve"; an approve is refused.
    const queue = await admin.agent.get('/admin/receipts').expect(200);
    expect(queue.text).toContain(`/admin/receipts/${paymentId}/mark-paid`);
    expect(queue.text).not.toContain(`/admin/receipts/${paymentId}/approve`);
    expect((await decide(paymentId!, 'approve')).status).toBe(409);
    expect(await balance(customerId)).toBe(0);
    expect((await decide(paymentId!, 'mark-paid')).status).toBe(303);
    expect(await balance(customerId)).toBe(800);
    // The callback arrives late, and again.
    expect(await sim.deliver(gatewayPaymentId)).toBe(200);
    expect(await sim.deliver(gatewayPaymentId)).toBe(200);
    expect(await balance(customerId)).toBe(800);
    expect(await topUps(customerId)).toBe(1);
    // A second mark-paid is "already reviewed".
    expect((await decide(paymentId!, 'mark-paid')).status).toBe(409);
  });

  it('the callback first, then an admin’s mark-paid: one credit', async () => {
    const { v, customerId } = await buyer();
    const { invoiceId, paymentId } = await payWithCrypto(v, '8');
    await sim.pay(invoiceId!);
    expect(await balance(customerId)).toBe(800);
    expect((await decide(paymentId!, 'mark-paid')).status).toBe(409);
    expect(await balance(customerId)).toBe(800);
  });
});

describe('Abandoned invoices lock a buyer out', () => {
  it('five unpaid invoices stop a sixth but not a card receipt; the buyer cancels one; the rest expire', async () => {
    const { v, customerId } = await buyer();
    const invoices = [];
    for (let i = 0; i < 5; i++) invoices.push(await payWithCrypto(v, '3'));
    expect((await payWithCrypto(v, '3')).res.status).toBe(429);
    expect((await submitReceipt(v, receipt({ amount: '4' }))).status).toBe(303);
    // The buyer cancels one of theirs from the wallet; then a new invoice may be made.
    const wallet = await v.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain(`/wallet/payments/${invoices[0]!.paymentId}/cancel`);
    await v.agent
      .post(`/wallet/payments/${invoices[0]!.paymentId}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(wallet.text) })
      .expect(303);
    expect((await t.shop.kit.payments.get(invoices[0]!.paymentId!))!.status).toBe('cancelled');
    expect((await payWithCrypto(v, '3')).res.status).toBe(303);
    // Through the JSON API too; a second cancel is refused.
    const api = await v.agent
      .post(`/api/v1/payments/${invoices[1]!.paymentId}/cancel`)
      .set('x-csrf-token', csrfFrom(wallet.text))
      .expect(200);
    expect(api.body.payment).toMatchObject({ id: invoices[1]!.paymentId, status: 'cancelled' });
    await v.agent.post(`/api/v1/payments/${invoices[1]!.paymentId}/cancel`).set('x-csrf-token', csrfFrom(wallet.text)).expect(409);
    // Another buyer cannot cancel it.
    const other = await buyer();
    const otherWallet = await other.v.agent.get('/wallet').expect(200);
    await other.v.agent
      .post(`/wallet/payments/${invoices[2]!.paymentId}/cancel`)
      .type('form')
      .send({ _csrf: csrfFrom(otherWallet.text) })
      .expect(404);
    // A day later the scheduler has expired every unpaid invoice; the card receipt still waits for an admin.
    t.clock.advance(25 * 3_600_000);
    await t.shop.kit.createScheduler().tick();
    expect(await t.shop.kit.payments.countPending(customerId, 'crypto')).toBe(0);
    expect((await t.shop.kit.payments.get(invoices[2]!.paymentId!))!.status).toBe('expired');
    // The JSON API gives the expiry note as the buyer reads it on the page, never the SDK's own words.
    expect((await t.shop.kit.payments.get(invoices[2]!.paymentId!))!.note).toBe('not paid in time');
    const expired = await v.agent.get(`/api/v1/payments/${invoices[2]!.paymentId}`).expect(200);
    expect(expired.body.payment.reviewNote).toBe(translator('en')('wallet.paymentNotes.notPaidInTime'));
    expect(await t.shop.kit.payments.countPending(customerId, 'card')).toBe(1);
    expect((await payWithCrypto(v, '3')).res.status).toBe(303);
  });

  it('a payment the gateway later reports refunded is taken back by a reversal entry, and the admins are told', async () => {
    const { v, customerId } = await buyer();
    const { invoiceId, paymentId } = await payWithCrypto(v, '6');
    const gatewayPaymentId = await sim.pay(invoiceId!);
    expect(await balance(customerId)).toBe(600);
    expect(await sim.refund(gatewayPaymentId)).toBe(200);
    expect(await balance(customerId)).toBe(0);
    // Both entries carry the same (manual) clock time, so their listed order is the ids'.
    const kinds = (await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.map((e) => [e.kind, e.amount]);
    expect(kinds.sort()).toEqual([
      ['payment_reversal', -600],
      ['top_up', 600],
    ]);
    expect((await t.shop.kit.payments.get(paymentId!))!.status).toBe('reversed');
    await t.drain();
    const { rows } = await t.shop.db.query<{ params: Record<string, unknown> }>(
      `SELECT params FROM ${t.shop.shopSchema}.notifications WHERE kind = 'payment_reversed'`,
    );
    expect(rows.map((r) => r.params)).toEqual([expect.objectContaining({ paymentId, taken: 600, shortfall: 0, customerId })]);
    // The refund report again changes nothing.
    expect(await sim.deliver(gatewayPaymentId)).toBe(200);
    expect(await balance(customerId)).toBe(0);
  });
});

describe('A crypto top-up while the gateway is down', () => {
  it('answers 503 and leaves nothing counted against the buyer', async () => {
    const { v, customerId } = await buyer();
    sim.down = true;
    try {
      for (let i = 0; i < 6; i++) expect((await payWithCrypto(v, '5')).res.status).toBe(503);
      expect((await t.shop.kit.payments.list({ customerId }, { limit: 10 })).items).toEqual([]);
    } finally {
      sim.down = false;
    }
    expect((await payWithCrypto(v, '5')).res.status).toBe(303);
  });
});
