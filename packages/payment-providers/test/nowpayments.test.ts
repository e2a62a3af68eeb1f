import { describePaymentProvider } from '@panelkit/sdk/testing';
import type { PaymentCallback } from '@panelkit/sdk/payments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipnSignature, NOWPAYMENTS_SIGNATURE_HEADER, nowPaymentsProvider, readNowPaymentsIpn } from '../src/nowpayments.js';
import { NowPaymentsSimulator } from '../src/simulators.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: NowPaymentsSimulator;
beforeAll(async () => {
  sim = await new NowPaymentsSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = () =>
  nowPaymentsProvider({
    api: () => ({ baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret }),
    ipnCallbackUrl: () => 'http://127.0.0.1:9/payments/nowpayments/ipn',
    cancelUrl: (back) => back,
  });

/** The callback NOWPayments sends about `paymentId` as it stands now, signed with `secret`, its body raw. */
function ipnOf(paymentId: string, secret = sim.ipnSecret): PaymentCallback {
  const body = sim.payments.get(paymentId)!;
  return { headers: { [NOWPAYMENTS_SIGNATURE_HEADER]: ipnSignature(body, secret) }, body: JSON.stringify(body), query: {} };
}

/** The buyer pays the invoice on its page; the callback is not sent (the suite delivers it). */
async function payQuietly(invoiceId: string): Promise<string> {
  sim.next = { deliveries: 0 };
  return sim.pay(invoiceId);
}

describePaymentProvider('nowpayments (simulated)', async () => ({
  provider: provider(),
  gateway: {
    pay: async (opened) => ({ callback: ipnOf(await payQuietly(opened.externalRef)) }),
    refund: async (opened) => {
      const payment = [...sim.payments.values()].find((p) => p.invoice_id === opened.externalRef)!;
      payment.payment_status = 'refunded';
      return { callback: ipnOf(payment.payment_id) };
    },
    forge: (callback) => ({
      ...callback,
      headers: { [NOWPAYMENTS_SIGNATURE_HEADER]: ipnSignature(JSON.parse(String(callback.body)), 'x') },
    }),
    setDown: (down) => {
      sim.down = down;
    },
  },
}));

describe('readNowPaymentsIpn, framework-free', () => {
  const body = { payment_id: 5077125051, payment_status: 'finished', price_amount: 12.5, price_currency: 'usd', order_id: 'pay_1' };
  const signature = ipnSignature(body, 'ipn-secret');

  it('takes the raw body (text or bytes) or the parsed one, whatever the order of its keys; names the payment', () => {
    const reordered = `{"order_id":"pay_1","price_currency":"usd","price_amount":12.5,"payment_status":"finished","payment_id":5077125051}`;
    for (const given of [JSON.stringify(body), reordered, new TextEncoder().encode(reordered), body])
      expect(readNowPaymentsIpn({ body: given, headers: { 'x-nowpayments-sig': signature }, ipnSecret: 'ipn-secret' })).toEqual({
        paymentId: '5077125051',
      });
  });

  it('refuses, typed and under the host’s provider id, another secret, a changed value, no signature, no payment id, not JSON', () => {
    const refused = (given: unknown, headers: Record<string, string>) =>
      expect(() => readNowPaymentsIpn({ body: given, headers, ipnSecret: 'ipn-secret', providerId: 'crypto' })).toThrowError(
        expect.objectContaining({ code: 'PAYMENT_SIGNATURE_INVALID', details: { providerId: 'crypto' } }),
      );
    refused(body, { 'x-nowpayments-sig': ipnSignature(body, 'another') });
    refused({ ...body, price_amount: 1250 }, { 'x-nowpayments-sig': signature });
    refused(body, {});
    const noId = { ...body, payment_id: null };
    refused(noId, { 'x-nowpayments-sig': ipnSignature(noId, 'ipn-secret') });
    refused('{not json', { 'x-nowpayments-sig': signature });
  });
});

describe.each(STORAGE_KINDS)('NOWPayments through kit.payments on $name storage', (kind) => {
  const kitOn = kitsOn(kind);

  it.skipIf(kind.skip !== false)(
    'a finished payment’s IPN, twice at once and again, credits once; the buyer’s return agrees; a refund reverses once',
    async () => {
      const { kit, storage, buyer } = await kitOn([provider()]);
      const started = await kit.payments.start({
        customerId: buyer,
        providerId: 'nowpayments',
        amount: { amount: 19_99, currency: 'USD' },
        returnUrl: 'http://127.0.0.1:9/wallet/return',
      });
      if (!started.ok) throw new Error(started.reason);
      const paymentId = await payQuietly(started.payment.externalRef!);
      await expect(kit.payments.handleCallback('nowpayments', ipnOf(paymentId, 'not-the-secret'))).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      const both = await Promise.all([
        kit.payments.handleCallback('nowpayments', ipnOf(paymentId)),
        kit.payments.handleCallback('nowpayments', ipnOf(paymentId)),
      ]);
      expect(both.map((r) => r.outcome).sort()).toEqual(['already_credited', 'credited']);
      expect(await kit.payments.verify(started.payment.id, { NP_id: paymentId })).toMatchObject({ outcome: 'already_credited' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(19_99);
      sim.payments.get(paymentId)!.payment_status = 'refunded';
      expect(await kit.payments.handleCallback('nowpayments', ipnOf(paymentId))).toMatchObject({ outcome: 'reversed' });
      expect(await kit.payments.handleCallback('nowpayments', ipnOf(paymentId))).not.toMatchObject({ outcome: 'reversed' });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(0);
    },
  );
});
