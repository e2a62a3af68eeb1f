import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { CLAIM_IN_INDEX_ORDER, claimPickStatements } from '../src/repositories/job-claim-pick.js';
import { rowsRead, seedClaimQueue } from './claims-fixture.js';
import type { ClaimQueue, PlanNode } from './claims-fixture.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const HELD = 10_000;
const LIMIT = 10;

/**
 * What a claim reads does not grow with a held key's queue, nor with the number of free keys while the queue's
 * head is claimable: the pick statement's `EXPLAIN ANALYZE` rows, summed over its nodes, stay far below either.
 * (Timing is in bench/claims-serial.)
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(`claim plans${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`, () => {
  let pool: pg.Pool;
  /** Each queue's schema, taken from the pool of migrated schemas and given back after the file. */
  const taken: Array<() => Promise<void>> = [];

  beforeAll(() => {
    pool = newPool(2);
  });

  afterAll(async () => {
    for (const giveBack of taken) await giveBack();
    await pool.end();
  });

  async function queueIn(queue: ClaimQueue, options?: { analyze?: boolean }): Promise<string> {
    const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool));
    taken.push(giveBack);
    await seedClaimQueue(fromPgPool(pool), schema, queue, options);
    return schema;
  }

  /** `value` as an SQL literal (an `EXECUTE`'s arguments cannot be the protocol's parameters). */
  function literal(value: unknown): string {
    if (value === null) return 'NULL';
    if (typeof value === 'number') return String(value);
    const text = value instanceof Date ? value.toISOString() : value;
    if (typeof text !== 'string') throw new Error(`no literal for ${String(value)}`);
    return `'${text.replaceAll("'", "''")}'`;
  }

  let prepared = 0;

  /**
   * `statement`'s plan as a claim runs it, in `connection`'s transaction after `CLAIM_IN_INDEX_ORDER`: prepared, so
   * under the claim's settings the generic plan, made without the parameters' values.
   */
  async function claimPlan(connection: pg.PoolClient, statement: string, params: readonly unknown[]): Promise<Record<string, unknown>> {
    const name = `claim_plan_${++prepared}`;
    await connection.query(`PREPARE ${name} AS ${statement}`);
    const { rows } = await connection.query<{ 'QUERY PLAN': [Record<string, unknown>] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${name}(${params.map(literal).join(', ')})`,
    );
    await connection.query(`DEALLOCATE ${name}`);
    return rows[0]!['QUERY PLAN'][0];
  }

  /**
   * The rows a claim's pick reads on `schema`'s queue (both statements when the first says the head is held), planned
   * as in a claim's transaction (`CLAIM_IN_INDEX_ORDER`).
   */
  async function rowsOfPick(schema: string): Promise<number> {
    const { walk, pastHeld } = claimPickStatements(`"${schema}".jobs`);
    const params = [new Date(), null, LIMIT, LIMIT];
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(CLAIM_IN_INDEX_ORDER, ['off']);
      const read = async (statement: string) => rowsRead((await claimPlan(client, statement, params))['Plan'] as PlanNode);
      const blocked = (await client.query(walk, params)).rows.some((r) => r.id === null);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(CLAIM_IN_INDEX_ORDER, ['off']);
      return (await read(walk)) + (blocked ? await read(pastHeld) : 0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it(`goes past a held key's ${HELD} queued jobs without reading them`, async () => {
    const schema = await queueIn({ held: HELD, freeKeys: 30, unkeyed: 30 });
    const claimed = await createPostgresStorage({ client: fromPgPool(pool), schema }).jobs.claim({
      workerId: 'w',
      limit: LIMIT,
      leaseMs: 60_000,
    });
    expect(claimed).toHaveLength(LIMIT);
    expect(claimed.every((c) => c.job.serialKey !== 'held')).toBe(true);
    expect(await rowsOfPick(schema)).toBeLessThan(HELD / 4);
  }, 60_000);

  it(`reads the head of the queue, not all ${HELD} due jobs, on a table without statistics (new, or truncated)`, async () => {
    const schema = await queueIn({ held: 0, freeKeys: 0, unkeyed: HELD }, { analyze: false });
    expect(await rowsOfPick(schema)).toBeLessThan(HELD / 4);
  }, 60_000);

  it('reads the head of the queue, not every free key, when the head is claimable', async () => {
    const schema = await queueIn({ held: 0, freeKeys: HELD, unkeyed: 0 });
    expect(await rowsOfPick(schema)).toBeLessThan(HELD / 4);
  }, 60_000);

  /** The nodes of `node`'s plan, itself included, of `type`. */
  function nodesOf(node: PlanNode & { 'Node Type'?: string }, type: string): PlanNode[] {
    const own = node['Node Type'] === type ? [node] : [];
    return [...own, ...(node.Plans ?? []).flatMap((child) => nodesOf(child, type))];
  }

  it('marks the picked jobs running through one TID scan, not one a job (each rescan asks the kernel for the table size)', async () => {
    // Past a few hundred rows: on a smaller table the planner rightly reads the few pages instead.
    const schema = await queueIn({ held: 0, freeKeys: 0, unkeyed: 5000 });
    const client = fromPgPool(pool);
    const claims: { text: string; params: readonly unknown[] }[] = [];
    // The claim's statement and parameters, as the storage sends them.
    const recording: SqlClient = {
      concurrent: true,
      query: (text, params) => client.query(text, params),
      transaction: (fn) =>
        client.transaction((connection) =>
          fn({
            query: (text, params) => {
              if (text.includes('SKIP LOCKED')) claims.push({ text, params: params ?? [] });
              return connection.query(text, params);
            },
          }),
        ),
    };
    const claimed = await createPostgresStorage({ client: recording, schema }).jobs.claim({ workerId: 'w', limit: LIMIT, leaseMs: 60_000 });
    expect(claimed).toHaveLength(LIMIT);
    expect(claims).toHaveLength(1);
    const connection = await pool.connect();
    try {
      await connection.query('BEGIN');
      await connection.query(CLAIM_IN_INDEX_ORDER, ['off']);
      const plan = await claimPlan(connection, claims[0]!.text, claims[0]!.params);
      const scans = nodesOf(plan['Plan'] as PlanNode, 'Tid Scan');
      expect(scans.map((n) => [n['Actual Loops'], n['Actual Rows']])).toEqual([[1, LIMIT]]);
    } finally {
      await connection.query('ROLLBACK');
      connection.release();
    }
  }, 60_000);
  it('plans the claim once a connection: every claim runs the generic plan, none is planned for its parameters', async () => {
    const schema = await queueIn({ held: 0, freeKeys: 0, unkeyed: 100 });
    // One connection, so that the storage's prepared statements are this pool's.
    const single = newPool(1);
    try {
      const storage = createPostgresStorage({ client: fromPgPool(single), schema });
      for (let i = 0; i < 3; i++) {
        expect(await storage.jobs.claim({ workerId: 'w', limit: LIMIT, leaseMs: 60_000 })).toHaveLength(LIMIT);
      }
      const { rows } = await single.query<{ generic_plans: string; custom_plans: string }>(
        `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%SKIP LOCKED%'`,
      );
      expect(rows.map((r) => [Number(r.generic_plans), Number(r.custom_plans)])).toEqual([[3, 0]]);
    } finally {
      await single.end();
    }
  }, 60_000);

  it('compiles no claim with JIT, however costly its plan looks', async (context) => {
    const schema = await queueIn({ held: 0, freeKeys: 0, unkeyed: 100 });
    const connection = await pool.connect();
    try {
      const { rows } = await connection.query<{ available: boolean }>('SELECT pg_jit_available() AS available');
      if (rows[0]?.available !== true) context.skip();
      await connection.query('BEGIN');
      // Every plan past the threshold, as a claim's generic plan over a long queue is (100 000 jobs: cost 160 000).
      await connection.query(`SET LOCAL jit_above_cost = 0`);
      await connection.query(CLAIM_IN_INDEX_ORDER, ['off']);
      const plan = await claimPlan(connection, claimPickStatements(`"${schema}".jobs`).walk, [new Date(), null, LIMIT, LIMIT]);
      expect(plan['JIT']).toBeUndefined();
    } finally {
      await connection.query('ROLLBACK');
      connection.release();
    }
  }, 60_000);
});
