/**
 * Job leases are measured on the database's clock: replicas as OS processes on one PostgreSQL server, one
 * of them with its system clock ten minutes ahead (or behind), built with the storage's defaults. A
 * replica's clock can then neither steal a live lease nor keep a dead one. The same run with leases on
 * each replica's own clock (`leaseClock: 'clock'`, how every lease was measured before) shows the theft.
 */
import { systemClock, type Lease } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import { startReplica } from './support/replicas/process.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';
import type { LeaseReplicaConfig } from './support/replicas/lease-replica.js';

const LEASE_REPLICA = new URL('./support/replicas/lease-replica.ts', import.meta.url);
const TEN_MINUTES = 10 * 60_000;
const LIVE_LEASE_MS = 60_000;

describe.skipIf(SKIP_REASON !== false)(
  `job leases on the database's clock${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, pool, replicas } = useMigratedSchema('pk_lease');
    let sequence = 0;

    const start = (skewMs: number, leaseClock?: LeaseReplicaConfig['leaseClock']) =>
      startReplica(`skew${skewMs}${leaseClock ?? ''}`, LEASE_REPLICA, {
        databaseUrl: DATABASE_URL!,
        schema,
        skewMs,
        ...(leaseClock === undefined ? {} : { leaseClock }),
      } satisfies LeaseReplicaConfig).then((replica) => (replicas.push(replica), replica));

    /** A job of its own type, due an hour ago on every replica's clock. */
    async function job(): Promise<string> {
      const type = `lease.job_${'abcdefghij'[++sequence]}`;
      const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
      await storage.jobs.enqueue({ type, payload: {}, runAt: new Date(systemClock.now().getTime() - 60 * 60_000) });
      return type;
    }

    it('a replica ten minutes ahead neither reaps nor claims a live lease; its holder keeps and completes it', {
      timeout: 60_000,
    }, async () => {
      const [honest, ahead] = await Promise.all([start(0), start(TEN_MINUTES)]);
      const aheadBy = Date.parse(await ahead.call<string>('now')) - Date.parse(await honest.call<string>('now'));
      expect(aheadBy).toBeGreaterThan(TEN_MINUTES - 60_000);
      const type = await job();
      const lease = await honest.call<Lease>('claim', type, LIVE_LEASE_MS);
      expect(lease).not.toBeNull();
      expect(await ahead.call('reap')).toBe(0);
      expect(await ahead.call('claim', type, LIVE_LEASE_MS)).toBeNull();
      expect(await honest.call('heartbeat', lease, LIVE_LEASE_MS)).toBe(1);
      expect(await honest.call('complete', lease)).toBe(true);
    });

    it('a replica ten minutes behind does not lose its live lease to an honest reaper', { timeout: 60_000 }, async () => {
      const [honest, behind] = await Promise.all([start(0), start(-TEN_MINUTES)]);
      const type = await job();
      const lease = await behind.call<Lease>('claim', type, LIVE_LEASE_MS);
      expect(lease).not.toBeNull();
      expect(await honest.call('reap')).toBe(0);
      expect(await honest.call('claim', type, LIVE_LEASE_MS)).toBeNull();
      expect(await behind.call('complete', lease)).toBe(true);
    });

    it('the lease of a holder ten minutes ahead that died ends on time for the others', { timeout: 60_000 }, async () => {
      const [honest, ahead] = await Promise.all([start(0), start(TEN_MINUTES)]);
      const type = await job();
      expect(await ahead.call('claim', type, 500)).not.toBeNull();
      // The holder stops heartbeating; its lease ends half a second later on the server's clock, not ten minutes.
      let reaped = 0;
      for (let i = 0; i < 100 && reaped === 0; i++) {
        reaped = await honest.call<number>('reap');
        if (reaped === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reaped).toBe(1);
      const taken = await honest.call<Lease>('claim', type, LIVE_LEASE_MS);
      expect(await honest.call('complete', taken)).toBe(true);
    });

    it("with leases on each replica's own clock (the old way), the replica ahead steals the live lease", { timeout: 60_000 }, async () => {
      const [honest, ahead] = await Promise.all([start(0, 'clock'), start(TEN_MINUTES, 'clock')]);
      const type = await job();
      const lease = await honest.call<Lease>('claim', type, LIVE_LEASE_MS);
      expect(await ahead.call('reap')).toBe(1);
      expect(await ahead.call('claim', type, LIVE_LEASE_MS)).not.toBeNull();
      expect(await honest.call('complete', lease)).toBe(false);
    });
  },
);
