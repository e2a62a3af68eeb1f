import { ConfigurationError, StorageMisuseError, silentLogger, systemClock } from '@panelkit/sdk';
import { STORAGE_PORT_VERSION } from '@panelkit/sdk/storage';
import { Mutex, createTransactionScopes } from '@panelkit/sdk/storage';
import type { Clock, Logger, SecretBox } from '@panelkit/sdk';
import type { StorageCapabilities, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import type { SqlClient, SqlQueryable } from './client.js';
import { isCommitHeld, isDeferredWriteFailure, isRetryableConflict, isStaleStatement, mapError } from './internal/errors.js';
import type { Call, RunOptions, Runner } from './internal/runner.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';
import { withoutDefer } from './internal/unread-writes.js';
import { watchStatements } from './internal/watched-statements.js';
import { listenForQueuedJobs } from './jobs-queued.js';
import { createRepositories } from './repositories.js';
import { TRANSACTION_SQL } from './transaction-sql.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** The database, through {@link fromPgPool} or {@link fromPGlite}. The storage never closes it. */
  client: SqlClient;
  /** The schema {@link migrate} created. Default `panelkit`. */
  schema?: string;
  /** Where createdAt, updatedAt, run times and every other domain time come from. Default: the system clock. */
  clock?: Clock;
  /**
   * Which clock a job's lease is measured on: when it ends (`claim`, `heartbeat`) and whether it has ended
   * (`reapExpired`). `'database'`: the server's `clock_timestamp()`, one clock for every replica, so a
   * replica whose clock runs ahead can neither reap nor take over a lease that is still live, and one whose
   * clock runs behind cannot keep a dead one or lose a live one. `'clock'`: on `clock` (tests that expire
   * leases by moving a `ManualClock`). Default `'database'` when `clock` is absent or the system clock, else
   * `'clock'`. Panel slots are always on the server's clock.
   */
  leaseClock?: 'database' | 'clock';
  /** Told about retried serialisation failures and deadlocks. Default: silent. */
  logger?: Logger;
  /** How many times one call or transaction runs before a serialisation failure or deadlock is given up. Default 5. */
  maxAttempts?: number;
  /**
   * Seals panel credentials before they are written and opens them when read (AES-256-GCM, keys from
   * the host's environment), so a dump or backup of the database opens no panel. Run
   * {@link resealSecrets} at start-up to seal rows written before and to check the keys. Without a box
   * credentials are stored in plain jsonb (tests, benches): a host holding real panels must pass one.
   */
  secretBox?: SecretBox;
}

/** Refuses a missing or raw driver client with a `ConfigurationError` that says how to wrap it. */
function checkClient(options: PostgresStorageOptions | undefined): void {
  const client: unknown = options?.client;
  if (client === undefined || client === null) {
    throw new ConfigurationError(
      'createPostgresStorage needs options.client: fromPgPool(new pg.Pool({ connectionString })) or fromPGlite(await PGlite.create(dir))',
    );
  }
  const shaped = client as Partial<SqlClient>;
  if (typeof shaped.query !== 'function' || typeof shaped.transaction !== 'function' || typeof shaped.concurrent !== 'boolean') {
    throw new ConfigurationError(
      'options.client is not a SqlClient: wrap a pg Pool with fromPgPool(pool) or a PGlite database with fromPGlite(db)',
    );
  }
}

/** One open transaction: whether its callback still runs, the lock that orders its calls, and what ended it early. */
interface TransactionScope {
  open: boolean;
  readonly lock: Mutex;
  /** The error of a read the database failed (the transaction cannot go on): later calls throw it, and so does the transaction. */
  ended: unknown;
  /** A replay: every write runs under a savepoint, `optimistic` ones too. */
  readonly careful: boolean;
  /** An optimistic write failed past its checks, or a call would not carry the COMMIT: roll back and run the callback again, carefully. */
  replay: boolean;
}

/**
 * A `StoragePort` on PostgreSQL. Several processes may share one database: capacity and
 * balances are guarded by row locks, jobs are claimed with `FOR UPDATE SKIP LOCKED` and fenced
 * by lease tokens, and ticks are won by a conditional upsert. Run {@link migrate} first.
 *
 * `jobsQueued` (workers claim as soon as a job is queued, on every replica) rests on the `jobs_queued_notify`
 * trigger and one listening connection per storage, opened while a worker listens (see `listenForQueuedJobs`).
 *
 * Each call outside a transaction is its own database transaction (a single read runs bare).
 * Inside `transaction(fn)` each call that writes runs under a savepoint, so a call that throws changes
 * nothing and the transaction may go on; a single read runs bare (it has nothing to undo, and the
 * savepoint would cost two more round trips), and so does a call whose writes are one statement
 * (`orders.place`: the statement is atomic by itself; told that nothing follows it, `PlaceOptions.last`, it carries
 * the transaction's `COMMIT` too, or fails, and `fn` runs again without). A read or such a write the database
 * itself fails (a timeout, a dropped connection) ends the transaction: later calls on its `tx` throw
 * that error and the transaction rolls back. Writes that rarely fail (a subscription's or order's
 * update, an audit event, a job's completion) run bare too, optimistically: when the database fails
 * one, `fn` is run again from the start with every write under its savepoint, so the outcome is the
 * savepoint's. Calls on one `tx` are run one at a time. A serialisation failure or deadlock reruns the
 * call, or the whole `fn`, up to `maxAttempts`.
 *
 * Row locks, one global order (`StoragePort.transaction` states it for callers):
 * 1. the customer: `ledger.append` locks its row (then its `ledger_balances` row), so one
 *    customer's appends queue and the balance check cannot race;
 * 2. a subscription: `subscriptions.update` (and `recordUsage`, many rows in id order);
 * 3. capacity: the plan, then the target (`capacity.reserve`, `capacity.release`): a caller that finds a
 *    target full tries the next one still holding the plan, so the plan must come first. `orders.place` (a
 *    checkout) locks the customer, then its plans, then its targets, each in id order, in one statement;
 * 4. the order: `orders.update` (settling it locks it before reading its subscriptions);
 * 5. jobs: `enqueue` (its unique dedupe index), `cancel`; claims skip locked rows.
 * Panels, targets and plans edited by an admin lock only their own row. Every one of these locks is
 * `FOR NO KEY UPDATE` (`internal/locks.ts`): the `KEY SHARE` lock a foreign-key check takes on the row
 * a new row points at (a checkout's order at its customer, before the debit) does not conflict with
 * it, so those checks neither wait nor make anyone wait, and cannot close a cycle. A write that
 * changes a unique key takes `FOR UPDATE` from the start instead of upgrading later.
 */
export function createPostgresStorage(options: PostgresStorageOptions): StoragePort {
  checkClient(options);
  const { client } = options;
  const schemaName = checkSchemaName(options.schema ?? 'panelkit');
  const schema = quoteIdent(schemaName);
  const clock = options.clock ?? systemClock;
  // An injected clock other than the system's is a test's: leases follow it, so moving it expires them.
  const leaseClock = options.leaseClock ?? (clock === systemClock ? 'database' : 'clock');
  if (leaseClock !== 'database' && leaseClock !== 'clock') {
    throw new ConfigurationError("options.leaseClock must be 'database' or 'clock'");
  }
  const logger = options.logger ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 5;
  const scopes = createTransactionScopes<TransactionScope>();
  const capabilities: StorageCapabilities = Object.freeze({ transactions: 'database', multiProcess: client.concurrent });
  const jobsQueued = listenForQueuedJobs(client, schemaName, logger);
  let closed = false;
  /** Calls and transactions under way, so `close()` can wait for them. */
  const inflight = new Set<Promise<unknown>>();

  function track<T>(work: Promise<T>): Promise<T> {
    inflight.add(work);
    const forget = () => inflight.delete(work);
    work.then(forget, forget);
    return work;
  }

  function assertUsable(label: string): void {
    if (closed) throw new StorageMisuseError(`storage.${label}() was called after storage.close()`);
    if (scopes.current()?.open === true) {
      throw new StorageMisuseError(
        `storage.${label}() was called inside a transaction callback; use the \`tx\` passed to the callback ` +
          '(the storage itself would wait on locks the transaction holds)',
      );
    }
  }

  /** Runs `attempt` again on a serialisation failure, deadlock, or what `retryOn` names. */
  async function withRetries<T>(label: string, attempt: () => Promise<T>, retryOn?: (error: unknown) => boolean): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        const retry = isRetryableConflict(error) || retryOn?.(error) === true;
        if (!retry || n >= maxAttempts) throw mapError(error);
        logger.debug({ label, attempt: n, code: (error as { code?: unknown }).code }, 'storage call retried');
      }
    }
  }

  const direct: Runner = {
    async run<T>(label: string, fn: (call: Call) => Promise<T>, runOptions: RunOptions = {}): Promise<T> {
      assertUsable(label);
      // A read, or a call whose statements are atomic on their own, needs no BEGIN/COMMIT around it.
      if (runOptions.read === true || runOptions.single === true || runOptions.autocommit === true)
        return track(withRetries(label, () => fn({ db: client, now: clock.now() }), runOptions.retryOn));
      return track(
        withRetries(
          label,
          () => client.transaction((db) => fn({ db: runOptions.defers === true ? db : withoutDefer(db), now: clock.now() })),
          runOptions.retryOn,
        ),
      );
    },
  };

  /** Whether the transaction on `db` still takes statements (`undefined`), else the error it answers (it was aborted). */
  async function aborted(db: SqlQueryable): Promise<unknown> {
    try {
      await db.query('SELECT 1');
      return undefined;
    } catch (error) {
      return error;
    }
  }

  function transactionRunner(connection: SqlQueryable, scope: TransactionScope): Runner {
    // The caller's transaction: a call in it must not end it (`commitWithNext` is left out), but for one that `commits`.
    const { sendAhead, defer, commitWithNext } = connection;
    const db: SqlQueryable = {
      query: <R>(text: string, params?: readonly unknown[]) => connection.query<R>(text, params),
      ...(sendAhead === undefined ? {} : { sendAhead: (text: string) => sendAhead.call(connection, text) }),
    };
    // Not in a replay: there the call's caller goes on as without the hint.
    const committing: SqlQueryable | undefined =
      commitWithNext === undefined || scope.careful ? undefined : { ...db, commitWithNext: () => commitWithNext.call(connection) };
    // Only an optimistic call defers its writes, and not in a replay: a write under a savepoint must fail at its call,
    // and a failed deferred write is answered, like a failed optimistic one, by the replay (see `deferredFailed`).
    const deferring: SqlQueryable =
      defer === undefined || scope.careful ? db : { ...db, defer: (text, params) => defer.call(connection, text, params) };
    /** A deferred write failed in this call's round trip, not of its doing: the transaction is replayed under savepoints. */
    const deferredFailed = (error: unknown) => {
      if (scope.careful || !isDeferredWriteFailure(error)) return;
      scope.replay = true;
      scope.ended ??= isRetryableConflict(error) ? error : mapError(error);
    };
    return {
      run<T>(label: string, fn: (call: Call) => Promise<T>, runOptions: RunOptions = {}): Promise<T> {
        return scope.lock.run(async () => {
          try {
            return await runCall(label, fn, runOptions);
          } catch (error) {
            deferredFailed(error);
            throw error;
          }
        });
      },
    };

    async function runCall<T>(label: string, fn: (call: Call) => Promise<T>, runOptions: RunOptions): Promise<T> {
      if (!scope.open) {
        throw new StorageMisuseError(`tx.${label}() was called after its transaction had finished; a tx is only valid inside its callback`);
      }
      if (scope.ended !== undefined) throw scope.ended;
      if (runOptions.optimistic === true && !scope.careful) {
        const { db: watched, watch } = watchStatements(deferring);
        try {
          return await fn({ db: watched, now: clock.now() });
        } catch (error) {
          const thrown = isRetryableConflict(error) ? error : mapError(error);
          // Past its checks: what it wrote stays, or the database aborted the transaction. Either way only a replay
          // under savepoints gives the caller what it would have had.
          if (watch.failed || watch.wrote) {
            scope.replay = true;
            scope.ended = thrown;
          }
          throw thrown;
        }
      }
      if (runOptions.read === true || runOptions.single === true) {
        const commits = runOptions.commits === true && committing !== undefined;
        try {
          return await fn({ db: commits ? committing : db, now: clock.now() });
        } catch (error) {
          if (commits && isCommitHeld(error)) {
            // It would not carry the COMMIT (its caller goes on after it): the transaction is aborted, and runs again
            // from the start without the COMMIT riding.
            scope.replay = true;
            scope.ended = mapError(error);
            throw scope.ended;
          }
          // A serialisation failure or deadlock stays raw so `transaction()` reruns fn (as below).
          const thrown = isRetryableConflict(error) ? error : mapError(error);
          // Thrown here (bad input, a row that does not decode), the transaction is fine; failed by the database, it is over.
          const failed = await aborted(db);
          if (failed !== undefined) {
            // Or a write deferred before it failed on the way (sent ahead of the check).
            deferredFailed(failed);
            scope.ended = thrown;
          }
          throw thrown;
        }
      }
      for (let n = 1; ; n++) {
        await db.query('SAVEPOINT panelkit_call');
        try {
          const result = await fn({ db, now: clock.now() });
          await db.query('RELEASE SAVEPOINT panelkit_call');
          return result;
        } catch (error) {
          await db.query('ROLLBACK TO SAVEPOINT panelkit_call');
          await db.query('RELEASE SAVEPOINT panelkit_call');
          // Refused for a statement's prepared copy, since prepared anew by the driver: the call goes again.
          if (isStaleStatement(error) && n < maxAttempts) continue;
          // A deadlock or serialisation failure belongs to the whole transaction: rethrow it raw
          // so `transaction()` reruns fn.
          if (isRetryableConflict(error)) throw error;
          if (runOptions.retryOn?.(error) === true && n < maxAttempts) continue;
          throw mapError(error);
        }
      }
    }
  }

  /**
   * Runs `fn` in one database transaction; reruns it on a serialisation failure or deadlock, and once more
   * with every write under its savepoint when an optimistic write failed or a call would not carry the `COMMIT`
   * (`RunOptions.commits`; not counted as an attempt).
   */
  async function runTransaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    let careful = false;
    for (let n = 1; ; n++) {
      let replay = false;
      try {
        return await client.transaction(async (db) => {
          const scope: TransactionScope = { open: true, lock: new Mutex(), ended: undefined, careful, replay: false };
          const runner = transactionRunner(db, scope);
          const tx = createRepositories({
            runner,
            schema,
            clock,
            leaseClock,
            secretBox: options.secretBox,
            listening: jobsQueued?.listening,
          });
          // Optimistic: no savepoint unless the database fails a host statement, and then `fn` runs again with each under one.
          const hostSql: SqlQueryable = {
            query: <R>(text: string, params?: readonly unknown[]) =>
              runner.run('transactionSql.query', (call) => call.db.query<R>(text, params), { optimistic: true }),
          };
          // A host write whose answer is not read rides in the next round trip, as an optimistic call's deferred writes
          // do (not in a replay: there each write goes under its savepoint, through `query`); one the database refuses
          // replays the transaction under savepoints (`deferredFailed`, and `isDeferredWriteFailure` at the `COMMIT`).
          const { defer } = db;
          if (defer !== undefined && !careful)
            hostSql.defer = (text, params) => {
              if (!scope.open) throw new StorageMisuseError('transactionSql(tx).defer() was called after its transaction had finished');
              if (scope.ended !== undefined) throw scope.ended;
              defer.call(db, text, params);
            };
          Object.defineProperty(tx, TRANSACTION_SQL, { value: hostSql });
          try {
            const result = await scopes.run(scope, () => fn(tx));
            // fn caught the failed read and returned: COMMIT would only roll back (PostgreSQL answers an aborted transaction's COMMIT with ROLLBACK).
            if (scope.ended !== undefined) throw scope.ended;
            return result;
          } finally {
            scope.open = false;
            replay = scope.replay;
          }
        });
      } catch (error) {
        // A deferred write that failed with the `COMMIT`: replayed as one that failed at its call would be.
        if ((replay || isDeferredWriteFailure(error)) && !careful) {
          logger.debug({ code: (error as { code?: unknown }).code }, 'storage transaction replayed under savepoints');
          careful = true;
          n--;
          continue;
        }
        if (isRetryableConflict(error) && n < maxAttempts) {
          logger.debug({ attempt: n, code: (error as { code?: unknown }).code }, 'storage transaction retried');
          continue;
        }
        throw mapError(error);
      }
    }
  }

  return {
    kind: 'postgres',
    portVersion: STORAGE_PORT_VERSION,
    capabilities,
    ...(jobsQueued === undefined ? {} : { jobsQueued: jobsQueued.signal }),
    ...createRepositories({ runner: direct, schema, clock, leaseClock, secretBox: options.secretBox, listening: jobsQueued?.listening }),

    async transaction<T>(fn: (tx: StorageTransaction) => Promise<T>): Promise<T> {
      assertUsable('transaction');
      return track(runTransaction(fn));
    },

    /** Waits for calls and transactions under way, then refuses new ones. The client (pool or PGlite) stays open: it is the host's. */
    async close(): Promise<void> {
      if (scopes.current()?.open === true) throw new StorageMisuseError('storage.close() was called inside a transaction callback');
      closed = true;
      await Promise.allSettled([...inflight, jobsQueued?.close()]);
    },
  };
}
