import { describe, expect, it } from 'vitest';
import { MAX_ROWS_PER_CALL } from '../../ports/storage.js';
import type { StorageRepositories } from '../../ports/storage.js';
import type { SubscriptionStatus } from '../../domain/subscription-status.js';
import { seedCustomer, seedJob, seedOrder, seedSubscription } from './fixtures.js';
import { TEST_ERROR, claimOne, getJob } from './jobs.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** An order of `statuses.length` subscriptions, each moved to its status. */
async function orderWith(repos: StorageRepositories, statuses: readonly SubscriptionStatus[], customerId?: string) {
  const order = await seedOrder(repos, customerId === undefined ? {} : { customerId });
  const subs = [];
  for (const status of statuses) {
    const sub = await seedSubscription(repos, { orderId: order.id, customerId: order.customerId });
    subs.push(status === 'pending' ? sub : await repos.subscriptions.update(sub.id, { status }, { expectedRevision: sub.revision }));
  }
  return { order, subs };
}

export function orderSettlementSuite(env: SuiteEnv): void {
  describe('orders.settle and jobs.completeMany (port 16)', () => {
    it('settles each order none of whose subscriptions is pending, by the rule, and returns only the changed ones in id order', async () => {
      const { storage, clock } = env;
      const waiting = await orderWith(storage, ['active', 'pending']);
      const completed = await orderWith(storage, ['active', 'on_hold']);
      const failed = await orderWith(storage, ['failed', 'failed']);
      const partial = await orderWith(storage, ['active', 'failed']);
      const empty = await seedOrder(storage);
      const done = await orderWith(storage, ['active']);
      await storage.orders.update(done.order.id, { status: 'completed' });
      clock.advance(1000);
      const ids = [waiting, completed, failed, partial, done].map((o) => o.order.id);
      const settled = await storage.orders.settle([...ids, empty.id, 'ord_missing', completed.order.id]);
      const expected = [
        [completed.order.id, 'completed'],
        [failed.order.id, 'failed'],
        [partial.order.id, 'partially_failed'],
        [empty.id, 'completed'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      expect(settled.map((s) => [s.order.id, s.order.status])).toEqual(expected);
      for (const s of settled) {
        expect(s.from).toBe('provisioning');
        expect(s.referralPending).toBe(false);
        expect(s.order.updatedAt).toEqual(clock.now());
        expect(await storage.orders.get(s.order.id)).toEqual(s.order);
      }
      expect(await storage.orders.get(waiting.order.id)).toMatchObject({ status: 'provisioning' });
      expect(await storage.orders.get(done.order.id)).toMatchObject({ status: 'completed' });
      // Settled once: a second call changes nothing.
      expect(await storage.orders.settle(ids)).toEqual([]);
      expect(await storage.orders.settle([])).toEqual([]);
    });

    it("says whether the order's customer has a pending referral", async () => {
      const { storage } = env;
      const referrer = await seedCustomer(storage);
      const referred = await seedCustomer(storage);
      await storage.referrals.create({ referrerId: referrer.id, referredId: referred.id });
      const theirs = await orderWith(storage, ['active'], referred.id);
      const other = await orderWith(storage, ['active'], referrer.id);
      const settled = await storage.orders.settle([theirs.order.id, other.order.id]);
      expect(new Map(settled.map((s) => [s.order.id, s.referralPending]))).toEqual(
        new Map([
          [theirs.order.id, true],
          [other.order.id, false],
        ]),
      );
    });

    it('refuses bad input with a ValidationError and changes nothing', async () => {
      const { storage } = env;
      const { order } = await orderWith(storage, ['active']);
      await expectRejects(storage.orders.settle('ord_x' as unknown as string[]), 'ValidationError');
      await expectRejects(storage.orders.settle([order.id, 7 as unknown as string]), 'ValidationError');
      await expectRejects(storage.orders.settle(Array.from({ length: MAX_ROWS_PER_CALL + 1 }, () => order.id)), 'ValidationError');
      expect(await storage.orders.get(order.id)).toMatchObject({ status: 'provisioning' });
    });

    it('two transactions each settling their own subscription of one order: the later sees the earlier, and the order settles once', async () => {
      const { storage } = env;
      const [first, second] = await env.replicas(2);
      const { order, subs } = await orderWith(storage, ['pending', 'pending']);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let settledFirst!: () => void;
      const firstSettled = new Promise<void>((resolve) => (settledFirst = resolve));
      const a = first!.transaction(async (tx) => {
        await tx.subscriptions.update(subs[0]!.id, { status: 'active' }, { expectedRevision: subs[0]!.revision });
        const settled = await tx.orders.settle([order.id]);
        settledFirst();
        // Holds the order's lock, its subscription not yet committed, while the other settles.
        await gate;
        return settled;
      });
      await firstSettled;
      const b = second!.transaction(async (tx) => {
        await tx.subscriptions.update(subs[1]!.id, { status: 'active' }, { expectedRevision: subs[1]!.revision });
        return tx.orders.settle([order.id]);
      });
      // Time for the second to reach the order's lock (on a database storage it then waits for the first).
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      const [byFirst, bySecond] = await Promise.all([a, b]);
      expect(byFirst).toEqual([]);
      expect(bySecond.map((s) => [s.order.id, s.order.status])).toEqual([[order.id, 'completed']]);
      expect(await storage.orders.get(order.id)).toMatchObject({ status: 'completed' });
    });

    it('completeMany completes the jobs of held leases in one call and refuses each lost or forged one', async () => {
      const { storage, clock } = env;
      const jobs = [await seedJob(storage), await seedJob(storage), await seedJob(storage)];
      const leases = [];
      for (let i = 0; i < jobs.length; i++) leases.push((await claimOne(storage)).lease);
      // The second one's lease is gone: failed back to the queue.
      expect(await storage.jobs.fail(leases[1]!, TEST_ERROR, { at: clock.now() })).toBe(true);
      const forged = { jobId: leases[2]!.jobId, token: `${leases[2]!.token}-forged` };
      clock.advance(500);
      const done = await storage.jobs.completeMany([leases[0]!, leases[1]!, forged, leases[2]!, { jobId: 'job_missing', token: 't' }]);
      expect(done).toEqual([leases[0], leases[2]]);
      for (const lease of [leases[0]!, leases[2]!])
        expect(await getJob(storage, lease.jobId)).toMatchObject({
          state: 'succeeded',
          result: null,
          finishedAt: clock.now(),
          leaseToken: null,
        });
      expect(await getJob(storage, leases[1]!.jobId)).toMatchObject({ state: 'queued' });
      expect(await storage.jobs.completeMany(leases)).toEqual([]);
      expect(await storage.jobs.completeMany([])).toEqual([]);
      await expectRejects(storage.jobs.completeMany([{ jobId: 'j' } as never]), 'ValidationError');
    });
  });
}
