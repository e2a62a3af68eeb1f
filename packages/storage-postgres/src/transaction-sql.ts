import { StorageMisuseError } from '@panelkit/sdk';
import type { SqlQueryable } from './client.js';

/** Where a PostgreSQL storage transaction keeps its host SQL handle (a symbol: invisible to the port). */
export const TRANSACTION_SQL = Symbol.for('panelkit.postgres.transactionSql');

/**
 * The SQL connection of a PostgreSQL storage transaction, for the host's own tables: what the host
 * writes through it commits or rolls back with the engine's writes and the host jobs it enqueued on
 * `tx` (a true outbox for a host's own changes). Each statement runs one at a time with the transaction's
 * other calls, and as if under a savepoint: a statement that fails changes nothing and the transaction may
 * go on. (It runs bare, a savepoint's two round trips fewer; when the database fails one, the transaction is
 * rolled back and its callback run again from the start with every statement under a savepoint, as a
 * serialisation failure would rerun it.) On `fromPgPool` it has `defer` too (`SqlQueryable.defer`): a write whose
 * answer is not read, sent in the round trip of the transaction's next statement or of its `COMMIT`; one the database
 * refuses replays the transaction the same way, where `defer` is absent (each write then goes by `query`). Only for
 * tables outside the engine's schema. `StorageMisuseError` for a `tx` of another storage.
 */
export function transactionSql(tx: object): SqlQueryable {
  const sql = (tx as { [TRANSACTION_SQL]?: SqlQueryable })[TRANSACTION_SQL];
  if (sql === undefined) throw new StorageMisuseError('transactionSql() takes the tx of a PostgreSQL storage transaction');
  return sql;
}
