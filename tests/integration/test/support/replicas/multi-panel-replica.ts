/**
 * A replica module (see `process.ts`) for tests with several panels: one process's pool, PostgreSQL
 * storage, engine, worker and scheduler on a manual clock, with one adapter per stored panel pointed
 * at the simulator the parent serves for it.
 */
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import type { PanelAdapter } from '@panelkit/sdk/adapter';
// Not from `@panelkit/sdk/testing`: this runs in a child process without the vitest runner that entry needs.
import { ManualClock } from '../../../../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { PANEL_KINDS } from '../kinds.js';
import { IDENTITY, PANEL_READ_RETRY, TICK_MS } from '../shop.js';

/** What the parent passes to a multi-panel replica. */
export interface MultiPanelReplicaConfig {
  databaseUrl: string;
  /** The engine's schema, already migrated by the parent. */
  schema: string;
  /** A `PANEL_KINDS` label: the adapter every panel is spoken to with. */
  kind: string;
  /** Where the parent serves each stored panel's simulator, by panel id. */
  origins: Record<string, string>;
  /** The replica's clock starts here (ISO); the parent moves it with `setClock`. */
  now: string;
  workerId: string;
  claimLimit?: number;
}

export async function setup(config: MultiPanelReplicaConfig) {
  const clock = new ManualClock(config.now);
  const kind = PANEL_KINDS.find((k) => k.label === config.kind);
  if (kind === undefined) throw new Error(`no panel kind ${config.kind}`);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema, clock });
  const adapters = new Map<string, PanelAdapter>();
  const kit = createPanelkit({
    storage,
    clock,
    panels: (panel) => {
      let adapter = adapters.get(panel.id);
      const origin = config.origins[panel.id];
      if (origin === undefined) throw new Error(`no origin for panel ${panel.id}`);
      // The rig's own simulator is unused here: the adapter talks to the parent's over HTTP.
      adapter ??= kind.make(clock).adapter(origin, clock);
      adapters.set(panel.id, adapter);
      return adapter;
    },
    policy: {
      identity: IDENTITY,
      tickIntervalMs: TICK_MS,
      jobRetry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 10_000 },
      panelReadRetry: PANEL_READ_RETRY,
    },
    random: () => 0.5,
  });
  const worker = kit.createWorker({
    heartbeatIntervalMs: 3_600_000,
    id: config.workerId,
    ...(config.claimLimit === undefined ? {} : { claimLimit: config.claimLimit }),
  });
  const scheduler = kit.createScheduler();
  return {
    setClock: async (iso: string) => void clock.set(iso),
    runOnce: () => worker.runOnce(),
    drain: () => worker.drain(),
    tick: async () => {
      const report = await scheduler.tick();
      return { won: report.won, reapedJobs: report.reapedJobs };
    },
    close: async () => {
      await worker.stop({ timeoutMs: 1_000 });
      await storage.close();
      await pool.end();
    },
  };
}
