/**
 * A replica module (see `process.ts`) for the sharing guard: one process's pool, PostgreSQL storage, engine and worker
 * on a manual clock the parent sets, against the simulated panel the parent serves. The storage is behind the audit
 * outbox as a host wires it: each `guard.warned`, `guard.limited` or `guard.suspended` event queues one buyer notice
 * (keyed by the event) in the transaction that wrote it. Evaluations and lifts start at a wall-clock instant the
 * parent gives every replica, so the replicas' moves of one case land together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { z } from 'zod';
import { defineHostJob, enqueueHostJob, withAuditOutbox } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from '../kinds.js';
import { createTestEngine } from '../shop.js';

/** What the parent passes to a guard replica. */
export interface GuardReplicaConfig {
  databaseUrl: string;
  /** The engine's schema, already migrated by the parent. */
  schema: string;
  /** A `PANEL_KINDS` label: the adapter the replica talks to the panel with. */
  kind: string;
  /** Where the parent serves the simulated panel. */
  origin: string;
  /** The replica's clock starts here (ISO); the parent moves it with `setClock`. */
  now: string;
  workerId: string;
}

/** The host job type of a buyer's notice of a guard step (one an audit event, as the shop's notification outbox). */
export const GUARD_NOTICE_JOB = 'it.guard_notice';

/** The guard's audit actions the buyer is told of (a lift is staff's own, no notice). */
const NOTIFYING = new Set(['guard.warned', 'guard.limited', 'guard.suspended']);

const notice = defineHostJob({
  type: GUARD_NOTICE_JOB,
  payload: z.object({ subscriptionId: z.string(), action: z.string() }),
  // Delivery is the host's business; the parent counts the jobs and their runs.
  run: async () => undefined,
});

export async function setup(config: GuardReplicaConfig) {
  const clock = new ManualClock(config.now);
  const kind = PANEL_KINDS.find((k) => k.label === config.kind);
  if (kind === undefined) throw new Error(`no panel kind ${config.kind}`);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  const raw = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema, clock });
  const storage = withAuditOutbox(raw, async (tx, event) => {
    if (!NOTIFYING.has(event.action) || event.subjectId === null) return;
    await enqueueHostJob(tx, notice, { subscriptionId: event.subjectId, action: event.action }, { key: event.id });
  });
  // The rig's own simulator is unused here: the adapter talks to the parent's over HTTP.
  const adapter = kind.make(clock).adapter(config.origin, clock);
  const { kit, worker } = createTestEngine({ storage, clock, adapter, workerId: config.workerId, hostJobs: [notice] });
  const staff = { type: 'admin' as const, id: `staff-${config.workerId}` };
  return {
    setClock: async (iso: string) => void clock.set(iso),
    drain: () => worker.drain(),
    /** At `startAt` (ms since the epoch), one `kit.guard.evaluateNow()` pass; its report. */
    evaluateAt: async (startAt: number) => {
      await sleep(Math.max(0, startAt - Date.now()));
      return kit.guard.evaluateNow();
    },
    /** At `startAt`, this replica's staff member lifts the subscription's case; the result. */
    liftAt: async (subscriptionId: string, startAt: number) => {
      await sleep(Math.max(0, startAt - Date.now()));
      return kit.guard.lift({ subscriptionId, actor: staff, note: 'a family of three' });
    },
    close: async () => {
      await worker.stop({ timeoutMs: 1_000 });
      await raw.close();
      await pool.end();
    },
  };
}
