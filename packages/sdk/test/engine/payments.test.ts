import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import {
  cardToCardProvider,
  createPanelkit,
  EligibilityError,
  NotFoundError,
  PaymentProviderUnavailableError,
  PaymentSignatureError,
  testPaymentProvider,
  type PanelkitEvents,
  type PaymentProvider,
} from '../../src/index.js';
import { TestPaymentWorld } from '../../src/payments.js';
import { describePaymentProvider, ManualClock } from '../../src/testing/index.js';
import { IDENTITY } from './harness.js';
import { fakeGateway } from './payment-gateway-fake.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const ADMIN = { type: 'admin' as const, id: 'adm_1' };

async function setup() {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const gateway = fakeGateway();
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => {
      throw new Error('no panels here');
    },
    policy: { identity: IDENTITY },
    payments: { providers: [cardToCardProvider({ maxPending: 2 }), gateway.provider, testPaymentProvider()] },
  });
  const reversed: PanelkitEvents['payment:reversed'][0][] = [];
  kit.events.on('payment:reversed', (e) => void reversed.push(e));
  let n = 0;
  const customer = async () => (await storage.customers.create({ email: `buyer${++n}@example.com` })).id;
  const entries = async (customerId: string) => (await storage.ledger.list(customerId, { limit: 50 })).items;
  const balance = (customerId: string) => storage.ledger.balance(customerId, 'USD');
  const invoice = async (customerId: string, amount = 800) => {
    const started = await kit.payments.start({ customerId, providerId: 'gateway', amount: usd(amount) });
    if (!started.ok) throw new Error(started.reason);
    return started.payment;
  };
  return { clock, storage, kit, gateway, customer, entries, balance, invoice, reversed };
}

describe('kit.payments', () => {
  it('a card receipt is credited by an admin’s approval, once; a second approval or a late rejection changes nothing', async () => {
    const { kit, customer, balance, entries } = await setup();
    const buyer = await customer();
    const started = await kit.payments.start({
      customerId: buyer,
      providerId: 'card',
      amount: usd(500),
      externalRef: 'rcpt-1',
      requestKey: 'form-1',
    });
    expect(started).toMatchObject({ ok: true, replayed: false, payment: { status: 'pending', externalRef: 'rcpt-1' } });
    if (!started.ok) return;
    // The same form again is the same payment; the same receipt from another form is refused.
    expect(
      await kit.payments.start({ customerId: buyer, providerId: 'card', amount: usd(500), externalRef: 'rcpt-1', requestKey: 'form-1' }),
    ).toMatchObject({
      ok: true,
      replayed: true,
      payment: { id: started.payment.id },
    });
    expect(
      await kit.payments.start({ customerId: buyer, providerId: 'card', amount: usd(500), externalRef: 'rcpt-1', requestKey: 'form-2' }),
    ).toMatchObject({
      ok: false,
      reason: 'duplicate',
    });
    const approved = await kit.payments.approve({ paymentId: started.payment.id, actor: ADMIN, note: 'on the statement' });
    expect(approved).toMatchObject({
      outcome: 'credited',
      payment: { status: 'credited', confirmation: 'admin_approval', decidedBy: ADMIN },
    });
    expect(await kit.payments.approve({ paymentId: started.payment.id, actor: ADMIN })).toMatchObject({ outcome: 'already_credited' });
    expect(await kit.payments.reject({ paymentId: started.payment.id, actor: ADMIN })).toMatchObject({ outcome: 'unchanged' });
    expect(await balance(buyer)).toBe(500);
    expect((await entries(buyer)).map((e) => [e.kind, e.amount, e.idempotencyKey])).toEqual([
      ['top_up', 500, `payment:${started.payment.id}`],
    ]);
  });

  it('One crypto payment credited twice: an admin cannot approve a gateway’s payment; mark-paid and the late callback credit once, in either order', async () => {
    const { kit, gateway, customer, balance, invoice } = await setup();
    const buyer = await customer();
    const first = await invoice(buyer);
    const refused = await kit.payments.approve({ paymentId: first.id, actor: ADMIN }).catch((e: unknown) => e);
    expect(EligibilityError.is(refused) && refused.reasons).toEqual(['payment_path_not_allowed']);
    expect(await kit.payments.markPaid({ paymentId: first.id, actor: ADMIN, note: 'seen on chain' })).toMatchObject({
      outcome: 'credited',
    });
    expect(await kit.payments.handleCallback('gateway', gateway.callback(first.externalRef!, 'finished', 'p-1'))).toMatchObject({
      outcome: 'already_credited',
      payment: { details: { settlementRef: 'p-1' } },
    });
    expect(await balance(buyer)).toBe(800);

    const second = await invoice(buyer);
    expect(await kit.payments.handleCallback('gateway', gateway.callback(second.externalRef!, 'finished', 'p-2'))).toMatchObject({
      outcome: 'credited',
    });
    expect(await kit.payments.markPaid({ paymentId: second.id, actor: ADMIN })).toMatchObject({ outcome: 'already_credited' });
    // The same callback ten times at once.
    const replays = await Promise.all(
      Array.from({ length: 10 }, () => kit.payments.handleCallback('gateway', gateway.callback(second.externalRef!, 'finished', 'p-2'))),
    );
    expect(new Set(replays.map((r) => r.outcome))).toEqual(new Set(['already_credited']));
    expect(await balance(buyer)).toBe(1600);
  });

  it('a second gateway payment on one invoice is money of its own: credited once as its own payment', async () => {
    const { kit, gateway, customer, balance, storage } = await setup();
    const buyer = await customer();
    const started = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(300) });
    if (!started.ok) throw new Error('not started');
    const ref = started.payment.externalRef!;
    await kit.payments.handleCallback('gateway', gateway.callback(ref, 'finished', 'p-1'));
    const extra = await kit.payments.handleCallback('gateway', gateway.callback(ref, 'finished', 'p-2'));
    expect(extra).toMatchObject({ outcome: 'credited', payment: { externalRef: `${ref}/p-2`, details: { intentId: started.payment.id } } });
    expect(await kit.payments.handleCallback('gateway', gateway.callback(ref, 'finished', 'p-2'))).toMatchObject({
      outcome: 'already_credited',
    });
    expect(await balance(buyer)).toBe(600);
    expect((await storage.payments.list({ customerId: buyer }, { limit: 10 })).items).toHaveLength(2);
  });

  it('the same request key again is the same invoice, even at the pending limit, and opens nothing new at the gateway', async () => {
    const { kit, customer, invoice } = await setup();
    const buyer = await customer();
    for (let i = 0; i < 4; i++) await invoice(buyer);
    const fifth = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800), requestKey: 'click' });
    const again = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800), requestKey: 'click' });
    expect(again).toMatchObject({ ok: true, replayed: true, payment: { id: (fifth as { payment: { id: string } }).payment.id } });
    expect(await kit.payments.countPending(buyer, 'gateway')).toBe(5);
  });

  it('a start whose gateway answer was lost, sent again with its request key, opens the same payment there: one invoice, one page', async () => {
    const { kit, gateway, customer, storage } = await setup();
    const buyer = await customer();
    const start = () => kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800), requestKey: 'form-1' });
    gateway.loseNextAnswer();
    const lost = await start().catch((e: unknown) => e);
    expect(PaymentProviderUnavailableError.is(lost)).toBe(true);
    expect((await storage.payments.list({ customerId: buyer }, { limit: 10 })).items).toEqual([]);
    const resent = await start();
    const submittedAgain = await start();
    if (!resent.ok || !submittedAgain.ok) throw new Error('not started');
    expect(gateway.invoiceCount()).toBe(1);
    expect(gateway.opened).toEqual([resent.payment.id, resent.payment.id]);
    expect(resent.replayed).toBe(false);
    expect(submittedAgain).toMatchObject({ replayed: true, payment: { id: resent.payment.id }, redirectUrl: resent.redirectUrl });
    expect((await storage.payments.list({ customerId: buyer }, { limit: 10 })).items).toHaveLength(1);
  });

  it('one request key sent at once twice makes one payment and one invoice; two buyers’ equal keys are payments of their own', async () => {
    const { kit, gateway, customer, storage } = await setup();
    const [buyer, other] = [await customer(), await customer()];
    const start = (customerId: string) =>
      kit.payments.start({ customerId, providerId: 'gateway', amount: usd(800), requestKey: 'the-same-form' });
    const both = await Promise.all([start(buyer), start(buyer)]);
    const ids = both.map((r) => (r.ok ? r.payment.id : r.reason));
    expect(ids[0]).toBe(ids[1]);
    expect(both.map((r) => r.ok && r.redirectUrl)).toEqual([expect.any(String), both[0]!.ok && both[0]!.redirectUrl]);
    expect(gateway.invoiceCount()).toBe(1);
    expect((await storage.payments.list({ customerId: buyer }, { limit: 10 })).items).toHaveLength(1);
    const theirs = await start(other);
    if (!theirs.ok) throw new Error(theirs.reason);
    expect(theirs.payment.id).not.toBe(ids[0]);
    expect(gateway.invoiceCount()).toBe(2);
  });

  it('a request key sent again with another amount is refused (`duplicate`) and opens nothing at the gateway', async () => {
    const { kit, gateway, customer, balance } = await setup();
    const buyer = await customer();
    const first = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800), requestKey: 'form-2' });
    if (!first.ok) throw new Error(first.reason);
    const other = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(900), requestKey: 'form-2' });
    expect(other).toMatchObject({ ok: false, reason: 'duplicate', existing: { id: first.payment.id, amount: 800 } });
    expect(gateway.opened).toHaveLength(1);
    const credit = await kit.payments.start({ customerId: buyer, providerId: 'test', amount: usd(100), requestKey: 'form-3' });
    expect(credit.ok).toBe(true);
    expect(await kit.payments.start({ customerId: buyer, providerId: 'test', amount: usd(200), requestKey: 'form-3' })).toMatchObject({
      ok: false,
      reason: 'duplicate',
    });
    expect(await balance(buyer)).toBe(100);
  });

  it('a forged callback is refused and changes nothing; a paid amount that is not the invoice’s is left for an admin', async () => {
    const { kit, gateway, customer, balance, invoice } = await setup();
    const buyer = await customer();
    const payment = await invoice(buyer);
    const forged = { ...gateway.callback(payment.externalRef!, 'finished'), headers: { 'x-signature': 'f'.repeat(64) } };
    const error = await kit.payments.handleCallback('gateway', forged).catch((e: unknown) => e);
    expect(PaymentSignatureError.is(error)).toBe(true);
    const wrong = await kit.payments.applySignal('gateway', { externalRef: payment.externalRef!, kind: 'paid', amount: usd(1) });
    expect(wrong.outcome).toBe('mismatch');
    expect(await balance(buyer)).toBe(0);
    expect((await kit.payments.get(payment.id))!.status).toBe('pending');
  });

  it('Abandoned invoices lock a buyer out: unpaid invoices expire, a buyer cancels theirs, the limit counts per provider', async () => {
    const { kit, clock, customer, invoice, gateway, balance } = await setup();
    const buyer = await customer();
    const invoices = [];
    for (let i = 0; i < 5; i++) invoices.push(await invoice(buyer));
    expect(await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800) })).toEqual({
      ok: false,
      reason: 'too_many_pending',
      max: 5,
    });
    // Five abandoned invoices do not stop a card receipt.
    expect((await kit.payments.start({ customerId: buyer, providerId: 'card', amount: usd(800), externalRef: 'r-1' })).ok).toBe(true);
    // The buyer cancels one; another buyer cannot.
    const stranger = await customer();
    expect(NotFoundError.is(await kit.payments.cancel({ paymentId: invoices[0]!.id, customerId: stranger }).catch((e: unknown) => e))).toBe(
      true,
    );
    expect(await kit.payments.cancel({ paymentId: invoices[0]!.id, customerId: buyer })).toMatchObject({ outcome: 'cancelled' });
    expect((await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800) })).ok).toBe(true);
    // An hour later the scheduler expires the rest.
    clock.advance(3_600_000);
    const report = await kit.createScheduler().tick();
    expect(report.paymentsExpired).toBe(5);
    expect(await kit.payments.countPending(buyer, 'gateway')).toBe(0);
    expect(await kit.payments.countPending(buyer, 'card')).toBe(1);
    // The gateway's late word that an expired invoice was paid still credits it: the money is the buyer's.
    expect(await kit.payments.handleCallback('gateway', gateway.callback(invoices[1]!.externalRef!, 'finished'))).toMatchObject({
      outcome: 'credited',
      payment: { status: 'credited' },
    });
    expect(await balance(buyer)).toBe(800);
  });

  it('a gateway refund after credit writes a reversal entry (never an edit) and tells the admins what it could not take back', async () => {
    const { kit, gateway, customer, balance, entries, invoice, storage, reversed, clock } = await setup();
    const buyer = await customer();
    const payment = await invoice(buyer);
    await kit.payments.handleCallback('gateway', gateway.callback(payment.externalRef!, 'finished'));
    // The buyer spent 300 of the 800.
    clock.advance(1000);
    await storage.ledger.append({
      customerId: buyer,
      kind: 'purchase',
      amount: -300,
      currency: 'USD',
      idempotencyKey: 'spent',
      actor: { type: 'system' },
    });
    clock.advance(1000);
    const refund = await kit.payments.handleCallback('gateway', gateway.callback(payment.externalRef!, 'refunded'));
    expect(refund).toMatchObject({
      outcome: 'reversed',
      payment: { status: 'reversed', details: { reversal: { taken: 500, shortfall: 300 } } },
    });
    expect(await kit.payments.handleCallback('gateway', gateway.callback(payment.externalRef!, 'refunded'))).toMatchObject({
      outcome: 'already_reversed',
    });
    expect(await balance(buyer)).toBe(0);
    expect((await entries(buyer)).map((e) => [e.kind, e.amount])).toEqual([
      ['payment_reversal', -500],
      ['purchase', -300],
      ['top_up', 800],
    ]);
    expect(reversed).toHaveLength(1);
    expect(reversed[0]).toMatchObject({ reason: 'refunded', taken: usd(500), shortfall: usd(300), payment: { id: payment.id } });
    // A refunded-before-paid report just closes the invoice.
    const other = await invoice(buyer);
    expect(await kit.payments.handleCallback('gateway', gateway.callback(other.externalRef!, 'refunded'))).toMatchObject({
      outcome: 'rejected',
    });
  });

  it('a gateway that is down leaves nothing behind: no payment, nothing counted against the buyer', async () => {
    const { kit, gateway, customer, storage } = await setup();
    const buyer = await customer();
    gateway.setDown(true);
    for (let i = 0; i < 7; i++) {
      const error = await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800) }).catch((e: unknown) => e);
      expect(PaymentProviderUnavailableError.is(error)).toBe(true);
    }
    expect((await storage.payments.list({ customerId: buyer }, { limit: 10 })).items).toEqual([]);
    gateway.setDown(false);
    expect((await kit.payments.start({ customerId: buyer, providerId: 'gateway', amount: usd(800) })).ok).toBe(true);
  });

  it('the test provider credits at once; the same request key again is the same credit', async () => {
    const { kit, customer, balance } = await setup();
    const buyer = await customer();
    const first = await kit.payments.start({ customerId: buyer, providerId: 'test', amount: usd(250), requestKey: 'k1' });
    expect(first).toMatchObject({ ok: true, payment: { status: 'credited', confirmation: 'instant' } });
    expect(await kit.payments.start({ customerId: buyer, providerId: 'test', amount: usd(250), requestKey: 'k1' })).toMatchObject({
      ok: true,
      replayed: true,
    });
    expect(await balance(buyer)).toBe(250);
    const refused = await kit.payments
      .markPaid({ paymentId: (first as { payment: { id: string } }).payment.id, actor: ADMIN })
      .catch((e: unknown) => e);
    expect(EligibilityError.is(refused)).toBe(true);
  });

  it('refuses providers that declare nothing to confirm with, or a gateway without a way to hear from it', () => {
    const make = (provider: Parameters<typeof createPanelkit>[0]['payments']) => () =>
      createPanelkit({ storage: createMemoryStorage(), panels: () => null as never, policy: { identity: IDENTITY }, payments: provider });
    expect(
      make({ providers: [{ id: 'x', capabilities: { confirmations: [], adminReject: false }, maxPending: null, pendingTtlMs: null }] }),
    ).toThrow(/no way/);
    expect(
      make({
        providers: [{ id: 'x', capabilities: { confirmations: ['gateway'], adminReject: false }, maxPending: null, pendingTtlMs: null }],
      }),
    ).toThrow(/neither/);
    expect(make({ providers: [testPaymentProvider(), testPaymentProvider()] })).toThrow(/two payment providers/);
  });
});

describe('kit.payments refunds at the provider', () => {
  it('a refund the provider answered `pending` is asked about again with the reference it gave (refundRef)', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const storage = createMemoryStorage({ clock });
    const base = testPaymentProvider({ refunds: true, world: new TestPaymentWorld() });
    const asked: Array<string | null | undefined> = [];
    const provider: PaymentProvider = {
      ...base,
      refund: async (request) => {
        asked.push(request.refundRef);
        if (asked.length === 1) return { status: 'pending', refundRef: 'rf_at_provider', retryAfterMs: 60_000 };
        const outcome = await base.refund!(request);
        return outcome.status === 'failed' ? outcome : { ...outcome, refundRef: request.refundRef ?? outcome.refundRef };
      },
    };
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => {
        throw new Error('no panels here');
      },
      policy: { identity: IDENTITY },
      payments: { providers: [provider] },
    });
    const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
    const buyer = (await storage.customers.create({ email: 'pending-refund@example.com' })).id;
    const paid = await kit.payments.start({ customerId: buyer, providerId: 'test', amount: usd(700), requestKey: 'top-up' });
    if (!paid.ok) throw new Error(paid.reason);
    const { refund } = await kit.payments.refund({ paymentId: paid.payment.id, actor: ADMIN, reason: null });
    await worker.drain();
    expect(kit.payments.refundsOf((await storage.payments.get(paid.payment.id))!)[refund.id]).toMatchObject({
      status: 'pending',
      refundRef: 'rf_at_provider',
    });
    clock.advance(61_000);
    await worker.drain();
    expect(asked).toEqual([null, 'rf_at_provider']);
    expect(kit.payments.refundsOf((await storage.payments.get(paid.payment.id))!)[refund.id]).toMatchObject({
      status: 'succeeded',
      refundRef: 'rf_at_provider',
    });
  });
});

describePaymentProvider('card to card', async () => ({ provider: cardToCardProvider() }));
describePaymentProvider('test', async () => ({ provider: testPaymentProvider() }));
describePaymentProvider('in-memory gateway', async () => {
  const gateway = fakeGateway();
  return { provider: gateway.provider, gateway: gateway.harness };
});
describePaymentProvider('test, with refunds and saved methods', async () => {
  const world = new TestPaymentWorld();
  return {
    provider: testPaymentProvider({ refunds: true, savedMethods: true, world }),
    capabilities: {
      refundCount: async () => world.refundCount(),
      chargeCount: async () => world.chargeCount(),
      setChargeAnswer: (answer) => world.setChargeAnswer(answer),
      loseNextAnswer: () => world.loseNextAnswer(),
      setDown: (down) => world.setDown(down),
    },
  };
});
