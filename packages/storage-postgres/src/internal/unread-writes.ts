import type { SqlQueryable } from '../client.js';

/**
 * Runs a write whose answer its caller does not read: deferred to the round trip of the next statement or of the
 * `COMMIT` where `db` takes it (`SqlQueryable.defer`: an optimistic call in a storage transaction on `fromPgPool`),
 * else sent at once. Either way it fails the transaction it runs in when the database refuses it; deferred, that
 * failure comes later, and the storage replays the transaction with every write under its savepoint and none
 * deferred, so its caller sees it at the call that made it, as if it had been sent at once.
 */
export async function writeUnread(db: SqlQueryable, text: string, params: readonly unknown[]): Promise<void> {
  if (db.defer !== undefined) db.defer(text, params);
  else await db.query(text, params);
}

/**
 * `db` without `defer`: for a call that is its own transaction, which has no replay to fall back on (a deferred write
 * may be a guess that a replay answers, as `jobs.enqueueMany`'s named jobs are).
 */
export function withoutDefer(db: SqlQueryable): SqlQueryable {
  return db.defer === undefined ? db : (Object.create(db, { defer: { value: undefined } }) as SqlQueryable);
}
