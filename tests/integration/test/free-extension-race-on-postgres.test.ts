/**
 * Free extensions (no ledger entry) submitted twice at once from two replicas on one PostgreSQL
 * server: the update job keyed by the change is what makes each key apply once across processes.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from './support/kinds.js';
import { openShop, type Shop } from './support/shop.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;

describe.skipIf(SKIP !== false)(
  `free extensions on two replicas of one PostgreSQL server${SKIP === false ? '' : ` (skipped: ${SKIP})`}`,
  () => {
    it('one key submitted to both replicas at once extends once', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00.000Z');
      const schema = `pk_it_${randomBytes(6).toString('hex')}`;
      const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: DATABASE_URL, max: 4 }));
      const admin = fromPgPool(pools[0]!);
      await migrate(admin, { schema, clock });
      const storages = [1, 2].map((i) => createPostgresStorage({ client: fromPgPool(pools[i]!), schema, clock }));
      const rig = PANEL_KINDS[0]!.make(clock);
      const shops: Shop[] = [];
      try {
        const first = await openShop({ clock, storage: storages[0]!, rig });
        shops.push(first);
        shops.push(await openShop({ clock, storage: storages[1]!, rig, server: first.server, existing: first }));
        await storages[0]!.plans.update(first.plan.id, { extension: { price: { amount: 0, currency: 'USD' } } });
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
          const jobs = await storages[0]!.jobs.list({ dedupeKey: `subscription.update:${sub.id}` }, { limit: 5 });
          expect(jobs.items.map((j) => j.state)).toEqual(['succeeded']);
          expect((await storages[0]!.subscriptions.get(sub.id))!.expiresAt).toEqual(new Date('2026-04-30T00:00:00.000Z'));
        }
        expect(await first.balance(customerId)).toBe(10_000);
      } finally {
        for (const shop of shops.reverse()) await shop.close();
        await Promise.all(storages.map((s) => s.close()));
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      }
    });
  },
);
