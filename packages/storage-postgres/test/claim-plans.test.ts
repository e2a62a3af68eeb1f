import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { CLAIM_IN_INDEX_ORDER, claimPickStatements } from '../src/repositories/job-claim-pick.js';
import { rowsRead, seedClaimQueue } from './claims-fixture.js';
import type { ClaimQueue, PlanNode } from './claims-fixture.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

const HELD = 10_000;
const LIMIT = 10;

/**
 * What a claim reads does not grow with a held key's queue, nor with the number of free keys while the queue's
 * head is claimable: the pick statement's `EXPLAIN ANALYZE` rows, summed over its nodes, stay far below either.
 * (Timing is in bench/claims-serial.)
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(`claim plans${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`, () => {
  let pool: pg.Pool;
  const schemas: string[] = [];

  beforeAll(() => {
    pool = newPool(2);
  });

  afterAll(async () => {
    for (const schema of schemas) await dropSchema(fromPgPool(pool), schema);
    await pool.end();
  });

  async function queueIn(queue: ClaimQueue, options?: { analyze?: boolean }): Promise<string> {
    const schema = uniqueSchema();
    schemas.push(schema);
    await migrate(fromPgPool(pool), { schema });
    await seedClaimQueue(fromPgPool(pool), schema, queue, options);
    return schema;
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
      const explain = async (statement: string) => {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, params);
        return rowsRead(rows[0]!['QUERY PLAN'][0].Plan);
      };
      const blocked = (await client.query(walk, params)).rows.some((r) => r.id === null);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(CLAIM_IN_INDEX_ORDER, ['off']);
      return (await explain(walk)) + (blocked ? await explain(pastHeld) : 0);
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
      const { rows } = await connection.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${claims[0]!.text}`, [
        ...claims[0]!.params,
      ]);
      const scans = nodesOf(rows[0]!['QUERY PLAN'][0].Plan, 'Tid Scan');
      expect(scans.map((n) => [n['Actual Loops'], n['Actual Rows']])).toEqual([[1, LIMIT]]);
    } finally {
      await connection.query('ROLLBACK');
      connection.release();
    }
  }, 60_000);
});
