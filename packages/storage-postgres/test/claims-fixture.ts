/**
 * One queue shape for measuring claims past a held serialisation key, shared by the plan test and
 * bench/claims-serial, seeded with `INSERT … SELECT generate_series`, and how much a statement read.
 */
import type { SqlClient } from '../src/index.js';

/** A queue to seed (`seedClaimQueue`). */
export interface ClaimQueue {
  /** Queued jobs of the key `held`, due an hour ago (first in claim order); it also gets a running job. 0: no such key. */
  held: number;
  /** Free keys `key-1…` of one queued job each, due a minute ago. */
  freeKeys: number;
  /** Queued jobs without a key, due a minute ago. */
  unkeyed: number;
}

/** Seeds `queue` into the jobs of a migrated `schema`, then `ANALYZE`s them (unless `analyze` is false: no statistics). */
export async function seedClaimQueue(client: SqlClient, schema: string, queue: ClaimQueue, { analyze = true } = {}): Promise<void> {
  const insert = (state: 'queued' | 'running', count: number, key: string, ago: string, tag: string) =>
    client.query(
      `INSERT INTO "${schema}".jobs (id, type, payload, priority, run_at, max_attempts, state, attempts, serial_key,
         lease_token, lease_expires_at, locked_by, created_at, updated_at)
       SELECT '${tag}-' || lpad(i::text, 7, '0'), 'bench.job', '{}', 0, now() - interval '${ago}', 5, '${state}', 0, ${key},
         ${state === 'running' ? `'token', now() + interval '1 day', 'holder'` : 'NULL, NULL, NULL'}, now(), now()
       FROM generate_series(1, ${count}) AS i`,
    );
  if (queue.held > 0) {
    await insert('running', 1, `'held'`, '2 hours', 'running');
    await insert('queued', queue.held, `'held'`, '1 hour', 'held');
  }
  await insert('queued', queue.freeKeys, `'key-' || i`, '1 minute', 'keyed');
  await insert('queued', queue.unkeyed, 'NULL', '1 minute', 'unkeyed');
  if (analyze) await client.query(`ANALYZE "${schema}".jobs`);
}

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`'s plan. */
export interface PlanNode {
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/** The rows a plan's nodes produced and filtered out, summed over their loops: how much the statement read. */
export function rowsRead(node: PlanNode): number {
  const loops = node['Actual Loops'] ?? 1;
  const own = ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * loops;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}
