import { transactionSql } from '@panelkit/storage-postgres';
import { writeNotification } from './notifications.js';
import type { Clock } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import type { SqlClient, SqlQueryable } from '@panelkit/storage-postgres';

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
   * `password` (keyed by the email given, so unknown emails answer alike, over every address), `password-address` (that
   * email from one address), `password-device` (that email from a browser that signed in to it before), `code` (a
   * second-factor code), or `reauth` (a password or code a signed-in session gives to re-confirm itself, keyed by that
   * session), or `email-code` (a one-time code sent by e-mail, keyed by the address it was sent to), or `new-account`
   * (accounts made, keyed by the network they came from: see `app/auth/new-account-throttle.ts`).
   */
  kind: 'password' | 'password-address' | 'password-device' | 'code' | 'reauth' | 'email-code' | 'new-account';
  limit: number;
  windowMs: number;
  /**
   * Past the limit, one guess every this many milliseconds instead of none: a delay, not a wall. Each guess past the
   * limit restarts the window, so the delay lasts as long as the guessing and `windowMs` after it.
   */
  thenOneEveryMs?: number;
}

/**
 * Wrong passwords for one email over every address not known to it, per 15 minutes; past ten, one guess every 30
 * seconds for the whole account. A delay and not a wall, so a stranger guessing from many addresses slows down to 120
 * guesses an hour without being able to shut the holder out: the holder's own browser is judged by
 * {@link PASSWORD_GUESSES_PER_DEVICE}, and a new browser waits at most 30 seconds between tries.
 */
export const PASSWORD_GUESSES: ThrottleRule = { kind: 'password', limit: 10, windowMs: 15 * 60_000, thenOneEveryMs: 30_000 };

/** Wrong passwords for one email from one address per 15 minutes: a wall for that address only. */
export const PASSWORD_GUESSES_PER_ADDRESS: ThrottleRule = { kind: 'password-address', limit: 10, windowMs: 15 * 60_000 };

/**
 * Wrong passwords for one email from a browser that signed in to it before (its known-device cookie), per 15
 * minutes. Counted apart from {@link PASSWORD_GUESSES}: no one else's guesses can slow the holder's own browser.
 */
export const PASSWORD_GUESSES_PER_DEVICE: ThrottleRule = { kind: 'password-device', limit: 10, windowMs: 15 * 60_000 };

/**
 * Wrong e-mail codes for one address over every client, per 15 minutes; past ten, one guess every 30 seconds: the
 * same delay-not-wall as {@link PASSWORD_GUESSES}, so a stranger guessing cannot shut the mailbox's holder out for
 * long, while each code also dies after five wrong guesses (`EMAIL_CODE_GUESSES`).
 */
export const EMAIL_CODE_GUESSES_PER_ADDRESS: ThrottleRule = {
  kind: 'email-code',
  limit: 10,
  windowMs: 15 * 60_000,
  thenOneEveryMs: 30_000,
};

/** Wrong second-factor codes per account per hour, over all its sign-ins (each sign-in also ends after 5). */
export const CODE_GUESSES: ThrottleRule = { kind: 'code', limit: 10, windowMs: 60 * 60_000 };

/**
 * Wrong re-confirmations per signed-in session per 15 minutes. A session that re-confirms its password or code is
 * not a stranger guessing: it has its own budget, which no one else's guesses at the account's email can spend, so a
 * stranger filling {@link PASSWORD_GUESSES} cannot lock the signed-in holder out of the pages that ask again.
 */
export const REAUTH_GUESSES: ThrottleRule = { kind: 'reauth', limit: 10, windowMs: 15 * 60_000 };

/** Whether a guess may be judged now, and if not, in how many milliseconds one may. */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One slot to take under a rule: the window's key, and the values its upsert ({@link slotUpsertSql}) compares. */
export interface SlotTake {
  key: string;
  now: Date;
  /** A window that started at or before this is over. */
  expired: Date;
  limit: number;
  /** The rule's `thenOneEveryMs`, or `null`. */
  delay: number | null;
}

/** The slot `subject` takes under `rule` at `now`. */
export function slotOf(rule: ThrottleRule, subject: string, now: Date): SlotTake {
  return {
    key: `${rule.kind}:${subject}`,
    now,
    expired: new Date(now.getTime() - rule.windowMs),
    limit: rule.limit,
    delay: rule.thenOneEveryMs ?? null,
  };
}

/** The placeholders of a {@link SlotTake}'s values in a statement of its own: `$1`…`$5`. */
const SLOT_PARAMS: Record<keyof SlotTake, string> = { key: '$1', now: '$2', expired: '$3', limit: '$4', delay: '$5' };

/**
 * The conditional upsert that takes a slot, returning a row (`failures`) only when it was taken: the one definition of
 * the limit's arithmetic, run alone (`take`) or as a common table expression of a larger statement (the bot's update
 * claim takes a new user's slot in its own statement). `rows` gives the row to insert (`VALUES (…)`, or a `SELECT … WHERE`
 * that inserts nothing when no slot is wanted); `p` names the placeholders of the slot's values.
 */
export function slotUpsertSql(shopSchema: string, rows: string, p: Record<keyof SlotTake, string>): string {
  return `INSERT INTO ${shopSchema}.auth_throttles AS t (key, window_start, failures, next_at) ${rows}
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN t.window_start <= ${p.expired} THEN 1 ELSE t.failures + 1 END,
      notified = CASE WHEN t.window_start <= ${p.expired} THEN false ELSE t.notified END,
      next_at = CASE WHEN t.window_start > ${p.expired} AND ${p.delay}::bigint IS NOT NULL AND t.failures + 1 >= ${p.limit}
                     THEN ${p.now}::timestamptz + make_interval(secs => ${p.delay}::bigint / 1000.0) END,
      window_start = CASE WHEN t.window_start <= ${p.expired} OR t.failures >= ${p.limit} THEN ${p.now} ELSE t.window_start END
    WHERE t.window_start <= ${p.expired} OR t.failures < ${p.limit} OR (${p.delay}::bigint IS NOT NULL AND t.next_at <= ${p.now})
    RETURNING failures`;
}

/** The verdict on a slot its upsert did not take: refused, with when the next may be taken (read from the window). */
export async function refusedSlot(db: SqlQueryable, shopSchema: string, rule: ThrottleRule, slot: SlotTake): Promise<ThrottleVerdict> {
  const held = await db.query<{ window_start: Date; next_at: Date | null }>(
    `SELECT window_start, next_at FROM ${shopSchema}.auth_throttles WHERE key = $1`,
    [slot.key],
  );
  const row = held.rows[0];
  const until = row === undefined ? slot.now : new Date(row.next_at ?? new Date(row.window_start).getTime() + rule.windowMs);
  return { allowed: false, retryAfterMs: Math.max(1_000, new Date(until).getTime() - slot.now.getTime()) };
}

/**
 * Guesses limited per account, in the database (so every replica counts the same, and a restart forgets
 * nothing): a guess takes a slot in the account's window before it is judged, by one conditional upsert, so
 * concurrent guesses cannot pass the limit together; a right guess clears the window. When a window fills, the
 * account holder is told once (a `sign_in_locked` notification through the shop's notification outbox).
 */
export function signInThrottleOf(shop: SignInThrottleDeps) {
  const table = `${shop.shopSchema}.auth_throttles`;
  return {
    /**
     * Takes a slot for one guess; refused (judge nothing) while the window is full or the delay not yet over. On `db`
     * when given (a transaction's connection: the slot is taken only if that transaction commits).
     */
    async take(rule: ThrottleRule, subject: string, db: SqlQueryable = shop.db): Promise<ThrottleVerdict> {
      const slot = slotOf(rule, subject, shop.clock.now());
      // One conditional upsert: concurrent guesses on every replica cannot pass the limit (or the delay) together.
      const { rows } = await db.query(slotUpsertSql(shop.shopSchema, 'VALUES ($1, $2, 1, NULL)', SLOT_PARAMS), [
        slot.key,
        slot.now,
        slot.expired,
        slot.limit,
        slot.delay,
      ]);
      return rows.length > 0 ? { allowed: true } : refusedSlot(db, shop.shopSchema, rule, slot);
    },
    /** Gives back a slot taken for a guess that was then not judged (another limit refused it). */
    async release(rule: ThrottleRule, subject: string): Promise<void> {
      await shop.db.query(`UPDATE ${table} SET failures = failures - 1 WHERE key = $1 AND failures > 0`, [`${rule.kind}:${subject}`]);
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
