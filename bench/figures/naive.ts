/**
 * The naive baseline: the owner figures of scope `*` computed by SQL over the raw tables at read time, from the
 * definitions in docs/design/owner-figures-and-guard.md §2 (written again here, independently of the SDK's rules, so
 * agreeing with the read model is a check of both), in a Gregorian calendar on the wall clock of `zone`:
 *
 * - cohorts: buyers (a sales debit) by the month of their first one, and at each age 0…36 those whose paid coverage
 *   overlaps month cohort + age (a paid subscription: not a trial, its order's total > 0 or a sales debit names it;
 *   from the earlier of the two to its end: `expires_at`, for a terminated one the earlier of that and its status
 *   change, none for a failed one);
 * - revenue per cohort: net sales (sales kinds negated) of each cohort's buyers by the month of the entry;
 * - net sales by month and first buyers by month;
 * - churn by month: paid units (a bundle once) whose every part ended, in the month their coverage ended, `refunded`
 *   when every part is terminated under one order whose purchase debits were refunded in full, else `lapsed`; and
 *   the lapsed ones by plan and panel.
 *
 * Keys are as the read model keys its cells; zero sums are left out, as the rollups drop them.
 */
import type { SqlQueryable } from '@panelkit/storage-postgres';

/** `REVENUE_LEDGER_KINDS`, the sales kinds, written out again (the baseline shares no code with the SDK). */
const SALES_KINDS = ['purchase', 'extension', 'traffic_top_up', 'plan_change', 'device_pack', 'refund'];

/** The figures keyed as strings: table → key → value. */
export type FigureNumbers = Map<string, Map<string, number>>;

function prelude(s: string): string {
  // midx: a month as year × 12 + month − 1 on the zone's wall clock ($1); ym turns it back into yyyymm.
  const midx = (ts: string) =>
    `((extract(year FROM (${ts}) AT TIME ZONE $1) * 12 + extract(month FROM (${ts}) AT TIME ZONE $1) - 1)::integer)`;
  return `WITH sales AS (
      SELECT customer_id, amount, currency, created_at, subscription_id FROM ${s}.ledger_entries WHERE kind = ANY($2::text[])
    ), buyers AS (
      SELECT customer_id, ${midx('min(created_at)')} AS c FROM sales WHERE amount < 0 GROUP BY customer_id
    ), sub_debits AS (
      SELECT subscription_id, min(created_at) AS at FROM sales WHERE amount < 0 AND subscription_id IS NOT NULL GROUP BY subscription_id
    ), starts AS (
      SELECT s.*, least(CASE WHEN o.total_amount > 0 THEN o.created_at END, d.at) AS start
        FROM ${s}.subscriptions s LEFT JOIN ${s}.orders o ON o.id = s.order_id LEFT JOIN sub_debits d ON d.subscription_id = s.id
       WHERE NOT s.trial
    ), paid AS (
      SELECT id, customer_id, status, coalesce(bundle_id, id) AS unit, plan_id, panel_id, order_id, start,
             CASE WHEN status = 'failed' THEN NULL
                  WHEN status = 'terminated' THEN least(coalesce(expires_at, 'infinity'), status_changed_at)
                  ELSE coalesce(expires_at, start + duration_days * interval '1 day') END AS ends
        FROM starts WHERE start IS NOT NULL
    ), covered AS (
      SELECT customer_id, ${midx('start')} AS first, ${midx(`ends - interval '1 millisecond'`)} AS last FROM paid WHERE ends > start
    )`;
}

const ym = (idx: string) => `((${idx}) / 12 * 100 + (${idx}) % 12 + 1)`;

function queries(s: string): Record<string, string> {
  const midx = (ts: string) =>
    `((extract(year FROM (${ts}) AT TIME ZONE $1) * 12 + extract(month FROM (${ts}) AT TIME ZONE $1) - 1)::integer)`;
  return {
    cohorts: `${prelude(s)}, ages AS (
        SELECT v.customer_id, m - b.c AS age
          FROM covered v JOIN buyers b USING (customer_id)
          CROSS JOIN LATERAL generate_series(greatest(v.first, b.c), least(v.last, b.c + 36)) AS m
        UNION SELECT customer_id, 0 FROM buyers
      )
      SELECT ${ym('b.c')} || '/' || a.age AS key, count(*)::bigint AS value FROM ages a JOIN buyers b USING (customer_id) GROUP BY b.c, a.age`,
    cohort_revenue: `${prelude(s)}
      SELECT ${ym('b.c')} || '/' || ${ym(midx('l.created_at'))} || '/' || l.currency AS key, sum(-l.amount)::bigint AS value
        FROM sales l JOIN buyers b USING (customer_id) GROUP BY b.c, ${midx('l.created_at')}, l.currency HAVING sum(l.amount) <> 0`,
    net_sales: `${prelude(s)}
      SELECT ${ym(midx('created_at'))} || '/' || currency AS key, sum(-amount)::bigint AS value
        FROM sales GROUP BY ${midx('created_at')}, currency HAVING sum(amount) <> 0`,
    first_buyers: `${prelude(s)} SELECT ${ym('c')}::text AS key, count(*)::bigint AS value FROM buyers GROUP BY c`,
    churn: `${prelude(s)}, orders_refunded AS (
        SELECT order_id FROM ${s}.ledger_entries WHERE order_id IS NOT NULL AND kind IN ('purchase', 'refund')
         GROUP BY order_id
        HAVING sum(-amount) FILTER (WHERE kind = 'purchase') > 0
           AND coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) >= sum(-amount) FILTER (WHERE kind = 'purchase')
      ), units AS (
        SELECT unit,
               bool_and(status IN ('expired', 'terminated')) FILTER (WHERE status <> 'failed') AS ended,
               max(ends) FILTER (WHERE ends > start) AS last_end,
               bool_and(status = 'terminated') FILTER (WHERE status <> 'failed')
                 AND count(order_id) FILTER (WHERE status <> 'failed') = count(*) FILTER (WHERE status <> 'failed')
                 AND count(DISTINCT order_id) FILTER (WHERE status <> 'failed') = 1 AS one_order_terminated,
               min(order_id) FILTER (WHERE status <> 'failed') AS order_id
          FROM paid GROUP BY unit
      ), endings AS (
        SELECT u.unit, ${midx('u.last_end')} AS m,
               CASE WHEN u.one_order_terminated AND r.order_id IS NOT NULL THEN 'refunded_units' ELSE 'lapsed' END AS outcome
          FROM units u LEFT JOIN orders_refunded r ON r.order_id = u.order_id
         WHERE u.ended AND u.last_end IS NOT NULL
      )
      SELECT outcome || '/' || ${ym('m')} AS key, count(*)::bigint AS value FROM endings GROUP BY outcome, m
      UNION ALL
      SELECT 'lapses/' || ${ym('x.m')} || '/' || x.plan_id || '/' || x.panel_id, count(*)::bigint
        FROM (SELECT DISTINCT e.m, e.unit, p.plan_id, p.panel_id
                FROM endings e JOIN paid p ON p.unit = e.unit AND p.status <> 'failed' WHERE e.outcome = 'lapsed') x
       GROUP BY x.m, x.plan_id, x.panel_id`,
  };
}

/** Runs the baseline's statements; each one's time in ms and the numbers, keyed like {@link readModelNumbers}. */
export async function naiveFigures(
  db: SqlQueryable,
  schema: string,
  zone: string,
): Promise<{ ms: Record<string, number>; numbers: FigureNumbers }> {
  const numbers: FigureNumbers = new Map();
  const ms: Record<string, number> = {};
  for (const [name, text] of Object.entries(queries(`"${schema}"`))) {
    const started = performance.now();
    const { rows } = await db.query(text, [zone, SALES_KINDS]);
    ms[name] = performance.now() - started;
    for (const row of rows) {
      const key = String(row['key']);
      let table = name;
      let rest = key;
      if (name === 'churn') [table, rest] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      const of = numbers.get(table) ?? new Map<string, number>();
      of.set(rest, Number(row['value']));
      numbers.set(table, of);
    }
  }
  return { ms, numbers };
}
