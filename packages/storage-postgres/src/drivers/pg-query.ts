import { isUnavailable, markDeferredWriteFailure, markStaleStatement } from '../internal/errors.js';
import { rowDecoder } from './pg-rows.js';
import { planStatement, type StatementPlan, statementDescribed, statementFailed, statementName } from './pg-statements.js';

/** The part of node-postgres's protocol writer (`Connection`) a statement uses. */
interface PgWire {
  parse(message: { text: string; name?: string }): void;
  bind(message: Record<string, never>): void;
  execute(message: Record<string, never>): void;
  sync(): void;
  close(message: { type: 'S'; name: string }): void;
  describe(message: { type: 'P'; name: string }): void;
  submittedNamedStatements?: Record<string, string>;
}

/** node-postgres's `Query` as far as {@link StatementQuery} extends it. */
interface PgQuery {
  readonly text: string;
  name: string | undefined;
  prepare(wire: PgWire): void;
  hasBeenParsed(wire: PgWire): boolean;
  handleCommandComplete(message: unknown, wire: PgWire): void;
  handleRowDescription(message: { fields: readonly unknown[] }): void;
  handleDataRow(message: { fields: readonly (string | null)[] }): void;
  handleError(error: unknown, wire: PgWire): void;
  /** `'extended'`: Parse, Bind and Execute even without parameters (a `BEGIN` or a command ahead rides with them). */
  queryMode: string | undefined;
}

/**
 * node-postgres's `Query` constructor, called with the statement's text and values (and a callback for its outcome): a
 * config object would be copied property by property (`normalizeQueryConfig`) on every statement, a text is not.
 */
export type PgQueryClass = new (text: string, values: unknown[], callback?: (error: unknown) => void) => PgQuery;

/**
 * A command written ahead of a statement, under its Sync: a command without parameters (`SqlQueryable.sendAhead`), or a
 * write sent with its parameters whose answer nobody reads (`SqlQueryable.defer`: `values` given, its rows dropped).
 */
export interface AheadCommand {
  readonly text: string;
  /** The deferred write's parameters; `undefined` for a command without any. */
  readonly values?: readonly unknown[];
}

/** What a statement sent by {@link sendStatement} answers. */
export interface PgAnswer {
  rows: unknown[];
  /** The command's tag (`COMMIT`, or `ROLLBACK` when a `COMMIT` found the transaction aborted). */
  command?: string | null;
}

/** How to send one statement: with the transaction's `BEGIN` ahead of it, as a named statement, both or neither. */
export interface SendOptions {
  /** `BEGIN`'s Parse, Bind and Execute written ahead of the statement's own messages, under its one Sync. */
  readonly begin: boolean;
  /**
   * Commands written after `BEGIN` and ahead of the statement, the same way, in order: commands without parameters
   * (`SqlQueryable.sendAhead`), unnamed, and deferred writes (`SqlQueryable.defer`), named as the statement is
   * (`preparedPerConnection`). A deferred write the database fails, or whose parameters do not encode, fails the
   * statement with its error, marked (`isDeferredWriteFailure`).
   */
  readonly ahead?: readonly AheadCommand[];
  /** The statement itself is a deferred write (a flush of them, or the last sent with the `COMMIT`): its failure is marked too. */
  readonly deferred?: boolean;
  /**
   * `COMMIT`'s Parse, Bind and Execute written after the statement's Execute, under the same Sync: the transaction ends
   * in the statement's round trip (`SqlQueryable.commitWithNext`). An error in the statement skips it (the transaction
   * stays open, aborted, for the caller's `ROLLBACK`); its completion is not counted as a result.
   */
  readonly commit?: boolean;
  /** Sent as a named statement, at most this many prepared a connection (`undefined`: unnamed). */
  readonly preparedPerConnection: number | undefined;
}

/** Something node-postgres runs a query object on: a `pg` `Client`, or a `pg` `Pool` (it hands the object to one). */
export interface Submitter {
  query(query: object, values: undefined, callback: (error: Error | null, answer?: PgAnswer) => void): unknown;
}

/**
 * node-postgres's `Query` with these additions, each written into the same round trip as the statement:
 *
 * - `begin`, `ahead`: `BEGIN`, commands without parameters and deferred writes ahead of the statement (the extended
 *   protocol runs them in order; an error in any skips the rest up to the Sync, and the query fails with it, marked
 *   when a deferred write's); their completions and rows are not counted as results.
 * - `commit`: `COMMIT` after the statement, the same way.
 * - `preparedPerConnection`: the statement (and each deferred write ahead of it) named after its text, parsed on a
 *   connection only the first time it is sent there (`pg-statements.ts` decides, as the statement is written and so
 *   on the connection it goes to).
 *   The name is given to node-postgres only while the messages are written: its own book of parsed statements
 *   (`parsedStatements`, never trimmed) stays empty, and a `BEGIN`'s Parse is not taken for the statement's. Once
 *   the server has described a named statement's rows on a connection, its later runs there are written without a
 *   Describe (no RowDescription to send, read and decode each time: 35 fields for the buyer's link), and their rows
 *   are decoded by the decoder booked with the description (`pg-rows.ts`: node-postgres's parsers for those columns
 *   on that connection, looked up once), not by node-postgres's `Result`, which would look the parsers up and build
 *   an empty row again on every run. Without a decoder the description booked is handed to node-postgres as if it
 *   had come.
 */
function statementQueryClass(Query: PgQueryClass): new (config: StatementConfig) => PgQuery {
  return class StatementQuery extends Query {
    private readonly options: SendOptions;
    private readonly statement: string | undefined;
    /** Completions still to come before the statement's own: `BEGIN`'s and those of the commands ahead of it. */
    private before: number;
    /** The commands ahead in the order written, `BEGIN` first when sent: which one a failure before the statement's is. */
    private readonly written: readonly AheadCommand[];
    /** Whether every message is written: an error before is raised while writing (a parameter that does not encode). */
    private sent: boolean;
    /** Each command of {@link written} written so far: its plan when a named deferred write, else `undefined`. */
    private readonly aheadPlans: (StatementPlan | undefined)[];
    /** The command of {@link written} whose parameters did not encode, if one did not. */
    private unencodableAt: number | undefined;
    /** Whether the statement's own completion has come (any after it is `COMMIT`'s). */
    private completed: boolean;
    private plan: StatementPlan | undefined;
    /** The connection it was written to (what its preparation is booked by). */
    private wire: PgWire | undefined;
    /** While the messages are written: an error then (a parameter node-postgres cannot encode) closes the statement. */
    private writing: boolean;
    /** The rows decoded by the booked decoder (`undefined`: node-postgres's `Result` holds them). */
    decoded: Record<string, unknown>[] | undefined;
    /** The first error of the booked decoder (a type parser that threw): the statement fails with it, as in node-postgres. */
    decodeError: unknown;

    constructor(config: StatementConfig) {
      super(config.text, config.values);
      this.queryMode = 'extended';
      this.options = config.options;
      this.statement = config.options.preparedPerConnection === undefined ? undefined : statementName(config.text);
      this.written = config.options.begin ? [{ text: 'BEGIN' }, ...(config.options.ahead ?? [])] : (config.options.ahead ?? []);
      this.before = this.written.length;
      this.sent = false;
      this.aheadPlans = [];
      this.unencodableAt = undefined;
      this.completed = false;
      this.plan = undefined;
      this.wire = undefined;
      this.writing = false;
      this.decoded = undefined;
      this.decodeError = undefined;
    }

    override hasBeenParsed(wire: PgWire): boolean {
      return this.plan === undefined ? super.hasBeenParsed(wire) : !this.plan.parse;
    }

    override prepare(wire: PgWire): void {
      try {
        this.write(wire);
      } finally {
        this.sent = true;
      }
    }

    private write(wire: PgWire): void {
      this.wire = wire;
      const perConnection = this.options.preparedPerConnection;
      for (const command of this.written) {
        if (command.values === undefined) {
          this.aheadPlans.push(undefined);
          wire.parse({ text: command.text });
          wire.bind({});
          wire.execute({});
          continue;
        }
        // Planned as it is written, in order: a later one's Close of an evicted name goes after the statement has run.
        const plan =
          perConnection === undefined ? undefined : planStatement(wire, statementName(command.text), command.text, perConnection);
        this.aheadPlans.push(plan);
        const unencodable = writeDeferred(Query, wire, command, plan);
        if (unencodable !== undefined) {
          // Written so far runs (the transaction stays open, for its caller's `ROLLBACK`); the statement does not.
          this.unencodableAt = this.aheadPlans.length - 1;
          wire.sync();
          markDeferredWriteFailure(unencodable);
          this.handleError(unencodable, wire);
          return;
        }
      }
      if (this.statement !== undefined) {
        this.plan = planStatement(wire, this.statement, this.text, perConnection!);
        for (const name of this.plan?.close ?? []) wire.close({ type: 'S', name });
      }
      const ending = this.options.commit === true ? committing(wire) : wire;
      if (this.plan === undefined) {
        super.prepare(ending);
        return;
      }
      this.name = this.plan.name;
      this.writing = true;
      const { fields, decoder } = this.plan;
      try {
        super.prepare(fields === undefined ? ending : withoutDescribe(ending));
        // As node-postgres would have read it from the server's answer to a Describe (before any row).
        if (decoder !== undefined) this.decoded = [];
        else if (fields !== undefined) this.handleRowDescription({ fields });
      } finally {
        this.writing = false;
        this.name = undefined;
        if (wire.submittedNamedStatements !== undefined) delete wire.submittedNamedStatements[this.plan.name];
      }
    }

    override handleCommandComplete(message: unknown, wire: PgWire): void {
      if (this.before > 0) this.before--;
      else if (!this.completed) {
        this.completed = true;
        super.handleCommandComplete(message, wire);
      }
    }

    override handleRowDescription(message: { fields: readonly unknown[] }): void {
      super.handleRowDescription(message);
      if (this.plan !== undefined && this.plan.fields === undefined) {
        // The parsers node-postgres has just looked up for these columns (its `Result`'s): booked with the description.
        const parsers = (this as unknown as { _result?: { _parsers?: unknown } })._result?._parsers;
        statementDescribed(this.wire!, this.plan, message.fields, rowDecoder(message.fields, parsers));
      }
    }

    override handleDataRow(message: { fields: readonly (string | null)[] }): void {
      // A deferred write's rows (one with `RETURNING`): nobody reads them.
      if (this.before > 0) return;
      if (this.decoded === undefined) {
        super.handleDataRow(message);
        return;
      }
      if (this.decodeError !== undefined) return;
      try {
        this.decoded.push(this.plan!.decoder!(message.fields));
      } catch (error) {
        this.decodeError = error ?? new Error('a type parser threw');
      }
    }

    override handleError(error: unknown, wire: PgWire): void {
      if (this.isDeferredWrite(error)) markDeferredWriteFailure(error);
      if (this.plan !== undefined && statementFailed(this.wire ?? wire, this.plan, error, this.writing)) markStaleStatement(error);
      this.aheadFailed(error, this.wire ?? wire);
      super.handleError(error, wire);
    }

    /**
     * Books the named deferred writes an error stopped: the one that failed (refused for its prepared copy: marked
     * stale), and those after it, whose Parse and Close the server skipped up to the Sync. Those before it ran.
     */
    private aheadFailed(error: unknown, wire: PgWire): void {
      const failedAt = this.unencodableAt ?? (this.sent ? this.written.length - this.before : this.written.length);
      for (let at = failedAt; at < this.aheadPlans.length; at++) {
        const plan = this.aheadPlans[at];
        if (plan === undefined) continue;
        if (at !== failedAt) statementFailed(wire, plan, undefined);
        else if (statementFailed(wire, plan, error, at === this.unencodableAt)) markStaleStatement(error);
      }
    }

    /** Whether `error` is a deferred write's refusal (not a lost connection: a `COMMIT` after it may have run). */
    private isDeferredWrite(error: unknown): boolean {
      if (isUnavailable(error)) return false;
      // Raised while writing: a parameter of the statement itself that does not encode.
      if (!this.sent) return this.options.deferred === true;
      // Each command ahead answers one completion before the statement's own: the first not answered is the one that failed.
      const failed = this.written[this.written.length - this.before];
      return failed !== undefined ? failed.values !== undefined : this.options.deferred === true && !this.completed;
    }
  };
}

/**
 * Writes a deferred write's Parse (unless `plan` says it is prepared), Bind and Execute (no Describe, no Sync) as
 * node-postgres writes a query's, named by `plan` (with its Closes first) or unnamed without one, its parameters encoded
 * as node-postgres encodes them; answers the error of a parameter that does not encode (then nothing past its Parse is
 * written but a Close of it, as node-postgres does).
 */
function writeDeferred(Query: PgQueryClass, wire: PgWire, command: AheadCommand, plan: StatementPlan | undefined): unknown {
  let unencodable: unknown;
  const write = new Query(command.text, [...command.values!], (error) => {
    unencodable = error ?? new Error('a parameter could not be encoded');
  });
  if (plan === undefined) {
    write.prepare(quietWire(wire));
    return unencodable;
  }
  for (const name of plan.close) wire.close({ type: 'S', name });
  write.name = plan.name;
  write.hasBeenParsed = () => !plan.parse;
  try {
    write.prepare(quietWire(wire));
  } finally {
    // node-postgres's own book of named statements stays empty, as for a statement's (see `statementQueryClass`).
    if (wire.submittedNamedStatements !== undefined) delete wire.submittedNamedStatements[plan.name];
  }
  return unencodable;
}

/** `wire` writing neither a Describe nor a Sync: a deferred write's messages go under its carrier's Sync, its rows unread. */
function quietWire(wire: PgWire): PgWire {
  return Object.create(wire, { describe: { value: () => {} }, sync: { value: () => {} } }) as PgWire;
}

/**
 * `wire` writing `COMMIT` (Parse, Bind, Execute) before its Sync, once the statement's Execute is written: a statement
 * whose parameters fail to encode writes a Sync without an Execute, and the transaction must not be committed then.
 */
function committing(wire: PgWire): PgWire {
  let executed = false;
  return Object.create(wire, {
    execute: {
      value: (message: Record<string, never>) => {
        executed = true;
        wire.execute(message);
      },
    },
    sync: {
      value: () => {
        if (executed) {
          wire.parse({ text: 'COMMIT' });
          wire.bind({});
          wire.execute({});
        }
        wire.sync();
      },
    },
  }) as PgWire;
}

/** Each connection's {@link withoutDescribe} (a statement run bound writes through it). */
const describeless = new WeakMap<PgWire, PgWire>();

/** `wire` writing everything but a Describe (node-postgres's `prepare` writes the rest: Bind, Execute, Sync); one a connection. */
function withoutDescribe(wire: PgWire): PgWire {
  let quiet = describeless.get(wire);
  if (quiet === undefined) {
    quiet = Object.create(wire, { describe: { value: () => {} } }) as PgWire;
    describeless.set(wire, quiet);
  }
  return quiet;
}

interface StatementConfig {
  text: string;
  values: unknown[];
  options: SendOptions;
}

const classes = new WeakMap<PgQueryClass, new (config: StatementConfig) => PgQuery>();

/** The node-postgres `Query` class of `Client` (a `pg.Client`, or a pool's `Client`), if it is one this extends. */
export function pgQueryClass(Client: unknown): PgQueryClass | undefined {
  const Query = (Client as { Query?: PgQueryClass } | undefined)?.Query;
  if (typeof Query !== 'function' || typeof Query.prototype?.prepare !== 'function') return undefined;
  const prototype = Query.prototype as Partial<PgQuery>;
  if (
    typeof prototype.handleCommandComplete !== 'function' ||
    typeof prototype.hasBeenParsed !== 'function' ||
    typeof prototype.handleRowDescription !== 'function'
  )
    return undefined;
  return Query;
}

/**
 * Sends one statement with `$n` parameters through `target` as a {@link statementQueryClass} query. Rejects with
 * the driver's error; one that sending it again cures is marked (`isStaleStatement`).
 */
export function sendStatement(
  Query: PgQueryClass,
  target: Submitter,
  text: string,
  values: unknown[],
  options: SendOptions,
): Promise<PgAnswer> {
  let Statement = classes.get(Query);
  if (Statement === undefined) {
    Statement = statementQueryClass(Query);
    classes.set(Query, Statement);
  }
  const query = new Statement({ text, values, options }) as PgQuery & { decoded?: unknown[]; decodeError?: unknown };
  // With a callback, both a client and a pool run a query object (without one a client returns the object itself).
  return new Promise((resolve, reject) => {
    target.query(query, undefined, (error, answer) => {
      if (error) reject(error);
      else if (query.decodeError !== undefined) reject(query.decodeError);
      else resolve(query.decoded === undefined ? answer! : { rows: query.decoded, command: answer!.command });
    });
  });
}
