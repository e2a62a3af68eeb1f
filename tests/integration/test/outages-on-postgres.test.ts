/**
 * A panel down for one hour, and for six, with three worker replicas as separate OS processes on one
 * PostgreSQL server and the SDK's default retry policy: every paid order ends active, nothing is
 * refunded, no attempt is spent while the panel is known to be down, and the orders go live within two
 * minutes of its return. Health checks and wake-ups run in whichever replica wins each slot.
 * (The retry policy before parking gave every job up after 12 attempts, about 35 minutes in, and refunded it.)
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ManualClock } from '@panelkit/sdk/testing';
import { serveOnLocalhost } from '@panelkit/panel-adapters/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from './support/kinds.js';
import { rideOutOutage, switchablePanel } from './support/outage.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { EngineReplicaConfig } from './support/replicas/engine-replica.js';
import { openShop } from './support/shop.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const SKIP = DATABASE_URL === undefined || DATABASE_URL === '' ? 'PANELKIT_TEST_DATABASE_URL is not set' : false;
const ENGINE_REPLICA = new URL('./support/replicas/engine-replica.ts', import.meta.url);
const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const HOUR = 3_600_000;

describe.skipIf(SKIP !== false)(`a panel outage with worker replicas as OS processes${SKIP === false ? '' : ` (skipped: ${SKIP})`}`, () => {
  for (const hours of [1, 6]) {
    it(`${hours} hour(s) down: every order active at the end, nothing refunded, no attempt spent while parked`, { timeout: 240_000 }, async () => {
      const start = '2026-03-01T00:00:00.000Z';
      const clock = new ManualClock(start);
      const schema = `pk_it_${randomBytes(6).toString('hex')}`;
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      const client = fromPgPool(pool);
      await migrate(client, { schema, clock });
      const storage = createPostgresStorage({ client, schema, clock });
      const rig = KIND.make(clock);
      const panel = switchablePanel(rig.sim.handle);
      const server = await serveOnLocalhost(panel.handle);
      const shop = await openShop({ clock, storage, rig, server });
      const replicas: ReplicaProcess[] = [];
      try {
        const config = (workerId: string): EngineReplicaConfig => ({
          databaseUrl: DATABASE_URL!,
          schema,
          kind: KIND.label,
          origin: server.origin,
          now: start,
          workerId,
          claimLimit: 5,
          policy: { jobRetry: {} },
        });
        replicas.push(...(await Promise.all(['a', 'b', 'c'].map((id) => startReplica(`worker-${id}`, ENGINE_REPLICA, config(`worker-${id}`))))));
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(3);

        const buyers = [await shop.customer(5_000), await shop.customer(5_000), await shop.customer(5_000)];
        panel.setDown(true);
        const subscriptionIds: string[] = [];
        for (const [i, customerId] of buyers.entries()) {
          const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: shop.plan.id, quantity: 2 }], idempotencyKey: `outage-${i}` });
          subscriptionIds.push(...subscriptions.map((x) => x.id));
        }
        const report = await rideOutOutage({
          clock,
          storage,
          replicas: replicas.map((r) => ({ setClock: (iso) => r.call('setClock', iso), tick: () => r.call('tick'), drain: () => r.call('drain') })),
          panel,
          panelId: shop.panel.id,
          subscriptionIds,
          outageMs: hours * HOUR,
        });

        expect(report.noticedAfterMs).toBeLessThanOrEqual(6 * 60_000);
        expect(report.allParkedAtRecovery).toBe(true);
        expect(report.attemptsAtRecovery).toBe(report.attemptsWhenNoticed);
        expect(report.liveAfterMs).not.toBeNull();
        expect(report.liveAfterMs!).toBeLessThanOrEqual(2 * 60_000);
        const usernames = new Set<string>();
        for (const id of subscriptionIds) {
          const sub = (await storage.subscriptions.get(id))!;
          expect(sub.status).toBe('active');
          expect(await rig.sim.countClients(sub.remote.username)).toBe(1);
          usernames.add(sub.remote.username);
        }
        expect(usernames.size).toBe(6);
        for (const customerId of buyers) {
          expect(await shop.balance(customerId)).toBe(3_000);
          const entries = (await storage.ledger.list(customerId, { limit: 50 })).items;
          expect(entries.filter((e) => e.kind === 'refund')).toEqual([]);
        }
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await shop.close();
        await server.close();
        await storage.close();
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
    });
  }
});
