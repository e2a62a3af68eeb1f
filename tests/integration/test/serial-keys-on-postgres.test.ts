/**
 * Issue 11 §1: two worker processes on one PostgreSQL provisioning onto one inbound of a 3x-ui Gen A
 * panel that, like the real one, rewrites the inbound's whole settings on every client write (so
 * overlapping writes lose clients). Each process's adapter serialises its own writes per inbound; only
 * the jobs' serialisation key keeps the two processes from writing at once. Every active subscription
 * must have its client on the panel. (With the keys switched off, i.e. `writeSerialKey` answering
 * `null`, runs of this test ended with 6–8 of the 24 failed and refunded and 3–4 active without a client.)
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { CLOBBERING_XUI_GEN_A } from './support/kinds.js';
import { openShop } from './support/shop.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { EngineReplicaConfig } from './support/replicas/engine-replica.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const ENGINE_REPLICA = new URL('./support/replicas/engine-replica.ts', import.meta.url);
const ORDERED = 24;

describe.skipIf(SKIP !== false)(`serialisation keys across worker processes${SKIP === false ? '' : ` (skipped: ${SKIP})`}`, () => {
  it('two processes on one clobbering Gen A inbound: every active subscription has its client', { timeout: 120_000 }, async () => {
    const start = '2026-03-01T00:00:00.000Z';
    const clock = new ManualClock(start);
    const schema = `pk_it_${randomBytes(6).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    const client = fromPgPool(pool);
    await migrate(client, { schema, clock });
    const storage = createPostgresStorage({ client, schema, clock });
    const shop = await openShop({ clock, storage, rig: CLOBBERING_XUI_GEN_A.make(clock) });
    const replicas: ReplicaProcess[] = [];
    try {
      const config = (workerId: string): EngineReplicaConfig => ({
        databaseUrl: DATABASE_URL!,
        schema,
        kind: CLOBBERING_XUI_GEN_A.label,
        origin: shop.server.origin,
        now: start,
        workerId,
        claimLimit: 3,
      });
      replicas.push(...(await Promise.all(['a', 'b'].map((id) => startReplica(`worker-${id}`, ENGINE_REPLICA, config(`worker-${id}`))))));
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(2);

      const customerId = await shop.customer(ORDERED * 1_000);
      const items = [{ planId: shop.plan.id, quantity: ORDERED }];
      const { subscriptions } = await shop.kit.checkout({ customerId, items, idempotencyKey: 'buy' });
      const jobs = await storage.jobs.list({ type: 'subscription.provision' }, { limit: 100 });
      expect(new Set(jobs.items.map((j) => j.serialKey))).toEqual(new Set([`panel:${shop.panel.id}|target:${shop.target.remoteRef}`]));

      // Both processes claim at once, round after round, until neither finds anything due.
      const claimedBy = [0, 0];
      for (let round = 0; round < 50; round++) {
        const claimed = await Promise.all(replicas.map((r) => r.call<number>('runOnce')));
        claimed.forEach((n, i) => (claimedBy[i]! += n));
        if (claimed.every((n) => n === 0)) break;
      }
      expect(claimedBy[0]! + claimedBy[1]!).toBe(ORDERED);

      const statuses = new Map<string, number>();
      const missing: string[] = [];
      for (const sub of subscriptions) {
        const stored = (await storage.subscriptions.get(sub.id))!;
        statuses.set(stored.status, (statuses.get(stored.status) ?? 0) + 1);
        if (stored.status === 'active' && shop.rig.stored(stored.remote.username) === undefined) missing.push(stored.remote.username);
      }
      expect(Object.fromEntries(statuses)).toEqual({ active: ORDERED });
      expect(missing).toEqual([]);
      expect(await shop.balance(customerId)).toBe(0);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await shop.close();
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
