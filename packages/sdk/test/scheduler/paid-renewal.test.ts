import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { createPanelkit, createSecretBox, generateSecretKey, PaymentSignatureError, testPaymentProvider } from '../../src/index.js';
import type { PaymentProvider } from '../../src/index.js';
import { TestPaymentWorld } from '../../src/payments.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';

const DAY = 24 * 60 * 60_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * Two replicas (kits with their own workers and schedulers) on one storage, a buyer whose monthly plan renews
 * itself with 100 of its 1000 in the wallet and a saved test card allowed to pay renewals, which the bank wants
 * the buyer to confirm. The buyer's confirmation at the gateway reaches the engine as the gateway's `paid` signal.
 */
async function confirmingBuyer() {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const world = new TestPaymentWorld();
  const fake = new FakePanelAdapter({ clock });
  const secrets = createSecretBox([generateSecretKey('k1')]);
  const test = testPaymentProvider({ savedMethods: true, world });
  const provider: PaymentProvider = {
    ...test,
    capabilities: { ...test.capabilities, confirmations: ['instant', 'gateway'] },
    parseCallback: async () => {
      throw new PaymentSignatureError('test', 'the test gateway sends no callbacks');
    },
  };
  const kits = [0, 1].map(() =>
    createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'paid-renewal-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
      payments: { providers: [provider], secrets },
    }),
  );
  const kit = kits[0]!;
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'panel',
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
  const plan = await storage.plans.create({ name: 'monthly', family: 'standard', price: usd(1000), durationDays: 30, trafficBytes: null });
  const workers = kits.map((k) => k.createWorker({ heartbeatIntervalMs: 3_600_000 }));
  const schedulers = kits.map((k) => k.createScheduler());
  /** Both replicas tick at once, then drain at once. */
  const round = async () => {
    await Promise.all(schedulers.map((s) => s.tick()));
    await Promise.all(workers.map((w) => w.drain()));
  };

  const buyer = await storage.customers.create({ email: 'confirms@example.com' });
  await kit.topUp({ customerId: buyer.id, amount: usd(1000), idempotencyKey: 'seed' });
  const { subscriptions } = await kit.checkout({
    customerId: buyer.id,
    items: [{ planId: plan.id, autoRenew: true }],
    idempotencyKey: 'buy',
  });
  await round();
  const saved = await kit.payments.start({
    customerId: buyer.id,
    providerId: 'test',
    amount: usd(100),
    requestKey: 'save-card',
    saveMethod: true,
    allowRenewal: true,
  });
  expect(saved.ok && saved.payment.status).toBe('credited');
  const sub = (await storage.subscriptions.get(subscriptions[0]!.id))!;

  // At renewal time the wallet is 900 short: one charge, waiting for the buyer.
  world.setChargeAnswer('require_action');
  clock.set(new Date(sub.expiresAt!.getTime() - DAY + 60_000));
  await round();
  const charges = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.filter(
    (p) => p.details['offSession'] === true,
  );
  expect(charges).toHaveLength(1);
  const charge = charges[0]!;
  expect(charge).toMatchObject({ status: 'pending', amount: 900, details: { chargeStatus: 'requires_action' } });

  /** The buyer confirms at the gateway, which tells both replicas at once. */
  const confirm = () =>
    Promise.all(kits.map((k) => k.payments.applySignal('test', { externalRef: charge.externalRef!, kind: 'paid', amount: usd(900) })));
  const renewals = async () => (await storage.ledger.list(buyer.id, { limit: 50 })).items.filter((e) => e.kind === 'extension');
  const renewedAudits = async () =>
    (await storage.audit.list({ subjectType: 'subscription', subjectId: sub.id }, { limit: 100 })).items.filter(
      (e) => e.action === 'subscription.renewed',
    );
  return { clock, storage, kits, world, fake, sub, buyer, round, confirm, renewals, renewedAudits };
}

describe('a renewal charge the buyer confirms', () => {
  it('confirmed after expiry, in the grace period: renews once, revived with a new period from now, the money spent once', async () => {
    const { clock, storage, world, fake, sub, buyer, round, confirm, renewals, renewedAudits } = await confirmingBuyer();
    clock.set(new Date(sub.expiresAt!.getTime() + 60_000));
    await round();
    expect((await storage.subscriptions.get(sub.id))!.status).toBe('expired');
    expect(await renewals()).toEqual([]);

    clock.set(new Date(sub.expiresAt!.getTime() + 2 * DAY));
    const confirmedAt = clock.now();
    const answers = await confirm();
    expect(answers.map((a) => a.outcome).sort()).toEqual(['already_credited', 'credited']);
    await round();
    await round();

    const made = await renewals();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ amount: -1000, idempotencyKey: `renew:${sub.id}:${sub.expiresAt!.toISOString()}` });
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
    expect(world.chargeCount()).toBe(1);
    const renewed = (await storage.subscriptions.get(sub.id))!;
    // As an extension by hand revives an expired subscription: active, a new period from now, its client enabled.
    const newExpiry = new Date(confirmedAt.getTime() + 30 * DAY);
    expect(renewed).toMatchObject({ status: 'active', expiresAt: newExpiry, activatedAt: confirmedAt });
    const client = fake.client(renewed.remote.username)!;
    expect(client.enabled).toBe(true);
    expect(client.expiry).toEqual({ type: 'at', at: newExpiry });
    expect(await renewedAudits()).toHaveLength(1);

    // Told again (a late duplicate of the gateway's signal), and ticking on: nothing more.
    expect((await confirm()).map((a) => a.outcome)).toEqual(['already_credited', 'already_credited']);
    clock.set(new Date(sub.expiresAt!.getTime() + 10 * DAY));
    await round();
    expect(await renewals()).toHaveLength(1);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
    expect((await storage.subscriptions.get(sub.id))!).toMatchObject({ status: 'active', expiresAt: newExpiry });
  });

  it('confirmed before expiry: renews at once, from the old expiry; nothing more at the expiry', async () => {
    const { clock, storage, sub, buyer, round, confirm, renewals } = await confirmingBuyer();
    clock.set(new Date(sub.expiresAt!.getTime() - DAY + 2 * 60 * 60_000));
    await confirm();
    await round();
    expect(await renewals()).toHaveLength(1);
    expect((await storage.subscriptions.get(sub.id))!).toMatchObject({
      status: 'active',
      expiresAt: new Date(sub.expiresAt!.getTime() + 30 * DAY),
      activatedAt: sub.activatedAt,
    });
    clock.set(new Date(sub.expiresAt!.getTime() + 60_000));
    await round();
    expect(await renewals()).toHaveLength(1);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
  });

  it('confirmed after its grace period ended it: not renewed, the money stays in the wallet', async () => {
    const { clock, storage, sub, buyer, round, confirm, renewals } = await confirmingBuyer();
    clock.set(new Date(sub.expiresAt!.getTime() + 60_000));
    await round();
    clock.set(new Date(sub.expiresAt!.getTime() + 8 * DAY));
    await round();
    expect((await storage.subscriptions.get(sub.id))!.status).toBe('terminated');
    await confirm();
    await round();
    expect(await renewals()).toEqual([]);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(1000);
    expect((await storage.subscriptions.get(sub.id))!.status).toBe('terminated');
  });

  it('confirmed after the buyer turned auto-renew off: not renewed, the money stays in the wallet', async () => {
    const { clock, storage, kits, sub, buyer, round, confirm, renewals } = await confirmingBuyer();
    clock.set(new Date(sub.expiresAt!.getTime() + 60_000));
    await round();
    await kits[0]!.setAutoRenew({ subscriptionId: sub.id, customerId: buyer.id, enabled: false });
    clock.set(new Date(sub.expiresAt!.getTime() + DAY));
    await confirm();
    await round();
    expect(await renewals()).toEqual([]);
    expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(1000);
    expect((await storage.subscriptions.get(sub.id))!).toMatchObject({ status: 'expired', expiresAt: sub.expiresAt });
  });
});
