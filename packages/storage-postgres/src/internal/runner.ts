import type { Clock, SecretBox } from '@panelkit/sdk';
import type { SqlQueryable } from '../client.js';

/** What a repository call gets: a connection to run its statements on, and the time of the call. */
export interface Call {
  readonly db: SqlQueryable;
  readonly now: Date;
}

/** How {@link Runner.run} runs one call. */
export interface RunOptions {
  /**
   * A read that writes nothing: run without `BEGIN` outside a transaction, and without a savepoint
   * inside one (a read the database fails ends that transaction instead).
   */
  readonly read?: boolean;
  /**
   * Every statement the call sends is atomic on its own, and the call needs no transaction around them
   * (one `UPDATE … FROM unnest(…)`, a lease taken in one statement): outside a transaction it runs
   * without `BEGIN` and `COMMIT`, two round trips fewer; inside one it keeps its savepoint (unlike
   * `single`, a failure leaves the caller's transaction usable).
   */
  readonly autocommit?: boolean;
  /**
   * A call whose writes are one statement (it reads more only after that statement wrote nothing): run
   * like a read, without `BEGIN` or a savepoint. The statement is atomic by itself; when the database
   * fails it, the transaction it ran in is over (as after a failed read).
   */
  readonly single?: boolean;
  /**
   * With `single`: the call's statement may carry the transaction's `COMMIT` (`SqlQueryable.commitWithNext`, given to
   * it only inside a transaction, and not in a replay). The statement must fail, with `COMMIT_HELD` (`internal/errors.ts`) in its
   * error, wherever its caller would go on after it: the storage then runs the transaction's callback again without
   * the `COMMIT` riding (`orders.place` with `PlaceOptions.last`).
   */
  readonly commits?: boolean;
  /**
   * A write that rarely fails: inside a transaction it runs without a savepoint (two statements fewer).
   * When it throws before anything it sent wrote (its own checks, a lock read that found nothing to
   * change) the transaction goes on as it was. When the database fails one of its statements, or it
   * throws after one of them wrote, the transaction is rolled back and its callback run again from the
   * start with every call under a savepoint: what the caller sees, catching the error or not, is what a
   * savepoint gives. Outside a transaction it changes nothing.
   */
  readonly optimistic?: boolean;
  /**
   * Outside a transaction, the call's own transaction keeps `SqlQueryable.defer` (where the connection has it): for a
   * call whose deferred writes are no guess, so that one the database refuses is the call's own failure (the statement
   * carrying it rejects, the transaction is rolled back, the call throws), with nothing to replay. Inside a
   * transaction it changes nothing.
   */
  readonly defers?: boolean;
  /**
   * Run the call again when it fails this way (besides serialisation failures and deadlocks),
   * e.g. a unique violation from a concurrent insert that the next attempt will see.
   */
  readonly retryOn?: (error: unknown) => boolean;
}

/**
 * Runs one repository call: alone in its own transaction (the storage), or under a savepoint in
 * an open one (a `tx`; a read runs bare there). Either way a call that throws changes nothing.
 */
export interface Runner {
  run<T>(label: string, fn: (call: Call) => Promise<T>, options?: RunOptions): Promise<T>;
}

/** `database`: the server's `clock_timestamp()`; `clock`: the storage's injected `Clock`. */
export type LeaseClock = 'database' | 'clock';

/** Everything a repository needs: how to run a call, the quoted schema, the clock. */
export interface RepositoryContext {
  readonly runner: Runner;
  /** The quoted schema name, e.g. `"panelkit"`; table names are `${schema}.jobs`. */
  readonly schema: string;
  readonly clock: Clock;
  /** Which clock job leases are written and reaped on (see `PostgresStorageOptions.leaseClock`). */
  readonly leaseClock: LeaseClock;
  /** Seals and opens panel credentials; without one they are stored as plain jsonb. */
  readonly secretBox?: SecretBox | undefined;
  /**
   * Whether the storage listens for queued jobs now (`jobsQueued`): only then does an empty claim count its worker
   * idle (`ClaimRequest.awaitWakeMs`), since a wake for it would otherwise be lost. Never, when not given.
   */
  readonly listening?: (() => boolean) | undefined;
}
