/**
 * A replica whose clock is off refuses to tick: scheduler replicas as OS processes on one PostgreSQL server,
 * one with its system clock ten minutes ahead (or behind), everything on its defaults. Tick slots and domain
 * times are on each replica's own clock, so the one ahead would win every slot before the others and expire
 * subscriptions ten minutes early; it measures its offset against the server's `clock_timestamp()` instead and
 * runs no tick until its clock is back.
 */
import { describe, expect, it } from 'vitest';
import { startReplica } from './support/replicas/process.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';
import type { SkewedSchedulerConfig, SkewedTick } from './support/replicas/skewed-scheduler-replica.js';

const SCHEDULER_REPLICA = new URL('./support/replicas/skewed-scheduler-replica.ts', import.meta.url);
const TEN_MINUTES = 10 * 60_000;

describe.skipIf(SKIP_REASON !== false)(
  `ticks refused on a skewed clock${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, replicas } = useMigratedSchema('pk_skew');

    const start = (skewMs: number) =>
      startReplica(`skew${skewMs}`, SCHEDULER_REPLICA, { databaseUrl: DATABASE_URL!, schema, skewMs } satisfies SkewedSchedulerConfig).then(
        (replica) => (replicas.push(replica), replica),
      );

    it('a replica ten minutes ahead or behind runs no tick, and the honest one keeps winning its slots', { timeout: 60_000 }, async () => {
      const [honest, ahead, behind] = await Promise.all([start(0), start(TEN_MINUTES), start(-TEN_MINUTES)]);
      for (const [skewed, skew] of [
        [ahead, TEN_MINUTES],
        [behind, -TEN_MINUTES],
      ] as const) {
        const refused = await skewed.call<SkewedTick>('tick');
        expect(refused.won).toBe(false);
        expect(refused.refused?.reason).toBe('clock_off');
        expect(Math.abs(refused.refused!.offsetMs - skew), 'the offset measured against the server').toBeLessThan(60_000);
        expect(refused.skewedEvents).toBe(1);
      }
      // The replica ahead asked for no slot: had it won the slot ten minutes on, the honest one would lose every slot until then.
      expect((await honest.call<SkewedTick>('tick')).won).toBe(true);
      expect((await ahead.call<SkewedTick>('tick')).refused).not.toBeNull();
    });

    it('ticks again once its clock is back, and says so', { timeout: 60_000 }, async () => {
      const ahead = await start(TEN_MINUTES);
      expect((await ahead.call<SkewedTick>('tick')).refused).not.toBeNull();
      await ahead.call('setSkew', 0);
      const back = await ahead.call<SkewedTick>('tick');
      expect(back.refused).toBeNull();
      expect(back.recoveredEvents).toBe(1);
    });
  },
);
