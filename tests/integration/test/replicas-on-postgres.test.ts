/**
 * Two worker replicas as separate OS processes on one PostgreSQL server, provisioning one shop's orders
 * on one simulated panel: every paid subscription ends active with exactly one client, whichever
 * process ran it. The harness (`support/replicas`) is what the multi-process tests build on.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from './support/kinds.js';
import { openShop } from './support/shop.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { EngineReplicaConfig } from './support/replicas/engine-replica.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const ENGINE_REPLICA = new URL('./support/replicas/engine-replica.ts', import.meta.url);
const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;

describe.skipIf(SKIP !== false)(`worker replicas as OS processes${SKIP === false ? '' : ` (skipped: ${SKIP})`}`, () => {
  it('two processes provision every order once', { timeout: 90_000 }, async () => {
    const start = '2026-03-01T00:00:00.000Z';
    const clock = new ManualClock(start);
    const schema = `pk_it_${randomBytes(6).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    const client = fromPgPool(pool);
    await migrate(client, { schema, clock });
    const storage = createPostgresStorage({ client, schema, clock });
    const shop = await openShop({ clock, storage, rig: KIND.make(clock) });
    const replicas: ReplicaProcess[] = [];
    try {
      const config = (workerId: string): EngineReplicaConfig => ({
        databaseUrl: DATABASE_URL!,
        schema,
        kind: KIND.label,
        origin: shop.server.origin,
        now: start,
        workerId,
        claimLimit: 5,
      });
      replicas.push(...(await Promise.all(['a', 'b'].map((id) => startReplica(`worker-${id}`, ENGINE_REPLICA, config(`worker-${id}`))))));
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(2);

      const customerId = await shop.customer(20_000);
      const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: shop.plan.id, quantity: 12 }], idempotencyKey: 'buy' });
      const claimed = await Promise.all(replicas.map((r) => r.call<number>('drain')));
      expect(claimed.reduce((a, b) => a + b, 0)).toBe(12);

      const usernames = new Set<string>();
      for (const sub of subscriptions) {
        const stored = (await storage.subscriptions.get(sub.id))!;
        expect(stored.status).toBe('active');
        expect(shop.rig.stored(stored.remote.username)).toBeDefined();
        usernames.add(stored.remote.username);
      }
      expect(usernames.size).toBe(12);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await shop.close();
      await storage.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
