import { describePaymentProvider } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YooKassaSimulator } from '../src/simulators.js';
import { readYooKassaNotification, yookassaProvider, type YooKassaReceipts } from '../src/yookassa.js';
import { capabilitiesOf } from './support/harness.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: YooKassaSimulator;
beforeAll(async () => {
  sim = await new YooKassaSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = (receipts: YooKassaReceipts = { enabled: false, vatCode: 1 }, email: string | null = 'buyer@example.com') =>
  yookassaProvider({
    api: () => ({ baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey }),
    receipts: () => receipts,
    contactOf: async () => ({ email, phone: null }),
    callbackUrl: (id) => `http://127.0.0.1:9/wallet/pay/yookassa/${id}/return`,
  });

describePaymentProvider('yookassa (simulated API v3)', async () => ({
  provider: provider({ enabled: true, vatCode: 1 }),
  currency: 'RUB',
  gateway: {
    pay: async (opened) => {
      await sim.pay(opened.externalRef, { deliveries: 0 });
      return { callback: { headers: {}, body: null, rawBody: sim.notification('payment.succeeded', opened.externalRef), query: {} } };
    },
    refund: async (opened) => {
      const payment = sim.payment(opened.externalRef);
      const res = await fetch(`${sim.url}refunds`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${sim.shopId}:${sim.secretKey}`).toString('base64')}`,
          'idempotence-key': `owner-${opened.externalRef}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ payment_id: payment.id, amount: payment.amount }),
      });
      const refund = (await res.json()) as { id: string };
      return { callback: { headers: {}, body: null, rawBody: sim.notification('refund.succeeded', refund.id), query: {} } };
    },
    // YooKassa signs nothing: a "forgery" is a notification naming a payment YooKassa does not have.
    forge: (callback) => ({
      ...callback,
      rawBody: String(callback.rawBody).replace(/"id":"[^"]+"/, '"id":"2ee1f5f4-000f-5000-9000-forged000000"'),
    }),
    setDown: (down) => {
      sim.down = down;
    },
    paymentCount: async () => sim.payments.size,
    loseNextAnswer: () => sim.loseNextAnswer(),
  },
  capabilities: capabilitiesOf(sim, { refunds: () => sim.refunds.size, charges: () => sim.charges.size }),
}));

describe('the YooKassa simulator’s Idempotence-Key', () => {
  const create = (key: string, body: unknown) =>
    fetch(`${sim.url}payments`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.shopId}:${sim.secretKey}`).toString('base64')}`,
        'idempotence-key': key,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  const payment = (value: string) => ({
    amount: { value, currency: 'RUB' },
    confirmation: { type: 'redirect', return_url: 'http://127.0.0.1:9/back' },
    metadata: { paymentId: 'pay_sim_key' },
  });

  it('answers the first payment to the same key and data (in any order), refuses other data under it, and forgets it after 24 hours', async () => {
    const key = `sim-key-${Math.random().toString(36).slice(2)}`;
    const before = sim.payments.size;
    const first = await create(key, payment('100.00'));
    expect(first.status).toBe(200);
    const made = (await first.json()) as { id: string };
    const { metadata, confirmation, amount } = payment('100.00');
    const again = await create(key, { metadata, confirmation, amount });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(made.id);
    const other = await create(key, payment('200.00'));
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ type: 'error', code: 'invalid_request', parameter: 'Idempotence-Key' });
    expect(sim.payments.size).toBe(before + 1);
    sim.elapse(25 * 3_600_000);
    const later = await create(key, payment('200.00'));
    expect(later.status).toBe(200);
    expect(((await later.json()) as { id: string }).id).not.toBe(made.id);
    expect(sim.payments.size).toBe(before + 2);
  });
});

describe('YooKassa amounts and receipts', () => {
  it('sends the 54-FZ receipt with the owner VAT code and the buyer e-mail; without a contact, nothing is opened', async () => {
    const opened = await provider({ enabled: true, vatCode: 4 }).open!({
      paymentId: 'pay_receipt_1',
      customerId: 'c',
      amount: { amount: 49_900, currency: 'RUB' },
      returnUrl: null,
      description: 'Пополнение кошелька',
      method: 'sbp',
    });
    expect(sim.payment(opened.externalRef).receipt).toMatchObject({
      customer: { email: 'buyer@example.com' },
      items: [{ amount: { value: '499.00', currency: 'RUB' }, vat_code: 4, quantity: '1.00' }],
    });
    expect(sim.payment(opened.externalRef).wanted.method).toBe('sbp');
    await expect(
      provider({ enabled: true, vatCode: 4 }, null).open!({
        paymentId: 'pay_receipt_2',
        customerId: 'c',
        amount: { amount: 100, currency: 'RUB' },
        returnUrl: null,
        description: 'x',
      }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
    expect(sim.payment(opened.externalRef).receipt).toBeDefined();
  });

  it('sends the receipt of a buyer with no e-mail or phone (a Telegram-only buyer) to the owner’s fallback address', async () => {
    const opened = await provider({ enabled: true, vatCode: 1, fallbackEmail: 'receipts@shop.example' }, null).open!({
      paymentId: 'pay_receipt_fallback',
      customerId: 'c',
      amount: { amount: 30_000, currency: 'RUB' },
      returnUrl: null,
      description: 'Пополнение кошелька',
    });
    expect(sim.payment(opened.externalRef).receipt).toMatchObject({ customer: { email: 'receipts@shop.example' } });
  });

  const paidWithReceipt = async (paymentId: string) => {
    const receipts = { enabled: true, vatCode: 4 };
    const opened = await provider(receipts).open!({
      paymentId,
      customerId: 'c',
      amount: { amount: 90_000, currency: 'RUB' },
      returnUrl: null,
      description: 'Подписка на месяц',
    });
    await sim.pay(opened.externalRef, { deliveries: 0 });
    const payment = {
      id: paymentId,
      customerId: 'c',
      providerId: 'yookassa',
      amount: 90_000,
      currency: 'RUB',
      status: 'credited' as const,
      externalRef: opened.externalRef,
      requestKey: null,
      details: {},
      expiresAt: null,
      confirmation: 'gateway' as const,
      ledgerEntryId: null,
      reversalEntryId: null,
      decidedBy: null,
      note: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    return { receipts, payment };
  };

  it('refunds part of a payment that had a receipt with a refund receipt (same service and contact, the refund’s amount); the whole rest without one', async () => {
    const { receipts, payment } = await paidWithReceipt('pay_refund_receipt');
    const part = await provider(receipts).refund!({
      refundId: 'ref_part',
      idempotencyKey: 'ref_part',
      payment,
      amount: { amount: 30_000, currency: 'RUB' },
      reason: null,
    });
    expect(part.status).toBe('succeeded');
    const sent = [...sim.refunds.values()].filter((refund) => refund.payment_id === payment.externalRef);
    expect(sent).toHaveLength(1);
    expect(sim.refundReceipts.get(sent[0]!.id)).toMatchObject({
      customer: { email: 'buyer@example.com' },
      items: [{ description: 'Подписка на месяц', amount: { value: '300.00', currency: 'RUB' }, vat_code: 4 }],
    });
    const rest = await provider(receipts).refund!({
      refundId: 'ref_rest',
      idempotencyKey: 'ref_rest',
      payment,
      amount: { amount: 60_000, currency: 'RUB' },
      reason: null,
    });
    expect(rest.status).toBe('succeeded');
  });

  it('the simulator refuses a partial refund without a receipt when the payment had one', async () => {
    const { payment } = await paidWithReceipt('pay_refund_no_receipt');
    const res = await fetch(`${sim.url}refunds`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.shopId}:${sim.secretKey}`).toString('base64')}`,
        'idempotence-key': 'no-receipt-refund',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ payment_id: payment.externalRef, amount: { value: '100.00', currency: 'RUB' } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', parameter: 'receipt' });
  });

  it('a pending refund asked about again is looked up by its id, not sent again', async () => {
    const { payment } = await paidWithReceipt('pay_refund_lookup');
    const first = await provider().refund!({
      refundId: 'ref_lookup',
      idempotencyKey: 'ref_lookup',
      payment,
      amount: { amount: 90_000, currency: 'RUB' },
      reason: null,
    });
    if (first.status === 'failed') throw new Error(first.reason);
    sim.elapse(25 * 3_600_000);
    const before = sim.refunds.size;
    const again = await provider().refund!({
      refundId: 'ref_lookup',
      idempotencyKey: 'ref_lookup',
      refundRef: first.refundRef,
      payment,
      amount: { amount: 90_000, currency: 'RUB' },
      reason: null,
    });
    expect(again).toEqual(first);
    expect(sim.refunds.size).toBe(before);
  });
});

describe.each(STORAGE_KINDS)('YooKassa through kit.payments on $name storage', (kind) => {
  const kitWith = kitsOn(kind);
  const setup = () => kitWith([provider()]);

  it.skipIf(kind.skip)(
    'an unsigned notification is read back: pending says nothing, succeeded credits once however often it comes',
    async () => {
      const { kit, storage, buyer } = await setup();
      const started = await kit.payments.start({ customerId: buyer, providerId: 'yookassa', amount: { amount: 50_000, currency: 'RUB' } });
      if (!started.ok) throw new Error(started.reason);
      const ref = started.payment.externalRef!;
      const callback = (rawBody: string) => kit.payments.handleCallback('yookassa', { headers: {}, body: null, rawBody, query: {} });
      // A "payment.succeeded" for a payment YooKassa says is still pending: nothing.
      const lying = sim
        .notification('payment.succeeded', ref)
        .replace('"status":"pending"', '"status":"succeeded"')
        .replace('"paid":false', '"paid":true');
      expect(await callback(lying)).toMatchObject({ outcome: 'waiting' });
      await expect(callback(sim.notification('payment.succeeded', 'no-such-payment'))).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      expect(await storage.ledger.balance(buyer, 'RUB')).toBe(0);
      await sim.pay(ref, { deliveries: 0 });
      const [a, b] = await Promise.all([
        callback(sim.notification('payment.succeeded', ref)),
        callback(sim.notification('payment.succeeded', ref)),
      ]);
      expect([a.outcome, b.outcome].sort()).toEqual(['already_credited', 'credited']);
      expect(await storage.ledger.balance(buyer, 'RUB')).toBe(50_000);
    },
  );

  it.skipIf(kind.skip)('a canceled payment closes the intent without money', async () => {
    const { kit, storage, buyer } = await setup();
    const started = await kit.payments.start({
      customerId: buyer,
      providerId: 'yookassa',
      amount: { amount: 10_000, currency: 'RUB' },
      method: 'sbp',
    });
    if (!started.ok) throw new Error(started.reason);
    sim.cancel(started.payment.externalRef!);
    expect(
      await kit.payments.handleCallback('yookassa', {
        headers: {},
        body: sim.notification('payment.canceled', started.payment.externalRef!),
        query: {},
      }),
    ).toMatchObject({ outcome: 'rejected' });
    expect(await storage.ledger.balance(buyer, 'RUB')).toBe(0);
  });
});

describe('readYooKassaNotification (framework-free: the raw body in, the payment as YooKassa says or a typed refusal out)', () => {
  const api = () => ({ baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey });
  const opened = () =>
    provider().open!({
      paymentId: `pay_notice_${Math.random().toString(36).slice(2)}`,
      customerId: 'c',
      amount: { amount: 12_300, currency: 'RUB' },
      returnUrl: null,
      description: 'x',
    });

  it('reads the payment (and a refund’s payment) back from the API, whatever the body claims; text or bytes', async () => {
    const { externalRef } = await opened();
    const lying = sim.notification('payment.succeeded', externalRef).replace('"status":"pending"', '"status":"succeeded"');
    expect(await readYooKassaNotification({ rawBody: lying, api: api() })).toMatchObject({
      event: 'payment.succeeded',
      payment: { id: externalRef, status: 'pending', paid: false },
      refund: null,
    });
    await sim.pay(externalRef, { deliveries: 0 });
    const bytes = new TextEncoder().encode(sim.notification('payment.succeeded', externalRef));
    expect((await readYooKassaNotification({ rawBody: bytes, api: api() })).payment).toMatchObject({ status: 'succeeded', paid: true });
  });

  it('refuses what is not a notification of a payment YooKassa knows, and says when YooKassa cannot be asked', async () => {
    for (const rawBody of ['not json', '{"type":"other"}', sim.notification('payment.succeeded', 'no-such-payment')])
      await expect(readYooKassaNotification({ rawBody, api: api() })).rejects.toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
    const { externalRef } = await opened();
    const other = sim.notification('payment.succeeded', externalRef).replace('payment.succeeded', 'payout.succeeded');
    await expect(readYooKassaNotification({ rawBody: other, api: api() })).rejects.toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
    sim.down = true;
    try {
      await expect(
        readYooKassaNotification({ rawBody: sim.notification('payment.succeeded', externalRef), api: api() }),
      ).rejects.toMatchObject({
        code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      });
    } finally {
      sim.down = false;
    }
  });
});
