import { ConflictError, InsufficientFundsError, NotFoundError, createId } from '@panelkit/sdk';
import { createSortableId } from '@panelkit/sdk/storage';
import { invalidInput, parsePlacement } from '@panelkit/sdk/storage';
import type { AuditEvent, LedgerEntry, Order, Subscription } from '@panelkit/sdk';
import type { OrderPlacement, ParsedPlacement, PlaceOptions, PlaceResult, PlacedTarget } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import type { Column } from '../internal/columns.js';
import { COMMIT_HELD } from '../internal/errors.js';
import type { Call, RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { AUDIT_COLUMNS } from './audit.js';
import { LEDGER_COLUMNS } from './ledger.js';
import { ORDER_COLUMNS } from './order-rows.js';
import { SUBSCRIPTION_COLUMNS, subscriptionParams } from './subscription-rows.js';

/** What the statement's values are read from: one checkout's rows, encoded once where several columns share them. */
interface Input {
  readonly parsed: ParsedPlacement;
  readonly rows: ReturnType<typeof storedRows>;
  readonly now: Date;
  /** The percent of `PlaceOptions.last` when the statement carries the `COMMIT`, else `null`. */
  readonly held: number | null;
  /** The debit as its row, its `balance_after` left to the statement. */
  readonly entry: LedgerEntry | null;
  /** Each new subscription's parameters (`subscriptionParams`, its credentials sealed). */
  readonly subscriptions: readonly unknown[][];
  /** The panel of each target the subscriptions name (one each, checked in `inputOf`). */
  readonly panelOf: ReadonlyMap<string, string>;
  /** `now` encoded. */
  readonly at: string;
}

/** How one parameter is read from a placement: the statement's shape says which, the input what. */
type Read = (input: Input) => unknown;

/**
 * A statement's text and how to read its parameters from a placement of its shape, built together by one pass:
 * `add(read, 'text')` is `$n::text`, and `read` gives `$n`'s value for any placement of the shape.
 */
class Params {
  readonly reads: Read[] = [];
  add(read: Read, cast: string): string {
    this.reads.push(read);
    return `$${this.reads.length}::${cast}`;
  }
}

/** `VALUES (…), (…)` of `count` rows (`rowOf`), every column of `columns` but those in `skip`, as cast parameters. */
function valuesOf<T>(
  params: Params,
  columns: readonly Column<T>[],
  count: number,
  rowOf: (input: Input, r: number) => T,
  skip: ReadonlySet<string> = new Set(),
): string {
  const kept = columns.filter(([name]) => !skip.has(name));
  const rows = Array.from(
    { length: count },
    (_, r) => `(${kept.map(([, cast, value]) => params.add((x) => value(rowOf(x, r)), cast)).join(', ')})`,
  );
  return `VALUES ${rows.join(', ')}`;
}

function names<T>(columns: readonly Column<T>[], skip: ReadonlySet<string> = new Set()): string {
  return columns
    .map(([name]) => name)
    .filter((name) => !skip.has(name))
    .join(', ');
}

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

/** The placement statement of one shape: its text, its parameters' reads in order, and the gates its row counts. */
interface Shape {
  readonly text: string;
  readonly reads: readonly Read[];
  readonly gates: readonly string[];
}

const LEDGER_SKIP = new Set(['balance_after']);

/**
 * The placement statement of `input`'s shape (its schema and the counts it is built from; see `shapeKey`). Its first
 * CTEs lock, in the port's order, the customer, its balance (when there is a debit; a locking read sees the newest
 * balance, whatever the statement's snapshot), then each plan and each target in id order, each only when it has
 * room (the condition is checked again on the newest row after a wait) and only when everything before it was
 * locked. The writes run only when the whole chain held: nothing is written otherwise, and the caller learns from
 * the chain where it broke. The slot counters' locks are the last taken, so they are held only from here to `COMMIT`.
 */
function buildShape(schema: string, input: Input): Shape {
  const { parsed, rows, held } = input;
  const p = new Params();
  const customer = p.add((x) => x.parsed.order.customerId, 'text');
  const ctes: string[] = [`cust AS MATERIALIZED (SELECT id FROM ${schema}.customers WHERE id = ${customer} FOR NO KEY UPDATE)`];
  const gates: string[] = ['cust'];
  let gate = 'cust';
  const debit = parsed.debit !== null;
  if (debit) {
    const currency = p.add((x) => x.parsed.debit!.currency, 'text');
    const amount = p.add((x) => x.parsed.debit!.amount, 'bigint');
    ctes.push(
      `bal AS MATERIALIZED (SELECT amount, credit_limit FROM ${schema}.ledger_balances
         WHERE customer_id = ${customer} AND currency = ${currency} AND EXISTS (SELECT 1 FROM cust) FOR NO KEY UPDATE)`,
      `funded AS MATERIALIZED (SELECT amount + ${amount} AS after FROM bal WHERE amount + ${amount} >= -credit_limit)`,
    );
    gates.push('funded');
    gate = 'funded';
  }
  parsed.plans.forEach((_, i) => {
    const n = p.add((x) => x.parsed.plans[i]!.count, 'integer');
    ctes.push(
      `p${i} AS MATERIALIZED (SELECT id FROM ${schema}.plans WHERE id = ${p.add((x) => x.parsed.plans[i]!.id, 'text')}
         AND (max_clients IS NULL OR allocated + ${n} <= max_clients) AND EXISTS (SELECT 1 FROM ${gate}) FOR NO KEY UPDATE)`,
    );
    gate = `p${i}`;
    gates.push(gate);
  });
  parsed.targets.forEach((_, i) => {
    const n = p.add((x) => x.parsed.targets[i]!.count, 'integer');
    const id = p.add((x) => x.parsed.targets[i]!.id, 'text');
    const panel = p.add((x) => x.panelOf.get(x.parsed.targets[i]!.id), 'text');
    ctes.push(
      `t${i} AS MATERIALIZED (SELECT id FROM ${schema}.targets WHERE id = ${id} AND panel_id = ${panel}
         AND (capacity IS NULL OR allocated + ${n} <= capacity) AND EXISTS (SELECT 1 FROM ${gate}) FOR NO KEY UPDATE)`,
    );
    gate = `t${i}`;
    gates.push(gate);
  });
  const ok = `EXISTS (SELECT 1 FROM ${gate})`;
  const slots = (counts: (x: Input) => ParsedPlacement['plans'], length: number) =>
    `VALUES ${Array.from(
      { length },
      (_, i) => `(${p.add((x) => counts(x)[i]!.id, 'text')}, ${p.add((x) => counts(x)[i]!.count, 'integer')})`,
    ).join(', ')}`;
  if (parsed.plans.length > 0) {
    ctes.push(
      `plans_taken AS (UPDATE ${schema}.plans AS x SET allocated = x.allocated + v.n FROM (${slots((x) => x.parsed.plans, parsed.plans.length)}) AS v(id, n)
         WHERE x.id = v.id AND ${ok})`,
      `targets_taken AS (UPDATE ${schema}.targets AS x SET allocated = x.allocated + v.n FROM (${slots((x) => x.parsed.targets, parsed.targets.length)}) AS v(id, n)
         WHERE x.id = v.id AND ${ok} RETURNING x.id, x.allocated, x.capacity, v.n)`,
    );
  }
  ctes.push(
    `new_order AS (INSERT INTO ${schema}.orders (${names(ORDER_COLUMNS)})
       SELECT * FROM (${valuesOf(p, ORDER_COLUMNS, 1, (x) => x.rows.order)}) AS v WHERE ${ok})`,
  );
  if (debit) {
    ctes.push(
      `new_entry AS (INSERT INTO ${schema}.ledger_entries (${names(LEDGER_COLUMNS, LEDGER_SKIP)}, balance_after)
         SELECT v.*, funded.after FROM (${valuesOf(p, LEDGER_COLUMNS, 1, (x) => x.entry!, LEDGER_SKIP)}) AS v, funded WHERE ${ok})`,
      `new_balance AS (UPDATE ${schema}.ledger_balances AS b SET amount = funded.after FROM funded
         WHERE b.customer_id = ${customer} AND b.currency = ${p.add((x) => x.parsed.debit!.currency, 'text')} AND ${ok} RETURNING b.amount)`,
    );
  }
  if (rows.subscriptions.length > 0) {
    const values = rows.subscriptions.map(
      (_, r) => `(${SUBSCRIPTION_COLUMNS.map(([, cast], c) => p.add((x) => x.subscriptions[r]![c], cast)).join(', ')})`,
    );
    ctes.push(
      `new_subscriptions AS (INSERT INTO ${schema}.subscriptions (${names(SUBSCRIPTION_COLUMNS)})
         SELECT * FROM (VALUES ${values.join(', ')}) AS v WHERE ${ok})`,
    );
  }
  if (parsed.jobs.length > 0) {
    const values = parsed.jobs.map((_, i) => {
      const job = (x: Input) => x.parsed.jobs[i]!;
      return `(${[
        p.add((x) => createSortableId('job', x.now.getTime()), 'text'),
        p.add((x) => job(x).type, 'text'),
        p.add((x) => enc.json(job(x).payload), 'jsonb'),
        p.add((x) => job(x).dedupeKey, 'text'),
        p.add((x) => job(x).serialKey, 'text'),
        p.add((x) => job(x).batchKey, 'text'),
        p.add((x) => job(x).priority, 'integer'),
        p.add((x) => enc.time(job(x).runAt ?? x.now), 'timestamptz'),
        p.add((x) => job(x).maxAttempts, 'integer'),
        p.add((x) => x.at, 'timestamptz'),
      ].join(', ')})`;
    });
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
         SELECT * FROM (${valuesOf(p, AUDIT_COLUMNS, rows.audit.length, (x, r) => x.rows.audit[r]!)}) AS v WHERE ${ok})`,
    );
  }
  const counts = gates.map((g) => `(SELECT count(*) FROM ${g}) AS ${g}`);
  const after =
    parsed.plans.length > 0
      ? `(SELECT json_agg(json_build_array(id, allocated, capacity)) FROM targets_taken) AS targets`
      : `NULL AS targets`;
  const balance = debit ? `(SELECT amount FROM new_balance) AS balance` : `NULL AS balance`;
  const columns = [...counts, after, balance];
  if (held !== null) {
    // Carrying the COMMIT, it fails where its caller goes on: a broken chain (the refusal is read again in the replay),
    // or a target taken across the percent (the caller audits it). Its message is only built when it fails (a
    // subquery, so the planner cannot fold the cast beforehand).
    const percent = p.add((x) => x.held, 'numeric');
    const threshold = `ceil(x.capacity * ${percent} / 100)`;
    const crossed =
      parsed.plans.length === 0
        ? ''
        : ` OR EXISTS (SELECT 1 FROM targets_taken x WHERE x.capacity > 0 AND x.allocated >= ${threshold} AND x.allocated - x.n < ${threshold})`;
    columns.push(`CASE WHEN NOT ${ok}${crossed} THEN ('${COMMIT_HELD} ' || (SELECT count(*) FROM cust))::integer END AS held`);
  }
  return { text: `WITH ${ctes.join(',\n')}\nSELECT ${columns.join(', ')}`, reads: p.reads, gates };
}

/** What `buildShape`'s text depends on besides the schema: the same key, the same text and reads. */
function shapeKey(schema: string, { parsed, rows, held }: Input): string {
  return `${schema} ${held === null ? 0 : 1} ${parsed.debit === null ? 0 : 1} ${parsed.plans.length} ${parsed.targets.length} ${rows.subscriptions.length} ${parsed.jobs.length} ${rows.audit.length}`;
}

/**
 * The placement statements by their schema and shape, each built once: a checkout neither builds its text again nor
 * hashes it again to find its prepared statement (`statementName`), and reads its ~80 values straight off its rows.
 * A transaction's repositories are made for it, hence here; a shop sells in a few shapes (most orders are one plan).
 */
const shapes = new Map<string, Shape>();
const SHAPES_KEPT = 256;

/** `orders.place` on PostgreSQL: one statement (see `buildShape`). */
export function orderPlacement({ runner, schema, secretBox }: RepositoryContext) {
  /** What the statement reads: the rows encoded, the subscriptions' credentials sealed, each target's one panel. */
  function inputOf(parsed: ParsedPlacement, now: Date, held: number | null): Input {
    const panelOf = new Map<string, string>();
    for (const s of parsed.subscriptions) {
      const known = panelOf.get(s.targetId);
      if (known !== undefined && known !== s.panelId)
        invalidInput('order placement', 'subscriptions', `target ${s.targetId} named with two panels`);
      panelOf.set(s.targetId, s.panelId);
    }
    const rows = storedRows(parsed, now);
    const debit = parsed.debit;
    return {
      parsed,
      rows,
      now,
      held,
      entry: debit === null ? null : { ...debit, balanceAfter: 0, createdAt: now },
      subscriptions: rows.subscriptions.map((s) => subscriptionParams(secretBox, s)),
      panelOf,
      at: enc.time(now),
    };
  }

  function statement(input: Input) {
    const key = shapeKey(schema, input);
    let shape = shapes.get(key);
    if (shape === undefined) {
      shape = buildShape(schema, input);
      if (shapes.size >= SHAPES_KEPT) shapes.clear();
      shapes.set(key, shape);
    }
    const { text, reads, gates } = shape;
    const params = new Array<unknown>(reads.length);
    for (let i = 0; i < reads.length; i++) params[i] = reads[i]!(input);
    return { text, params, gates };
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
    // Nothing follows a placement that takes no target across this percent: the transaction commits with it.
    const held = db.commitWithNext === undefined ? null : (options?.last?.nearlyFullPercent ?? null);
    if (held !== null && !(Number.isFinite(held) && held >= 0))
      invalidInput('order placement', 'last.nearlyFullPercent', 'must be a percent');
    const input = inputOf(parsed, now, held);
    const { text, params, gates } = statement(input);
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
    const { rows } = input;
    return { ok: true, order: rows.order, subscriptions: rows.subscriptions, audit: rows.audit, targets };
  }

  return {
    place: (placement: OrderPlacement, options?: PlaceOptions) =>
      runner.run('orders.place', (call) => place(call, placement, options), { single: true, commits: true }),
  };
}
