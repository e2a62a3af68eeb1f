/**
 * What the machine and PostgreSQL did during a phase: CPU time of the whole machine, of the
 * PostgreSQL server's processes and of given pids (from /proc), and PostgreSQL's own counters.
 */
import { cpus, loadavg } from 'node:os';
import type { SqlClient } from '../../packages/storage-postgres/src/index.js';
import { machineCpu, postgresProcessesCpu, processCpu } from '../support/proc-cpu.js';

/** CPU seconds used by every `postgres` process alive now and by the backends that exited. */
function postgresCpu(): number {
  let sum = 0;
  for (const seconds of postgresProcessesCpu(() => true, true).values()) sum += seconds;
  return sum;
}

/**
 * CPU seconds each PostgreSQL backend serving `database` has used so far, by pid (its process title names
 * the database), so a phase can tell its own backends from other databases' on a shared server.
 */
export function databaseBackendsCpu(database: string): Map<number, number> {
  return postgresProcessesCpu((title) => title.includes(` ${database} `));
}

interface PgCounters {
  commits: number;
  returned: number;
  fetched: number;
  inserted: number;
  updated: number;
  /** Row updates of the bench's tables that were heap-only (HOT: no index touched). */
  hotUpdated: number;
}

async function pgCounters(db: SqlClient, database: string): Promise<PgCounters> {
  const { rows } = await db.query(
    'SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  const r = rows[0]!;
  const hot = await db.query('SELECT coalesce(sum(n_tup_hot_upd), 0) AS hot FROM pg_stat_user_tables');
  return {
    hotUpdated: Number(hot.rows[0]!['hot']),
    commits: Number(r['xact_commit']),
    returned: Number(r['tup_returned']),
    fetched: Number(r['tup_fetched']),
    inserted: Number(r['tup_inserted']),
    updated: Number(r['tup_updated']),
  };
}

/** What a phase cost the machine. */
export interface PhaseCost {
  wallS: number;
  /** Share of all cores busy, 0..1. */
  machineBusy: number;
  postgresCpuS: number;
  /**
   * CPU seconds of the backends serving the bench's database that are alive at the end (a lower bound:
   * a backend that exited during the phase is not counted), apart from other databases on the same server.
   */
  databaseBackendsCpuS: number;
  /** CPU seconds of the watched groups of pids (replicas, panel hosts). */
  groupsCpuS: Record<string, number>;
  pg: PgCounters;
  loadBefore: number[];
  loadAfter: number[];
  cores: number;
}

/** Starts watching; `finish()` gives the phase's cost (after waiting for PostgreSQL's statistics to flush). */
export async function watchPhase(db: SqlClient, database: string, groups: Record<string, readonly number[]>) {
  const loadBefore = loadavg();
  const pgBefore = await pgCounters(db, database);
  const machineBefore = machineCpu();
  const postgresBefore = postgresCpu();
  const backendsBefore = databaseBackendsCpu(database);
  const groupBefore = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((n, p) => n + processCpu(p), 0)]));
  const started = performance.now();
  return {
    async finish(): Promise<PhaseCost> {
      const wallS = (performance.now() - started) / 1000;
      const machineAfter = machineCpu();
      const postgresAfter = postgresCpu();
      let databaseBackendsCpuS = 0;
      for (const [pid, cpu] of databaseBackendsCpu(database)) databaseBackendsCpuS += cpu - (backendsBefore.get(pid) ?? 0);
      const groupsCpuS = Object.fromEntries(
        Object.entries(groups).map(([k, pids]) => [k, pids.reduce((n, p) => n + processCpu(p), 0) - groupBefore[k]!]),
      );
      const loadAfter = loadavg();
      // PostgreSQL flushes a backend's counters at most once a second.
      await new Promise((r) => setTimeout(r, 1500));
      const pgAfter = await pgCounters(db, database);
      const pg = Object.fromEntries(Object.keys(pgAfter).map((k) => [k, pgAfter[k as keyof PgCounters] - pgBefore[k as keyof PgCounters]]));
      return {
        wallS,
        machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
        postgresCpuS: postgresAfter - postgresBefore,
        databaseBackendsCpuS,
        groupsCpuS,
        pg: pg as unknown as PgCounters,
        loadBefore,
        loadAfter,
        cores: cpus().length,
      };
    },
  };
}
