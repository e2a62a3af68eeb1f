/**
 * A replica module (see `process.ts`): one process's pool, PostgreSQL storage, engine, worker and
 * scheduler, on a manual clock the parent sets, against a simulated panel served by the parent.
 */
import pg from 'pg';
import { RefundRefusedError, silentLogger, type CheckoutRequest, type EnginePolicy, type Logger, type RefundRequest } from '@panelkit/sdk';
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from '../kinds.js';
import { createTestEngine } from '../shop.js';

/** What the parent passes to an engine replica. */
export interface EngineReplicaConfig {
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
  claimLimit?: number;
  poolSize?: number;
  policy?: Partial<EnginePolicy>;
}

/** A logger that counts the storage's reruns of calls and transactions (after a deadlock or serialisation failure). */
function retryCounter(): { logger: Logger; count: () => number } {
  let retries = 0;
  const logger: Logger = {
    ...silentLogger,
    debug: (bindings: Record<string, unknown> | string, message?: string) => {
      const text = typeof bindings === 'string' ? bindings : message;
      if (text === 'storage call retried' || text === 'storage transaction retried') retries++;
    },
    child: () => logger,
  };
  return { logger, count: () => retries };
}

export async function setup(config: EngineReplicaConfig) {
  const clock = new ManualClock(config.now);
  const kind = PANEL_KINDS.find((k) => k.label === config.kind);
  if (kind === undefined) throw new Error(`no panel kind ${config.kind}`);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize ?? 4 });
  const retries = retryCounter();
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema, clock, logger: retries.logger });
  // The rig's own simulator is unused here: the adapter talks to the parent's over HTTP.
  const adapter = kind.make(clock).adapter(config.origin, clock);
  const { kit, worker, scheduler } = createTestEngine({
    storage,
    clock,
    adapter,
    workerId: config.workerId,
    claimLimit: config.claimLimit,
    ...(config.policy === undefined ? {} : { policy: config.policy }),
  });
  return {
    setClock: async (iso: string) => void clock.set(iso),
    runOnce: () => worker.runOnce(),
    drain: () => worker.drain(),
    tick: async () => {
      const report = await scheduler.tick();
      return {
        won: report.won,
        reapedJobs: report.reapedJobs,
        usage: report.usage === null ? null : { panels: report.usage.panels, clients: report.usage.clients },
      };
    },
    checkout: async (request: CheckoutRequest) => {
      const result = await kit.checkout(request);
      return { orderId: result.order.id, subscriptionIds: result.subscriptions.map((s) => s.id), replayed: result.replayed };
    },
    /** `kit.refund`; a refusal answers its reason instead of throwing. */
    refund: async (request: RefundRequest) => {
      try {
        const done = await kit.refund(request);
        return { ok: true, created: done.created, full: done.full };
      } catch (error) {
        if (RefundRefusedError.is(error)) return { ok: false, reason: error.reason };
        throw error;
      }
    },
    /** How many storage calls and transactions this replica reran after a deadlock or serialisation failure. */
    storageRetries: async () => retries.count(),
    close: async () => {
      await worker.stop({ timeoutMs: 1_000 });
      await storage.close();
      await pool.end();
    },
  };
}
