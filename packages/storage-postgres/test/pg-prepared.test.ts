import { ManualClock } from '@panelkit/sdk/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresStorage, fromPgPool, migrate, transactionSql } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool, uniqueSchema } from './helpers.js';

/** The Parse messages a pool's connections write (name `''` for an unnamed statement), per connection. */
function recordParses(pool: pg.Pool): Array<{ connection: number; name: string; text: string }> {
  const parses: Array<{ connection: number; name: string; text: string }> = [];
  let connections = 0;
  pool.on('connect', (client) => {
    const connection = ++connections;
    const wire = (client as unknown as { connection: { parse(message: { name?: string; text: string }): void } }).connection;
    const parse = wire.parse.bind(wire);
    wire.parse = (message) => {
      parses.push({ connection, name: message.name ?? '', text: message.text });
      parse(message);
    };
  });
  return parses;
}

/** What the server holds prepared on the pool's one connection (`pg_prepared_statements` is per session). */
async function preparedOnServer(client: SqlClient): Promise<Array<{ name: string; statement: string; runs: number }>> {
  const { rows } = await client.query<{ name: string; statement: string; runs: number }>(
    'SELECT name, statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements ORDER BY prepare_time, name',
  );
  return rows;
}

describe.skipIf(SKIP_REAL_SERVER)('fromPgPool: named statements (real server)', () => {
  const schema = uniqueSchema();
  let admin: pg.Pool;
  beforeAll(async () => {
    admin = newPool(1);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL)`);
    await admin.query(`INSERT INTO ${schema}.items VALUES (1, 'one'), (2, 'two')`);
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  /** A pool of `max` connections recording its Parse messages, a client on it, and its end. */
  function pooled(max: number, options?: Parameters<typeof fromPgPool>[1]) {
    const pool = newPool(max);
    const parses = recordParses(pool);
    return { pool, parses, client: fromPgPool(pool, options), end: () => pool.end() };
  }

  it('names a statement with parameters after its text, parses it once per connection, and runs it bound after', async () => {
    const { client, pool, parses, end } = pooled(1);
    try {
      const text = `SELECT name FROM ${schema}.items WHERE id = $1`;
      // Alone, in a transaction (as its first statement, with BEGIN, and later), and alone again: one connection.
      expect((await client.query(text, [1])).rows).toEqual([{ name: 'one' }]);
      const inside = await client.transaction(async (db) => [(await db.query(text, [2])).rows, (await db.query(text, [1])).rows]);
      expect(inside).toEqual([[{ name: 'two' }], [{ name: 'one' }]]);
      expect((await client.query(text, [2])).rows).toEqual([{ name: 'two' }]);
      const ofText = parses.filter((p) => p.text === text);
      expect(ofText).toHaveLength(1);
      expect(ofText[0]!.name).toMatch(/^panelkit_[0-9a-f]{16}$/);
      const server = await preparedOnServer(client);
      expect(server).toEqual([{ name: ofText[0]!.name, statement: text, runs: 4 }]);
      // node-postgres's own book of parsed statements (never trimmed) is not used.
      const held = await pool.connect();
      held.release();
      expect((held as unknown as { connection: { parsedStatements: object } }).connection.parsedStatements).toEqual({});
    } finally {
      await end();
    }
  });

  it("asks the server to describe a named statement's rows once per connection, and reads its later answers by that", async () => {
    const { client, pool, end } = pooled(1);
    let describes = 0;
    const held = await pool.connect();
    const wire = (held as unknown as { connection: { describe(message: object): void } }).connection;
    const describe = wire.describe.bind(wire);
    wire.describe = (message) => {
      describes++;
      describe(message);
    };
    held.release();
    try {
      // Typed columns: the booked description carries the types the rows are parsed by (int8 as a string, as pg does).
      const text = `SELECT id, name, id::int8 AS big, make_timestamptz(2026, 1, id, 0, 0, 0, 'UTC') AS day FROM ${schema}.items WHERE id = $1`;
      const row = (id: number, name: string) => ({ id, name, big: String(id), day: new Date(Date.UTC(2026, 0, id)) });
      const first = await client.query(text, [1]);
      expect(describes).toBe(1);
      const again = await Promise.all([client.query(text, [2]), client.query(text, [1]), client.transaction((db) => db.query(text, [2]))]);
      expect(describes).toBe(1);
      expect([first, ...again].map((r) => r.rows)).toEqual([[row(1, 'one')], [row(2, 'two')], [row(1, 'one')], [row(2, 'two')]]);
      // A statement answering no rows is described each time (the server says NoData), and runs as before.
      await client.query(`UPDATE ${schema}.items SET name = name WHERE id = $1`, [1]);
      await client.query(`UPDATE ${schema}.items SET name = name WHERE id = $1`, [1]);
      expect(describes).toBe(3);
    } finally {
      await end();
    }
  });

  it("decodes a named statement's later rows on a connection as node-postgres does, by the parsers it chose, without its Result", async () => {
    // The pool's own type parsers (a host's choice, as `types` or `pg.types.setTypeParser` at start-up) are the ones used.
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => {
        if (oid === 1184) return (text: string) => `at ${text}`;
        if (oid === 23)
          return (text: string) =>
            text === '13'
              ? (() => {
                  throw new Error('no 13 here');
                })()
              : Number(text);
        return pg.types.getTypeParser(oid, format);
      },
    };
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1, types });
    const client = fromPgPool(pool);
    const addFields = vi.spyOn(pg.Result.prototype as unknown as { addFields(fields: unknown[]): void }, 'addFields');
    try {
      // Nulls, int8 as a string, a boolean, jsonb, a custom timestamptz parser, and a name given twice (the later wins).
      const text = `SELECT id, name, NULL::text AS nothing, id::int8 AS big, id = 1 AS first, jsonb_build_object('n', name) AS doc,
          make_timestamptz(2026, 1, 2, 3, 4, 5.5, 'UTC') AS at, name AS id
        FROM ${schema}.items WHERE id <= $1 OR id = 13 ORDER BY 1`;
      const first = await client.query(text, [2]);
      expect(first.rows).toEqual(
        ['one', 'two'].map((name, i) => ({
          id: name,
          name,
          nothing: null,
          big: String(i + 1),
          first: i === 0,
          doc: { n: name },
          at: 'at 2026-01-02 03:04:05.5+00',
        })),
      );
      const again = [await client.query(text, [2]), await client.transaction((db) => db.query(text, [2])), await client.query(text, [2])];
      for (const answer of again) {
        expect(answer.rows).toEqual(first.rows);
        expect(answer.rows.map((row) => Object.keys(row as object))).toEqual(first.rows.map((row) => Object.keys(row as object)));
      }
      // node-postgres built its Result's parsers and empty row for the first run only.
      expect(addFields).toHaveBeenCalledTimes(1);
      // A parser that throws fails the statement with its error, as in node-postgres; the connection answers after.
      await admin.query(`INSERT INTO ${schema}.items VALUES (13, 'thirteen')`);
      await expect(client.query(text, [2])).rejects.toThrow('no 13 here');
      await admin.query(`DELETE FROM ${schema}.items WHERE id = 13`);
      expect((await client.query(text, [2])).rows).toEqual(first.rows);
    } finally {
      addFields.mockRestore();
      await pool.end();
    }
  });

  it('keeps the same prepared statement across checkouts of a connection from the pool', async () => {
    const { client, pool, parses, end } = pooled(1);
    try {
      const text = `SELECT id FROM ${schema}.items WHERE name = $1`;
      const seen = new Set<unknown>();
      for (let i = 0; i < 3; i++) {
        const held = await pool.connect();
        seen.add(held);
        held.release();
        await client.transaction((db) => db.query(text, ['one']));
      }
      expect(seen.size).toBe(1);
      expect(parses.filter((p) => p.text === text)).toHaveLength(1);
    } finally {
      await end();
    }
  });

  it('names nothing with prepare: false (PgBouncer in transaction mode), and a statement without parameters never', async () => {
    const { client, parses, end } = pooled(1, { prepare: false });
    try {
      await client.query(`SELECT name FROM ${schema}.items WHERE id = $1`, [1]);
      await client.transaction((db) => db.query(`SELECT name FROM ${schema}.items WHERE id = $1`, [2]));
      expect(parses.every((p) => p.name === '')).toBe(true);
      expect(await preparedOnServer(client)).toEqual([]);
    } finally {
      await end();
    }
    const unparameterised = pooled(1);
    try {
      await unparameterised.client.query(`SELECT name FROM ${schema}.items WHERE id = 1`);
      expect(await preparedOnServer(unparameterised.client)).toEqual([]);
    } finally {
      await unparameterised.end();
    }
  });

  it('keeps at most preparedPerConnection statements on a connection, closing the least recently used', async () => {
    const { client, parses, end } = pooled(1, { preparedPerConnection: 3 });
    try {
      // Texts built per call, as an IN list of varying length is.
      const texts = Array.from(
        { length: 8 },
        (_, n) =>
          `SELECT count(*)::int AS n FROM ${schema}.items WHERE id IN (${Array.from({ length: n + 1 }, (_, i) => `$${i + 1}`).join(', ')})`,
      );
      const run = (text: string) =>
        client.query<{ n: number }>(
          text,
          Array.from({ length: (text.match(/\$/g) ?? []).length }, (_, i) => i + 1),
        );
      for (const text of texts) expect((await run(text)).rows).toEqual([{ n: Math.min(2, texts.indexOf(text) + 1) }]);
      expect((await preparedOnServer(client)).map((p) => p.statement)).toEqual(texts.slice(5));
      // The most recently used stays; the first one, closed, is parsed again when it comes back.
      await run(texts[5]!);
      await run(texts[0]!);
      expect((await preparedOnServer(client)).map((p) => p.statement).sort()).toEqual([texts[5], texts[7], texts[0]].sort());
      expect(parses.filter((p) => p.text === texts[0])).toHaveLength(2);
      expect(parses.filter((p) => p.text === texts[5])).toHaveLength(1);
    } finally {
      await end();
    }
  });

  it('answers after a statement it named failed at Parse or at Bind, without "already exists" or "does not exist"', async () => {
    const { client, end } = pooled(1);
    try {
      await client.query(`CREATE TABLE ${schema}.later (id integer PRIMARY KEY)`).catch(() => undefined);
      await client.query(`DROP TABLE ${schema}.later`);
      const text = `SELECT id FROM ${schema}.later WHERE id = $1`;
      await expect(client.query(text, [1])).rejects.toMatchObject({ code: '42P01' });
      await expect(client.transaction((db) => db.query(text, [1]))).rejects.toMatchObject({ code: '42P01' });
      await client.query(`CREATE TABLE ${schema}.later (id integer PRIMARY KEY)`);
      await client.query(`INSERT INTO ${schema}.later VALUES (7)`);
      expect((await client.query(text, [7])).rows).toEqual([{ id: 7 }]);
      // Parsed, then refused at Bind (a value the column's type does not take): the statement stays usable.
      const other = `SELECT id FROM ${schema}.later WHERE id = $1 AND $2::int > 0`;
      await expect(client.query(other, [7, 'not a number'])).rejects.toMatchObject({ code: '22P02' });
      await expect(client.transaction((db) => db.query(other, [7, 'nor this']))).rejects.toMatchObject({ code: '22P02' });
      expect((await client.query(other, [7, 1])).rows).toEqual([{ id: 7 }]);
      expect((await client.transaction((db) => db.query(other, [7, 1]))).rows).toEqual([{ id: 7 }]);
    } finally {
      await end();
    }
  });

  it('answers after another connection adds a column to a table a prepared SELECT * reads, outside and inside a transaction', async () => {
    const { client, end } = pooled(1);
    try {
      const text = `SELECT * FROM ${schema}.items WHERE id = $1`;
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, name: 'one' }]);
      await admin.query(`ALTER TABLE ${schema}.items ADD COLUMN colour text`);
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, name: 'one', colour: null }]);

      await admin.query(`ALTER TABLE ${schema}.items ADD COLUMN size integer`);
      let runs = 0;
      const inside = await client.transaction(async (db) => {
        runs++;
        await db.query(`UPDATE ${schema}.items SET size = $2 WHERE id = $1`, [2, runs]);
        return (await db.query(text, [2])).rows;
      });
      // The refusal aborted the first run: rolled back and run again, the statement prepared anew.
      expect(runs).toBe(2);
      expect(inside).toEqual([{ id: 2, name: 'two', colour: null, size: 2 }]);
      expect((await admin.query(`SELECT size FROM ${schema}.items WHERE id = 2`)).rows).toEqual([{ size: 2 }]);

      // As the transaction's first statement (sent with its BEGIN), and a callback that swallows the refusal.
      await admin.query(`ALTER TABLE ${schema}.items DROP COLUMN size`);
      runs = 0;
      const swallowed = await client.transaction(async (db) => {
        runs++;
        return db.query(text, [1]).then(
          (r) => r.rows,
          () => 'refused',
        );
      });
      expect(runs).toBe(2);
      expect(swallowed).toEqual([{ id: 1, name: 'one', colour: null }]);
    } finally {
      await end();
    }
  });

  it('prepares anew on every connection of the pool after one of them was refused', async () => {
    const { client, parses, end } = pooled(3);
    try {
      const text = `SELECT * FROM ${schema}.items WHERE id = $1`;
      /** Three transactions at once, so each runs on a connection of its own; how many times their callbacks ran. */
      const onEveryConnection = async () => {
        let arrived = 0;
        let runs = 0;
        let go!: () => void;
        const all = new Promise<void>((resolve) => (go = resolve));
        const answers = await Promise.all(
          [1, 2, 3].map(() =>
            client.transaction(async (db) => {
              runs++;
              const row = (await db.query<{ weight?: unknown }>(text, [1])).rows[0]!;
              if (++arrived === 3) go();
              await all;
              return row.weight;
            }),
          ),
        );
        return { answers, runs };
      };
      expect((await onEveryConnection()).runs).toBe(3);
      expect(new Set(parses.filter((p) => p.text === text).map((p) => p.connection)).size).toBe(3);
      await admin.query(`ALTER TABLE ${schema}.items ADD COLUMN weight integer`);
      let runs = 0;
      await client.transaction(async (db) => {
        runs++;
        await db.query(text, [1]);
      });
      expect(runs).toBe(2);
      // The two other connections prepare it anew without being refused first.
      expect(await onEveryConnection()).toEqual({ answers: [null, null, null], runs: 3 });
      await admin.query(`ALTER TABLE ${schema}.items DROP COLUMN weight`);
    } finally {
      await end();
    }
  });
});

describe.skipIf(SKIP_REAL_SERVER)('a PostgreSQL storage whose statements are prepared, after a migration (real server)', () => {
  const schema = uniqueSchema();
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  let pool: pg.Pool;
  let parses: Array<{ name: string }>;
  let admin: pg.Client;
  beforeAll(async () => {
    // One connection: every statement below finds the copy prepared before the column was added.
    pool = newPool(1);
    parses = recordParses(pool);
    await migrate(fromPgPool(pool), { schema, clock });
    await pool.query(`CREATE TABLE ${schema}.host_notes (id text PRIMARY KEY, note text NOT NULL)`);
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
    await admin.end();
  });

  it('answers every kind of call, alone and in a transaction, once a column is added to the table it reads', async () => {
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    try {
      const customer = await storage.customers.create({ email: 'prepared@example.com', locale: 'en' });
      await pool.query(`INSERT INTO ${schema}.host_notes VALUES ('n', 'kept')`);
      const note = (tx: object) => transactionSql(tx).query<{ note: string }>(`SELECT * FROM ${schema}.host_notes WHERE id = $1`, ['n']);
      /** Runs `fn` in a storage transaction; its result and how many times `fn` ran. */
      const inTransaction = async <T>(fn: (tx: Parameters<Parameters<typeof storage.transaction>[0]>[0], run: number) => Promise<T>) => {
        let runs = 0;
        const result = await storage.transaction((tx) => fn(tx, ++runs));
        return { result, runs };
      };
      const everyKind = () =>
        inTransaction(async (tx, run) => {
          await tx.customers.update(customer.id, { name: `run ${run}` });
          return { read: await tx.customers.get(customer.id), notes: (await note(tx)).rows };
        });
      /** Sends `kind` once (so its statements are prepared), adds a column to `table`, and sends it again. */
      const afterAddingColumn = async <T>(table: string, column: string, kind: () => Promise<T>) => {
        const named = () => parses.filter((p) => p.name !== '').length;
        await kind();
        const parsed = named();
        await admin.query(`ALTER TABLE ${schema}.${table} ADD COLUMN ${column} integer`);
        const result = await kind();
        // Refused and prepared anew (without the column, nothing here would be parsed again).
        expect(named()).toBeGreaterThan(parsed);
        return result;
      };

      // Alone: refused, prepared anew and sent again by the driver.
      expect((await afterAddingColumn('customers', 'a', () => storage.customers.get(customer.id)))?.email).toBe('prepared@example.com');

      // Under a savepoint (an update locks the row with SELECT * and writes with RETURNING *): the call goes again.
      const updated = await afterAddingColumn('customers', 'b', () =>
        inTransaction((tx, run) => tx.customers.update(customer.id, { name: `update ${run}` })),
      );
      expect(updated).toMatchObject({ runs: 1, result: { name: 'update 1' } });

      // A read, bare: the refusal aborted the transaction, which runs again.
      const read = await afterAddingColumn('customers', 'c', () =>
        inTransaction(async (tx, run) => ({ run, customer: await tx.customers.get(customer.id) })),
      );
      expect(read).toMatchObject({ runs: 2, result: { run: 2, customer: { name: 'update 1' } } });

      // A host statement (optimistic, no savepoint): the same.
      const host = await afterAddingColumn('host_notes', 'd', () => inTransaction(async (tx) => (await note(tx)).rows.map((n) => n.note)));
      expect(host).toEqual({ runs: 2, result: ['kept'] });

      // All of them in one transaction, after both tables changed.
      await everyKind();
      await admin.query(`ALTER TABLE ${schema}.customers ADD COLUMN e integer`);
      await admin.query(`ALTER TABLE ${schema}.host_notes ADD COLUMN f integer`);
      const again = await everyKind();
      expect(again.result.read?.name).toBe(`run ${again.runs}`);
      expect(again.result.notes.map((n) => n.note)).toEqual(['kept']);
    } finally {
      await storage.close();
    }
  });
});
