import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import { newGiftCode } from '../../engine/gifts.js';
import type { StoragePort, StorageRepositories } from '../../ports/storage.js';
import { MAX_FIGURE_BUYERS_PER_CALL } from '../../ports/storage-figures.js';
import {
  remoteIdentityFor,
  seedCustomer,
  seedLedgerEntry,
  seedOrder,
  seedPlan,
  seedSubscription,
  seedTarget,
  uniqueToken,
} from './fixtures.js';
import { DAY, MINUTE, later, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

/** Takes every inbox row and returns the distinct customer ids taken, in id order. */
export async function drainFigureInbox(repos: StorageRepositories): Promise<string[]> {
  const ids = new Set<string>();
  for (;;) {
    const taken = await repos.figures.take(MAX_FIGURE_BUYERS_PER_CALL);
    if (taken.length === 0) return sortIds([...ids]);
    for (const id of taken) ids.add(id);
  }
}

/** The customers `write` marked: the inbox is emptied first, then `write` runs, then what it left is taken. */
async function marksOf(storage: StoragePort, write: () => Promise<unknown>): Promise<string[]> {
  await drainFigureInbox(storage);
  await write();
  return drainFigureInbox(storage);
}

/** A checkout's placement of one unit of `planId` on `target` for `customerId`, debited `price`. */
function placement(customerId: string, planId: string, target: { id: string; panelId: string }, price: number) {
  const orderId = createId('ord');
  const id = createId('sub');
  return {
    order: {
      id: orderId,
      customerId,
      items: [{ planId, quantity: 1, unitPrice: { amount: price, currency: 'USD' }, trial: false }],
      total: { amount: price, currency: 'USD' },
      idempotencyKey: `figures-${uniqueToken()}`,
      requestHash: 'sha256:figures',
    },
    debit: {
      customerId,
      kind: 'purchase' as const,
      amount: -price,
      currency: 'USD',
      idempotencyKey: `purchase:${orderId}`,
      orderId,
      actor: { type: 'customer' as const, id: customerId },
    },
    subscriptions: [
      {
        id,
        customerId,
        orderId,
        planId,
        panelId: target.panelId,
        targetId: target.id,
        remote: remoteIdentityFor(id),
        trafficLimitBytes: null,
        expiresAt: null,
        durationDays: 30,
        startOnFirstUse: false,
      },
    ],
    jobs: [],
    audit: [],
  };
}

/** Storage port 29's marks: every write of a figure input puts its customer in the inbox in the same transaction. */
export function figureMarksSuite(env: SuiteEnv): void {
  describe('figures: marks (port 29)', () => {
    it('ledger appends (one and many) and orders.place mark their customer', async () => {
      const { storage } = env;
      const a = await seedCustomer(storage);
      const b = await seedCustomer(storage);
      expect(await marksOf(storage, () => seedLedgerEntry(storage, { customerId: a.id, amount: 5000 }))).toEqual([a.id]);
      const credit = (customerId: string) => ({
        customerId,
        kind: 'top_up' as const,
        amount: 10,
        currency: 'USD',
        idempotencyKey: `k-${uniqueToken()}`,
        actor: { type: 'system' as const },
      });
      expect(await marksOf(storage, () => storage.ledger.appendMany([credit(a.id), credit(b.id)]))).toEqual(sortIds([a.id, b.id]));
      const target = await seedTarget(storage, { capacity: null });
      const plan = await seedPlan(storage, { maxClients: null });
      let placed = false;
      expect(
        await marksOf(storage, async () => {
          placed = (await storage.orders.place(placement(a.id, plan.id, target, 1000))).ok;
        }),
      ).toEqual([a.id]);
      expect(placed).toBe(true);
    });

    it('orders.settle marks the order’s customer; a settle that changes nothing marks nobody', async () => {
      const { storage } = env;
      const order = await seedOrder(storage);
      const sub = await seedSubscription(storage, { orderId: order.id, customerId: order.customerId });
      await storage.subscriptions.update(sub.id, { status: 'active' }, { expectedRevision: sub.revision });
      expect(await marksOf(storage, () => storage.orders.settle([order.id]))).toEqual([order.customerId]);
      expect(await marksOf(storage, () => storage.orders.settle([order.id]))).toEqual([]);
    });

    it('subscriptions: create, createMany and updates of a figure field mark; usage-only writes do not', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      let sub = await seedSubscription(storage, { customerId: customer.id });
      const created = await marksOf(storage, async () => {
        const id = createId('sub');
        await storage.subscriptions.createMany([
          {
            id,
            customerId: customer.id,
            orderId: null,
            planId: sub.planId,
            panelId: sub.panelId,
            targetId: sub.targetId,
            remote: remoteIdentityFor(id),
            trafficLimitBytes: null,
            expiresAt: null,
            durationDays: 30,
            startOnFirstUse: false,
          },
        ]);
      });
      expect(created).toEqual([customer.id]);
      const patches = [{ status: 'active' as const }, { expiresAt: later(clock, 30 * DAY) }, { activatedAt: clock.now() }, { trial: true }];
      for (const patch of patches) {
        expect(
          await marksOf(storage, async () => {
            sub = await storage.subscriptions.update(sub.id, patch, { expectedRevision: sub.revision });
          }),
          JSON.stringify(patch),
        ).toEqual([customer.id]);
      }
      const plan = await seedPlan(storage);
      expect(
        await marksOf(storage, async () => {
          [sub] = (await storage.subscriptions.updateMany([
            { id: sub.id, expectedRevision: sub.revision, patch: { planId: plan.id } },
          ])) as [typeof sub];
        }),
      ).toEqual([customer.id]);
      const usage = await marksOf(storage, async () => {
        await storage.subscriptions.recordUsage([{ subscriptionId: sub.id, usedBytes: 100, observedAt: later(clock, MINUTE) }]);
        await storage.subscriptions.recordPanelUsage(sub.panelId, [{ username: sub.remote.username, usedBytes: 200 }], {
          observedAt: later(clock, 2 * MINUTE),
          watchPercent: null,
        });
        await storage.subscriptions.updateMany([{ id: sub.id, expectedRevision: sub.revision, patch: { usedBytes: 300 } }]);
      });
      expect(usage).toEqual([]);
    });

    it('payments.transition, campaigns.attribute and referrals (the referred customer) mark', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const made = await storage.payments.create(
        { customerId: customer.id, providerId: 'card', amount: 800, currency: 'USD' },
        { maxPending: null },
      );
      if (!made.ok) throw new Error(`expected a payment, got ${made.reason}`);
      expect(await marksOf(storage, () => storage.payments.transition(made.payment.id, ['pending'], { status: 'cancelled' }))).toEqual([
        customer.id,
      ]);
      expect(await marksOf(storage, () => storage.campaigns.attribute({ customerId: customer.id, campaign: 'spring' }))).toEqual([
        customer.id,
      ]);
      const referrer = await seedCustomer(storage);
      const marked = await marksOf(storage, () => storage.referrals.create({ referrerId: referrer.id, referredId: customer.id }));
      expect(marked).toContain(customer.id);
    });

    it('gifts: a claim marks claimer and giver, an expiry the giver', async () => {
      const { storage, clock } = env;
      const giver = await seedCustomer(storage);
      const claimer = await seedCustomer(storage);
      const plan = await seedPlan(storage);
      const gift = (expiresAt: Date) =>
        storage.gifts.create({
          id: createId('gift'),
          code: newGiftCode(),
          giverId: giver.id,
          planId: plan.id,
          price: { amount: 1000, currency: 'USD' },
          idempotencyKey: `key-${uniqueToken()}`,
          expiresAt,
        });
      const claimed = await gift(later(clock, DAY));
      const expiring = await gift(later(clock, MINUTE));
      const claim = await marksOf(storage, () => storage.gifts.claim({ giftId: claimed.id, claimedBy: claimer.id, orderId: 'ord_gift' }));
      expect(claim).toEqual(sortIds([giver.id, claimer.id]));
      clock.advance(2 * MINUTE);
      expect(await marksOf(storage, () => storage.gifts.expire(expiring.id))).toEqual([giver.id]);
    });

    it('a storefront assignment and a trial.refused audit event mark the customer; other audit events do not', async () => {
      const { storage } = env;
      const reseller = await seedCustomer(storage);
      const storefront = await storage.storefronts.create({ resellerId: reseller.id, name: `shop-${uniqueToken()}` });
      const buyer = await seedCustomer(storage);
      expect(await marksOf(storage, () => storage.storefronts.assignBuyer(buyer.id, storefront.id))).toEqual([buyer.id]);
      const refusal = { actor: { type: 'system' as const }, action: 'trial.refused', subjectType: 'trial_refusal', subjectId: buyer.id };
      expect(await marksOf(storage, () => storage.audit.append(refusal))).toEqual([buyer.id]);
      const other = { ...refusal, action: 'subscription.suspended', subjectType: 'subscription', subjectId: createId('sub') };
      expect(await marksOf(storage, () => storage.audit.append(other))).toEqual([]);
    });

    it('a rolled-back transaction leaves no mark', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const marks = await marksOf(storage, async () => {
        await storage
          .transaction(async (tx) => {
            await seedLedgerEntry(tx, { customerId: customer.id });
            throw new Error('roll back');
          })
          .catch(() => undefined);
      });
      expect(marks).toEqual([]);
      expect(await storage.figures.pending()).toBe(0);
    });
  });
}
