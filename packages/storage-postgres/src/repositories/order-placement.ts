import { ConflictError, InsufficientFundsError, NotFoundError, createId } from '@panelkit/sdk';
import { createSortableId } from '@panelkit/sdk/storage';
import { invalidInput, parsePlacement } from '@panelkit/sdk/storage';
import type { AuditEvent, LedgerEntry, Order, Subscription } from '@panelkit/sdk';
import type { OrderPlacement, ParsedPlacement, PlaceOptions, PlaceResult, PlacedTarget } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import type { Column } from '../internal/columns.js';
import { type Call, COMMIT_HELD, type RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { AUDIT_COLUMNS } from './audit.js';
import { LEDGER_COLUMNS } from './ledger.js';
import { ORDER_COLUMNS } from './order-rows.js';
import { SUBSCRIPTION_COLUMNS, subscriptionParams } from './subscription-rows.js';

/**
 * Parameters of one statement, each added with its cast: `add(v, 'text')` is `$n::text`. Without `placeholders` (the
 * statement's text is already known) it only collects the values, in the same order, and gives no text.
 */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly placeholders: boolean) {}
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return this.placeholders ? `$${this.values.length}::${cast}` : '';
  }
}

/** `VALUES (…), (…)` of `rows`, every column of `columns` but those in `skip`, as cast parameters. */
function valuesOf<T>(params: Params, columns: readonly Column<T>[], rows: readonly T[], skip: ReadonlySet<string> = new Set()): string {
  const kept = columns.filter(([name]) => !skip.has(name));
  return `VALUES ${rows.map((row) => `(${kept.map(([, cast, value]) => params.add(value(row), cast)).join(', ')})`).join(', ')}`;
}

function names<T>(columns: readonly Column<T>[], skip: ReadonlySet<string> = new Set()): string {
  return columns
    .map(([name]) => name)
    .filter((name) => !skip.has(name))
    .join(', ');
}

/**
 * The placement statement's text by its schema and shape (the counts it is built from): the same text object each
 * time, so a checkout neither builds it again nor hashes it again to find its prepared statement (`statementName`).
 * A transaction's repositories are made for it, hence here; a shop sells in a few shapes (most orders are one plan).
 */
const placementTexts = new Map<string, string>();
const PLACEMENT_TEXTS_KEPT = 256;

/** The rows as they will be stored, at `now`. */
function storedRows(parsed: ParsedPlacement, now: Date) {
  const order: Order = { ...parsed.order, createdAt: now, updatedAt: now };
  const subscriptions: Subscription[] = parsed.subscriptions.map((s) => ({
    ...s,
    statusChangedAt: s.statusChangedAt ?? now,
    revision: 0,
    createdAt: now,
    updatedAt: now,
  }));
  const audit: AuditEvent[] = parsed.audit.map((e) => ({ ...e, id: e.id ?? createId('aud'), at: e.at ?? now }));
  return { order, subscriptions, audit };
}

/**
 * `orders.place` on PostgreSQL: one statement. Its first CTEs lock, in the port's order, the customer,
 * its balance (when there is a debit; a locking read sees the newest balance, whatever the statement's
 * snapshot), then each plan and each target in id order, each only when it has room (the condition is
 * checked again on the newest row after a wait) and only when everything before it was locked. The writes
 * run only when the whole chain held: nothing is written otherwise, and the caller learns from the chain
 * where it broke. The slot counters' locks are the last taken, so they are held only from here to `COMMIT`.
 */
export function orderPlacement({ runner, schema, secretBox }: RepositoryContext) {
  const LEDGER_SKIP = new Set(['balance_after']);

  /** `held`: the percent of `PlaceOptions.last` when the statement carries the `COMMIT`, else `null`. */
  function statement(parsed: ParsedPlacement, rows: ReturnType<typeof storedRows>, now: Date, held: number | null) {
    const shape = [
      schema,
      held === null ? 0 : 1,
      parsed.debit === null ? 0 : 1,
      parsed.plans.length,
      parsed.targets.length,
      rows.subscriptions.length,
      parsed.jobs.length,
      rows.audit.length,
    ].join(' ');
    const known = placementTexts.get(shape);
    const p = new Params(known === undefined);
    const customer = p.add(parsed.order.customerId, 'text');
    const ctes: string[] = [`cust AS MATERIALIZED (SELECT id FROM ${schema}.customers WHERE id = ${customer} FOR NO KEY UPDATE)`];
    const gates: string[] = ['cust'];
    let gate = 'cust';
    const debit = parsed.debit;
    if (debit !== null) {
      const currency = p.add(debit.currency, 'text');
      const amount = p.add(debit.amount, 'bigint');
      ctes.push(
        `bal AS MATERIALIZED (SELECT amount, credit_limit FROM ${schema}.ledger_balances
           WHERE customer_id = ${customer} AND currency = ${currency} AND EXISTS (SELECT 1 FROM cust) FOR NO KEY UPDATE)`,
        `funded AS MATERIALIZED (SELECT amount + ${amount} AS after FROM bal WHERE amount + ${amount} >= -credit_limit)`,
      );
      gates.push('funded');
      gate = 'funded';
    }
    const panelOf = new Map<string, string>();
    for (const s of parsed.subscriptions) {
      const known = panelOf.get(s.targetId);
      if (known !== undefined && known !== s.panelId)
        invalidInput('order placement', 'subscriptions', `target ${s.targetId} named with two panels`);
      panelOf.set(s.targetId, s.panelId);
    }
    parsed.plans.forEach(({ id, count }, i) => {
      const n = p.add(count, 'integer');
      ctes.push(
        `p${i} AS MATERIALIZED (SELECT id FROM ${schema}.plans WHERE id = ${p.add(id, 'text')}
           AND (max_clients IS NULL OR allocated + ${n} <= max_clients) AND EXISTS (SELECT 1 FROM ${gate}) FOR NO KEY UPDATE)`,
      );
      gate = `p${i}`;
      gates.push(gate);
    });
    parsed.targets.forEach(({ id, count }, i) => {
      const n = p.add(count, 'integer');
      ctes.push(
        `t${i} AS MATERIALIZED (SELECT id FROM ${schema}.targets WHERE id = ${p.add(id, 'text')} AND panel_id = ${p.add(panelOf.get(id), 'text')}
           AND (capacity IS NULL OR allocated + ${n} <= capacity) AND EXISTS (SELECT 1 FROM ${gate}) FOR NO KEY UPDATE)`,
      );
      gate = `t${i}`;
      gates.push(gate);
    });
    const ok = `EXISTS (SELECT 1 FROM ${gate})`;
    const slots = (counts: ParsedPlacement['plans']) =>
      `VALUES ${counts.map(({ id, count }) => `(${p.add(id, 'text')}, ${p.add(count, 'integer')})`).join(', ')}`;
    if (parsed.plans.length > 0) {
      ctes.push(
        `plans_taken AS (UPDATE ${schema}.plans AS x SET allocated = x.allocated + v.n FROM (${slots(parsed.plans)}) AS v(id, n)
           WHERE x.id = v.id AND ${ok})`,
        `targets_taken AS (UPDATE ${schema}.targets AS x SET allocated = x.allocated + v.n FROM (${slots(parsed.targets)}) AS v(id, n)
           WHERE x.id = v.id AND ${ok} RETURNING x.id, x.allocated, x.capacity, v.n)`,
      );
    }
    ctes.push(
      `new_order AS (INSERT INTO ${schema}.orders (${names(ORDER_COLUMNS)})
         SELECT * FROM (${valuesOf(p, ORDER_COLUMNS, [rows.order])}) AS v WHERE ${ok})`,
    );
    if (debit !== null) {
      const entry: LedgerEntry = { ...debit, balanceAfter: 0, createdAt: now };
      ctes.push(
        `new_entry AS (INSERT INTO ${schema}.ledger_entries (${names(LEDGER_COLUMNS, LEDGER_SKIP)}, balance_after)
           SELECT v.*, funded.after FROM (${valuesOf(p, LEDGER_COLUMNS, [entry], LEDGER_SKIP)}) AS v, funded WHERE ${ok})`,
        `new_balance AS (UPDATE ${schema}.ledger_balances AS b SET amount = funded.after FROM funded
           WHERE b.customer_id = ${customer} AND b.currency = ${p.add(debit.currency, 'text')} AND ${ok} RETURNING b.amount)`,
      );
    }
    if (rows.subscriptions.length > 0) {
      const values = rows.subscriptions.map(
        (s) =>
          `(${subscriptionParams(secretBox, s)
            .map((v, i) => p.add(v, SUBSCRIPTION_COLUMNS[i]![1]))
            .join(', ')})`,
      );
      ctes.push(
        `new_subscriptions AS (INSERT INTO ${schema}.subscriptions (${names(SUBSCRIPTION_COLUMNS)})
           SELECT * FROM (VALUES ${values.join(', ')}) AS v WHERE ${ok})`,
      );
    }
    if (parsed.jobs.length > 0) {
      const at = enc.time(now);
      const values = parsed.jobs.map(
        (j) =>
          `(${[
            p.add(createSortableId('job', now.getTime()), 'text'),
            p.add(j.type, 'text'),
            p.add(enc.json(j.payload), 'jsonb'),
            p.add(j.dedupeKey, 'text'),
            p.add(j.serialKey, 'text'),
            p.add(j.batchKey, 'text'),
            p.add(j.priority, 'integer'),
            p.add(enc.time(j.runAt ?? now), 'timestamptz'),
            p.add(j.maxAttempts, 'integer'),
            p.add(at, 'timestamptz'),
          ].join(', ')})`,
      );
      // As `jobs.enqueue`: a queued twin of a dedupe key takes the new payload and keys and the earlier run time.
      ctes.push(
        `new_jobs AS (INSERT INTO ${schema}.jobs AS j
           (id, type, payload, dedupe_key, serial_key, batch_key, priority, run_at, max_attempts, state, attempts, created_at, updated_at)
           SELECT v.id, v.type, v.payload, v.dedupe_key, v.serial_key, v.batch_key, v.priority, v.run_at, v.max_attempts, 'queued', 0, v.at, v.at
           FROM (VALUES ${values.join(', ')}) AS v(id, type, payload, dedupe_key, serial_key, batch_key, priority, run_at, max_attempts, at)
           WHERE ${ok}
           ON CONFLICT (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL
           DO UPDATE SET payload = EXCLUDED.payload, serial_key = EXCLUDED.serial_key, batch_key = EXCLUDED.batch_key,
             run_at = LEAST(j.run_at, EXCLUDED.run_at), updated_at = EXCLUDED.updated_at)`,
      );
    }
    if (rows.audit.length > 0) {
      ctes.push(
        `new_audit AS (INSERT INTO ${schema}.audit_events (${names(AUDIT_COLUMNS)})
           SELECT * FROM (${valuesOf(p, AUDIT_COLUMNS, rows.audit)}) AS v WHERE ${ok})`,
      );
    }
    const counts = gates.map((g) => `(SELECT count(*) FROM ${g}) AS ${g}`);
    const after =
      parsed.plans.length > 0
        ? `(SELECT json_agg(json_build_array(id, allocated, capacity)) FROM targets_taken) AS targets`
        : `NULL AS targets`;
    const balance = debit !== null ? `(SELECT amount FROM new_balance) AS balance` : `NULL AS balance`;
    const columns = [...counts, after, balance];
    if (held !== null) {
      // Carrying the COMMIT, it fails where its caller goes on: a broken chain (the refusal is read again in the replay),
      // or a target taken across the percent (the caller audits it). Its message is only built when it fails (a
      // subquery, so the planner cannot fold the cast beforehand).
      const percent = p.add(held, 'numeric');
      const threshold = `ceil(x.capacity * ${percent} / 100)`;
      const crossed =
        parsed.plans.length === 0
          ? ''
          : ` OR EXISTS (SELECT 1 FROM targets_taken x WHERE x.capacity > 0 AND x.allocated >= ${threshold} AND x.allocated - x.n < ${threshold})`;
      columns.push(`CASE WHEN NOT ${ok}${crossed} THEN ('${COMMIT_HELD} ' || (SELECT count(*) FROM cust))::integer END AS held`);
    }
    let text = known;
    if (text === undefined) {
      text = `WITH ${ctes.join(',\n')}\nSELECT ${columns.join(', ')}`;
      if (placementTexts.size >= PLACEMENT_TEXTS_KEPT) placementTexts.clear();
      placementTexts.set(shape, text);
    }
    return { text, params: p.values, gates };
  }

  /**
   * Why the chain broke at `gate`: a typed error, or the slot refusal. A taken idempotency key comes first, as
   * the insert would have found it: the statement waited on the customer's lock for a placement of the same key
   * (a double submit on two replicas) that then committed, and its snapshot, taken before, could not see that
   * order, but this next statement does. The caller replays that order instead of refusing the buyer.
   */
  async function refusal(db: SqlQueryable, parsed: ParsedPlacement, gate: string): Promise<PlaceResult> {
    if (gate === 'cust') throw new NotFoundError('customer', parsed.order.customerId);
    const { idempotencyKey, customerId } = parsed.order;
    const taken = await db.query(`SELECT 1 FROM ${schema}.orders WHERE customer_id = $1 AND idempotency_key = $2`, [
      customerId,
      idempotencyKey,
    ]);
    if (taken.rows[0] !== undefined) throw new ConflictError(`an order with idempotency key ${idempotencyKey} exists`);
    if (gate === 'funded') {
      const debit = parsed.debit!;
      const { rows } = await db.query(
        `SELECT amount, credit_limit FROM ${schema}.ledger_balances WHERE customer_id = $1 AND currency = $2`,
        [debit.customerId, debit.currency],
      );
      const balance = rows[0] === undefined ? 0 : dec.int(rows[0]['amount']);
      const creditLimit = rows[0] === undefined ? 0 : dec.int(rows[0]['credit_limit']);
      throw new InsufficientFundsError(debit.customerId, debit.currency, balance, -debit.amount, { details: { creditLimit } });
    }
    const index = Number(gate.slice(1));
    if (gate.startsWith('p')) {
      const planId = parsed.plans[index]!.id;
      const { rows } = await db.query(`SELECT 1 FROM ${schema}.plans WHERE id = $1`, [planId]);
      if (rows[0] === undefined) throw new NotFoundError('plan', planId);
      return { ok: false, reason: 'plan_full', planId };
    }
    const targetId = parsed.targets[index]!.id;
    const { rows } = await db.query(`SELECT panel_id FROM ${schema}.targets WHERE id = $1`, [targetId]);
    if (rows[0] === undefined) throw new NotFoundError('target', targetId);
    const panelId = parsed.subscriptions.find((s) => s.targetId === targetId)!.panelId;
    if (rows[0]['panel_id'] !== panelId) {
      invalidInput('order placement', 'subscriptions', `target ${targetId} is on panel ${String(rows[0]['panel_id'])}, not ${panelId}`);
    }
    return { ok: false, reason: 'target_full', targetId };
  }

  async function place({ db, now }: Call, placement: OrderPlacement, options: PlaceOptions | undefined): Promise<PlaceResult> {
    const parsed = parsePlacement(placement, createId);
    const rows = storedRows(parsed, now);
    // Nothing follows a placement that takes no target across this percent: the transaction commits with it.
    const held = db.commitWithNext === undefined ? null : (options?.last?.nearlyFullPercent ?? null);
    if (held !== null && !(Number.isFinite(held) && held >= 0))
      invalidInput('order placement', 'last.nearlyFullPercent', 'must be a percent');
    const { text, params, gates } = statement(parsed, rows, now, held);
    if (held !== null) db.commitWithNext!();
    const result = (await db.query(text, params)).rows[0]!;
    const broken = gates.find((g) => dec.int(result[g]) === 0);
    if (broken !== undefined) return refusal(db, parsed, broken);
    const targets: PlacedTarget[] = ((result['targets'] as [string, number, number | null][] | null) ?? []).map(
      ([targetId, allocated, capacity]) => ({
        targetId,
        allocated,
        capacity,
      }),
    );
    return { ok: true, order: rows.order, subscriptions: rows.subscriptions, audit: rows.audit, targets };
  }

  return {
    place: (placement: OrderPlacement, options?: PlaceOptions) =>
      runner.run('orders.place', (call) => place(call, placement, options), { single: true, commits: true }),
  };
}
