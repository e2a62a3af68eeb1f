/**
 * The PGlite driver's statements (`drivers/pglite-statement.ts`): one call into the database for a statement without
 * values, two for one with values run the first time (one when run before, on its prepared copy), and the same rows, values and errors as `PGlite.query`, which it
 * replaces.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREPARED_PER_DATABASE } from '../src/drivers/pglite-statement.js';
import { fromPGlite } from '../src/index.js';
import { isStaleStatement } from '../src/internal/errors.js';
import { pgliteTemplate } from './support/pglite-template.js';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create({ loadDataDir: pgliteTemplate() });
  await db.exec(`CREATE TABLE t (id bigserial PRIMARY KEY, name text UNIQUE, n int, big bigint, ok boolean, at timestamptz,
    doc jsonb, tags text[], amounts int[], raw bytea, price numeric)`);
});
afterAll(() => db.close());

describe('a statement on PGlite', () => {
  it('reads back every kind of value as PGlite.query does', async () => {
    const client = fromPGlite(db);
    const values = [
      'a',
      7,
      9_007_199_254_740_993n,
      true,
      new Date('2026-03-01T09:00:00Z'),
      { k: [1, 'x'] },
      ['p', 'q"r'],
      [1, 2],
      new Uint8Array([0, 255]),
      '12.50',
    ];
    const insert = `INSERT INTO t (name, n, big, ok, at, doc, tags, amounts, raw, price) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`;
    const written = await client.query(insert, values);
    const nulls = await client.query(insert, ['b', null, undefined, null, null, null, null, null, null, null]);
    const select = 'SELECT * FROM t WHERE name = ANY($1) ORDER BY id';
    expect((await client.query(select, [['a', 'b']])).rows).toEqual((await db.query(select, [['a', 'b']])).rows);
    expect(written.rows).toEqual([(await db.query('SELECT * FROM t WHERE name = $1', ['a'])).rows[0]]);
    expect(nulls.rows[0]).toMatchObject({ n: null, big: null, doc: null, tags: null });
    expect(written.rows[0]).toMatchObject({ doc: { k: [1, 'x'] }, tags: ['p', 'q"r'], raw: new Uint8Array([0, 255]) });
  });

  it('takes one call into the database for a statement without values, two for one with values (PGlite.query takes six), and one for it run before', async () => {
    const calls: Uint8Array[] = [];
    // PGlite's private fields need its methods called on the instance itself.
    const counting = new Proxy(db, {
      get: (target, key) => {
        if (key === 'execProtocolStream')
          return (message: Uint8Array, options: object) => (calls.push(message), target.execProtocolStream(message, options));
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const client = fromPGlite(counting);
    expect((await client.query('SELECT $1::int AS one', [1])).rows).toEqual([{ one: 1 }]);
    expect(calls).toHaveLength(2);
    expect((await client.query('SELECT $1::int AS one', [2])).rows).toEqual([{ one: 2 }]);
    expect(calls).toHaveLength(3);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.transaction((tx) => tx.query('SELECT $1::int AS one', [3]));
    // BEGIN, the statement on its prepared copy, COMMIT.
    expect(calls).toHaveLength(7);
  });

  it('prepares a text with parameters once, and keeps at most PREPARED_PER_DATABASE prepared', async () => {
    const own = await PGlite.create({ loadDataDir: pgliteTemplate() });
    try {
      const client = fromPGlite(own);
      const prepared = async () =>
        (await own.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement);
      for (let i = 0; i < 3; i++) await client.query('SELECT $1::int * 2 AS n', [i]);
      expect(await prepared()).toEqual(['SELECT $1::int * 2 AS n']);
      for (let i = 0; i <= PREPARED_PER_DATABASE; i++) await client.query(`SELECT $1::int + ${i} AS n`, [i]);
      const held = await prepared();
      expect(held).toHaveLength(PREPARED_PER_DATABASE);
      // The least recently used went: the first text and then `+ 0`.
      expect(held).not.toContain('SELECT $1::int * 2 AS n');
      expect(held).not.toContain('SELECT $1::int + 0 AS n');
      expect(held).toContain('SELECT $1::int + 1 AS n');
      expect((await client.query('SELECT $1::int * 2 AS n', [21])).rows).toEqual([{ n: 42 }]);
      const after = await prepared();
      expect(after).toHaveLength(PREPARED_PER_DATABASE);
      expect(after).toContain('SELECT $1::int * 2 AS n');
      expect(after).not.toContain('SELECT $1::int + 1 AS n');
    } finally {
      await own.close();
    }
  });

  it('prepares a statement again when its result type changed, alone; in a transaction its refusal is marked stale', async () => {
    const client = fromPGlite(db);
    await db.exec('CREATE TABLE widened (id int PRIMARY KEY)');
    await client.query('INSERT INTO widened (id) VALUES ($1)', [1]);
    const read = 'SELECT * FROM widened WHERE id = $1';
    expect((await client.query(read, [1])).rows).toEqual([{ id: 1 }]);
    await db.exec("ALTER TABLE widened ADD COLUMN label text NOT NULL DEFAULT 'x'");
    expect((await client.query(read, [1])).rows).toEqual([{ id: 1, label: 'x' }]);
    await db.exec('ALTER TABLE widened ADD COLUMN n int');
    const refused = await client.transaction((tx) => tx.query(read, [1])).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: '0A000' });
    expect(isStaleStatement(refused)).toBe(true);
    expect((await client.transaction((tx) => tx.query(read, [1]))).rows).toEqual([{ id: 1, label: 'x', n: null }]);
  });

  it("throws the database's error with its code and statement, and the next statement runs", async () => {
    const client = fromPGlite(db);
    await client.query('INSERT INTO t (name) VALUES ($1)', ['dup']);
    const refused = await client.query('INSERT INTO t (name) VALUES ($1)', ['dup']).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: '23505', query: 'INSERT INTO t (name) VALUES ($1)', params: ['dup'] });
    const malformed = await client.query('SELEC 1').catch((e: unknown) => e);
    expect(malformed).toMatchObject({ code: '42601', query: 'SELEC 1' });
    // Refused when it runs (parsed and bound without error): the next statement without values runs.
    expect(await client.query('SELECT 1 / 0').catch((e: unknown) => e)).toMatchObject({ code: '22012' });
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    expect((await client.query('SELECT count(*)::int AS n FROM t WHERE name = $1', ['dup'])).rows).toEqual([{ n: 1 }]);
  });

  it('rolls back a transaction whose statement failed, and commits the next', async () => {
    const client = fromPGlite(db);
    const failed = client.transaction(async (tx) => {
      await tx.query('INSERT INTO t (name) VALUES ($1)', ['in-tx']);
      await tx.query('INSERT INTO t (name) VALUES ($1)', ['dup']);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    await client.transaction((tx) => tx.query('INSERT INTO t (name) VALUES ($1)', ['after']));
    const names = await client.query<{ name: string }>('SELECT name FROM t WHERE name IN ($1, $2)', ['in-tx', 'after']);
    expect(names.rows).toEqual([{ name: 'after' }]);
  });

  it('waits for a database made by new PGlite() to start', async () => {
    const fresh = new PGlite({ loadDataDir: pgliteTemplate() });
    try {
      expect((await fromPGlite(fresh).query('SELECT $1::text AS said', ['hi'])).rows).toEqual([{ said: 'hi' }]);
    } finally {
      await fresh.close();
    }
  });
});
