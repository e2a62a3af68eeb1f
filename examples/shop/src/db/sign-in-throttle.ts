import { transactionSql } from '@panelkit/storage-postgres';
import { writeNotification } from './notifications.js';
import type { Clock } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { SqlClient } from '@panelkit/storage-postgres';

/** What the throttle works with: the shop's database and schema, the engine's storage (for the notice's transaction), a clock. */
export interface SignInThrottleDeps {
  readonly db: SqlClient;
  readonly storage: StoragePort;
  readonly shopSchema: string;
  readonly clock: Clock;
}

/** One kind of guess limited per account, and how many a window allows. */
export interface ThrottleRule {
  /**
   * `password` (keyed by the email given, so unknown emails answer alike), `code` (a second-factor code), or `reauth`
   * (a password or code a signed-in session gives to re-confirm itself, keyed by that session).
   */
  kind: 'password' | 'code' | 'reauth';
  limit: number;
  windowMs: number;
}

/** Wrong passwords per email per 15 minutes, whatever addresses they come from (the per-address limit comes on top). */
export const PASSWORD_GUESSES: ThrottleRule = { kind: 'password', limit: 10, windowMs: 15 * 60_000 };

/** Wrong second-factor codes per account per hour, over all its sign-ins (each sign-in also ends after 5). */
export const CODE_GUESSES: ThrottleRule = { kind: 'code', limit: 10, windowMs: 60 * 60_000 };

/**
 * Wrong re-confirmations per signed-in session per 15 minutes. A session that re-confirms its password or code is
 * not a stranger guessing: it has its own budget, which no one else's guesses at the account's email can spend, so a
 * stranger filling {@link PASSWORD_GUESSES} cannot lock the signed-in holder out of the pages that ask again.
 */
export const REAUTH_GUESSES: ThrottleRule = { kind: 'reauth', limit: 10, windowMs: 15 * 60_000 };

/**
 * Guesses limited per account, in the database (so every replica counts the same, and a restart forgets
 * nothing): a guess takes a slot in the account's window before it is judged, by one conditional upsert, so
 * concurrent guesses cannot pass the limit together; a right guess clears the window. When a window fills, the
 * account holder is told once (a `sign_in_locked` notification through the shop's notification outbox).
 */
export function signInThrottleOf(shop: SignInThrottleDeps) {
  const table = `${shop.shopSchema}.auth_throttles`;
  return {
    /** Takes a slot for one guess; false when the window is full (refuse without judging). */
    async take(rule: ThrottleRule, subject: string): Promise<boolean> {
      const now = shop.clock.now();
      const { rows } = await shop.db.query(
        `INSERT INTO ${table} AS t (key, window_start, failures) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_start <= $3 THEN 1 ELSE t.failures + 1 END,
           notified = CASE WHEN t.window_start <= $3 THEN false ELSE t.notified END,
           window_start = CASE WHEN t.window_start <= $3 THEN $2 ELSE t.window_start END
         WHERE t.window_start <= $3 OR t.failures < $4
         RETURNING failures`,
        [`${rule.kind}:${subject}`, now, new Date(now.getTime() - rule.windowMs), rule.limit],
      );
      return rows.length > 0;
    },
    /** The guess was right: the window starts afresh. */
    async clear(rule: ThrottleRule, subject: string): Promise<void> {
      await shop.db.query(`DELETE FROM ${table} WHERE key = $1`, [`${rule.kind}:${subject}`]);
    },
    /** Forgets windows that ended a day ago or more (guesses at unknown emails leave rows too). */
    async deleteStale(): Promise<number> {
      const { rows } = await shop.db.query(`DELETE FROM ${table} WHERE window_start < $1 RETURNING 1`, [
        new Date(shop.clock.now().getTime() - 24 * 3600_000),
      ]);
      return rows.length;
    },
    /**
     * After a wrong guess: when the window is now full, tells the account holder once per window (in the same
     * transaction that marks it told, so two replicas cannot both tell).
     */
    async noteFailure(rule: ThrottleRule, subject: string, customerId: string | null): Promise<void> {
      if (customerId === null) return;
      await shop.storage.transaction(async (tx) => {
        const { rows } = await transactionSql(tx).query<{ window_start: Date }>(
          `UPDATE ${table} SET notified = true WHERE key = $1 AND failures >= $2 AND NOT notified RETURNING window_start`,
          [`${rule.kind}:${subject}`, rule.limit],
        );
        const row = rows[0];
        if (row === undefined) return;
        const start = new Date(row.window_start);
        await writeNotification(tx, shop.shopSchema, shop.clock.now(), {
          recipient: { kind: 'customer', customerId },
          kind: 'sign_in_locked',
          source: `throttle:${rule.kind}:${subject}:${start.toISOString()}`,
          params: { guesses: rule.kind, expiresAt: new Date(start.getTime() + rule.windowMs).toISOString() },
        });
      });
    },
  };
}
