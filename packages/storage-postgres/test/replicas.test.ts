import { afterEach, describe, expect, it } from 'vitest';
import { InsufficientFundsError } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { ClaimedJob } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { LATEST_SCHEMA_VERSION, createPostgresStorage, fromPgPool, migrate, schemaVersion } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

/**
 * Several replicas sharing one PostgreSQL: each has its own pool (its own connections), so these
 * races are real. PGlite is one connection and would prove nothing here.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `replicas on one PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    const pools: pg.Pool[] = [];
    /** Schemas migrated by a test itself, dropped after it. */
    const schemas: string[] = [];
    /** Schemas taken from the pool, given back after the test once its storages' pools closed. */
    const taken: Array<() => Promise<void>> = [];

    function pool(max: number): pg.Pool {
      const p = newPool(max);
      pools.push(p);
      return p;
    }

    /** A migrated schema (from the pool) and `count` storages on it, each with a pool of `connections`. */
    async function replicas(count: number, connections: number, clock = new ManualClock()): Promise<StoragePort[]> {
      const admin = newPool(1);
      const { schema, giveBack } = await takeMigratedSchema(fromPgPool(admin), { clock });
      taken.push(() => giveBack().finally(() => admin.end()));
      return Array.from({ length: count }, () => createPostgresStorage({ client: fromPgPool(pool(connections)), schema, clock }));
    }

    afterEach(async () => {
      await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
      const admin = newPool(1);
      for (const schema of schemas.splice(0)) await dropSchema(fromPgPool(admin), schema);
      for (const giveBack of taken.splice(0)) await giveBack();
      await admin.end();
    });

    it('four replicas claiming at once take disjoint jobs, and every job is done exactly once', async () => {
      const storages = await replicas(4, 3);
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add((await storages[0]!.jobs.enqueue({ type: 'replica.job', payload: { i } })).job.id);
      const done: string[] = [];
      const claimedBy = storages.map(() => [] as string[]);
      // Each replica runs three workers that claim, complete, and claim again until the queue is dry.
      await Promise.all(
        storages.flatMap((storage, r) =>
          [0, 1, 2].map(async (w) => {
            for (;;) {
              const batch: ClaimedJob[] = await storage.jobs.claim({ workerId: `r${r}-w${w}`, limit: 5, leaseMs: 60_000 });
              if (batch.length === 0) return;
              for (const { job, lease } of batch) {
                claimedBy[r]!.push(job.id);
                expect(await storage.jobs.complete(lease, { by: r })).toBe(true);
                done.push(job.id);
              }
            }
          }),
        ),
      );
      expect(done).toHaveLength(200);
      expect(new Set(done)).toEqual(ids);
      // Every replica did some of the work: the claims really ran side by side.
      expect(claimedBy.every((c) => c.length > 0)).toBe(true);
      const succeeded = await storages[1]!.jobs.list({ state: 'succeeded' }, { limit: 1000 });
      expect(succeeded.items).toHaveLength(200);
      expect(succeeded.items.every((j) => j.attempts === 1)).toBe(true);
    });

    it('a claimer killed mid-job loses its lease on expiry; another replica finishes the job', async () => {
      const clock = new ManualClock();
      const [survivor, doomed] = await replicas(2, 2, clock);
      const { job } = await survivor!.jobs.enqueue({ type: 'replica.job', dedupeKey: 'replica.job:1' });
      const [claim] = await doomed!.jobs.claim({ workerId: 'doomed', limit: 1, leaseMs: 30_000 });
      expect(claim?.job.id).toBe(job.id);
      // The doomed replica's process dies: its connections close without a word (its pool, the last made).
      await pools.at(-1)!.end();
      expect(await survivor!.jobs.reapExpired()).toBe(0);
      expect(await survivor!.jobs.claim({ workerId: 'survivor', limit: 1, leaseMs: 30_000 })).toEqual([]);
      clock.advance(30_000);
      expect(await survivor!.jobs.reapExpired()).toBe(1);
      const [retaken] = await survivor!.jobs.claim({ workerId: 'survivor', limit: 1, leaseMs: 30_000 });
      expect(retaken?.job).toMatchObject({ id: job.id, attempts: 2, lastError: { code: 'LEASE_LOST' } });
      expect(await survivor!.jobs.complete(retaken!.lease)).toBe(true);
      // The dead worker's lease is fenced off for good.
      expect(await survivor!.jobs.complete(claim!.lease)).toBe(false);
      expect(await survivor!.jobs.get(job.id)).toMatchObject({ state: 'succeeded', lockedBy: null });
    });

    it('ten replicas trying the same tick at once: exactly one wins each slot', async () => {
      const clock = new ManualClock();
      const storages = await replicas(10, 1, clock);
      for (const minute of [0, 1, 2]) {
        const slot = new Date(clock.now().getTime() + minute * 60_000);
        const wins = await Promise.all(storages.map((s) => s.ticks.tryAcquire('usage.sync', new Date(slot))));
        expect(wins.filter(Boolean)).toHaveLength(1);
      }
    });

    it('concurrent migrate() from six replicas applies each migration once', async () => {
      const schema = uniqueSchema();
      schemas.push(schema);
      const results = await Promise.all(Array.from({ length: 6 }, () => migrate(fromPgPool(pool(1)), { schema })));
      expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(results.every((r) => r.to === LATEST_SCHEMA_VERSION)).toBe(true);
      expect(await schemaVersion(fromPgPool(pool(1)), { schema })).toBe(LATEST_SCHEMA_VERSION);
    });

    it('1000 reservations racing for 100 slots over 8 connections: exactly 100 succeed', async () => {
      const storages = await replicas(8, 1);
      const target = await storages[0]!.targets.create({
        panelId: (
          await storages[0]!.panels.create({
            kind: 'marzban',
            name: 'p',
            baseUrl: 'https://p.example.com',
            credentials: { type: 'token', token: 't' },
          })
        ).id,
        remoteRef: 'inbound-1',
        name: 't',
        protocol: 'vless',
        capacity: 100,
      });
      const plan = await storages[0]!.plans.create({
        name: 'plan',
        family: 'f',
        price: { amount: 100, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
      });
      const request = { targetId: target.id, planId: plan.id, count: 1 };
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => storages[i % 8]!.capacity.reserve(request)));
      expect(results.filter((r) => r.ok)).toHaveLength(100);
      expect(results.filter((r) => !r.ok && r.reason === 'target_full')).toHaveLength(900);
      expect(await storages[3]!.targets.get(target.id)).toMatchObject({ allocated: 100 });
      expect(await storages[5]!.plans.get(plan.id)).toMatchObject({ allocated: 100 });
    });

    it('concurrent debits from 8 replicas never take a balance below zero', async () => {
      const storages = await replicas(8, 2);
      const customer = await storages[0]!.customers.create({ email: 'buyer@example.com' });
      await storages[0]!.ledger.append({
        customerId: customer.id,
        kind: 'top_up',
        amount: 1000,
        currency: 'USD',
        idempotencyKey: 'top-up',
        actor: { type: 'system' },
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          storages[i % 8]!.ledger.append({
            customerId: customer.id,
            kind: 'purchase',
            amount: -7,
            currency: 'USD',
            idempotencyKey: `debit-${i}`,
            actor: { type: 'system' },
          }),
        ),
      );
      const succeeded = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(succeeded).toHaveLength(Math.floor(1000 / 7));
      expect(refused.every((o) => InsufficientFundsError.is(o.reason))).toBe(true);
      expect(await storages[4]!.ledger.balance(customer.id, 'USD')).toBe(1000 - 7 * 142);
      const afters = succeeded.map((o) => o.value.entry.balanceAfter).sort((a, b) => b - a);
      expect(afters).toEqual(Array.from({ length: 142 }, (_, i) => 1000 - 7 * (i + 1)));
    });

    it('the same idempotency key and the same dedupe key from 8 replicas at once are applied once', async () => {
      const storages = await replicas(8, 2);
      const customer = await storages[0]!.customers.create({ email: 'payer@example.com' });
      const input = {
        customerId: customer.id,
        kind: 'top_up',
        amount: 250,
        currency: 'USD',
        idempotencyKey: 'payment-1',
        actor: { type: 'system' },
      } as const;
      const appends = await Promise.all(storages.flatMap((s) => [s.ledger.append(input), s.ledger.append(input)]));
      expect(appends.filter((a) => a.created)).toHaveLength(1);
      expect(await storages[2]!.ledger.balance(customer.id, 'USD')).toBe(250);
      const enqueues = await Promise.all(
        storages.flatMap((s, r) =>
          [0, 1].map((i) => s.jobs.enqueue({ type: 'usage.sync', dedupeKey: 'usage.sync:p1', payload: { r, i } })),
        ),
      );
      expect(enqueues.filter((e) => e.created)).toHaveLength(1);
      expect((await storages[0]!.jobs.list({ dedupeKey: 'usage.sync:p1' }, { limit: 50 })).items).toHaveLength(1);
    });

    it('a failing job racing an enqueue of its twin ends with exactly one queued job for the key', async () => {
      const storages = await replicas(2, 4);
      for (let round = 0; round < 20; round++) {
        const key = `race:${round}`;
        await storages[0]!.jobs.enqueue({ type: 'replica.job', dedupeKey: key });
        const [claim] = await storages[0]!.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, types: ['replica.job'] });
        const error = { name: 'Error', code: 'X', message: 'x', retryable: true };
        const [failed] = await Promise.all([
          storages[0]!.jobs.fail(claim!.lease, error, { at: new Date(0) }),
          storages[1]!.jobs.enqueue({ type: 'replica.job', dedupeKey: key }),
        ]);
        expect(failed).toBe(true);
        expect((await storages[1]!.jobs.list({ dedupeKey: key, state: 'queued' }, { limit: 10 })).items).toHaveLength(1);
        await storages[0]!.jobs.claim({ workerId: 'drain', limit: 10, leaseMs: 1, types: ['replica.job'] });
        await storages[0]!.jobs.reapExpired();
      }
    });
  },
);
