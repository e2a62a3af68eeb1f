import { createMemoryStorage } from '@panelkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { createPanelkit, createSecretBox, generateSecretKey, testPaymentProvider } from '../../src/index.js';
import { TestPaymentWorld } from '../../src/payments.js';
import type { StoragePort } from '../../src/storage.js';
import { FakePanelAdapter, ManualClock } from '../../src/testing/index.js';

const DAY = 24 * 60 * 60_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * `storage` as one replica sees it: its first read of `customerId`'s balance, once armed, waits for `meanwhile` (another
 * replica's work) before it reads. Everything else goes straight through.
 */
function pausingAtBalance(storage: StoragePort, customerId: string) {
  let meanwhile: (() => Promise<unknown>) | undefined;
  const ledger = new Proxy(storage.ledger, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (name === 'balance')
        return async (...args: Parameters<StoragePort['ledger']['balance']>) => {
          const run = args[0] === customerId ? meanwhile : undefined;
          meanwhile = undefined;
          await run?.();
          return target.balance(...args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const seen = new Proxy(storage, {
    get(target, name) {
      if (name === 'ledger') return ledger;
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage: seen, arm: (work: () => Promise<unknown>) => void (meanwhile = work) };
}

/**
 * Two replicas on one storage, a buyer with exactly a renewal's price in the wallet and, with `card`, a saved test card
 * allowed to pay renewals. Replica B's lifecycle tick reads the period's renewal as not made, then, before it reads the wallet,
 * replica A (a tick one slot later: B's ran long) renews that period and spends the wallet.
 */
async function overlappingTicks({ card }: { card: boolean }) {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const storage = createMemoryStorage({ clock });
  const world = new TestPaymentWorld();
  const fake = new FakePanelAdapter({ clock });
  const payments = { providers: [testPaymentProvider({ savedMethods: true, world })], secrets: createSecretBox([generateSecretKey('k1')]) };
  const buyer = await storage.customers.create({ email: 'renews@example.com' });
  const paused = pausingAtBalance(storage, buyer.id);
  const kit = (seen: StoragePort) =>
    createPanelkit({
      storage: seen,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'renewal-race-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
      payments,
    });
  const [a, b] = [kit(storage), kit(paused.storage)];
  const panel = await storage.panels.create({
    kind: 'fake',
    name: 'panel',
    baseUrl: 'https://panel.example.com/',
    credentials: { type: 'token', token: 't' },
    locationTags: ['de'],
  });
  await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null, isDefault: true });
  const plan = await storage.plans.create({ name: 'monthly', family: 'standard', price: usd(1000), durationDays: 30, trafficBytes: null });
  const worker = a.createWorker({ heartbeatIntervalMs: 3_600_000 });
  await a.topUp({ customerId: buyer.id, amount: usd(2000), idempotencyKey: 'seed' }); // the purchase, then one renewal
  const { subscriptions } = await a.checkout({
    customerId: buyer.id,
    items: [{ planId: plan.id, autoRenew: true }],
    idempotencyKey: 'buy',
  });
  await worker.drain();
  if (card) {
    const saved = await a.payments.start({
      customerId: buyer.id,
      providerId: 'test',
      amount: usd(100),
      requestKey: 'save-card',
      saveMethod: true,
      allowRenewal: true,
    });
    expect(saved.ok && saved.payment.status).toBe('credited');
    // The 100 the card added is spent elsewhere: the renewal's price is all the wallet holds.
    await storage.ledger.append({
      customerId: buyer.id,
      kind: 'adjustment',
      amount: -100,
      currency: 'USD',
      idempotencyKey: 'spent-elsewhere',
      subscriptionId: null,
      orderId: null,
      actor: { type: 'system' },
    });
  }
  const sub = (await storage.subscriptions.get(subscriptions[0]!.id))!;
  const chargesBefore = world.chargeCount();
  return { clock, storage, a, b, arm: paused.arm, sub, buyer, world, chargesBefore, worker };
}

describe('a renewal made by one replica while another was about to refuse it', () => {
  it.each([{ card: false }, { card: true }])(
    'a saved card: $card; no "top up" notice, no card charge, the period renewed once',
    async ({ card }) => {
      const { clock, storage, a, b, arm, sub, buyer, world, chargesBefore } = await overlappingTicks({ card });
      clock.set(new Date(sub.expiresAt!.getTime() - DAY + 60_000));
      const renewedByA = a.createScheduler();
      let ranMeanwhile = false;
      arm(async () => {
        ranMeanwhile = true;
        clock.set(new Date(clock.now().getTime() + 60_000));
        const report = await renewedByA.tick();
        expect(report).toMatchObject({ won: true, renewed: 1 });
      });
      const report = await b.createScheduler().tick();
      expect(report.won).toBe(true);
      expect(ranMeanwhile).toBe(true);

      const renewals = (await storage.ledger.list(buyer.id, { limit: 50 })).items.filter((e) => e.kind === 'extension');
      expect(renewals).toHaveLength(1);
      expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
      const offSession = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.filter(
        (p) => p.details['offSession'] === true,
      );
      expect(offSession).toEqual([]);
      expect(world.chargeCount()).toBe(chargesBefore);
      const after = (await storage.subscriptions.get(sub.id))!;
      expect(after.notices).not.toContain('renewal:insufficient_funds');
    },
  );
});
