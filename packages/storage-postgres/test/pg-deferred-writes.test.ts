import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ConflictError, createId } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { isDeferredWriteFailure } from '../src/internal/errors.js';
import { DATABASE_URL, dropSchema, newPool, recordStatements, SKIP_REAL_SERVER, sharedPGlite, uniqueSchema } from './helpers.js';

/** Every text the pool's connections were sent a Parse of (a named statement's only when it is not prepared there yet). */
function recordParses(pool: pg.Pool): string[] {
  const parsed: string[] = [];
  pool.on('connect', (client) => {
    const connection = (client as unknown as { connection: { parse(message: { text: string }): void } }).connection;
    const parse = connection.parse.bind(connection);
    connection.parse = (message) => {
      parsed.push(message.text.replace(/\s+/g, ' ').trim());
      parse(message);
    };
  });
  return parsed;
}

async function seenElsewhere(text: string): Promise<unknown[]> {
  const other = new pg.Client({ connectionString: DATABASE_URL });
  await other.connect();
  try {
    return (await other.query(text)).rows;
  } finally {
    await other.end();
  }
}

describe.skipIf(SKIP_REAL_SERVER)('fromPgPool: deferred writes in the round trip of the next statement or the COMMIT (real server)', () => {
  const schema = uniqueSchema();
  let pool: pg.Pool;
  let sent: string[];
  let parsed: string[];
  let client: SqlClient;
  const insert = () => `INSERT INTO ${schema}.items (id, name) VALUES ($1, $2)`;
  const ids = async (...wanted: number[]) =>
    (await pool.query(`SELECT id FROM ${schema}.items WHERE id = ANY($1::int[]) ORDER BY id`, [wanted])).rows.map((r) => r.id as number);

  beforeAll(async () => {
    // One connection: the statements after a transaction run on the connection it used.
    pool = newPool(1);
    sent = recordStatements(pool);
    parsed = recordParses(pool);
    client = fromPgPool(pool);
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL)`);
    await pool.query(`INSERT INTO ${schema}.items (id, name) VALUES (1, 'one')`);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('rides with the next statement, runs before it, and its rows are not that statement’s', async () => {
    sent.length = 0;
    const rows = await client.transaction(async (db) => {
      db.defer!(`${insert()} RETURNING id, name`, [2, 'two']);
      return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = $1`, [2])).rows;
    });
    expect(rows).toEqual([{ n: 1 }]);
    // BEGIN, the write and the read in one round trip; the COMMIT in a second.
    expect(sent).toEqual([`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = $1`, 'COMMIT']);
    expect(await seenElsewhere(`SELECT name FROM ${schema}.items WHERE id = 2`)).toEqual([{ name: 'two' }]);
  });

  it('with no statement after it, rides with the COMMIT: BEGIN, the writes and COMMIT in one round trip', async () => {
    sent.length = 0;
    await client.transaction(async (db) => {
      db.defer!(insert(), [3, 'three']);
      db.defer!(insert(), [4, 'four']);
    });
    expect(sent).toEqual([insert()]);
    expect(await seenElsewhere(`SELECT id FROM ${schema}.items WHERE id IN (3, 4) ORDER BY id`)).toEqual([{ id: 3 }, { id: 4 }]);
    // Committed: the pool's one connection is outside any transaction.
    expect((await pool.query('SELECT now() = statement_timestamp() AS alone')).rows).toEqual([{ alone: true }]);
  });

  it('one the database fails rejects the statement carrying it, marked, which does not run; the transaction rolls back', async () => {
    let carried: unknown;
    await expect(
      client.transaction(async (db) => {
        await db.query(insert(), [5, 'five']);
        db.defer!(insert(), [1, 'a duplicate']);
        carried = await db.query(insert(), [6, 'six']).catch((error: unknown) => error);
        throw carried;
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(isDeferredWriteFailure(carried)).toBe(true);
    expect(await ids(5, 6)).toEqual([]);
    // The connection is clean for the next caller.
    expect(await client.transaction(async (db) => (await db.query<{ n: number }>('SELECT $1::int AS n', [7])).rows)).toEqual([{ n: 7 }]);
  });

  it('one the database fails with the COMMIT fails the transaction, marked, and nothing of it stays', async () => {
    const error = await client
      .transaction(async (db) => {
        await db.query(insert(), [8, 'eight']);
        db.defer!(insert(), [9, 'nine']);
        db.defer!(insert(), [1, 'a duplicate']);
        return 'returned';
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect(isDeferredWriteFailure(error)).toBe(true);
    expect(await ids(8, 9)).toEqual([]);
    expect((await pool.query('SELECT now() = statement_timestamp() AS alone')).rows).toEqual([{ alone: true }]);
  });

  it('a statement that fails itself is not marked', async () => {
    const error = await client
      .transaction(async (db) => {
        db.defer!(insert(), [10, 'ten']);
        await db.query(insert(), [1, 'a duplicate']);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect(isDeferredWriteFailure(error)).toBe(false);
    expect(await ids(10)).toEqual([]);
  });

  it('a statement without parameters cannot carry them: they go first, alone, and it sees them', async () => {
    sent.length = 0;
    const rows = await client.transaction(async (db) => {
      db.defer!(insert(), [11, 'eleven']);
      return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.items WHERE id = 11`)).rows;
    });
    expect(rows).toEqual([{ n: 1 }]);
    expect(sent).toEqual([insert(), `SELECT count(*)::int AS n FROM ${schema}.items WHERE id = 11`, 'COMMIT']);
  });

  it('a parameter that does not encode fails the statement carrying it, marked, and nothing of the transaction stays', async () => {
    const unencodable = {
      toPostgres: () => {
        throw new Error('cannot encode');
      },
    };
    let carried: unknown;
    await expect(
      client.transaction(async (db) => {
        await db.query(insert(), [12, 'twelve']);
        db.defer!(insert(), [13, unencodable]);
        carried = await db.query(insert(), [14, 'fourteen']).catch((error: unknown) => error);
        throw carried;
      }),
    ).rejects.toThrow('cannot encode');
    expect(isDeferredWriteFailure(carried)).toBe(true);
    expect(await ids(12, 13, 14)).toEqual([]);
    expect(await client.transaction(async (db) => (await db.query<{ n: number }>('SELECT $1::int AS n', [15])).rows)).toEqual([{ n: 15 }]);
  });

  it('goes as a named statement: parsed on a connection the first time only, as a statement is', async () => {
    const write = `${insert()} /* named */`;
    parsed.length = 0;
    for (const id of [30, 31]) {
      await client.transaction(async (db) => {
        db.defer!(write, [id, 'named']);
        db.defer!(write, [id + 10, 'named']);
        await db.query('SELECT $1::int AS n', [id]);
      });
    }
    expect(parsed.filter((text) => text === write)).toEqual([write]);
    expect(await ids(30, 31, 40, 41)).toEqual([30, 31, 40, 41]);
    expect((await pool.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [write])).rows).toEqual([
      { n: 1 },
    ]);
  });

  it('one whose Parse a refusal before it skipped is parsed again the next time, not refused as missing', async () => {
    const write = `${insert()} /* after a refusal */`;
    parsed.length = 0;
    await expect(
      client.transaction(async (db) => {
        await db.query(insert(), [32, 'thirty-two']);
        db.defer!(insert(), [1, 'a duplicate']);
        db.defer!(write, [33, 'skipped']);
        await db.query(insert(), [34, 'thirty-four']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    sent.length = 0;
    await client.transaction(async (db) => {
      db.defer!(write, [35, 'parsed again']);
      await db.query('SELECT $1::int AS n', [35]);
    });
    // One try (a statement refused as missing would have rolled back and run it again).
    expect(sent).toEqual(['SELECT $1::int AS n', 'COMMIT']);
    expect(parsed.filter((text) => text === write)).toEqual([write, write]);
    expect(await ids(32, 33, 34, 35)).toEqual([35]);
  });

  it('rides with the statement that carries the COMMIT (commitWithNext), after the commands sent ahead', async () => {
    sent.length = 0;
    const rows = await client.transaction(async (db) => {
      db.sendAhead!(`SET LOCAL statement_timeout = '4321ms'`);
      db.defer!(`INSERT INTO ${schema}.items (id, name) VALUES ($1, current_setting('statement_timeout'))`, [16]);
      db.commitWithNext!();
      return (await db.query<{ name: string }>(`SELECT name FROM ${schema}.items WHERE id = $1`, [16])).rows;
    });
    expect(rows).toEqual([{ name: '4321ms' }]);
    expect(sent).toEqual([`SELECT name FROM ${schema}.items WHERE id = $1`]);
    expect(await seenElsewhere(`SELECT name FROM ${schema}.items WHERE id = 16`)).toEqual([{ name: '4321ms' }]);
  });
});

const event = (action: string, id?: string) => ({
  ...(id === undefined ? {} : { id }),
  actor: { type: 'system' as const },
  action,
  subjectType: 'test',
  subjectId: 'x',
});

/** What the storage's deferred writes must keep, on any client: a refused write is seen at its call, and its job goes with it. */
function describeDeferredWrites(
  name: string,
  open: () => Promise<{ storage: StoragePort; sent?: string[]; cleanup: () => Promise<void> }>,
) {
  describe(`storage: deferred audit and job writes (${name})`, () => {
    let storage: StoragePort;
    let sent: string[] | undefined;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ storage, sent, cleanup } = await open());
    });
    afterAll(() => cleanup());

    const actions = async () => (await storage.audit.list({ subjectId: 'x' }, { limit: 50 })).items.map((e) => e.action).sort();
    const jobsOf = async (type: string) => (await storage.jobs.list({ type }, { limit: 10 })).items;

    it('an audit event and its job commit with their transaction, the answers as stored', async () => {
      if (sent !== undefined) sent.length = 0;
      const written = await storage.transaction(async (tx) => {
        const events = await tx.audit.appendMany([event('test.kept'), { ...event('test.kept_too'), data: { b: 2, a: [1, null] } }]);
        const jobs = await tx.jobs.enqueueMany([{ type: 'test.kept', payload: { event: events[0]!.id } }]);
        return { events, job: jobs[0]!.job };
      });
      // PostgreSQL's client: everything in the COMMIT's round trip.
      if (sent !== undefined) expect(sent).toHaveLength(1);
      const listed = (await storage.audit.list({ subjectId: 'x' }, { limit: 50 })).items;
      for (const one of written.events) expect(listed.find((e) => e.id === one.id)).toEqual(one);
      expect(await storage.jobs.get(written.job.id)).toEqual(written.job);
    });

    it('a named job (an outbox job, keyed by its cause) is written with the transaction, the answer as stored', async () => {
      const id = createId('job');
      if (sent !== undefined) sent.length = 0;
      let runs = 0;
      const [answer] = await storage.transaction(async (tx) => {
        runs++;
        await tx.audit.append(event('test.named'));
        return tx.jobs.enqueueMany([{ id, type: 'test.named', payload: { n: 1 } }]);
      });
      if (sent !== undefined) expect(sent).toHaveLength(1);
      expect(runs).toBe(1);
      expect(answer!.created).toBe(true);
      expect(await storage.jobs.get(id)).toEqual(answer!.job);
    });

    it('a named job that is not new (stored, or a queued twin by its dedupe key) is answered as it stands, after a replay', async () => {
      const id = createId('job');
      const [first] = await storage.jobs.enqueueMany([{ id, type: 'test.again', payload: { n: 1 } }]);
      const [twin] = await storage.jobs.enqueueMany([{ type: 'test.twin', payload: { n: 1 }, dedupeKey: `twin-${id}` }]);
      let runs = 0;
      const answers = await storage.transaction(async (tx) => {
        runs++;
        const again = await tx.jobs.enqueueMany([{ id, type: 'test.again', payload: { n: 2 } }]);
        const merged = await tx.jobs.enqueueMany([{ id: createId('job'), type: 'test.twin', payload: { n: 2 }, dedupeKey: `twin-${id}` }]);
        await tx.audit.append(event('test.after_named'));
        return [...again, ...merged];
      });
      // Deferred (PostgreSQL's client), the guess failed with the COMMIT: the transaction ran again, nothing deferred.
      expect(runs).toBe(sent === undefined ? 1 : 2);
      expect(answers[0]).toEqual({ job: first!.job, created: false });
      expect(answers[1]).toMatchObject({ job: { id: twin!.job.id, payload: { n: 2 } }, created: false });
      expect(await storage.jobs.get(id)).toEqual(first!.job);
      expect(await actions()).toContain('test.after_named');

      // A named job that succeeded (PostgreSQL moves it out of the queue's table).
      const [claimed] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, types: ['test.again'] });
      expect(await storage.jobs.completeMany([claimed!.lease])).toHaveLength(1);
      const done = await storage.jobs.get(id);
      expect(done?.state).toBe('succeeded');
      runs = 0;
      const [succeeded] = await storage.transaction(async (tx) => {
        runs++;
        return tx.jobs.enqueueMany([{ id, type: 'test.again', payload: { n: 3 } }]);
      });
      expect(runs).toBe(sent === undefined ? 1 : 2);
      expect(succeeded).toEqual({ job: done, created: false });
    });

    it('a completion in a transaction rides with its COMMIT; a lost lease is answered as lost, after a replay', async () => {
      await storage.jobs.enqueueMany([
        { type: 'test.done', payload: {} },
        { type: 'test.done', payload: {} },
      ]);
      const claimed = await storage.jobs.claim({ workerId: 'w', limit: 2, leaseMs: 60_000, types: ['test.done'] });
      expect(claimed).toHaveLength(2);
      const [held, lost] = claimed.map((c) => c.lease);
      if (sent !== undefined) sent.length = 0;
      let runs = 0;
      const completed = await storage.transaction(async (tx) => {
        runs++;
        await tx.audit.append(event('test.done'));
        return tx.jobs.completeMany([held!]);
      });
      if (sent !== undefined) expect(sent).toHaveLength(1);
      expect(runs).toBe(1);
      expect(completed).toEqual([held]);
      expect((await storage.jobs.get(held!.jobId))?.state).toBe('succeeded');

      runs = 0;
      const partly = await storage.transaction(async (tx) => {
        runs++;
        await tx.audit.append(event('test.partly_done'));
        return tx.jobs.completeMany([{ ...lost!, token: 'not-the-token' }, held!]);
      });
      expect(runs).toBe(sent === undefined ? 1 : 2);
      expect(partly).toEqual([]);
      expect((await storage.jobs.get(lost!.jobId))?.state).toBe('running');
      expect(await actions()).toContain('test.partly_done');
    });

    it('one the database refuses is replayed: the caller that catches its ConflictError goes on, and what it wrote stays', async () => {
      const id = createId('aud');
      await storage.audit.append(event('test.first', id));
      let runs = 0;
      const caught = await storage.transaction(async (tx) => {
        runs++;
        await tx.audit.append(event('test.before'));
        await tx.jobs.enqueueMany([{ type: 'test.caught', payload: {} }]);
        const refused = await tx.audit.append(event('test.again', id)).catch((e: unknown) => e);
        // Deferred, the refusal comes with this read's round trip (PostgreSQL's client), not the append's.
        expect(await tx.jobs.get('job_missing')).toBeNull();
        await tx.audit.append(event('test.after'));
        return refused;
      });
      expect(ConflictError.is(caught)).toBe(true);
      expect(runs).toBe(2);
      expect(await actions()).toEqual(expect.arrayContaining(['test.after', 'test.before', 'test.first']));
      expect(await actions()).not.toContain('test.again');
      expect(await jobsOf('test.caught')).toHaveLength(1);
    });

    it('refused with the SAVEPOINT of a later call, whose error the caller swallows: still replayed, nothing lost', async () => {
      const id = createId('aud');
      await storage.audit.append(event('test.second', id));
      let runs = 0;
      const outcome = await storage.transaction(async (tx) => {
        runs++;
        await tx.audit.append(event('test.kept_before'));
        const refused = await tx.audit.append(event('test.again', id)).catch((e: unknown) => e);
        // A call under its savepoint (PostgreSQL's client: the deferred writes go with its SAVEPOINT).
        const cancelled = await tx.jobs.cancel('job_missing').catch(() => 'swallowed');
        return { refused, cancelled };
      });
      expect(ConflictError.is(outcome.refused)).toBe(true);
      expect(outcome.cancelled).toBe(false);
      expect(runs).toBe(2);
      expect(await actions()).toContain('test.kept_before');
    });

    it('not caught, the transaction fails with it and nothing it wrote stays: not the job enqueued with it', async () => {
      const id = createId('aud');
      await storage.audit.append(event('test.taken', id));
      // Refused with the next statement (a read), then with the COMMIT.
      for (const read of [true, false]) {
        await expect(
          storage.transaction(async (tx) => {
            await tx.jobs.enqueueMany([{ type: 'test.lost', payload: {} }]);
            await tx.audit.appendMany([event('test.lost'), event('test.lost_again', id)]);
            if (read) await tx.jobs.get('job_missing');
          }),
        ).rejects.toSatisfy((e) => ConflictError.is(e));
      }
      expect(await jobsOf('test.lost')).toEqual([]);
      expect(await actions()).not.toContain('test.lost');
    });
  });
}

describeDeferredWrites('PGlite: written at once', async () => {
  const pglite = sharedPGlite();
  const client = await pglite.client();
  const schema = uniqueSchema();
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  await migrate(client, { schema, clock });
  const storage = createPostgresStorage({ client, schema, clock });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await dropSchema(client, schema);
      await pglite.close();
    },
  };
});

describe.skipIf(SKIP_REAL_SERVER)('on the real server', () => {
  describeDeferredWrites('fromPgPool: deferred', async () => {
    const pool = newPool(1);
    const sent = recordStatements(pool);
    const client = fromPgPool(pool);
    const schema = uniqueSchema();
    await migrate(client, { schema });
    const storage = createPostgresStorage({ client, schema });
    return {
      storage,
      sent,
      cleanup: async () => {
        await storage.close();
        await dropSchema(client, schema);
        await pool.end();
      },
    };
  });
});
