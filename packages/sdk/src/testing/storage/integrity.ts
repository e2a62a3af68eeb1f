import { describe, expect, it } from 'vitest';
import { createId } from '../../domain/ids.js';
import { seedCustomer, seedJob, seedOrder, seedPanel, seedPlan, seedSubscription, seedTarget, remoteIdentityFor } from './fixtures.js';
import { claimOne, getJob } from './jobs.js';
import { DAY, MINUTE, expectRejects, idsOf, later } from './support.js';
import type { SuiteEnv } from './support.js';

/** References behave as foreign keys, patches are strict, and poison jobs stop. */
export function integritySuite(env: SuiteEnv): void {
  describe('integrity', () => {
    it('a target on a missing panel is refused and nothing is written', async () => {
      const { storage } = env;
      await expectRejects(
        storage.targets.create({ panelId: 'pnl_missing', remoteRef: '1', name: 'x', protocol: 'vless' }),
        'NotFoundError',
      );
      expect(await storage.targets.list()).toEqual([]);
    });

    it('an order for a missing customer is refused', async () => {
      const { storage } = env;
      await expectRejects(seedOrder(storage, { customerId: 'cus_missing' }), 'NotFoundError');
      expect((await storage.orders.list({}, { limit: 10 })).items).toEqual([]);
    });

    it('a subscription naming any missing parent is refused', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      const missing = [{ customerId: 'cus_missing' }, { planId: 'pln_missing' }, { orderId: 'ord_missing' }, { targetId: 'tgt_missing' }];
      for (const override of missing) {
        const id = createId('sub');
        await expectRejects(storage.subscriptions.create({ ...sub, ...override, id, remote: remoteIdentityFor(id) }), 'NotFoundError');
      }
      const counts = await storage.subscriptions.countByStatus();
      expect(counts.pending).toBe(1);
    });

    it('a subscription whose target is on another panel is refused', async () => {
      const { storage } = env;
      const sub = await seedSubscription(storage);
      const otherPanel = await seedPanel(storage);
      const id = createId('sub');
      await expectRejects(
        storage.subscriptions.create({ ...sub, id, panelId: otherPanel.id, remote: remoteIdentityFor(id) }),
        'ValidationError',
      );
    });

    it('a ledger entry naming a missing order or subscription is refused', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const base = { customerId: customer.id, kind: 'top_up' as const, amount: 100, currency: 'USD', actor: { type: 'system' as const } };
      await expectRejects(storage.ledger.append({ ...base, idempotencyKey: 'k1', orderId: 'ord_missing' }), 'NotFoundError');
      await expectRejects(storage.ledger.append({ ...base, idempotencyKey: 'k2', subscriptionId: 'sub_missing' }), 'NotFoundError');
      expect(await storage.ledger.balance(customer.id, 'USD')).toBe(0);
    });

    it('patches are strict: an unknown or read-only field is a ValidationError and changes nothing', async () => {
      const { storage } = env;
      const target = await seedTarget(storage, { capacity: 5 });
      const plan = await seedPlan(storage);
      const sub = await seedSubscription(storage);
      await expectRejects(storage.targets.update(target.id, { allocated: 3 } as never), 'ValidationError');
      await expectRejects(storage.plans.update(plan.id, { allocated: 3 } as never), 'ValidationError');
      await expectRejects(
        storage.subscriptions.update(sub.id, { revision: 9 } as never, { expectedRevision: sub.revision }),
        'ValidationError',
      );
      expect(await storage.targets.get(target.id)).toEqual(target);
      expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
    });

    it('a job that outlives its lease on its last attempt is reaped as dead', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage, { maxAttempts: 2 });
      await claimOne(storage, 'conformance.job', 'w1', MINUTE);
      clock.advance(2 * MINUTE);
      expect(await storage.jobs.reapExpired()).toBe(1);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: { code: 'LEASE_LOST' } });
      await claimOne(storage, 'conformance.job', 'w2', MINUTE);
      clock.advance(2 * MINUTE);
      expect(await storage.jobs.reapExpired()).toBe(1);
      expect(await getJob(storage, job.id)).toMatchObject({
        state: 'dead',
        attempts: 2,
        leaseToken: null,
        finishedAt: clock.now(),
        lastError: { code: 'LEASE_LOST' },
      });
      expect(await storage.jobs.claim({ workerId: 'w3', limit: 5, leaseMs: MINUTE })).toEqual([]);
    });

    it('a rolled-back update leaves the due queries answering as before', async () => {
      const { storage, clock } = env;
      const sub = await seedSubscription(storage, {
        status: 'active',
        expiresAt: later(clock, DAY),
        trafficLimitBytes: 100,
        usedBytes: 10,
      });
      const query = { kind: 'expiring' as const, statuses: ['active' as const], to: later(clock, 2 * DAY) };
      const before = idsOf((await storage.subscriptions.listDue(query, { limit: 10 })).items);
      await expect(
        storage.transaction(async (tx) => {
          await tx.subscriptions.update(
            sub.id,
            { status: 'limited', usedBytes: 200, expiresAt: later(clock, 10 * DAY) },
            { expectedRevision: sub.revision },
          );
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(idsOf((await storage.subscriptions.listDue(query, { limit: 10 })).items)).toEqual(before);
      expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 10 })).items).toEqual([]);
      expect(before).toEqual([sub.id]);
    });
  });
}
