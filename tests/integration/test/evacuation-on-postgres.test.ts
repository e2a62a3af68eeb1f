/**
 * Evacuating a panel on a PostgreSQL server: its subscriptions move to two other simulated panels
 * whose targets fill up, while the old panel is down, with a worker replica (an OS process) killed
 * mid-way and another finishing. Counting clients on every panel before and after: each moved buyer
 * has exactly one client, on the new panel, with the same expiry and the traffic left; the ones that
 * did not fit stay where they were; no client is left twice once the old panel answers again.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPanelkit, type Subscription } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { serveOnLocalhost, type RunningSimulator } from '@panelkit/panel-adapters/testing';
import { PANEL_KINDS, type PanelKindRig } from './support/kinds.js';
import { switchablePanel } from './support/outage.js';
import { DATABASE_URL, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { MultiPanelReplicaConfig } from './support/replicas/multi-panel-replica.js';
import { GiB, IDENTITY, PANEL_READ_RETRY, TICK_MS } from './support/shop.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const KIND = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const START = '2026-03-01T00:00:00.000Z';
const REPLICA = new URL('./support/replicas/multi-panel-replica.ts', import.meta.url);

describe.skipIf(SKIP_REASON !== false)(`evacuating a panel${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('moves every buyer that fits once, keeps the rest, and leaves no client twice', { timeout: 120_000 }, async () => {
    const clock = new ManualClock(START);
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    const { schema, giveBack } = await migratedSchemaFor(fromPgPool(pool), clock);
    const storage: StoragePort = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const rigs: PanelKindRig[] = [KIND.make(clock), KIND.make(clock), KIND.make(clock)];
    const [oldRig, rigA, rigB] = rigs as [PanelKindRig, PanelKindRig, PanelKindRig];
    const oldPanelSwitch = switchablePanel(oldRig.sim.handle);
    const servers: RunningSimulator[] = [
      await serveOnLocalhost(oldPanelSwitch.handle),
      await serveOnLocalhost(rigA.sim.handle),
      await serveOnLocalhost(rigB.sim.handle),
    ];
    const adapters = new Map<string, PanelAdapter>();
    const origins: Record<string, string> = {};
    const kit = createPanelkit({
      storage,
      clock,
      panels: (panel) => adapters.get(panel.id)!,
      policy: {
        identity: IDENTITY,
        tickIntervalMs: TICK_MS,
        jobRetry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 10_000 },
        panelReadRetry: PANEL_READ_RETRY,
      },
      random: () => 0.5,
    });
    const replicas: ReplicaProcess[] = [];
    try {
      const targets = [];
      for (const [i, rig] of rigs.entries()) {
        const origin = servers[i]!.origin;
        const panel = await storage.panels.create({
          kind: 'x',
          name: `panel ${i}`,
          baseUrl: `${origin}/`,
          credentials: { type: 'token', token: 'unused' },
        });
        adapters.set(panel.id, rig.adapter(origin, clock));
        origins[panel.id] = origin;
        const synced = await kit.targets.sync(panel.id, { capacity: [100, 3, 4][i]!, select: (remote) => [rig.pickTarget(remote)] });
        targets.push(synced.added[0]!);
      }
      const [oldTarget, targetA, targetB] = targets as [(typeof targets)[number], (typeof targets)[number], (typeof targets)[number]];
      const plan = await kit.plans.create({
        name: 'monthly',
        family: 'm',
        price: { amount: 100, currency: 'USD' },
        durationDays: 30,
        trafficBytes: 10 * GiB,
        placement: { preferredTargetIds: [oldTarget.id] },
      });
      const customer = await kit.customers.create({ email: 'buyer@example.com' });
      await kit.topUp({ customerId: customer.id, amount: { amount: 10_000, currency: 'USD' }, idempotencyKey: 'seed' });
      const { subscriptions } = await kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id, quantity: 9 }],
        idempotencyKey: 'buy',
      });
      const worker = kit.createWorker({ heartbeatIntervalMs: 3_600_000 });
      await worker.drain();
      const usernames = subscriptions.map((s) => s.remote.username);
      await oldRig.sim.addTraffic(usernames[0]!, GiB, 2 * GiB);
      clock.advance(2 * TICK_MS);
      await kit.createScheduler().tick(); // usage sync reads the 3 GiB
      const before = new Map<string, Subscription>();
      for (const s of subscriptions) before.set(s.id, (await storage.subscriptions.get(s.id))!);
      expect([...before.values()].every((s) => s.status === 'active' && s.targetId === oldTarget.id)).toBe(true);
      const count = async (rig: PanelKindRig) => {
        let n = 0;
        for (const u of usernames) n += await rig.sim.countClients(u);
        return n;
      };
      expect([await count(oldRig), await count(rigA), await count(rigB)]).toEqual([9, 0, 0]);

      // The dry run: 3 + 4 fit, 2 do not; nothing is queued.
      const dry = await kit.evacuate({ panelId: oldTarget.panelId, dryRun: true });
      expect(dry.counts).toMatchObject({ would_move: 7, no_room: 2, queued: 0 });
      const planned = dry.items.filter((i) => i.outcome === 'would_move');
      expect(planned.filter((i) => i.toTargetId === targetA.id)).toHaveLength(3);
      expect(planned.filter((i) => i.toTargetId === targetB.id)).toHaveLength(4);
      expect((await storage.jobs.list({ state: 'queued' }, { limit: 10 })).items).toHaveLength(0);

      // The old panel dies; the owner evacuates it (twice: the second queues nothing more).
      oldPanelSwitch.setDown(true);
      const report = await kit.evacuate({ panelId: oldTarget.panelId });
      expect(report.counts).toMatchObject({ queued: 7, no_room: 2 });
      expect((await kit.evacuate({ panelId: oldTarget.panelId })).counts).toMatchObject({ queued: 0, in_progress: 7, no_room: 2 });
      expect(await kit.evacuationProgress(oldTarget.panelId)).toEqual({ remaining: 9, moving: 7, staying: 0 });

      // A replica takes the moves and is killed mid-way (the new panels answer slowly); another finishes.
      const config = (workerId: string): MultiPanelReplicaConfig => ({
        databaseUrl: DATABASE_URL!,
        schema,
        kind: KIND.label,
        origins,
        now: START,
        workerId,
        claimLimit: 3,
      });
      const doomed = await startReplica('doomed', REPLICA, config('doomed'));
      replicas.push(doomed);
      await doomed.call('setClock', clock.now().toISOString());
      rigA.sim.injectFault({ kind: 'timeout', on: 'write' });
      void doomed.call('drain').catch(() => undefined);
      // Killed once its first move is recorded, while it holds others (one waits on a panel that does not answer).
      for (let waited = 0; waited < 10_000 && (await kit.evacuationProgress(oldTarget.panelId)).remaining === 9; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await doomed.kill();
      const progressAtKill = await kit.evacuationProgress(oldTarget.panelId);
      expect(progressAtKill.remaining).toBeLessThan(9);
      expect(progressAtKill.remaining).toBeGreaterThan(2);
      const survivor = await startReplica('survivor', REPLICA, config('survivor'));
      replicas.push(survivor);
      // Minute by minute: the survivor reaps the dead replica's leases and runs what is due; the old panel comes back after 20 minutes.
      for (let minute = 1; minute <= 90; minute++) {
        clock.advance(TICK_MS);
        if (minute === 20) oldPanelSwitch.setDown(false);
        await survivor.call('setClock', clock.now().toISOString());
        await survivor.call('tick');
        await survivor.call('drain');
        const open = [
          ...(await storage.jobs.list({ state: 'queued' }, { limit: 1 })).items,
          ...(await storage.jobs.list({ state: 'running' }, { limit: 1 })).items,
        ];
        if (minute > 20 && open.length === 0) break;
      }
      expect((await storage.jobs.list({ state: 'dead' }, { limit: 10 })).items).toHaveLength(0);

      // After: every buyer has exactly one client; 7 moved (3 and 4: capacity held), 2 stayed.
      expect([await count(oldRig), await count(rigA), await count(rigB)]).toEqual([2, 3, 4]);
      for (const s of subscriptions) {
        const after = (await storage.subscriptions.get(s.id))!;
        const was = before.get(s.id)!;
        expect(after.status).toBe('active');
        expect(after.expiresAt?.getTime()).toBe(was.expiresAt?.getTime());
        const holders = [oldRig, rigA, rigB].filter((rig) => rig.stored(after.remote.username) !== undefined);
        expect(holders).toHaveLength(1);
        const home = after.targetId === oldTarget.id ? oldRig : after.targetId === targetA.id ? rigA : rigB;
        expect(holders[0]).toBe(home);
        const onPanel = home.stored(after.remote.username)!;
        expect(onPanel.expiresAtMs).toBe(was.expiresAt?.getTime());
        expect(onPanel.credential).toBe(after.remote.uuid);
        if (after.targetId !== oldTarget.id) {
          // The traffic left, as the new client's limit; the stored links are the new panel's.
          expect(after.trafficLimitBytes).toBe(was.trafficLimitBytes! - (was.usedBytes ?? 0));
          expect(after.shareLinks.join()).toContain(after.remote.uuid);
          expect(after.remote.generation).toBe(was.remote.generation + 1);
        }
      }
      // The buyer who used 3 GiB of 10 has 7 left, moved (a new limit of 7, nothing used) or not (which moves ran first
      // is the workers' order).
      const used = (await storage.subscriptions.get(subscriptions[0]!.id))!;
      expect(used.trafficLimitBytes! - (used.usedBytes ?? 0)).toBe(7 * GiB);
      expect((await storage.targets.get(targetA.id))!.allocated).toBe(3);
      expect((await storage.targets.get(targetB.id))!.allocated).toBe(4);
      expect((await storage.targets.get(oldTarget.id))!.allocated).toBe(2);
      // The buyer is told once per move, in the transaction that recorded it.
      let told = 0;
      for (const s of subscriptions) {
        const audit = await storage.audit.list({ subjectType: 'subscription', subjectId: s.id }, { limit: 100 });
        told += audit.items.filter((a) => a.action === 'subscription.evacuated').length;
      }
      expect(told).toBe(7);
      expect(await kit.evacuationProgress(oldTarget.panelId)).toEqual({ remaining: 2, moving: 0, staying: 0 });
    } finally {
      await Promise.all(replicas.map((r) => r.close().catch(() => undefined)));
      for (const server of servers) await server.close();
      for (const rig of rigs) rig.sim.releaseHangs();
      await storage.close();
      await giveBack();
      await pool.end();
    }
  });
});
