/**
 * Plan changes and traffic top-ups submitted at once on two replicas of one PostgreSQL server: two
 * changes of one subscription, one wins and the money is exact; a top-up double-submitted is charged once.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { DAY, GiB, type Shop } from './support/shop.js';
import { withTwoShops } from './support/two-shops.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const SUBSCRIPTIONS = 6;

/** Two replicas sharing a schema and a panel, with `SUBSCRIPTIONS` subscriptions 15 days into their 30. */
function withReplicas(
  run: (shops: readonly Shop[], storage: StoragePort, ids: string[], customerId: string) => Promise<void>,
): Promise<void> {
  return withTwoShops(async ({ shops, storage }) => {
    const [first] = shops;
    const customerId = await first.customer(100_000);
    const { subscriptions } = await first.kit.checkout({
      customerId,
      items: [{ planId: first.plan.id, quantity: SUBSCRIPTIONS }],
      idempotencyKey: 'buy',
    });
    await first.worker.drain();
    await first.tick(15 * DAY); // reads usage (0): each is worth half its price, 500
    await run(
      shops,
      storage,
      subscriptions.map((s) => s.id),
      customerId,
    );
  });
}

describe.skipIf(SKIP !== false)(
  `plan changes and top-ups on two replicas of one PostgreSQL server${SKIP === false ? '' : ` (skipped: ${SKIP})`}`,
  () => {
    it('two plan changes of one subscription at once: one wins, charged once, slots exact', async () => {
      await withReplicas(async (shops, storage, ids, customerId) => {
        const plans = await Promise.all(
          [2_000, 3_000].map((amount, i) =>
            storage.plans.create({
              name: `bigger ${i}`,
              family: 'standard',
              price: { amount, currency: 'USD' },
              durationDays: 30,
              trafficBytes: 20 * GiB,
            }),
          ),
        );
        const outcomes = await Promise.all(
          ids.map((id) =>
            Promise.allSettled(
              shops.map((shop, i) => shop.kit.changePlan({ subscriptionId: id, planId: plans[i]!.id, idempotencyKey: `change-${i}` })),
            ),
          ),
        );
        let charged = 0;
        const winners = new Map<string, string>();
        for (const [n, pair] of outcomes.entries()) {
          const won = pair.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
          expect(won).toHaveLength(1);
          const lost = pair.find((o) => o.status === 'rejected') as PromiseRejectedResult;
          expect(ConflictError.is(lost.reason)).toBe(true);
          winners.set(ids[n]!, plans[won[0]!]!.id);
          charged += plans[won[0]!]!.price.amount - 500;
        }
        expect(await shops[0]!.balance(customerId)).toBe(100_000 - SUBSCRIPTIONS * 1_000 - charged);
        await Promise.all(shops.map((shop) => shop.worker.drain()));
        for (const id of ids) expect((await storage.subscriptions.get(id))!.planId).toBe(winners.get(id));
        const allocated = await Promise.all(
          [shops[0]!.plan.id, ...plans.map((p) => p.id)].map(async (id) => (await storage.plans.get(id))!.allocated),
        );
        const won = (planId: string) => [...winners.values()].filter((w) => w === planId).length;
        expect(allocated).toEqual([0, won(plans[0]!.id), won(plans[1]!.id)]);
        expect((await storage.targets.get(shops[0]!.target.id))!.allocated).toBe(SUBSCRIPTIONS);
        expect(await shops[0]!.balance(customerId)).toBe(100_000 - SUBSCRIPTIONS * 1_000 - charged);
      });
    });

    it('a top-up submitted to both replicas at once is charged and applied once', async () => {
      await withReplicas(async (shops, storage, ids, customerId) => {
        await storage.plans.update(shops[0]!.plan.id, {
          trafficTopUp: { pricePerGiB: { amount: 30, currency: 'USD' }, maxGiBPerPurchase: 50 },
        });
        // Subscribers keep the terms they bought: the new offer reaches them once moved to the current terms.
        await shops[0]!.kit.applyCurrentTerms({ planId: shops[0]!.plan.id });
        const results = await Promise.all(
          ids.map((id) => Promise.all(shops.map((shop) => shop.kit.buyTraffic({ subscriptionId: id, gib: 5, idempotencyKey: 'twice' })))),
        );
        for (const pair of results) expect(pair.map((r) => r.replayed).sort()).toEqual([false, true]);
        expect(await shops[0]!.balance(customerId)).toBe(100_000 - SUBSCRIPTIONS * 1_000 - SUBSCRIPTIONS * 150);
        await Promise.all(shops.map((shop) => shop.worker.drain()));
        for (const id of ids) {
          const sub = (await storage.subscriptions.get(id))!;
          expect(sub.trafficLimitBytes).toBe(15 * GiB);
          expect(
            (
              await shops[0]!.adapter.getClient(
                {
                  target: {
                    remoteRef: shops[0]!.target.remoteRef,
                    protocol: shops[0]!.target.protocol,
                    remoteMeta: shops[0]!.target.remoteMeta,
                  },
                  username: sub.remote.username,
                  remoteClientId: sub.remoteClientId,
                },
                { signal: new AbortController().signal, idempotencyKey: 'check' },
              )
            )?.trafficLimitBytes,
          ).toBe(15 * GiB);
          const jobs = await storage.jobs.list({ dedupeKey: `subscription.update:${id}` }, { limit: 5 });
          expect(jobs.items.map((j) => j.state)).toEqual(['succeeded']);
        }
        expect(await shops[0]!.balance(customerId)).toBe(100_000 - SUBSCRIPTIONS * 1_000 - SUBSCRIPTIONS * 150);
      });
    });
  },
);
