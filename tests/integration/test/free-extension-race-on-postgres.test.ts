/**
 * Free extensions (no ledger entry) submitted twice at once from two replicas on one PostgreSQL
 * server: the update job keyed by the change is what makes each key apply once across processes.
 */
import { describe, expect, it } from 'vitest';
import { withTwoShops } from './support/two-shops.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

describe.skipIf(SKIP !== false)(
  `free extensions on two replicas of one PostgreSQL server${SKIP === false ? '' : ` (skipped: ${SKIP})`}`,
  () => {
    it('one key submitted to both replicas at once extends once', async () => {
      await withTwoShops(async ({ shops, storage, clock }) => {
        const [first] = shops;
        await storage.plans.update(first.plan.id, { extension: { price: { amount: 0, currency: 'USD' } } });
        const customerId = await first.customer(20_000);
        const { subscriptions } = await first.kit.checkout({
          customerId,
          items: [{ planId: first.plan.id, quantity: 10 }],
          idempotencyKey: 'buy',
        });
        await first.worker.drain();
        clock.set('2026-03-29T00:00:00.000Z'); // two days left: the extension window is open

        const results = await Promise.all(
          subscriptions.map((sub) => Promise.all(shops.map((shop) => shop.kit.extend({ subscriptionId: sub.id, idempotencyKey: 'free' })))),
        );
        for (const pair of results) expect(pair.map((r) => r.replayed).sort()).toEqual([false, true]);
        await Promise.all(shops.map((shop) => shop.worker.drain()));
        for (const sub of subscriptions) {
          const jobs = await storage.jobs.list({ dedupeKey: `subscription.update:${sub.id}` }, { limit: 5 });
          expect(jobs.items.map((j) => j.state)).toEqual(['succeeded']);
          expect((await storage.subscriptions.get(sub.id))!.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
        }
        expect(await first.balance(customerId)).toBe(10_000);
      });
    });
  },
);
