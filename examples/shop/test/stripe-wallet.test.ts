import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSetting } from '../src/db/shop-settings.js';
import { StripeSimulator } from '@panelkit/payment-providers/simulators';
import { buy } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest } from './support/shop-under-test.js';

const key = (n: number) => `stripe-form-key-${String(n).padStart(8, '0')}`;

describe('Stripe in the wallet of a shop in dollars, against the Stripe simulator', () => {
  let t: ShopUnderTest;
  let server: Server;
  let base: string;
  let sim: StripeSimulator;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startShop({ env: { PUBLIC_URL: base, SHOP_CURRENCY: 'USD' } });
    server.on('request', t.app);
    sim = await new StripeSimulator().start();
    sim.webhookUrl = `${base}/payments/stripe/webhook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await sim.close();
    await t.close();
  });

  it('on in settings (keys sealed); paid and credited once; forged webhooks refused; refunded once; the money buys a plan', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.accounts.getByEmail(buyer.email))!.customerId;
    expect((await buyer.agent.get('/wallet').expect(200)).text).not.toContain('data-provider="stripe"');

    const admin = await signedInAdmin(t.app);
    expect((await admin.agent.get('/admin/settings/payments').expect(200)).text).toContain(`${base}/payments/stripe/webhook`);
    const form = {
      _csrf: admin.csrf,
      stripeEnabled: 'on',
      stripeBaseUrl: sim.url,
      stripeSecretKey: sim.secretKey,
      stripeWebhookSecret: sim.webhookSecret,
    };
    await admin.agent
      .post('/admin/settings/payments')
      .type('form')
      .send({ ...form, stripeWebhookSecret: 'not-a-secret' })
      .expect(400);
    await admin.agent.post('/admin/settings/payments').type('form').send(form).expect(303);
    const stored = await readSetting<Record<string, unknown>, { secretKey: string; webhookSecret: string }>(t.shop, 'payments.stripe');
    expect(stored?.value).toEqual({ enabled: true, baseUrl: sim.url });
    expect(stored?.secret).toEqual({ secretKey: sim.secretKey, webhookSecret: sim.webhookSecret });

    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('data-provider="stripe"');
    const started = await buyer.agent
      .post('/wallet/pay/stripe')
      .type('form')
      .send({ _csrf: buyer.csrf, amount: '75', idempotencyKey: key(1), saveMethod: 'on' })
      .expect(303);
    const paymentId = /(pay_\w+)$/.exec(started.headers['location'] as string)![1]!;
    const payment = (await t.shop.kit.payments.get(paymentId))!;
    expect(payment).toMatchObject({ providerId: 'stripe', status: 'pending', amount: 7_500, currency: 'USD' });
    const session = sim.session(payment.externalRef!);
    expect(session).toMatchObject({ amount_total: 7_500, currency: 'usd', metadata: { paymentId }, wanted: { save: true } });

    // A bad signature is refused; a signed event for another amount or for a session the shop never opened credits nothing.
    await sim.pay(session.id, { deliveries: 0 });
    const paid = sim.completed(session.id);
    expect(await sim.deliver({ ...paid, signature: sim.sign(paid.body, 'whsec_forged') })).toBe(400);
    expect(await sim.deliver({ body: paid.body.replace('"amount_total":7500', '"amount_total":750000'), signature: paid.signature })).toBe(
      400,
    );
    const { wanted: _wanted, ...shown } = sim.session(session.id);
    expect(await sim.deliver(sim.event('checkout.session.completed', { ...shown, amount_total: 750 }))).toBe(200);
    expect(await sim.deliver(sim.event('checkout.session.completed', { ...shown, id: 'cs_test_never_opened' }))).toBe(200);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    // The Checkout payment's own PaymentIntent event (the endpoint is subscribed to it for off-session charges): acknowledged, nothing more.
    const intent = sim.intents.get(sim.session(session.id).payment_intent!)!;
    expect(await sim.deliver(sim.event('payment_intent.succeeded', { ...intent }))).toBe(200);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);

    // Paid: the webhook twice at once, and the buyer's return: credited once.
    expect(await Promise.all([sim.deliver(paid), sim.deliver(paid)])).toEqual([200, 200]);
    const back = await buyer.agent.get(`/wallet/pay/stripe/${paymentId}/return`).expect(303);
    expect(back.headers['location']).toBe('/wallet?done=payRails.credited');
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(7_500);
    expect((await t.shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(1);
    expect(await t.shop.kit.payments.savedMethods(customerId)).toMatchObject([{ label: 'visa •••• 4242', allowRenewal: true }]);

    // An off-session charge of that card the bank wants authenticated: the payment waits with Stripe's page to
    // confirm on (a Checkout Session for the same amount, the buyer's customer); paying there credits it once.
    const [saved] = await t.shop.kit.payments.savedMethods(customerId);
    sim.chargeAnswer = 'require_action';
    const charge = await t.shop.kit.payments.chargeSavedMethod({
      customerId,
      methodId: saved!.id,
      amount: { amount: 1_200, currency: 'USD' },
      key: 'renewal:test:1',
      description: 'Renewal',
    });
    await t.drain();
    sim.chargeAnswer = 'succeed';
    const waiting = (await t.shop.kit.payments.get(charge.payment.id))!;
    expect(sim.offSessionCharges.size).toBe(1);
    expect(waiting).toMatchObject({ status: 'pending', details: { chargeStatus: 'requires_action' } });
    const confirmOn = sim.session(waiting.externalRef!);
    expect(waiting.details['redirectUrl']).toBe(confirmOn.url);
    expect(confirmOn).toMatchObject({ amount_total: 1_200, customer: sim.session(session.id).customer });
    expect(await sim.pay(confirmOn.id, { deliveries: 2 })).toEqual([200, 200]);
    expect((await t.shop.kit.payments.get(charge.payment.id))!.status).toBe('credited');
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(8_700);
    await t.shop.kit.payments.refund({ paymentId: charge.payment.id, actor: { type: 'admin', id: 'owner' }, requestKey: 'renewal-refund' });
    await t.drain();
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(7_500);

    // The owner refunds it at Stripe from the receipts queue: one refund there, one reversal here.
    const queue = await admin.agent.get('/admin/receipts?status=approved&provider=stripe').expect(200);
    expect(queue.text).toContain('data-testid="refund-gateway"');
    const refund = () =>
      admin.agent.post(`/admin/payments/${paymentId}/refund-gateway`).type('form').send({ _csrf: admin.csrf, confirm: 'yes' }).expect(303);
    expect((await refund()).headers['location']).toContain('gateway_refund_queued');
    expect((await refund()).headers['location']).toContain('gateway_refund_queued');
    await t.drain();
    expect(sim.refunds.size).toBe(2);
    const made = [...sim.refunds.values()].find((r) => r.payment_intent === sim.session(session.id).payment_intent);
    expect(made).toMatchObject({ payment_intent: sim.session(session.id).payment_intent, amount: 7_500 });
    // Stripe's charge.refunded arriving after it changes nothing more.
    expect(await sim.deliver(sim.refundedEvent(made!.id))).toBe(200);
    await t.drain();
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(0);
    expect((await t.shop.kit.payments.get(paymentId))!.status).toBe('reversed');

    // A second top-up through the JSON API buys a plan with the wallet's money.
    const second = await buyer.agent
      .post('/api/v1/gateway-topups/stripe')
      .set('x-csrf-token', buyer.csrf)
      .send({ amount: '500', idempotencyKey: key(2) })
      .expect(202);
    const secondRef = (await t.shop.kit.payments.get(second.body.payment.id))!.externalRef!;
    expect(await sim.pay(secondRef, { deliveries: 2 })).toEqual([200, 200]);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(50_000);
    const plan = (await t.shop.storage.plans.list()).find((p) => p.price.amount <= 50_000 && p.price.currency === 'USD')!;
    expect((await buy(buyer, plan.id)).status).toBe(303);
    expect(await t.shop.storage.ledger.balance(customerId, 'USD')).toBe(50_000 - plan.price.amount);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('Stripe');

    // The buyer removes the saved card: Stripe detaches it from its customer, so nothing can charge it there.
    const card = sim.intents.get(sim.session(session.id).payment_intent!)!.payment_method!;
    expect(sim.attached(card)).toBe(true);
    await buyer.agent.post(`/api/v1/payment-methods/${saved!.id}/remove`).set('x-csrf-token', buyer.csrf).expect(204);
    await t.drain();
    expect(sim.attached(card)).toBe(false);
  });
});
