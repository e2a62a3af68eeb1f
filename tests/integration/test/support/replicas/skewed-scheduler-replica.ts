/**
 * A replica module (see `process.ts`) running a scheduler on a host whose system clock is off by `skewMs`
 * (`Date` shifted in this process, see `skewed-date.ts`), with the storage and engine on their defaults (the
 * system clock, so leases and the storage's time on the PostgreSQL server's). Its commands tick the scheduler
 * and move the skew.
 */
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { skewDate } from './skewed-date.js';

/** What the parent passes to a skewed scheduler replica. */
export interface SkewedSchedulerConfig {
  databaseUrl: string;
  /** Already migrated by the parent. */
  schema: string;
  /** How far this process's clock is off at the start, in ms (positive: ahead). */
  skewMs: number;
}

/** What one tick did here, and the clock events seen so far. */
export interface SkewedTick {
  won: boolean;
  refused: { reason: string; offsetMs: number } | null;
  skewedEvents: number;
  recoveredEvents: number;
}

export async function setup(config: SkewedSchedulerConfig) {
  const setSkew = skewDate(config.skewMs);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('this replica has no panels');
    },
    policy: { identity: { secret: 'skewed-scheduler-secret-0123456789' } },
  });
  let skewedEvents = 0;
  let recoveredEvents = 0;
  kit.events.on('scheduler:clock_skewed', () => void skewedEvents++);
  kit.events.on('scheduler:clock_recovered', () => void recoveredEvents++);
  const scheduler = kit.createScheduler();
  return {
    tick: async (): Promise<SkewedTick> => {
      const report = await scheduler.tick();
      return { won: report.won, refused: report.refused, skewedEvents, recoveredEvents };
    },
    setSkew: async (skewMs: number) => void setSkew(skewMs),
    close: async () => {
      await storage.close();
      await pool.end();
    },
  };
}
