/**
 * The sharing guard once per step across OS processes (issue 94): three replicas, each its own process, pool, kit and
 * worker on one PostgreSQL schema with one guard policy (warn, then limit, then suspend), evaluate the same readings at
 * the same instant hour after hour, then three staff members lift the case at once. Each step must be taken once: one
 * case move, one audit event, one `guard.act` job, one buyer notice, and the panel written as the step asks (the device
 * limit set, the client disabled; the lift enables it and clears the limit again). Subscriptions whose panel gave no
 * reading at the end of each hour (only `null` readings, or over readings followed by a `null` one) are never acted on.
 */
import type { GuardEvaluationReport, GuardLiftResult } from '@panelkit/sdk/guard';
import { serveOnLocalhost, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import { describe, expect, it } from 'vitest';
import { PANEL_KINDS } from './support/kinds.js';
import { GUARD_NOTICE_JOB, type GuardReplicaConfig } from './support/replicas/guard-replica.js';
import { DATABASE_URL, SKIP_REASON, openPostgresRig } from './support/replicas/postgres-rig.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import { GiB } from './support/shop.js';

const HOUR = 3_600_000;
const ADMIN = { type: 'admin' as const, id: 'owner' };
const XUI = PANEL_KINDS.find((k) => k.label === '3x-ui v3.6 (Gen B)')!;
const GUARD_REPLICA = new URL('./support/replicas/guard-replica.ts', import.meta.url);
const PROCESSES = 3;
/** How far ahead of now the replicas are told to start together (long enough for every call to arrive first). */
const LEAD_MS = 300;
/** A client write on 3x-ui v3 (`clients/update/<email>`), the call a device limit or an enable flag is set with. */
const CLIENT_WRITE = /\/panel\/api\/clients\/update\/([^/]+)$/;

describe.skipIf(SKIP_REASON !== false)(
  `the sharing guard across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('three processes evaluating the same readings at once take warn, limit, suspend and a staff lift once each; no reading, no step', {
      timeout: 120_000,
    }, async () => {
      const writes: string[] = [];
      const rig = await openPostgresRig(XUI, {
        serve: (kindRig) =>
          serveOnLocalhost(async (request) => {
            const write = request.method === 'POST' ? CLIENT_WRITE.exec(new URL(request.url).pathname) : null;
            if (write !== null) writes.push(decodeURIComponent(write[1]!));
            return kindRig.sim.handle(request);
          }),
      });
      const replicas: ReplicaProcess[] = [];
      try {
        const { shop, storage, clock } = rig;
        // No device limit of its own: the `limit` step gives it the policy's `limitDevices`, and the lift takes it back.
        const plan = await shop.kit.plans.create({
          name: 'shared',
          family: 'standard',
          price: { amount: 1_000, currency: 'USD' },
          durationDays: 30,
          trafficBytes: 10 * GiB,
        });
        const customerId = await shop.customer(10_000);
        const ids: string[] = [];
        for (const key of ['sharer', 'silenced', 'silent']) {
          const { subscriptions } = await shop.kit.checkout({ customerId, items: [{ planId: plan.id }], idempotencyKey: key });
          ids.push(subscriptions[0]!.id);
        }
        await shop.worker.drain();
        const [sharer, silenced, silent] = ids as [string, string, string];
        const subs = await storage.subscriptions.getMany(ids);
        expect(subs.map((s) => [s.status, s.deviceLimit])).toEqual(ids.map(() => ['active', null]));
        const username = subs.find((s) => s.id === sharer)!.remote.username;
        const onPanel = () => {
          // The rig is 3x-ui's: its simulator is a 3x-ui one.
          const client = (rig.shop.rig.sim as XuiSimulator).client(username)!;
          return { enable: client['enable'] !== false, limitIp: client['limitIp'] ?? 0 };
        };
        expect(onPanel()).toEqual({ enable: true, limitIp: 0 });
        expect(
          await shop.kit.guard.setPolicy(
            {
              enabled: true,
              steps: [
                { step: 'warn', graceHours: 1 },
                { step: 'limit', graceHours: 1 },
                { step: 'suspend', graceHours: 24 },
              ],
            },
            ADMIN,
          ),
        ).toMatchObject({ saved: true });

        replicas.push(
          ...(await Promise.all(
            Array.from({ length: PROCESSES }, (_, i) =>
              startReplica(`guard-${i}`, GUARD_REPLICA, {
                databaseUrl: DATABASE_URL!,
                schema: rig.schema,
                kind: XUI.label,
                origin: shop.server.origin,
                now: clock.now().toISOString(),
                workerId: `guard-${i}`,
              } satisfies GuardReplicaConfig),
            ),
          )),
        );
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(PROCESSES);
        const all = <T>(command: string, ...args: unknown[]) => Promise.all(replicas.map((r) => r.call<T>(command, ...args)));

        /**
         * One hour: the clock moves on every process, the hour's readings are recorded as the read job records them (the
         * sharer over; the silenced one over and then no reading; the silent one never a reading), every process
         * evaluates at the same instant, and then every worker drains at once. The steps and lifts the three took.
         */
        const hour = async () => {
          clock.advance(HOUR);
          await all('setClock', clock.now().toISOString());
          const now = clock.now();
          const earlier = new Date(now.getTime() - 60_000);
          await storage.guard.recordReadings(
            [
              { subscriptionId: sharer, at: now, prefixes: 9, over: true },
              { subscriptionId: silenced, at: earlier, prefixes: 9, over: true },
              { subscriptionId: silenced, at: now, prefixes: null, over: false },
              { subscriptionId: silent, at: now, prefixes: null, over: false },
            ],
            24,
          );
          const reports = await all<GuardEvaluationReport>('evaluateAt', Date.now() + LEAD_MS);
          await all('drain');
          return reports.reduce((n, r) => n + r.stepped + r.lifted, 0);
        };
        const caseOf = async () => (await storage.guard.cases([sharer]))[0];
        const writesNow = () => writes.filter((u) => u === username).length;

        // K = 3 over readings spanning S = 2 hours: the third hour warns.
        expect([await hour(), await hour(), await hour()]).toEqual([0, 0, 1]);
        expect(await caseOf()).toMatchObject({ step: 'warn', stepSeq: 1 });
        expect(writesNow()).toBe(0);
        // Escalation needs fresh evidence after the warning plus its grace: three more hours.
        expect([await hour(), await hour(), await hour()]).toEqual([0, 0, 1]);
        expect(await caseOf()).toMatchObject({ step: 'limit', stepSeq: 2 });
        expect((await storage.subscriptions.get(sharer))!.deviceLimit).toBe(2);
        expect(onPanel()).toEqual({ enable: true, limitIp: 2 });
        expect(writesNow()).toBe(1);
        expect([await hour(), await hour(), await hour()]).toEqual([0, 0, 1]);
        expect(await caseOf()).toMatchObject({ step: 'suspend', stepSeq: 3 });
        expect((await storage.subscriptions.get(sharer))!.status).toBe('suspended');
        expect(onPanel()).toEqual({ enable: false, limitIp: 2 });
        expect(writesNow()).toBe(2);

        // Three staff members lift the case at the same instant: one lift, which resumes the client and clears the limit.
        const lifts = await all<GuardLiftResult>('liftAt', sharer, Date.now() + LEAD_MS);
        expect(lifts.filter((l) => l.lifted)).toHaveLength(1);
        // The others lost the move, or (started late) found the case lifted already.
        for (const lost of lifts.filter((l) => !l.lifted))
          expect(['raced', 'already_watching']).toContain(lost.lifted ? null : lost.reason);
        await all('drain');
        expect(await caseOf()).toMatchObject({ step: 'watching', stepSeq: 4 });
        expect(await storage.subscriptions.get(sharer)).toMatchObject({ status: 'active', deviceLimit: null });
        expect(onPanel()).toEqual({ enable: true, limitIp: 0 });
        // A write to enable the client, one to clear its limit.
        expect(writesNow()).toBe(4);
        // The lift dropped the readings before it and keeps the case quiet for the window, new over readings or not.
        expect([await hour(), await hour(), await hour()]).toEqual([0, 0, 0]);

        const guardEvents = (await storage.audit.list({ subjectType: 'subscription' }, { limit: 500 })).items.filter((e) =>
          e.action.startsWith('guard.'),
        );
        expect(guardEvents.map((e) => [e.subjectId, e.action]).sort()).toEqual(
          [
            [sharer, 'guard.lifted'],
            [sharer, 'guard.limited'],
            [sharer, 'guard.suspended'],
            [sharer, 'guard.warned'],
          ].sort(),
        );
        const acts = (await storage.jobs.list({ type: 'guard.act' }, { limit: 50 })).items;
        expect(acts.map((j) => [j.dedupeKey, j.state]).sort()).toEqual([1, 2, 3, 4].map((seq) => [`guard:${sharer}:${seq}`, 'succeeded']));
        const notices = (await storage.jobs.list({ type: GUARD_NOTICE_JOB }, { limit: 50 })).items;
        expect(notices.map((j) => [j.payload['action'], j.state]).sort()).toEqual([
          ['guard.limited', 'succeeded'],
          ['guard.suspended', 'succeeded'],
          ['guard.warned', 'succeeded'],
        ]);
        expect(notices.every((j) => j.payload['subscriptionId'] === sharer)).toBe(true);

        // No reading at the end of each hour, no step: no case, no audit event, the subscriptions untouched.
        expect(await storage.guard.cases([silenced, silent])).toEqual([]);
        expect((await storage.subscriptions.getMany([silenced, silent])).map((s) => [s.status, s.deviceLimit])).toEqual([
          ['active', null],
          ['active', null],
        ]);
        expect(writes.filter((u) => u !== username)).toEqual([]);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await rig.close();
      }
    });
  },
);
