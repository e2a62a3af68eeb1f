import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import type { RunningShop } from '../src/stack/shop.js';
import { saveEpaySettings } from '../src/app/payments/epay/settings.js';
import { saveStripeSettings } from '../src/app/payments/stripe/settings.js';
import { saveYooKassaSettings } from '../src/app/payments/yookassa/settings.js';
import { startGatewayTopUp } from '../src/app/payments/rails/start-gateway-top-up.js';
import { EpaySimulator, StripeSimulator, YooKassaSimulator } from '@panelkit/payment-providers/simulators';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';
import { heldPost } from './support/held-post.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const ROUNDS = 6;
/** What the plan the topped-up wallet buys costs, in the shop currency's minor units. */
const PLAN_PRICE = 5_000;

/**
 * The buyer spends the topped-up wallet on a plan (on a panel nobody provisions here), their checkout reaching both
 * replicas at the same moment with one idempotency key: both answers are the one order, paid by one debit.
 */
async function purchaseOnBothReplicas(
  shop: RunningShop,
  replicas: readonly string[],
  account: { id: string; customerId: string },
): Promise<void> {
  const { currency } = shop.config;
  const panel = await shop.storage.panels.create({
    kind: 'marzban',
    name: 'replicas',
    baseUrl: 'https://panel.example.com/secret-path',
    credentials: { type: 'password', username: 'admin', password: 'replicas-password' },
  });
  await shop.storage.targets.create({ panelId: panel.id, remoteRef: 'inbound-1', name: 'inbound 1', protocol: 'vless' });
  const plan = await shop.storage.plans.create({
    name: 'One month',
    family: 'standard',
    price: { amount: PLAN_PRICE, currency },
    durationDays: 30,
    trafficBytes: 50 * 1024 ** 3,
  });
  const before = await shop.storage.ledger.balance(account.customerId, currency);
  const { token } = await shop.apiTokens.create(account.id, 'gateway replicas');
  const body = { items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: `gateway-replicas-purchase-${randomBytes(4).toString('hex')}` };
  const posts = replicas.map((url) => heldPost(url, '/api/v1/checkout', token, body));
  await Promise.all(posts.map((p) => p.sent));
  const answers = await Promise.all(posts.map((p) => p.release()));
  const orders = (await shop.storage.orders.list({ customerId: account.customerId }, { limit: 10 })).items;
  expect(orders).toHaveLength(1);
  expect(answers.map((a) => [a.status, a.body.order?.id]).sort()).toEqual([
    [200, orders[0]!.id],
    [201, orders[0]!.id],
  ]);
  const debits = (await shop.storage.ledger.list(account.customerId, { limit: 100 })).items.filter((e) => e.kind === 'purchase');
  expect(debits).toHaveLength(1);
  expect(await shop.storage.ledger.balance(account.customerId, currency)).toBe(before - PLAN_PRICE);
}

/**
 * EPay's notify delivered to two web replicas (two OS processes on one PostgreSQL) at the same moment, for several
 * payments, while the sweep asks the order query from this process: every payment is credited exactly once; then the
 * wallet's money buys a plan, the buyer's checkout reaching both replicas at once: one order, one debit.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `EPay notifies racing across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'epay-replicas-secret-epay-replicas-secret',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'CNY',
      PUBLIC_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    };
    const beside = shopBesideReplicas(2, env);
    let sim: EpaySimulator;
    beforeAll(async () => {
      sim = await new EpaySimulator().start();
    });
    afterAll(async () => {
      await sim?.close();
    });

    it(`credits each of ${ROUNDS} paid top-ups once, and the wallet buys a plan once`, async () => {
      const { shop, replicas } = beside;
      await saveEpaySettings(shop, { enabled: true, baseUrl: sim.url, pid: sim.pid, key: sim.key, mode: 'mapi' }, new Date(), null);
      const signedUp = await signUp(shop, { email: 'racer@example.com', password: 'correct horse battery', locale: 'zh' });
      if (!signedUp.ok) throw new Error(signedUp.reason);
      const { customerId } = signedUp.account;
      for (let round = 0; round < ROUNDS; round++) {
        const started = await startGatewayTopUp(shop, {
          rail: 'epay',
          customerId,
          amount: 1_000 + round,
          requestKey: `epay-replica-round-${round}-xxxxxx`,
          base: 'http://127.0.0.1:9',
          from: 'web',
          method: round % 2 === 0 ? 'alipay' : 'wxpay',
        });
        if (!started.ok) throw new Error(started.reason);
        const paymentId = started.payment.id;
        await sim.pay(paymentId, { deliveries: 0 });
        const notify = sim.notify(paymentId);
        const answers = await Promise.all([
          ...replicas.map((url) => sim.deliver(paymentId, notify, `${url}/payments/epay/notify`)),
          shop.kit.payments.verify(paymentId, {}).then((r) => r.outcome),
        ]);
        expect(answers.slice(0, 2)).toEqual([
          { status: 200, body: 'success' },
          { status: 200, body: 'success' },
        ]);
        expect(['credited', 'already_credited']).toContain(answers[2]);
      }
      const topUps = (await shop.storage.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.kind === 'top_up');
      expect(topUps).toHaveLength(ROUNDS);
      const total = Array.from({ length: ROUNDS }, (_, i) => 1_000 + i).reduce((a, b) => a + b, 0);
      expect(await shop.storage.ledger.balance(customerId, 'CNY')).toBe(total);
      await purchaseOnBothReplicas(shop, replicas, signedUp.account);
    }, 120_000);
  },
);

/**
 * YooKassa's notification delivered to two web replicas at the same moment (each reads the payment back from the API),
 * while this process asks too: each payment credited once; then the owner's refund made once at YooKassa and
 * reversed once, with the worker's job run by two replicas' worth of drains and YooKassa's own notification; then the
 * wallet's money buys a plan once, the checkout reaching both replicas at once.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `YooKassa notifications racing across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'yookassa-replicas-secret-yookassa-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'RUB',
      PUBLIC_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    };
    const beside = shopBesideReplicas(2, env);
    let sim: YooKassaSimulator;
    beforeAll(async () => {
      sim = await new YooKassaSimulator().start();
    });
    afterAll(async () => {
      await sim?.close();
    });

    it(`credits each of ${ROUNDS} paid top-ups once, refunds one once, and buys a plan once`, async () => {
      const { shop, replicas } = beside;
      await saveYooKassaSettings(
        shop,
        { enabled: true, baseUrl: sim.url, shopId: sim.shopId, secretKey: sim.secretKey, receipts: false, vatCode: 1 },
        new Date(),
        null,
      );
      const signedUp = await signUp(shop, { email: 'racer@example.com', password: 'correct horse battery', locale: 'ru' });
      if (!signedUp.ok) throw new Error(signedUp.reason);
      const { customerId } = signedUp.account;
      const paymentIds: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const started = await startGatewayTopUp(shop, {
          rail: 'yookassa',
          customerId,
          amount: 10_000 + round,
          requestKey: `yookassa-replica-round-${round}-xxxx`,
          base: 'http://127.0.0.1:9',
          from: 'web',
          method: round % 2 === 0 ? 'smart' : 'sbp',
        });
        if (!started.ok) throw new Error(started.reason);
        paymentIds.push(started.payment.id);
        const ref = (await shop.kit.payments.get(started.payment.id))!.externalRef!;
        await sim.pay(ref, { deliveries: 0 });
        const body = sim.notification('payment.succeeded', ref);
        const answers = await Promise.all([
          ...replicas.map((url) => sim.deliver(body, `${url}/payments/yookassa/notify`)),
          shop.kit.payments.verify(started.payment.id, {}).then((r) => r.outcome),
        ]);
        expect(answers.slice(0, 2)).toEqual([200, 200]);
        expect(['credited', 'already_credited']).toContain(answers[2]);
      }
      const total = Array.from({ length: ROUNDS }, (_, i) => 10_000 + i).reduce((a, b) => a + b, 0);
      expect((await shop.storage.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(ROUNDS);
      expect(await shop.storage.ledger.balance(customerId, 'RUB')).toBe(total);

      const refunded = paymentIds[0]!;
      await shop.kit.payments.refund({ paymentId: refunded, actor: { type: 'admin', id: 'owner' }, requestKey: 'replica-refund' });
      const workers = [shop.kit.createWorker({ hostJobs: shop.hostJobs }), shop.kit.createWorker({ hostJobs: shop.hostJobs })];
      await Promise.all(workers.map((w) => w.drain()));
      expect(sim.refunds.size).toBe(1);
      const [made] = [...sim.refunds.values()];
      expect(
        await Promise.all(
          replicas.map((url) => sim.deliver(sim.notification('refund.succeeded', made!.id), `${url}/payments/yookassa/notify`)),
        ),
      ).toEqual([200, 200]);
      await Promise.all(workers.map((w) => w.drain()));
      expect(await shop.storage.ledger.balance(customerId, 'RUB')).toBe(total - 10_000);
      expect((await shop.kit.payments.get(refunded))!.status).toBe('reversed');
      // Last: the workers here would run the order's provisioning, on a panel that does not exist.
      await purchaseOnBothReplicas(shop, replicas, signedUp.account);
    }, 120_000);
  },
);

/**
 * Stripe's signed webhook delivered to two web replicas at the same moment (each verifies it with the endpoint's
 * secret) while this process asks Stripe too: each top-up credited once; then the owner's refund made once at Stripe
 * and reversed once, with two replicas' worth of drains and Stripe's charge.refunded; then the wallet's money buys a
 * plan once, the checkout reaching both replicas at once.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `Stripe webhooks racing across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'stripe-replicas-secret-stripe-replicas-secret',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      PUBLIC_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    };
    const beside = shopBesideReplicas(2, env);
    let sim: StripeSimulator;
    beforeAll(async () => {
      sim = await new StripeSimulator().start();
    });
    afterAll(async () => {
      await sim?.close();
    });

    it(`credits each of ${ROUNDS} paid top-ups once, refuses a forged one, refunds one once, and buys a plan once`, async () => {
      const { shop, replicas } = beside;
      await saveStripeSettings(
        shop,
        { enabled: true, baseUrl: sim.url, secretKey: sim.secretKey, webhookSecret: sim.webhookSecret },
        new Date(),
        null,
      );
      const signedUp = await signUp(shop, { email: 'racer@example.com', password: 'correct horse battery', locale: 'en' });
      if (!signedUp.ok) throw new Error(signedUp.reason);
      const { customerId } = signedUp.account;
      const paymentIds: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const started = await startGatewayTopUp(shop, {
          rail: 'stripe',
          customerId,
          amount: 10_000 + round,
          requestKey: `stripe-replica-round-${round}-xxxxxx`,
          base: 'http://127.0.0.1:9',
          from: 'web',
        });
        if (!started.ok) throw new Error(started.reason);
        paymentIds.push(started.payment.id);
        const ref = (await shop.kit.payments.get(started.payment.id))!.externalRef!;
        await sim.pay(ref, { deliveries: 0 });
        const webhook = sim.completed(ref);
        const answers = await Promise.all([
          ...replicas.map((url) => sim.deliver(webhook, `${url}/payments/stripe/webhook`)),
          shop.kit.payments.verify(started.payment.id, {}).then((r) => r.outcome),
        ]);
        expect(answers.slice(0, 2)).toEqual([200, 200]);
        expect(['credited', 'already_credited']).toContain(answers[2]);
      }
      const total = Array.from({ length: ROUNDS }, (_, i) => 10_000 + i).reduce((a, b) => a + b, 0);
      expect((await shop.storage.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.kind === 'top_up')).toHaveLength(ROUNDS);
      expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(total);

      // A forged webhook (another secret) at both replicas: refused, nothing changes.
      const forged = sim.completed(sim.session((await shop.kit.payments.get(paymentIds[1]!))!.externalRef!).id);
      expect(
        await Promise.all(
          replicas.map((url) =>
            sim.deliver({ ...forged, signature: sim.sign(forged.body, 'whsec_forged') }, `${url}/payments/stripe/webhook`),
          ),
        ),
      ).toEqual([400, 400]);

      const refunded = paymentIds[0]!;
      await shop.kit.payments.refund({ paymentId: refunded, actor: { type: 'admin', id: 'owner' }, requestKey: 'replica-refund' });
      const workers = [shop.kit.createWorker({ hostJobs: shop.hostJobs }), shop.kit.createWorker({ hostJobs: shop.hostJobs })];
      await Promise.all(workers.map((w) => w.drain()));
      expect(sim.refunds.size).toBe(1);
      const [made] = [...sim.refunds.values()];
      const refundedEvent = sim.refundedEvent(made!.id);
      expect(await Promise.all(replicas.map((url) => sim.deliver(refundedEvent, `${url}/payments/stripe/webhook`)))).toEqual([200, 200]);
      await Promise.all(workers.map((w) => w.drain()));
      expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(total - 10_000);
      expect((await shop.kit.payments.get(refunded))!.status).toBe('reversed');
      // Last: the workers here would run the order's provisioning, on a panel that does not exist.
      await purchaseOnBothReplicas(shop, replicas, signedUp.account);
    }, 120_000);
  },
);
