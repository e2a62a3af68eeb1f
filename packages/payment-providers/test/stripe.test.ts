import { describePaymentProvider } from '@panelkit/sdk/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minorDigits } from '../src/index.js';
import { StripeSimulator, type StripeWebhook } from '../src/simulators.js';
import { STRIPE_CURRENCIES, stripeProvider, verifyStripeWebhook } from '../src/stripe.js';
import { capabilitiesOf } from './support/harness.js';
import { kitsOn, STORAGE_KINDS } from './support/storages.js';

let sim: StripeSimulator;
beforeAll(async () => {
  sim = await new StripeSimulator().start();
});
afterAll(async () => {
  await sim.close();
});

const provider = () =>
  stripeProvider({
    api: () => ({ baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret }),
    callbackUrl: (id) => `http://127.0.0.1:9/wallet/pay/stripe/${id}/return`,
  });
// As a host hands it over: the body it parsed, and the raw bytes the signature covers.
const callbackOf = (webhook: StripeWebhook) => ({
  headers: { 'stripe-signature': webhook.signature },
  body: JSON.parse(webhook.body) as unknown,
  rawBody: webhook.body,
  query: {},
});

describePaymentProvider('stripe (simulated API, Stripe’s Node library)', async () => ({
  provider: provider(),
  currency: 'USD',
  gateway: {
    pay: async (opened) => {
      await sim.pay(opened.externalRef, { deliveries: 0 });
      return { callback: callbackOf(sim.completed(opened.externalRef)) };
    },
    refund: async (opened) => ({ callback: callbackOf(sim.dashboardRefund(opened.externalRef)) }),
    // Signed with a secret that is not the endpoint's.
    forge: (callback) => ({ ...callback, headers: { 'stripe-signature': sim.sign(String(callback.rawBody), 'whsec_forged') } }),
    setDown: (down) => {
      sim.down = down;
    },
    paymentCount: async () => sim.sessions.size,
    loseNextAnswer: () => sim.loseNextAnswer(),
  },
  capabilities: capabilitiesOf(sim, { refunds: () => sim.refunds.size, charges: () => sim.offSessionCharges.size }),
}));

describe('the Stripe simulator’s Idempotency-Key', () => {
  const post = (path: string, key: string, form: Record<string, string>) =>
    fetch(`${sim.url}/${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sim.secretKey}`,
        'idempotency-key': key,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });
  const session = (amount: string): Record<string, string> => ({
    mode: 'payment',
    'line_items[0][quantity]': '1',
    'line_items[0][price_data][currency]': 'usd',
    'line_items[0][price_data][unit_amount]': amount,
    'line_items[0][price_data][product_data][name]': 'top-up',
    success_url: 'http://127.0.0.1:9/back',
    cancel_url: 'http://127.0.0.1:9/back',
  });

  it('replays the first session to the same key and parameters, refuses other parameters or another endpoint under it (idempotency_error), and forgets it after 24 hours', async () => {
    const key = `sim-key-${Math.random().toString(36).slice(2)}`;
    const before = sim.sessions.size;
    const first = await post('v1/checkout/sessions', key, session('1000'));
    expect(first.status).toBe(200);
    const made = (await first.json()) as { id: string };
    const reordered = Object.fromEntries(Object.entries(session('1000')).reverse());
    const again = await post('v1/checkout/sessions', key, reordered);
    expect(((await again.json()) as { id: string }).id).toBe(made.id);
    for (const [path, form] of [
      ['v1/checkout/sessions', session('2000')],
      ['v1/refunds', { payment_intent: 'pi_none' }],
    ] as const) {
      const refused = await post(path, key, form);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { type: 'idempotency_error' } });
    }
    expect(sim.sessions.size).toBe(before + 1);
    sim.elapse(25 * 3_600_000);
    const later = await post('v1/checkout/sessions', key, session('2000'));
    expect(((await later.json()) as { id: string }).id).not.toBe(made.id);
    expect(sim.sessions.size).toBe(before + 2);
  });
});

describe('Stripe currencies', () => {
  it('lists only currencies whose Stripe minor unit is the shop’s own (JPY in yen, USD in cents)', () => {
    for (const [currency, digits] of Object.entries(STRIPE_CURRENCIES))
      expect([currency, minorDigits(currency)]).toEqual([currency, digits]);
    expect(STRIPE_CURRENCIES['JPY']).toBe(0);
    expect(STRIPE_CURRENCIES['HUF']).toBeUndefined();
  });

  it('charges a zero-decimal currency in whole units and refuses one it does not list', async () => {
    const opened = await provider().open!({
      paymentId: 'pay_jpy_1',
      customerId: 'c',
      amount: { amount: 1_500, currency: 'JPY' },
      returnUrl: null,
      description: 'Top-up',
    });
    expect(sim.session(opened.externalRef)).toMatchObject({ amount_total: 1_500, currency: 'jpy' });
    await expect(
      provider().open!({
        paymentId: 'pay_irr',
        customerId: 'c',
        amount: { amount: 100_000, currency: 'IRR' },
        returnUrl: null,
        description: 'x',
      }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
  });
});

describe.each(STORAGE_KINDS)('Stripe through kit.payments on $name storage', (kind) => {
  const kitWith = kitsOn(kind);
  const setup = () => kitWith([provider()]);

  it.skipIf(kind.skip)(
    'credits a signed webhook once however often it comes; a forged, tampered or unknown one credits nothing',
    async () => {
      const { kit, storage, buyer } = await setup();
      const started = await kit.payments.start({ customerId: buyer, providerId: 'stripe', amount: { amount: 5_000, currency: 'USD' } });
      if (!started.ok) throw new Error(started.reason);
      const ref = started.payment.externalRef!;
      const callback = (webhook: StripeWebhook) => kit.payments.handleCallback('stripe', callbackOf(webhook));
      // Not paid yet: a signed event of the open session says nothing.
      expect(await callback(sim.completed(ref))).toMatchObject({ outcome: 'waiting' });
      await sim.pay(ref, { deliveries: 0 });
      const paid = sim.completed(ref);
      // A bad signature, a body changed after signing, a signature too old to replay.
      await expect(callback({ ...paid, signature: sim.sign(paid.body, 'whsec_forged') })).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      await expect(callback({ ...paid, body: paid.body.replace('"amount_total":5000', '"amount_total":50000') })).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      await expect(
        callback({ ...paid, signature: sim.sign(paid.body, sim.webhookSecret, Math.floor(Date.now() / 1000) - 3_600) }),
      ).rejects.toMatchObject({
        code: 'PAYMENT_SIGNATURE_INVALID',
      });
      // Signed with the real secret but for another amount, or a session the shop never opened.
      const shown = { ...sim.session(ref), wanted: undefined };
      expect(await callback(sim.event('checkout.session.completed', { ...shown, amount_total: 1 }))).toMatchObject({ outcome: 'mismatch' });
      expect(await callback(sim.event('checkout.session.completed', { ...shown, id: 'cs_test_unknown' }))).toMatchObject({
        outcome: 'unknown',
      });
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(0);
      const [a, b] = await Promise.all([callback(paid), callback(sim.completed(ref))]);
      expect([a.outcome, b.outcome].sort()).toEqual(['already_credited', 'credited']);
      expect(await storage.ledger.balance(buyer, 'USD')).toBe(5_000);
    },
  );
});

describe('Stripe saved cards', () => {
  it('an off-session charge the bank wants authenticated leaves requires_action with Stripe’s page to confirm on', async () => {
    const opened = await provider().open!({
      paymentId: 'pay_saving_1',
      customerId: 'c',
      amount: { amount: 2_000, currency: 'USD' },
      returnUrl: null,
      description: 'Top-up',
      saveMethod: true,
    });
    await sim.pay(opened.externalRef, { deliveries: 0 });
    const signal = await provider().parseCallback!(callbackOf(sim.completed(opened.externalRef)));
    expect(signal).toMatchObject({ kind: 'paid', savedMethod: { label: 'visa •••• 4242' } });
    sim.chargeAnswer = 'require_action';
    const outcome = await provider().chargeSavedMethod!({
      paymentId: 'pay_renewal_1',
      idempotencyKey: 'renewal-1',
      customerId: 'c',
      methodRef: signal.savedMethod!.ref,
      amount: { amount: 700, currency: 'USD' },
      description: 'Renewal',
    });
    sim.chargeAnswer = 'succeed';
    expect(outcome.status).toBe('requires_action');
    if (outcome.status !== 'requires_action') return;
    expect(outcome.actionUrl).toBe(sim.session(outcome.externalRef).url);
    expect(sim.session(outcome.externalRef)).toMatchObject({
      amount_total: 700,
      customer: sim.session(opened.externalRef).customer,
      status: 'open',
    });
    // The buyer confirms on that page: the session's webhook pays the charge.
    await sim.pay(outcome.externalRef, { deliveries: 0 });
    expect(await provider().parseCallback!(callbackOf(sim.completed(outcome.externalRef)))).toMatchObject({
      kind: 'paid',
      amount: { amount: 700, currency: 'USD' },
    });
  });
});

describe('verifyStripeWebhook (framework-free, the raw body in, the signed event or a typed refusal out)', () => {
  const secret = 'whsec_test_0123456789abcdef0123456789abcdef';
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.completed', data: { object: { id: 'cs_1' } } });
  const stripe = new Stripe('sk_test_unused');
  const now = new Date('2026-03-01T12:00:00.000Z');
  const at = Math.floor(now.getTime() / 1000);
  const header = (payload: string, timestamp = at, key = secret) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });
  const refused = (input: Parameters<typeof verifyStripeWebhook>[0]) => {
    try {
      verifyStripeWebhook(input);
    } catch (error) {
      return error;
    }
    throw new Error('verified');
  };

  it('accepts what Stripe’s own library signs (text or bytes, any header case), and Stripe’s library accepts what the simulator signs', () => {
    const event = verifyStripeWebhook({ rawBody: body, headers: { 'Stripe-Signature': header(body) }, secret, now });
    expect(event).toMatchObject({ id: 'evt_1', type: 'checkout.session.completed', data: { object: { id: 'cs_1' } } });
    const bytes = new TextEncoder().encode(body);
    expect(verifyStripeWebhook({ rawBody: bytes, headers: { 'stripe-signature': header(body) }, secret, now }).id).toBe('evt_1');
    // A secret being rolled: two v1 signatures, one of them good.
    const both = `${header(body, at, 'whsec_old')},v1=${header(body).split('v1=')[1]}`;
    expect(verifyStripeWebhook({ rawBody: body, headers: { 'stripe-signature': both }, secret, now }).id).toBe('evt_1');
    const signed = sim.event('charge.refunded', { id: 'ch_1' });
    expect(stripe.webhooks.constructEvent(signed.body, signed.signature, sim.webhookSecret).type).toBe('charge.refunded');
  });

  it('refuses a missing or malformed header, another secret, a changed body, a stale or future timestamp, a body that is no event', () => {
    const cases: Array<[string, Parameters<typeof verifyStripeWebhook>[0]]> = [
      ['no header', { rawBody: body, headers: {}, secret, now }],
      ['no v1', { rawBody: body, headers: { 'stripe-signature': `t=${at}` }, secret, now }],
      ['no t', { rawBody: body, headers: { 'stripe-signature': header(body).replace(/t=\d+,/, '') }, secret, now }],
      ['another secret', { rawBody: body, headers: { 'stripe-signature': header(body, at, 'whsec_other') }, secret, now }],
      ['changed body', { rawBody: body.replace('cs_1', 'cs_2'), headers: { 'stripe-signature': header(body) }, secret, now }],
      [
        're-serialised body',
        { rawBody: JSON.stringify(JSON.parse(body), null, 1), headers: { 'stripe-signature': header(body) }, secret, now },
      ],
      ['stale', { rawBody: body, headers: { 'stripe-signature': header(body, at - 301) }, secret, now }],
      ['future', { rawBody: body, headers: { 'stripe-signature': header(body, at + 301) }, secret, now }],
      ['not an event', { rawBody: '{"object":"charge"}', headers: { 'stripe-signature': header('{"object":"charge"}') }, secret, now }],
      ['not JSON', { rawBody: 'hello', headers: { 'stripe-signature': header('hello') }, secret, now }],
    ];
    for (const [name, input] of cases)
      expect(refused(input), name).toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID', providerId: 'stripe' });
    // Within the tolerance either way, and a tolerance of one's own.
    expect(verifyStripeWebhook({ rawBody: body, headers: { 'stripe-signature': header(body, at - 299) }, secret, now }).id).toBe('evt_1');
    expect(refused({ rawBody: body, headers: { 'stripe-signature': header(body, at - 60) }, secret, now, toleranceSec: 30 })).toMatchObject(
      { code: 'PAYMENT_SIGNATURE_INVALID' },
    );
  });

  it('a provider given no raw body refuses the webhook rather than re-serialising the parsed one', async () => {
    const signed = sim.event('checkout.session.completed', { id: 'cs_x' });
    await expect(
      provider().parseCallback!({ headers: { 'stripe-signature': signed.signature }, body: JSON.parse(signed.body), query: {} }),
    ).rejects.toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
  });
});
