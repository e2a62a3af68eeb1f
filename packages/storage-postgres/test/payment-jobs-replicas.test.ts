import { afterEach, describe, expect, it } from 'vitest';
import { createPanelkit, createSecretBox, generateSecretKey, testPaymentProvider } from '@panelkit/sdk';
import { TestPaymentWorld } from '@panelkit/sdk/payments';
import type { Panelkit } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const DAY = 24 * 60 * 60_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * The engine's payment jobs on replicas sharing one PostgreSQL server: each replica is a kit with its own pool
 * (its own connections), its own worker and scheduler, and the same payment provider's world (the fake's
 * counts are what the provider would have seen).
 */
describe.skipIf(SKIP_REAL_SERVER !== false)('payment jobs across replicas (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  /** The test's schema, taken from the pool of migrated schemas: given back once the replicas' pools closed. */
  let giveBack: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
    await giveBack?.();
    giveBack = undefined;
  });

  async function replicas(count: number) {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const admin = newPool(1);
    const taken = await takeMigratedSchema(fromPgPool(admin), { clock });
    const schema = taken.schema;
    giveBack = () => taken.giveBack().finally(() => admin.end());
    const world = new TestPaymentWorld();
    const fake = new FakePanelAdapter({ clock });
    const secrets = createSecretBox([generateSecretKey('k1')]);
    const kits: { storage: StoragePort; kit: Panelkit }[] = [];
    for (let i = 0; i < count; i++) {
      const pool = newPool(4);
      pools.push(pool);
      const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
      const kit = createPanelkit({
        storage,
        clock,
        panels: () => fake,
        policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
        random: () => 0.5,
        payments: { providers: [testPaymentProvider({ refunds: true, savedMethods: true, world })], secrets },
      });
      kits.push({ storage, kit });
    }
    const { storage, kit } = kits[0]!;
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'panel',
      baseUrl: 'https://panel.example.com/',
      credentials: { type: 'token', token: 't' },
      locationTags: ['de'],
    });
    await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
    const plan = await storage.plans.create({
      name: 'monthly',
      family: 'standard',
      price: usd(1000),
      durationDays: 30,
      trafficBytes: 50 * 1024 ** 3,
    });
    const workers = kits.map(({ kit: k }) => k.createWorker({ heartbeatIntervalMs: 3_600_000 }));
    const drainAll = () => Promise.all(workers.map((w) => w.drain()));
    return { clock, world, kits, storage, kit, plan, drainAll };
  }

  it('a refund asked twice at once, its provider down at first, is one refund at the provider and one reversal', {
    timeout: 60_000,
  }, async () => {
    const { clock, world, kits, storage, kit, drainAll } = await replicas(2);
    const buyer = await storage.customers.create({ email: 'refund@example.com' });
    const paid = await kit.payments.start({ customerId: buyer.id, providerId: 'test', amount: usd(500), requestKey: 'top-up' });
    if (!paid.ok) throw new Error('the top-up was refused');
    expect(paid.payment.status).toBe('credited');
    const asks = await Promise.all(
      kits.map(({ kit: k }) =>
        k.payments.refund({
          paymentId: paid.payment.id,
          actor: { type: 'admin', id: 'adm_1' },
          reason: 'asked',
          requestKey: 'refund-form',
        }),
      ),
    );
    expect(new Set(asks.map((a) => a.refund.id)).size).toBe(1);
    world.setDown(true);
    await drainAll();
    expect(world.refundCount()).toBe(0);
    expect((await storage.payments.get(paid.payment.id))!.status).toBe('credited');
    world.setDown(false);
    // The provider applies the next refund but its answer is lost: the retry, with the same key, finds it.
    world.loseNextAnswer();
    clock.advance(DAY);
    await drainAll();
    clock.advance(DAY);
    await drainAll();
    expect(world.refundCount()).toBe(1);
    expect(world.refundedOf(paid.payment.externalRef!)).toBe(500);
    const after = (await storage.payments.get(paid.payment.id))!;
    expect(after.status).toBe('reversed');
    expect(kit.payments.refundsOf(after)[asks[0]!.refund.id]).toMatchObject({ status: 'succeeded', taken: 500 });
    const entries = (await storage.ledger.list(buyer.id, { limit: 50 })).items;
    expect(entries.filter((e) => e.kind === 'payment_reversal')).toHaveLength(1);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
    const audit = (await storage.audit.list({ subjectType: 'customer', subjectId: buyer.id }, { limit: 50 })).items;
    expect(audit.filter((e) => e.action === 'payment.refunded')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'payment.refund_requested')).toHaveLength(1);
  });

  async function renewingBuyer(setup: Awaited<ReturnType<typeof replicas>>) {
    const { storage, kit, plan, drainAll } = setup;
    const buyer = await storage.customers.create({ email: `renew-${Math.random()}@example.com` });
    await kit.topUp({ customerId: buyer.id, amount: usd(1000), idempotencyKey: 'seed' });
    const { subscriptions } = await kit.checkout({
      customerId: buyer.id,
      items: [{ planId: plan.id, autoRenew: true }],
      idempotencyKey: 'buy',
    });
    await drainAll();
    // The buyer pays 100 with the test card, saving it for renewals: the wallet holds 100 of the 1000 due.
    const saved = await kit.payments.start({
      customerId: buyer.id,
      providerId: 'test',
      amount: usd(100),
      requestKey: 'save-card',
      saveMethod: true,
      allowRenewal: true,
    });
    expect(saved.ok && saved.payment.status).toBe('credited');
    const methods = await kit.payments.savedMethods(buyer.id);
    expect(methods).toEqual([expect.objectContaining({ providerId: 'test', label: 'Test card •••• 4242', allowRenewal: true })]);
    return { buyer, sub: (await storage.subscriptions.get(subscriptions[0]!.id))! };
  }

  it('four replicas ticking at once, again and again, charge a saved method once for a renewal, and renew', {
    timeout: 90_000,
  }, async () => {
    const setup = await replicas(4);
    const { clock, world, kits, storage, drainAll } = setup;
    const { buyer, sub } = await renewingBuyer(setup);
    const schedulers = kits.map(({ kit: k }) => k.createScheduler());
    await Promise.all(schedulers.map((s) => s.tick()));
    clock.advance(29 * DAY + 60_000);
    for (let round = 0; round < 3; round++) {
      await Promise.all(schedulers.map((s) => s.tick()));
      await drainAll();
      clock.advance(5 * 60_000);
    }
    expect(world.chargeCount()).toBe(1);
    expect(world.calls).toBe(1);
    const renewals = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.filter(
      (p) => p.details['offSession'] === true,
    );
    expect(renewals).toHaveLength(1);
    expect(renewals[0]).toMatchObject({ status: 'credited', amount: 900, details: { subscriptionId: sub.id } });
    const renewed = (await storage.subscriptions.get(sub.id))!;
    expect(renewed.expiresAt!.getTime()).toBe(sub.expiresAt!.getTime() + 30 * DAY);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
  });

  it('a declined charge leaves the subscription to expire into its grace period, the buyer told, and is not retried', {
    timeout: 90_000,
  }, async () => {
    const setup = await replicas(4);
    const { clock, world, kits, storage, drainAll } = setup;
    const { buyer, sub } = await renewingBuyer(setup);
    world.setChargeAnswer('decline');
    const schedulers = kits.map(({ kit: k }) => k.createScheduler());
    await Promise.all(schedulers.map((s) => s.tick()));
    clock.advance(29 * DAY + 60_000);
    await Promise.all(schedulers.map((s) => s.tick()));
    await drainAll();
    const charge = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.find(
      (p) => p.details['offSession'] === true,
    );
    expect(charge).toMatchObject({ status: 'rejected', details: { chargeStatus: 'declined' } });
    const told = (await storage.audit.list({ subjectType: 'customer', subjectId: buyer.id }, { limit: 50 })).items.filter(
      (e) => e.action === 'payment.charge_declined',
    );
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({ subscriptionId: sub.id, amount: 900, currency: 'USD' });
    // Past expiry: the last-chance renewal finds the charge made for this period and makes no other.
    clock.advance(DAY);
    await Promise.all(schedulers.map((s) => s.tick()));
    await drainAll();
    expect(world.chargeCount()).toBe(1);
    const expired = (await storage.subscriptions.get(sub.id))!;
    expect(expired.status).toBe('expired');
    expect(expired.expiresAt).toEqual(sub.expiresAt);
  });

  it('a charge the bank wants confirmed waits for the buyer with the link, told once; the subscription keeps its grace', {
    timeout: 90_000,
  }, async () => {
    const setup = await replicas(2);
    const { clock, world, kits, storage, drainAll } = setup;
    const { buyer, sub } = await renewingBuyer(setup);
    world.setChargeAnswer('require_action');
    const schedulers = kits.map(({ kit: k }) => k.createScheduler());
    await Promise.all(schedulers.map((s) => s.tick()));
    clock.advance(29 * DAY + 60_000);
    await Promise.all(schedulers.map((s) => s.tick()));
    await drainAll();
    const charge = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.find(
      (p) => p.details['offSession'] === true,
    )!;
    expect(charge).toMatchObject({ status: 'pending', details: { chargeStatus: 'requires_action' } });
    const link = charge.details['redirectUrl'];
    expect(typeof link === 'string' && link.startsWith('https://')).toBe(true);
    const told = (await storage.audit.list({ subjectType: 'customer', subjectId: buyer.id }, { limit: 50 })).items.filter(
      (e) => e.action === 'payment.action_required',
    );
    expect(told.map((e) => e.data['actionUrl'])).toEqual([link]);
    expect((await storage.subscriptions.get(sub.id))!.expiresAt).toEqual(sub.expiresAt);
    // Not confirmed by the expiry: no second charge, and the subscription expires into its grace period.
    clock.advance(DAY);
    await Promise.all(schedulers.map((s) => s.tick()));
    await drainAll();
    expect((await storage.subscriptions.get(sub.id))!.status).toBe('expired');
    expect(world.chargeCount()).toBe(1);
  });
});
