import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** A Telegram user tied to one customer, and the private chat the bot writes to them in. */
export interface TelegramLink {
  telegramUserId: string;
  chatId: string;
  customerId: string;
  /** Their `@username` as last seen (without the `@`), when they have one. */
  username?: string | null;
}

/** A `telegram_links` row as read (`SELECT *`, or these columns read alongside another statement's). */
export interface LinkRow {
  telegram_user_id: string;
  chat_id: string;
  customer_id: string;
  username: string | null;
}

/** A link from its row. */
export const linkFromRow = (row: LinkRow): TelegramLink => ({
  telegramUserId: row.telegram_user_id,
  chatId: row.chat_id,
  customerId: row.customer_id,
  username: row.username,
});

/**
 * The common table expressions of {@link TelegramLinkStore.linkIfNew}, after a `WITH` (its own statement, or the bot's
 * update claim, which links a first contact's customer it makes): `<name>` inserts the link `rows` gives (SQL of
 * `VALUES` or a `SELECT` of `telegram_user_id, chat_id, customer_id, username, created_at, updated_at`) unless the user
 * is linked already, returning it; `<name>_freed` takes its `@username` off any other user's link (the name moved to
 * this user). `p`: SQL of the user's id, the username (`text`, or `NULL`) and the time.
 */
export function linkIfNewCtes(
  schema: string,
  name: string,
  rows: string,
  p: { telegramUserId: string; username: string; now: string },
): string {
  return `${name} AS (
       INSERT INTO ${schema}.telegram_links (telegram_user_id, chat_id, customer_id, username, created_at, updated_at)
       ${rows} ON CONFLICT DO NOTHING RETURNING *),
     ${name}_freed AS (
       UPDATE ${schema}.telegram_links SET username = NULL, updated_at = ${p.now}
       WHERE ${p.username}::text IS NOT NULL AND lower(username) = lower(${p.username}) AND telegram_user_id <> ${p.telegramUserId}
         AND EXISTS (SELECT 1 FROM ${name}))`;
}

/** How long a deep link from the web account page stays usable. */
export const LINK_TOKEN_TTL_MS = 60 * 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The `telegram_links` and `telegram_link_tokens` tables: who is who between the bot and the shop. */
export class TelegramLinkStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  async byTelegramUser(telegramUserId: string): Promise<TelegramLink | null> {
    const { rows } = await this.db.query<LinkRow>(`SELECT * FROM ${this.schema}.telegram_links WHERE telegram_user_id = $1`, [
      telegramUserId,
    ]);
    return rows[0] === undefined ? null : linkFromRow(rows[0]);
  }

  async byCustomer(customerId: string): Promise<TelegramLink | null> {
    const { rows } = await this.db.query<LinkRow>(`SELECT * FROM ${this.schema}.telegram_links WHERE customer_id = $1`, [customerId]);
    return rows[0] === undefined ? null : linkFromRow(rows[0]);
  }

  /** The user whose last seen `@username` is this one (case-insensitive, without the `@`). */
  async byUsername(username: string): Promise<TelegramLink | null> {
    const { rows } = await this.db.query<LinkRow>(
      `SELECT * FROM ${this.schema}.telegram_links WHERE lower(username) = lower($1) ORDER BY updated_at DESC LIMIT 1`,
      [username],
    );
    return rows[0] === undefined ? null : linkFromRow(rows[0]);
  }

  /**
   * Remembers the user's `@username` (Telegram lets it change, and lets another user take a freed one): the name is
   * taken off anyone who had it before, so it finds one user at most.
   */
  async setUsername(telegramUserId: string, username: string | null): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (db) => {
      if (username !== null)
        await db.query(
          `UPDATE ${this.schema}.telegram_links SET username = NULL, updated_at = $3 WHERE lower(username) = lower($1) AND telegram_user_id <> $2`,
          [username, telegramUserId, now],
        );
      await db.query(`UPDATE ${this.schema}.telegram_links SET username = $2, updated_at = $3 WHERE telegram_user_id = $1`, [
        telegramUserId,
        username,
        now,
      ]);
    });
  }

  /**
   * Links the user to the customer unless the user is linked already; returns the link that stands. A new link
   * carries `link.username`, taken off anyone who had it before (as {@link setUsername}), in the same statement.
   */
  async linkIfNew(link: TelegramLink): Promise<TelegramLink> {
    const now = this.clock.now();
    const { rows } = await this.db.query<LinkRow>(
      `WITH ${linkIfNewCtes(this.schema, 'made', 'VALUES ($1, $2, $3, $5, $4, $4)', { telegramUserId: '$1', username: '$5', now: '$4' })}
       SELECT * FROM made`,
      [link.telegramUserId, link.chatId, link.customerId, now, link.username ?? null],
    );
    if (rows[0] !== undefined) return linkFromRow(rows[0]);
    // Linked already (or the customer is another user's): read in a statement of its own, whose snapshot sees a
    // link committed by a first contact this insert waited for.
    const stands = await this.byTelegramUser(link.telegramUserId);
    if (stands === null) throw new Error(`customer ${link.customerId} is linked to another Telegram user`);
    return stands;
  }

  /**
   * Moves the Telegram user to this customer (a deep link from the web): any other user linked to
   * the customer is unlinked, in one transaction.
   */
  async relink(link: TelegramLink): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (db) => {
      await db.query(`DELETE FROM ${this.schema}.telegram_links WHERE customer_id = $1 AND telegram_user_id <> $2`, [
        link.customerId,
        link.telegramUserId,
      ]);
      await db.query(
        `INSERT INTO ${this.schema}.telegram_links (telegram_user_id, chat_id, customer_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (telegram_user_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, chat_id = EXCLUDED.chat_id, updated_at = EXCLUDED.updated_at`,
        [link.telegramUserId, link.chatId, link.customerId, now],
      );
    });
  }

  /** A fresh one-time token for `/start <token>` (URL-safe, 32 characters); only its hash is kept. */
  async createToken(customerId: string): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.db.query(`INSERT INTO ${this.schema}.telegram_link_tokens (token_hash, customer_id, expires_at) VALUES ($1, $2, $3)`, [
      hashToken(token),
      customerId,
      new Date(this.clock.now().getTime() + LINK_TOKEN_TTL_MS),
    ]);
    return token;
  }

  /** The customer of an unused, unexpired token, without using it. */
  async peekToken(token: string): Promise<string | null> {
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.schema}.telegram_link_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [hashToken(token), this.clock.now()],
    );
    return rows[0]?.customer_id ?? null;
  }

  /** The customer of an unused, unexpired token, using it up (one winner); `null` otherwise. */
  async useToken(token: string): Promise<string | null> {
    const now = this.clock.now();
    const { rows } = await this.db.query<{ customer_id: string }>(
      `UPDATE ${this.schema}.telegram_link_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING customer_id`,
      [hashToken(token), now],
    );
    return rows[0]?.customer_id ?? null;
  }
}
