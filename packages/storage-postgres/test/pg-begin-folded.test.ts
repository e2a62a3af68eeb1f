import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { fromPgPool } from '../src/index.js';
import { DATABASE_URL, newPool, recordStatements, SKIP_REAL_SERVER, uniqueSchema } from './helpers.js';

describe.skipIf(SKIP_REAL_SERVER)('fromPgPool: BEGIN in the round trip of the first statement (real server)', () => {
  const schema = uniqueSchema();
  let pool: pg.Pool;
  let sent: string[];
  beforeAll(async () => {
    // One connection: the statements after a transaction run on the connection it used.
    pool = newPool(1);
    sent = recordStatements(pool);
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL)`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('runs every statement in one transaction, answers each with its own rows, and sends no BEGIN alone', async () => {
    const client = fromPgPool(pool);
    sent.length = 0;
    const result = await client.transaction(async (db) => {
      const first = await db.query<{ xid: string; id: number }>(
        `INSERT INTO ${schema}.items (id, name) VALUES ($1, $2) RETURNING id, pg_current_xact_id()::text AS xid`,
        [1, 'one'],
      );
      const second = await db.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      return { first: first.rows, second: second.rows };
    });
    expect(result.first).toEqual([{ id: 1, xid: result.second[0]!.xid }]);
    expect(sent.filter((text) => /^\s*BEGIN/i.test(text))).toEqual([]);
    expect(sent.filter((text) => /^\s*COMMIT/i.test(text))).toHaveLength(1);
    const { rows } = await pool.query(`SELECT name FROM ${schema}.items WHERE id = 1`);
    expect(rows).toEqual([{ name: 'one' }]);
  });

  it('is a transaction from its first statement: a throw after it rolls that statement back', async () => {
    const client = fromPgPool(pool);
    await expect(
      client.transaction(async (db) => {
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES (2, 'two')`);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = 2`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('a first statement the database fails rejects with its error and leaves the connection clean for the next', async () => {
    const client = fromPgPool(pool);
    await expect(client.transaction((db) => db.query(`INSERT INTO ${schema}.items (id, name) VALUES (1, 'again')`))).rejects.toMatchObject({
      code: '23505',
    });
    // The same connection, outside any transaction: what it writes is committed at once, so another connection sees it.
    await pool.query(`INSERT INTO ${schema}.items (id, name) VALUES (3, 'three')`);
    const other = new pg.Client({ connectionString: DATABASE_URL });
    await other.connect();
    try {
      expect((await other.query(`SELECT name FROM ${schema}.items WHERE id = 3`)).rows).toEqual([{ name: 'three' }]);
    } finally {
      await other.end();
    }
    const { rows } = await pool.query(`SELECT name FROM ${schema}.items WHERE id = 1`);
    expect(rows).toEqual([{ name: 'one' }]);
  });

  it('a first statement without parameters may be a script of several commands (BEGIN goes alone before it)', async () => {
    const client = fromPgPool(pool);
    await client.transaction((db) =>
      db.query(`INSERT INTO ${schema}.items (id, name) VALUES (4, 'four'); INSERT INTO ${schema}.items (id, name) VALUES (5, 'five')`),
    );
    const { rows } = await pool.query(`SELECT id FROM ${schema}.items WHERE id IN (4, 5) ORDER BY id`);
    expect(rows).toEqual([{ id: 4 }, { id: 5 }]);
  });

  it('sendAhead: the command runs in the transaction, in the round trip of the next statement with parameters', async () => {
    const client = fromPgPool(pool);
    sent.length = 0;
    const result = await client.transaction(async (db) => {
      expect(db.sendAhead).toBeTypeOf('function');
      db.sendAhead!(`SET LOCAL statement_timeout = '4321ms'`);
      const first = await db.query<{ timeout: string }>('SELECT current_setting($1) AS timeout', ['statement_timeout']);
      db.sendAhead!(`SET LOCAL statement_timeout = '1234ms'`);
      // A statement without parameters goes alone, after the commands ahead of it.
      const second = await db.query<{ timeout: string }>(`SELECT current_setting('statement_timeout') AS timeout`);
      return [first.rows[0]!.timeout, second.rows[0]!.timeout];
    });
    expect(result).toEqual(['4321ms', '1234ms']);
    // Only the first command was sent with its statement (and `BEGIN`); `SET LOCAL` ended with the transaction.
    expect(sent.filter((text) => /^\s*(BEGIN|SET)/i.test(text))).toEqual([`SET LOCAL statement_timeout = '1234ms'`]);
    expect((await pool.query('SELECT current_setting($1) AS timeout', ['statement_timeout'])).rows).not.toEqual([{ timeout: '4321ms' }]);
  });

  it('sendAhead: a command the database fails rejects the statement after it, which does not run', async () => {
    const client = fromPgPool(pool);
    await expect(
      client.transaction(async (db) => {
        db.sendAhead!(`SET LOCAL enable_bitmapscan = 'sometimes'`);
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [6, 'six']);
      }),
    ).rejects.toThrow(/enable_bitmapscan/);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = 6`);
    expect(rows).toEqual([{ n: 0 }]);
    // The connection is clean for the next caller.
    expect(await client.transaction(async (db) => (await db.query<{ n: number }>('SELECT $1::int AS n', [7])).rows)).toEqual([{ n: 7 }]);
  });

  it('commitWithNext: the next statement carries the COMMIT, and the transaction sends none of its own', async () => {
    const client = fromPgPool(pool);
    sent.length = 0;
    const xids = await client.transaction(async (db) => {
      const first = await db.query<{ xid: string }>(
        `INSERT INTO ${schema}.items (id, name) VALUES ($1, $2) RETURNING pg_current_xact_id()::text AS xid`,
        [8, 'eight'],
      );
      db.commitWithNext!();
      const last = await db.query<{ xid: string }>(
        `INSERT INTO ${schema}.items (id, name) VALUES ($1, $2) RETURNING pg_current_xact_id()::text AS xid`,
        [9, 'nine'],
      );
      // Over: nothing more may be sent in it.
      await expect(db.query('SELECT $1::int AS n', [1])).rejects.toThrow(/committed with its last statement/);
      return [first.rows[0]!.xid, last.rows[0]!.xid];
    });
    expect(xids[0]).toBe(xids[1]);
    expect(sent.filter((text) => /^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(text))).toEqual([]);
    // Committed: seen from another connection, and the pool's one connection is outside any transaction.
    const other = new pg.Client({ connectionString: DATABASE_URL });
    await other.connect();
    try {
      expect((await other.query(`SELECT id FROM ${schema}.items WHERE id IN (8, 9) ORDER BY id`)).rows).toEqual([{ id: 8 }, { id: 9 }]);
    } finally {
      await other.end();
    }
    expect((await pool.query(`SELECT now() = statement_timestamp() AS alone`)).rows).toEqual([{ alone: true }]);
  });

  it('commitWithNext: a statement the database fails commits nothing (the transaction is rolled back)', async () => {
    const client = fromPgPool(pool);
    await expect(
      client.transaction(async (db) => {
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [10, 'ten']);
        db.commitWithNext!();
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [1, 'a duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = 10`)).rows).toEqual([{ n: 0 }]);
    expect(await client.transaction(async (db) => (await db.query<{ n: number }>('SELECT $1::int AS n', [11])).rows)).toEqual([{ n: 11 }]);
  });

  it('commitWithNext: a parameter that cannot be encoded sends no COMMIT, and what came before is rolled back', async () => {
    const client = fromPgPool(pool);
    const unencodable = {
      toPostgres: () => {
        throw new Error('cannot encode');
      },
    };
    await expect(
      client.transaction(async (db) => {
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [12, 'twelve']);
        db.commitWithNext!();
        await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [13, unencodable]);
      }),
    ).rejects.toThrow('cannot encode');
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id IN (12, 13)`)).rows).toEqual([{ n: 0 }]);
  });

  it('commitWithNext: a next statement without parameters carries nothing, and the transaction commits at its end', async () => {
    const client = fromPgPool(pool);
    sent.length = 0;
    await client.transaction(async (db) => {
      db.commitWithNext!();
      await db.query(`INSERT INTO ${schema}.items (id, name) VALUES (14, 'fourteen')`);
      await db.query(`INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`, [15, 'fifteen']);
    });
    expect(sent.filter((text) => /^\s*COMMIT/i.test(text))).toHaveLength(1);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id IN (14, 15)`)).rows).toEqual([{ n: 2 }]);
  });

  it('a transaction that sends no statement sends nothing at all', async () => {
    const client = fromPgPool(pool);
    sent.length = 0;
    expect(await client.transaction(async () => 'nothing')).toBe('nothing');
    await expect(
      client.transaction(async () => {
        throw new Error('before any statement');
      }),
    ).rejects.toThrow('before any statement');
    expect(sent).toEqual([]);
  });
});
