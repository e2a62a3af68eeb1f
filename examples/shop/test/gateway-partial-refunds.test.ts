import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EligibilityError } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { gatewayTopUpOutcome, startGatewayTopUp } from '../src/app/payments/rails/start-gateway-top-up.js';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import type { RunningShop } from '../src/stack/shop.js';
import { StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { signedInAdmin, startShop, type ShopUnderTest } from './support/shop-under-test.js';

/** A shop served on a port of 127.0.0.1 (the gateway's notifications reach it), with its gateway's simulator. */
async function servedShop(currency: string): Promise<{ t: ShopUnderTest; base: string; close: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await startShop({ env: { PUBLIC_URL: base, SHOP_CURRENCY: currency } });
  server.on('request', t.app);
  return {
    t,
    base,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await t.close();
    },
  };
}

/** A buyer's gateway top-up of `amount`, paid and credited; its payment id. */
async function creditedTopUp(shop: RunningShop, rail: 'stripe' | 'yookassa', amount: number, pay: (ref: string) => Promise<unknown>) {
  const signed = await signUp(shop, {
    email: `${rail}-${amount}-${Date.now()}@example.com`,
    password: 'correct horse battery',
    locale: 'en',
  });
  if (!signed.ok) throw new Error(signed.reason);
  const { customerId } = signed.account;
  const started = await startGatewayTopUp(shop, {
    rail,
    customerId,
    amount,
    requestKey: `partial-refund-${rail}-${amount}-key`,
    base: 'http://127.0.0.1:9',
    from: 'web',
    method: rail === 'yookassa' ? 'smart' : null,
  });
  if (!started.ok) throw new Error(started.reason);
  await pay((await shop.kit.payments.get(started.payment.id))!.externalRef!);
  expect(await gatewayTopUpOutcome(shop, started.payment.id, {})).toBe('credited');
  return { paymentId: started.payment.id, customerId };
}

/** Why the engine refused a refund (its `EligibilityError` reason); fails the test when it was not refused so. */
async function refusal(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  if (!EligibilityError.is(error)) throw new Error(`expected an EligibilityError, got ${String(error)}`);
  return error.reasons[0]!;
}

interface PartialCase {
  rail: 'stripe' | 'yookassa';
  currency: string;
  open(
    base: string,
    shop: RunningShop,
  ): Promise<{
    pay: (ref: string) => Promise<unknown>;
    /** The gateway's refunds of a payment, as amounts in minor units, in the order made. */
    refunds: () => number[];
    /** The gateway's notification of its last refund (delivered to the shop); its status. */
    notifyLastRefund: () => Promise<number>;
    close: () => Promise<void>;
  }>;
}

const CASES: PartialCase[] = [
  {
    rail: 'stripe',
    currency: 'USD',
    async open(base, shop) {
      const sim = await new StripeSimulator().start();
      sim.webhookUrl = `${base}/payments/stripe/webhook`;
      await saveStripeSettings(
        shop,
        { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
        new Date(),
        null,
      );
      return {
        pay: (ref) => sim.pay(ref, { deliveries: 0 }),
        refunds: () => [...sim.refunds.values()].map((r) => r.amount),
        notifyLastRefund: () => sim.deliver(sim.refundedEvent([...sim.refunds.values()].at(-1)!.id)),
        close: () => sim.close(),
      };
    },
  },
  {
    rail: 'yookassa',
    currency: 'RUB',
    async open(base, shop) {
      const sim = await new YooKassaSimulator().start();
      sim.webhookUrl = `${base}/payments/yookassa/notify`;
      await saveYooKassaSettings(
        shop,
        { enabled: true, baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey, receipts: false, vatCode: 1 },
        new Date(),
        null,
      );
      return {
        pay: (ref) => sim.pay(ref, { deliveries: 0 }),
        refunds: () => [...sim.refunds.values()].map((r) => Math.round(Number(r.amount.value) * 100)),
        notifyLastRefund: () => sim.deliver(sim.notification('refund.succeeded', [...sim.refunds.values()].at(-1)!.id)),
        close: () => sim.close(),
      };
    },
  },
];

for (const gateway of CASES) {
  describe(`a partial refund, then the rest, at ${gateway.rail} through the engine`, () => {
    let served: Awaited<ReturnType<typeof servedShop>>;
    let sim: Awaited<ReturnType<PartialCase['open']>>;
    beforeAll(async () => {
      served = await servedShop(gateway.currency);
      sim = await gateway.open(served.base, served.t.shop);
    });
    afterAll(async () => {
      await sim?.close();
      await served?.close();
    });

    it('two refunds at the gateway, two reversals, reversed only at the end; more than is left and a third refund refused', async () => {
      const { t } = served;
      const { shop } = t;
      const owner = { type: 'admin', id: 'owner' } as const;
      const { paymentId, customerId } = await creditedTopUp(shop, gateway.rail, 10_000, sim.pay);
      const reversals = async () =>
        (await shop.storage.ledger.list(customerId, { limit: 50 })).items.filter((e) => e.kind === 'payment_reversal').map((e) => e.amount);

      const first = await shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'first-part', amount: 3_000 });
      expect(first).toMatchObject({ replayed: false, refund: { amount: 3_000, status: 'requested' } });
      // Asked again (the same form twice): the same refund.
      expect(await shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'first-part', amount: 3_000 })).toMatchObject({
        replayed: true,
      });
      // More than is left once the first is counted: refused, typed, nothing queued.
      expect(await refusal(shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'too-much', amount: 7_001 }))).toBe(
        'exceeds_refundable',
      );
      await t.drain();
      expect(sim.refunds()).toEqual([3_000]);
      expect(await reversals()).toEqual([-3_000]);
      expect(await shop.storage.ledger.balance(customerId, gateway.currency)).toBe(7_000);
      expect((await shop.kit.payments.get(paymentId))!.status).toBe('credited');
      // The gateway's own word on that partial refund changes nothing more.
      expect(await sim.notifyLastRefund()).toBe(200);
      await t.drain();
      expect(await reversals()).toEqual([-3_000]);
      expect((await shop.kit.payments.get(paymentId))!.status).toBe('credited');

      // The rest (no amount: all that is left): the second refund there, the second reversal here, and now reversed.
      const rest = await shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'the-rest' });
      expect(rest.refund.amount).toBe(7_000);
      await t.drain();
      expect(await sim.notifyLastRefund()).toBe(200);
      await t.drain();
      expect(sim.refunds()).toEqual([3_000, 7_000]);
      expect((await reversals()).sort()).toEqual([-3_000, -7_000].sort());
      expect(await shop.storage.ledger.balance(customerId, gateway.currency)).toBe(0);
      expect((await shop.kit.payments.get(paymentId))!.status).toBe('reversed');

      // A third refund, of anything: refused, typed; nothing at the gateway or in the ledger.
      expect(await refusal(shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'third', amount: 1 }))).toBe('not_credited');
      expect(await refusal(shop.kit.payments.refund({ paymentId, actor: owner, requestKey: 'third-all' }))).toBe('not_credited');
      await t.drain();
      expect(sim.refunds()).toHaveLength(2);
      expect(await reversals()).toHaveLength(2);
    });
  });
}

describe('the owner’s gateway refund form with an amount (Stripe simulator)', () => {
  let served: Awaited<ReturnType<typeof servedShop>>;
  let sim: StripeSimulator;
  beforeAll(async () => {
    served = await servedShop('USD');
    sim = await new StripeSimulator().start();
    await saveStripeSettings(
      served.t.shop,
      { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
      new Date(),
      null,
    );
  });
  afterAll(async () => {
    await sim?.close();
    await served?.close();
  });

  it('refunds the amount typed, then the rest from a new form; bad amounts are 400 and change nothing; labelled in four languages', async () => {
    const { t } = served;
    const { shop } = t;
    const { paymentId, customerId } = await creditedTopUp(shop, 'stripe', 10_000, (ref) => sim.pay(ref, { deliveries: 0 }));
    const admin = await signedInAdmin(t.app);
    const queuePage = async (language = 'en') =>
      (await admin.agent.get('/admin/receipts?status=approved&provider=stripe').set('accept-language', language).expect(200)).text;
    /** The refund form of the payment as the page shows it now: its nonce. */
    const formNonce = (html: string) => {
      const form = new RegExp(`action="/admin/payments/${paymentId}/refund-gateway"[^>]*>[\\s\\S]*?</form>`).exec(html)?.[0];
      return /name="nonce" value="([\w-]+)"/.exec(form ?? '')?.[1];
    };
    const post = (fields: Record<string, string>) =>
      admin.agent
        .post(`/admin/payments/${paymentId}/refund-gateway`)
        .type('form')
        .send({ _csrf: admin.csrf, confirm: 'yes', ...fields });
    const unchanged = async () => {
      expect(sim.refunds.size).toBe(0);
      expect((await shop.kit.payments.get(paymentId))!.details['refunds']).toBeUndefined();
      expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(10_000);
    };

    const page = await queuePage();
    expect(page).toContain(`id="f-refund-amount-${paymentId}"`);
    const nonce = formNonce(page)!;
    expect(nonce).toMatch(/^[\w-]{16,64}$/);
    // Labelled in each language the admin reads.
    const labels = { en: 'Amount, USD', ru: 'Сумма, USD', fa: 'مبلغ، USD', zh: '金额（USD）' };
    for (const [language, label] of Object.entries(labels)) expect(await queuePage(language)).toContain(label);

    for (const amount of ['abc', '0', '-5', '1.234', '2000000', '100.01']) {
      const refused = await post({ nonce, amount });
      expect([amount, refused.status]).toEqual([amount, 400]);
    }
    expect((await post({ nonce, amount: '100.01' })).text).toContain('more than is left of this payment');
    // An amount on a form without its key, or with a key that is not one: refused too.
    await post({ amount: '10' }).expect(400);
    await post({ nonce: 'short', amount: '10' }).expect(400);
    await post({ nonce, amount: '10', confirm: 'no' }).expect(400);
    await t.drain();
    await unchanged();

    // 25.50 of it; the same form sent twice is one refund.
    for (let i = 0; i < 2; i++)
      expect((await post({ nonce, amount: '25.50' }).expect(303)).headers['location']).toContain('gateway_refund_queued');
    await t.drain();
    expect([...sim.refunds.values()].map((r) => r.amount)).toEqual([2_550]);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(7_450);
    expect((await shop.kit.payments.get(paymentId))!.status).toBe('credited');

    // A new form, left empty: the rest.
    const second = formNonce(await queuePage())!;
    expect(second).not.toBe(nonce);
    await post({ nonce: second, amount: '' }).expect(303);
    await t.drain();
    expect([...sim.refunds.values()].map((r) => r.amount)).toEqual([2_550, 7_450]);
    expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    expect((await shop.kit.payments.get(paymentId))!.status).toBe('reversed');
    expect(formNonce(await queuePage())).toBeUndefined();
    // Nothing is left: a further form is refused, and nothing moves.
    expect((await post({ nonce: `${second}x`, amount: '1' }).expect(303)).headers['location']).toContain('gateway_refund_refused');
    await t.drain();
    expect(sim.refunds.size).toBe(2);
  });
});
