/**
 * The lock an update takes on the row it is about to rewrite (`SELECT … <lock>`).
 *
 * `FOR NO KEY UPDATE` unless the write changes a column of a unique key. It excludes every other
 * writer of the row, but not the `KEY SHARE` lock that a foreign-key check takes on it when a
 * transaction inserts a row pointing at it (an order or ledger entry at its customer, a
 * subscription at its order, target and plan). `FOR UPDATE` conflicts with `KEY SHARE`: two
 * checkouts of one customer would each insert their order (`KEY SHARE` on the customer), then
 * each wait in `ledger.append` for the other's `KEY SHARE` to go: a deadlock.
 *
 * A write that does change a unique key column (a customer's email, a subscription's panel or
 * remote username, a target's remote ref) is locked `FOR UPDATE` by PostgreSQL whatever we ask,
 * so it asks for that from the start: a lock taken weaker and upgraded later is how deadlocks form.
 */
export function rowLock(changesUniqueKey = false): 'FOR UPDATE' | 'FOR NO KEY UPDATE' {
  return changesUniqueKey ? 'FOR UPDATE' : 'FOR NO KEY UPDATE';
}
