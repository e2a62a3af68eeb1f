import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ConflictError,
  NotFoundError,
  StorageMisuseError,
  StorageUnavailableError,
  ValidationError,
} from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import pg from 'pg';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { mapError } from '../src/internal/errors.js';
import { sharedPGlite, storageInFreshSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

describe('fromPGlite', () => {
  it('serialises callers: a statement from outside never lands inside an open transaction', async () => {
    const client = await pglite.client();
    await client.query('CREATE TEMP TABLE IF NOT EXISTS serial_probe (n integer)');
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const rolledBack = client.transaction(async (db) => {
      await db.query('INSERT INTO serial_probe VALUES (1)');
      inside();
      await gate;
      throw new Error('undo');
    });
    await entered;
    // Issued while the transaction is open: it must wait, or it would be rolled back with it.
    const outside = client.query('INSERT INTO serial_probe VALUES (2)');
    release();
    await expect(rolledBack).rejects.toThrow('undo');
    await outside;
    const { rows } = await client.query<{ n: number }>('SELECT n FROM serial_probe ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual([2]);
  });
});

describe('errors', () => {
  it('an unreachable server is StorageUnavailableError (retryable)', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const storage = createPostgresStorage({ client: fromPgPool(pool) });
    const error = await storage.panels.list().catch((e: unknown) => e);
    expect(StorageUnavailableError.is(error)).toBe(true);
    expect((error as StorageUnavailableError).retryable).toBe(true);
    await pool.end();
  });

  it('maps SQLSTATEs to the SDK taxonomy and passes foreign errors through', () => {
    expect(ConflictError.is(mapError({ code: '23505', constraint: 'x' }))).toBe(true);
    const missing = mapError({ code: '23503', detail: 'Key (panel_id)=(pnl_9) is not present in table "panels".' });
    expect(NotFoundError.is(missing) && missing.entity === 'panel' && missing.id === 'pnl_9').toBe(true);
    expect(StorageUnavailableError.is(mapError({ code: '57P01' }))).toBe(true);
    expect(StorageUnavailableError.is(mapError({ code: '40001' }))).toBe(true);
    const own = new Error('mine');
    expect(mapError(own)).toBe(own);
  });
});

describe('storage', () => {
  it('refuses a missing or raw client at creation, saying how to wrap one', () => {
    const create = (options: unknown) => () => createPostgresStorage(options as never);
    expect(create({})).toThrow(ConfigurationError);
    expect(create({})).toThrow(/needs options\.client: fromPgPool/);
    expect(create({ client: new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' }) })).toThrow(
      /not a SqlClient: wrap a pg Pool with fromPgPool\(pool\)/,
    );
  });

  it('on a schema that was never migrated, says to run migrate() instead of naming a missing relation', async () => {
    const storage = createPostgresStorage({ client: await pglite.client(), schema: 'never_migrated', clock: new ManualClock() });
    await expect(storage.customers.get('cus_x')).rejects.toSatisfy(
      (e: unknown) => ConfigurationError.is(e) && /run migrate\(client, \{ schema \}\)/.test(e.message),
    );
    await storage.close();
  });

  it('says it is a database storage; multiProcess follows the client', async () => {
    const client = await pglite.client();
    expect(createPostgresStorage({ client }).capabilities).toEqual({ transactions: 'database', multiProcess: false });
    expect(createPostgresStorage({ client: fromPgPool(new pg.Pool()) }).capabilities.multiProcess).toBe(true);
  });

  it('signals queued jobs on a pg Pool and on PGlite; not on a pool-like object that cannot open a connection of its own', async () => {
    expect(createPostgresStorage({ client: await pglite.client() }).jobsQueued).toBeDefined();
    expect(createPostgresStorage({ client: fromPgPool(new pg.Pool()) }).jobsQueued).toBeDefined();
    const poolLike = new pg.Pool();
    const bare = { query: poolLike.query.bind(poolLike), connect: poolLike.connect.bind(poolLike) };
    expect(createPostgresStorage({ client: fromPgPool(bare) }).jobsQueued).toBeUndefined();
  });

  it('refuses the storage itself inside its own transaction, and a tx after it finished', async () => {
    const { storage, cleanup } = await storageInFreshSchema(await pglite.client(), new ManualClock());
    let leaked: Parameters<Parameters<typeof storage.transaction>[0]>[0] | undefined;
    await expect(
      storage.transaction(async (tx) => {
        leaked = tx;
        await storage.panels.list();
      }),
    ).rejects.toSatisfy((e) => StorageMisuseError.is(e));
    await expect(leaked!.panels.list()).rejects.toSatisfy((e) => StorageMisuseError.is(e));
    await cleanup();
    await expect(storage.panels.list()).rejects.toSatisfy((e) => StorageMisuseError.is(e));
  });

  it('close() waits for a transaction under way, then refuses new calls', async () => {
    const { storage, schema, cleanup } = await storageInFreshSchema(await pglite.client(), new ManualClock());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const running = storage.transaction(async (tx) => {
      await tx.customers.create({ email: 'late@example.com' });
      entered();
      await gate;
      return 'committed';
    });
    await inside;
    const events: string[] = [];
    void running.then(() => events.push('committed'));
    const closing = storage.close().then(() => events.push('closed'));
    // Let every pending callback run: close() must still be waiting for the transaction.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    release();
    await closing;
    expect(events).toEqual(['committed', 'closed']);
    expect(await running).toBe('committed');
    await expect(storage.customers.list({ limit: 1 })).rejects.toSatisfy((e) => StorageMisuseError.is(e));
    const reopened = createPostgresStorage({ client: await pglite.client(), schema });
    expect(await reopened.customers.getByEmail('late@example.com')).not.toBeNull();
    await cleanup();
  });

  it('calls made at once on one tx run one at a time, each under its own savepoint', async () => {
    const { storage, cleanup } = await storageInFreshSchema(await pglite.client(), new ManualClock());
    const made = await storage.transaction(async (tx) => {
      const results = await Promise.allSettled([
        tx.customers.create({ email: 'a@example.com' }),
        tx.customers.create({ email: 'a@example.com' }),
        tx.customers.create({ email: 'b@example.com' }),
      ]);
      return results.map((r) => r.status);
    });
    expect(made).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await storage.customers.list({ limit: 10 })).items).toHaveLength(2);
    await cleanup();
  });

  it('runs reads in a transaction without a savepoint; a read the database fails ends the transaction', async () => {
    const inner = await pglite.client();
    const { schema, cleanup } = await storageInFreshSchema(inner, new ManualClock());
    const statements: string[] = [];
    let failPanelReads = false;
    // Records what a transaction sends, and can make the database itself fail a panel read (division by zero).
    const recording: SqlClient = {
      concurrent: false,
      query: (text, params) => inner.query(text, params),
      transaction: (fn) =>
        inner.transaction((db) =>
          fn({
            query: (text, params) => {
              statements.push(text);
              const failing = failPanelReads && text.includes('.panels WHERE id = $1');
              return db.query(failing ? `${text} AND 1 / 0 = 1` : text, params);
            },
          }),
        ),
    };
    const storage = createPostgresStorage({ client: recording, schema });

    await storage.transaction(async (tx) => {
      await tx.customers.create({ email: 'kept@example.com' });
      expect(await tx.panels.get('pnl_missing')).toBeNull();
      expect(await tx.panels.list()).toEqual([]);
      // Refused before any statement: the transaction goes on.
      await expect(tx.panels.get(42 as unknown as string)).rejects.toSatisfy((e) => ValidationError.is(e));
      await tx.customers.create({ email: 'also-kept@example.com' });
    });
    expect(statements.filter((s) => s.startsWith('SAVEPOINT'))).toHaveLength(2);
    expect(statements.filter((s) => s.includes('.panels'))).toHaveLength(2);

    failPanelReads = true;
    let readError: unknown;
    const after = storage.transaction(async (tx) => {
      await tx.customers.create({ email: 'lost@example.com' });
      readError = await tx.panels.get('pnl_missing').catch((e: unknown) => e);
      await expect(tx.customers.create({ email: 'never@example.com' })).rejects.toBe(readError);
      // fn swallowed the failure and returns: the transaction must not report a commit it did not make.
      return 'returned';
    });
    const failed = await after.catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(Error);
    expect(failed).toBe(readError);
    const emails = (await storage.customers.list({ limit: 10 })).items.map((c) => c.email).sort();
    expect(emails).toEqual(['also-kept@example.com', 'kept@example.com']);
    await storage.close();
    await cleanup();
  });

  it('reruns a transaction that hits a serialisation failure, up to maxAttempts', async () => {
    const inner = await pglite.client();
    const schema = 'pk_retry_probe';
    await migrate(inner, { schema });
    let failures = 2;
    // A client whose first two transactions fail the way PostgreSQL reports a serialisation failure.
    const flaky: SqlClient = {
      concurrent: false,
      query: (text, params) => inner.query(text, params),
      transaction: (fn) =>
        inner.transaction(async (db) => {
          const result = await fn(db);
          if (failures-- > 0) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
          return result;
        }),
    };
    const storage = createPostgresStorage({ client: flaky, schema });
    let runs = 0;
    await storage.transaction(async (tx) => {
      runs++;
      await tx.customers.create({ email: `run-${runs}@example.com` });
    });
    expect(runs).toBe(3);
    expect((await storage.customers.list({ limit: 10 })).items.map((c) => c.email)).toEqual(['run-3@example.com']);
    failures = 10;
    const limited = createPostgresStorage({ client: flaky, schema, maxAttempts: 2 });
    await expect(limited.transaction(async (tx) => tx.panels.list())).rejects.toSatisfy((e) => StorageUnavailableError.is(e));
    await inner.query(`DROP SCHEMA "${schema}" CASCADE`);
  });
});

describe('fromPgPool', () => {
  it('wraps a pg Pool structurally (compile-time check)', () => {
    const client: SqlClient = fromPgPool(new pg.Pool());
    expect(client.concurrent).toBe(true);
    expect(fromPGlite).toBeTypeOf('function');
  });
});

describe("the storage's time (ticks.now)", () => {
  it("is the server's clock when leases are on the database, whatever the storage's clock says", async () => {
    const client = await pglite.client();
    const clock = new ManualClock('2001-01-01T00:00:00.000Z');
    const { storage, schema, cleanup } = await storageInFreshSchema(client, clock);
    try {
      const onServer = createPostgresStorage({ client, schema, clock, leaseClock: 'database' });
      // The server's clock is this machine's: nowhere near the storage's 2001.
      expect(Math.abs((await onServer.ticks.now()).getTime() - Date.now())).toBeLessThan(60_000);
      // On the injected clock (a test's), it tells that clock, with no statement.
      expect((await storage.ticks.now()).toISOString()).toBe('2001-01-01T00:00:00.000Z');
    } finally {
      await cleanup();
    }
  });
});
