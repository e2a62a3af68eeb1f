import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ConflictError, StorageMisuseError, defineHostJob, enqueueHostJob, withAuditOutbox } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { ManualClock } from '@panelkit/sdk/testing';
import type { SqlClient } from '../src/index.js';
import { fromPgPool, transactionSql } from '../src/index.js';
import { newPool, recordStatements, SKIP_REAL_SERVER, sharedPGlite, storageInFreshSchema, type StorageInSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

async function fresh() {
  const client: SqlClient = await pglite.client();
  const { storage, schema, cleanup } = await storageInFreshSchema(client, new ManualClock('2026-03-01T00:00:00.000Z'));
  return { storage, schema, client, cleanup };
}

const notice = defineHostJob({ type: 'test.notice', payload: JsonObjectSchema, run: async () => {} });

describe('transactionSql: the host writes its own tables in the storage transaction', () => {
  it('a host row and the host job it causes commit together, and roll back together', async () => {
    const { storage, client, schema, cleanup } = await fresh();
    await client.query(`CREATE TABLE "${schema}".host_orders (id text PRIMARY KEY)`);
    const place = (id: string, fail: boolean) =>
      storage.transaction(async (tx) => {
        await transactionSql(tx).query(`INSERT INTO "${schema}".host_orders (id) VALUES ($1)`, [id]);
        await enqueueHostJob(tx, notice, { id }, { key: `order:${id}` });
        if (fail) throw new Error('the cause failed');
      });
    await expect(place('o1', true)).rejects.toThrow('the cause failed');
    await place('o2', false);
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "${schema}".host_orders`);
    expect(rows.map((r) => r.id)).toEqual(['o2']);
    const jobs = await storage.jobs.list({ type: 'test.notice' }, { limit: 10 });
    expect(jobs.items.map((j) => j.payload['id'])).toEqual(['o2']);
    await cleanup();
  });

  it('a failing host statement changes nothing and the transaction goes on; it works through withAuditOutbox too', async () => {
    const { storage, client, schema, cleanup } = await fresh();
    await client.query(`CREATE TABLE "${schema}".host_orders (id text PRIMARY KEY)`);
    const hooked = withAuditOutbox(storage, async () => {});
    await hooked.transaction(async (tx) => {
      const sql = transactionSql(tx);
      await sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('a')`);
      await expect(sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('a')`)).rejects.toThrow();
      await sql.query(`INSERT INTO "${schema}".host_orders (id) VALUES ('b')`);
    });
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "${schema}".host_orders ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    await cleanup();
  });

  it('refuses a transaction of another storage', async () => {
    await createMemoryStorage().transaction(async (tx) => {
      expect(() => transactionSql(tx)).toThrow(StorageMisuseError);
    });
  });
});

describe.skipIf(SKIP_REAL_SERVER)('transactionSql on fromPgPool: a host write deferred (real server)', () => {
  let pool: pg.Pool;
  let sent: string[];
  let opened: StorageInSchema;
  const insert = () => `INSERT INTO ${opened.schema}.host_marks (id) VALUES ($1)`;
  const marks = async () => (await pool.query(`SELECT id FROM ${opened.schema}.host_marks ORDER BY id`)).rows.map((r) => r.id as string);

  beforeAll(async () => {
    // One connection: every statement of a transaction is recorded on it.
    pool = newPool(1);
    sent = recordStatements(pool);
    opened = await storageInFreshSchema(fromPgPool(pool), new ManualClock('2026-03-01T00:00:00.000Z'));
    await pool.query(`CREATE TABLE ${opened.schema}.host_marks (id text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${opened.schema}.host_marks`);
    await opened.cleanup();
    await pool.end();
  });

  it("rides with a job's completion and the COMMIT: BEGIN, the host write, the completion and COMMIT in one round trip", async () => {
    const { job } = await enqueueHostJob(opened.storage, notice, { n: 1 });
    const [claimed] = await opened.storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, types: ['test.notice'] });
    expect(claimed?.job.id).toBe(job.id);
    sent.length = 0;
    const held = await opened.storage.transaction(async (tx) => {
      const sql = transactionSql(tx);
      expect(sql.defer).toBeTypeOf('function');
      sql.defer!(insert(), ['sent-1']);
      return tx.jobs.completeMany([claimed!.lease]);
    });
    expect(held).toEqual([claimed!.lease]);
    expect(sent).toHaveLength(1);
    expect(await marks()).toEqual(['sent-1']);
    expect((await opened.storage.jobs.get(job.id))?.state).toBe('succeeded');
  });

  it('one the database refuses replays the transaction under savepoints, where the host writes by query and sees its refusal at its call', async () => {
    await pool.query(`INSERT INTO ${opened.schema}.host_marks (id) VALUES ('taken')`);
    const runs: boolean[] = [];
    let refused: unknown;
    await opened.storage.transaction(async (tx) => {
      const sql = transactionSql(tx);
      runs.push(sql.defer !== undefined);
      if (sql.defer !== undefined) sql.defer(insert(), ['taken']);
      else refused = await sql.query(insert(), ['taken']).catch((error: unknown) => error);
      await sql.query(insert(), ['after']);
    });
    expect(runs).toEqual([true, false]);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(await marks()).toEqual(['after', 'sent-1', 'taken']);
  });

  it('refuses a defer after its transaction ended', async () => {
    let sql: ReturnType<typeof transactionSql> | undefined;
    await opened.storage.transaction(async (tx) => {
      sql = transactionSql(tx);
    });
    expect(() => sql!.defer!(insert(), ['late'])).toThrow(StorageMisuseError);
    expect(await marks()).not.toContain('late');
  });
});
