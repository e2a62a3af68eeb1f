import { describe, expect, it } from 'vitest';
import { seedJob, seedPanel } from './fixtures.js';
import { TEST_ERROR, claimOne, getJob } from './jobs.js';
import { HOUR, MINUTE, expectRejects, later } from './support.js';
import type { SuiteEnv } from './support.js';

/** Parking: a job of a panel known to be down waits without spending attempts, and its panel's recovery wakes it. */
export function jobsParkSuite(env: SuiteEnv): void {
  describe('jobs: parking', () => {
    it('park hands the job back without counting the attempt, parked until the given time', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      const job = await seedJob(storage);
      expect(job).toMatchObject({ failingSince: null, parkedOn: null });
      const { lease } = await claimOne(storage);
      const parkedAt = clock.now();
      const until = later(clock, 10 * MINUTE);
      expect(await storage.jobs.park(lease, { panelId: panel.id, until })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        runAt: until,
        parkedOn: panel.id,
        failingSince: parkedAt,
        lastError: null,
        leaseToken: null,
        lockedBy: null,
      });
      // The lease is spent: nothing more can be done with it.
      expect(await storage.jobs.park(lease, { panelId: panel.id, until })).toBe(false);
      expect(await storage.jobs.complete(lease)).toBe(false);
      clock.advance(10 * MINUTE - 1);
      expect(await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: MINUTE })).toEqual([]);
      clock.advance(1);
      // Parked again and again, it still has spent no attempt, and keeps when it first failed.
      for (let i = 0; i < 3; i++) {
        const again = await claimOne(storage);
        expect(again.job).toMatchObject({ id: job.id, attempts: 1, failingSince: parkedAt });
        expect(await storage.jobs.park(again.lease, { panelId: panel.id, until: clock.now() })).toBe(true);
      }
      expect(await getJob(storage, job.id)).toMatchObject({ attempts: 0, failingSince: parkedAt, parkedOn: panel.id });
    });

    it('unpark wakes the queued jobs parked on that panel only, due now, and counts them', async () => {
      const { storage, clock } = env;
      const [down, other] = [await seedPanel(storage), await seedPanel(storage)];
      const parkedHere = [await seedJob(storage), await seedJob(storage)];
      const parkedElsewhere = await seedJob(storage);
      const plain = await seedJob(storage, { runAt: later(clock, HOUR) });
      const until = later(clock, 6 * HOUR);
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE });
      expect(claimed).toHaveLength(3);
      for (const { job, lease } of claimed) {
        const panelId = job.id === parkedElsewhere.id ? other.id : down.id;
        expect(await storage.jobs.park(lease, { panelId, until })).toBe(true);
      }
      clock.advance(MINUTE);
      expect(await storage.jobs.unpark(down.id)).toBe(2);
      for (const job of parkedHere)
        expect(await getJob(storage, job.id)).toMatchObject({ state: 'queued', runAt: clock.now(), parkedOn: null, attempts: 0 });
      expect(await getJob(storage, parkedElsewhere.id)).toMatchObject({ runAt: until, parkedOn: other.id });
      expect(await getJob(storage, plain.id)).toMatchObject({ runAt: plain.runAt, parkedOn: null });
      expect(await storage.jobs.unpark(down.id)).toBe(0);
      const woken = await storage.jobs.claim({ workerId: 'w', limit: 10, leaseMs: MINUTE });
      expect(woken.map((c) => c.job.id).sort()).toEqual(parkedHere.map((j) => j.id).sort());
    });

    it('unpark never delays a parked job that is already due, and leaves running ones alone', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      const job = await seedJob(storage);
      const first = await claimOne(storage);
      const until = later(clock, MINUTE);
      expect(await storage.jobs.park(first.lease, { panelId: panel.id, until })).toBe(true);
      clock.advance(5 * MINUTE);
      const second = await claimOne(storage);
      expect(await storage.jobs.unpark(panel.id)).toBe(0);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'running', leaseToken: second.lease.token });
      expect(await storage.jobs.park(second.lease, { panelId: panel.id, until: clock.now() })).toBe(true);
      clock.advance(MINUTE);
      expect(await storage.jobs.unpark(panel.id)).toBe(1);
      expect(await getJob(storage, job.id)).toMatchObject({ runAt: later(clock, -MINUTE), parkedOn: null });
    });

    it('a failed attempt starts failingSince once and clears parkedOn; an admin retry clears both', async () => {
      const { storage, clock } = env;
      const panel = await seedPanel(storage);
      const job = await seedJob(storage);
      const firstFailure = clock.now();
      let claimed = await claimOne(storage);
      expect(await storage.jobs.fail(claimed.lease, TEST_ERROR, { at: clock.now() })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ failingSince: firstFailure, parkedOn: null, attempts: 1 });
      clock.advance(MINUTE);
      claimed = await claimOne(storage);
      expect(await storage.jobs.park(claimed.lease, { panelId: panel.id, until: clock.now() })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ failingSince: firstFailure, parkedOn: panel.id, attempts: 1 });
      clock.advance(MINUTE);
      claimed = await claimOne(storage);
      expect(await storage.jobs.fail(claimed.lease, TEST_ERROR, 'dead')).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'dead', failingSince: firstFailure, parkedOn: null, attempts: 2 });
      clock.advance(MINUTE);
      expect(await storage.jobs.retry(job.id)).toMatchObject({ state: 'queued', attempts: 0, failingSince: null, parkedOn: null });
    });

    it('a parked job with a queued twin is superseded, like a released one', async () => {
      const { storage } = env;
      const panel = await seedPanel(storage);
      const job = await seedJob(storage, { dedupeKey: 'conformance.job:park-twin' });
      const { lease } = await claimOne(storage);
      const twin = await seedJob(storage, { dedupeKey: 'conformance.job:park-twin' });
      expect(twin.id).not.toBe(job.id);
      expect(await storage.jobs.park(lease, { panelId: panel.id, until: later(env.clock, HOUR) })).toBe(true);
      expect(await getJob(storage, job.id)).toMatchObject({ state: 'cancelled' });
      expect(await storage.jobs.unpark(panel.id)).toBe(0);
      expect(await getJob(storage, twin.id)).toMatchObject({ state: 'queued', parkedOn: null });
    });

    it('park and unpark refuse malformed input with a ValidationError and change nothing', async () => {
      const { storage, clock } = env;
      const job = await seedJob(storage);
      const { lease } = await claimOne(storage);
      const before = await getJob(storage, job.id);
      await expectRejects(storage.jobs.park(lease, { panelId: '', until: clock.now() }), 'ValidationError');
      await expectRejects(storage.jobs.park(lease, { panelId: 'pnl_x', until: new Date(Number.NaN) }), 'ValidationError');
      await expectRejects(storage.jobs.park(lease, null as never), 'ValidationError');
      await expectRejects(storage.jobs.unpark(''), 'ValidationError');
      expect(await getJob(storage, job.id)).toEqual(before);
    });
  });
}
