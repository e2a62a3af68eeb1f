/**
 * One table shape for measuring the scheduler's due-queries, shared by the plan test and
 * bench/pg-due-query: `due` rows due for each query and the rest spread over the same statuses
 * without being due, seeded with one `INSERT … SELECT generate_series`.
 */
import type { Clock } from '@panelkit/sdk';
import type { DueQuery } from '@panelkit/sdk/storage';
import { createPostgresStorage } from '../src/index.js';
import type { SqlClient } from '../src/index.js';

const DAY = 86_400_000;

/** The four due-queries, as the scheduler asks them at `now`. */
export function dueQueries(now: Date): Record<'expiring' | 'over_limit' | 'first_use' | 'stale_status', DueQuery> {
  return {
    expiring: { kind: 'expiring', statuses: ['active', 'on_hold', 'limited'], to: new Date(now.getTime() + DAY) },
    over_limit: { kind: 'over_limit' },
    first_use: { kind: 'first_use' },
    stale_status: { kind: 'stale_status', statuses: ['suspended', 'expired'], before: new Date(now.getTime() - 7 * DAY) },
  };
}

/**
 * Seeds `rows` subscriptions into a migrated `schema`. Rows 1..due are due for `expiring`,
 * due+1..2·due for `over_limit`, 2·due+1..3·due for `first_use`, 3·due+1..4·due for
 * `stale_status`; the rest are active with a far expiry and traffic left, on hold unused, or
 * suspended recently. Ends with `VACUUM ANALYZE` so the planner sees the real table.
 */
export async function seedDueSubscriptions(
  base: SqlClient,
  schema: string,
  clock: Clock,
  sizes: { rows: number; due: number },
): Promise<void> {
  const storage = createPostgresStorage({ client: base, schema, clock });
  const panel = await storage.panels.create({
    kind: 'marzban',
    name: 'due',
    baseUrl: 'https://due.example.com',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'due', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'due',
    family: 'due',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ email: 'due@example.com' });
  await base.query(
    `INSERT INTO "${schema}".subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
       traffic_limit_bytes, used_bytes, expires_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices, revision, created_at, updated_at)
     SELECT 'sub_' || lpad(g::text, 8, '0'), $1, $2, $3, $4,
       CASE WHEN g <= 2 * $6 THEN 'active' WHEN g <= 3 * $6 THEN 'on_hold' WHEN g <= 4 * $6 THEN 'suspended'
            WHEN g % 10 = 0 THEN 'suspended' WHEN g % 10 = 1 THEN 'on_hold' ELSE 'active' END,
       CASE WHEN g > 3 * $6 AND g <= 4 * $6 THEN $5::timestamptz - interval '30 days' ELSE $5::timestamptz END,
       jsonb_build_object('username', 'pk_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
         'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
       1000,
       CASE WHEN g > $6 AND g <= 2 * $6 THEN 2000 WHEN g > 2 * $6 AND g <= 3 * $6 THEN 10 ELSE 0 END,
       CASE WHEN g <= $6 THEN $5::timestamptz + interval '1 hour' ELSE $5::timestamptz + (10 + g % 300) * interval '1 day' END,
       30, false, '[]', false, false, '[]', 0, $5::timestamptz, $5::timestamptz
     FROM generate_series(1, $7::integer) AS g`,
    [customer.id, plan.id, panel.id, target.id, clock.now().toISOString(), sizes.due, sizes.rows],
  );
  await base.query(`VACUUM ANALYZE "${schema}".subscriptions`);
}

/** A client that records every statement, so a caller can EXPLAIN exactly what the storage ran. */
export function recordingClient(base: SqlClient, recorded: { text: string; params: readonly unknown[] }[]): SqlClient {
  return {
    concurrent: base.concurrent,
    query: (text, params) => {
      recorded.push({ text, params: params ?? [] });
      return base.query(text, params);
    },
    transaction: (fn) => base.transaction(fn),
  };
}
