import { keyedId, type Clock } from '@panelkit/sdk';
import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';

/** One buyer's copy of a broadcast. */
export interface BroadcastCopy {
  broadcastId: string;
  chatId: string;
}

/** What a copy's record says before it is sent: its text, status, and the job attempt that last began sending it. */
export interface CopyRecord {
  text: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';
  attempt: number;
}

/**
 * The `telegram_broadcasts` and `telegram_broadcast_deliveries` tables: what was broadcast and what
 * became of each buyer's copy (the admin's record, not a queue: each copy is a host job on the SDK's
 * worker, see `broadcast-jobs.ts`). A copy is marked `sending`, with the job attempt, before the call to
 * Telegram; an attempt that finds it `sending` from an earlier attempt knows that one died mid-call
 * (the message may have arrived) and marks it `unknown` rather than sending it again.
 */
export class BroadcastStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** A link's chat is not marked unreachable (`telegram_unreachable_chats`): a broadcast leaves such chats out. */
  private get reachable(): string {
    return `chat_id NOT IN (SELECT chat_id FROM ${this.schema}.telegram_unreachable_chats)`;
  }

  /** The broadcast id the admin's message `key` always gives. */
  static idOf(key: string): string {
    return keyedId('bc', key);
  }

  /**
   * The chats of a storefront's buyers who started its own bot (`storefront_telegram_links`), as storefront
   * addresses (`sf:<bot id>:<chat id>`, the notification channel's): their copies go through that bot. None when the
   * storefront (`$storefront`) is `NULL` or has no bot now; none marked unreachable.
   */
  private storefrontChats(except: string, only: string, storefront: string): string {
    return `SELECT 'sf:' || b.bot_id || ':' || l.chat_id AS chat_id
       FROM ${this.schema}.storefront_telegram_links l JOIN ${this.schema}.storefront_bots b ON b.storefront_id = l.storefront_id
       WHERE l.storefront_id = ${storefront}::text AND l.telegram_user_id <> ALL(${except}::text[])
         AND (${only}::text[] IS NULL OR l.customer_id = ANY(${only}::text[]))
         AND 'sf:' || b.bot_id || ':' || l.chat_id NOT IN (SELECT chat_id FROM ${this.schema}.telegram_unreachable_chats)`;
  }

  /**
   * How many linked chats a broadcast to all but `exceptUsers` reaches now (none marked unreachable); with
   * `onlyCustomers`, only those customers' chats (a reseller's broadcast to its own buyers), and with `storefrontId`
   * also its buyers' chats with the storefront's own bot.
   */
  async countRecipients(exceptUsers: readonly string[], onlyCustomers?: readonly string[], storefrontId?: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT (SELECT count(*)::int FROM ${this.schema}.telegram_links WHERE telegram_user_id <> ALL($1::text[]) AND ${this.reachable}
       AND ($2::text[] IS NULL OR customer_id = ANY($2::text[])))
       + (SELECT count(*)::int FROM (${this.storefrontChats('$1', '$2', '$3')}) sf) AS n`,
      [[...exceptUsers], onlyCustomers === undefined ? null : [...onlyCustomers], storefrontId ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Writes the broadcast and one `pending` copy per reachable linked chat but `exceptUsers`' (once: a repeat
   * changes nothing, so the recipients are fixed by the first call); with `onlyCustomers`, only those
   * customers' chats, and with `storefrontId` also their chats with the storefront's own bot (as its addresses). `tx` is the engine's storage transaction. Returns how many copies it wrote.
   */
  async writeRecipients(
    tx: object,
    input: {
      id: string;
      text: string;
      createdBy: string;
      exceptUsers: readonly string[];
      onlyCustomers?: readonly string[] | undefined;
      storefrontId?: string | undefined;
    },
  ): Promise<number> {
    const db = transactionSql(tx);
    const { rows } = await db.query(
      `INSERT INTO ${this.schema}.telegram_broadcasts (id, text, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [input.id, input.text, input.createdBy, this.clock.now()],
    );
    if (rows.length === 0) return 0;
    const written = await db.query<{ n: number }>(
      `WITH written AS (
         INSERT INTO ${this.schema}.telegram_broadcast_deliveries (broadcast_id, chat_id, status)
         SELECT $1, chat_id, 'pending' FROM ${this.schema}.telegram_links WHERE telegram_user_id <> ALL($2::text[]) AND ${this.reachable}
           AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))
         UNION ALL
         SELECT $1, chat_id, 'pending' FROM (${this.storefrontChats('$2', '$3', '$4')}) sf
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM written`,
      [input.id, [...input.exceptUsers], input.onlyCustomers === undefined ? null : [...input.onlyCustomers], input.storefrontId ?? null],
    );
    return written.rows[0]?.n ?? 0;
  }

  /**
   * Refreshes the planner's statistics of the copies' table after a broadcast wrote many rows at once: with the
   * ones from before it (none, or a smaller broadcast's), PostgreSQL takes the new broadcast for a few rows and
   * reads all of its copies to page through them in chat order (10–30 ms a page of 100 at 100 000 copies, where
   * the primary key gives a page in under 1 ms; `bench/broadcast/claim-diag.ts`). Samples at most 30 000 rows.
   */
  async analyze(): Promise<void> {
    await this.db.query(`ANALYZE ${this.schema}.telegram_broadcast_deliveries`);
  }

  /**
   * Up to `limit` of a broadcast's copies after chat `after` (from the first when `null`), in chat order (its
   * primary key's), with their status.
   */
  async copiesAfter(
    broadcastId: string,
    after: string | null,
    limit: number,
  ): Promise<Array<{ chatId: string; status: CopyRecord['status'] }>> {
    const { rows } = await this.db.query<{ chat_id: string; status: CopyRecord['status'] }>(
      `SELECT chat_id, status FROM ${this.schema}.telegram_broadcast_deliveries
       WHERE broadcast_id = $1 AND chat_id > $2 ORDER BY chat_id LIMIT $3`,
      // '' sorts before every chat id: a range on the key from the start, where an `IS NULL OR` would scan from it each time.
      [broadcastId, after ?? '', limit],
    );
    return rows.map((r) => ({ chatId: r.chat_id, status: r.status }));
  }

  /**
   * The broadcast's text and the records of its copies to `chatIds` (in one read): each one's status and, when its
   * chat is marked unreachable, why. `null` when the broadcast is not stored; chats without a copy are left out.
   */
  async copies(
    broadcastId: string,
    chatIds: readonly string[],
  ): Promise<{ text: string; copies: Array<{ chatId: string; status: CopyRecord['status']; unreachable: string | null }> } | null> {
    const { rows } = await this.db.query<{
      text: string;
      chat_id: string | null;
      status: CopyRecord['status'] | null;
      reason: string | null;
    }>(
      `SELECT b.text, d.chat_id, d.status, u.reason FROM ${this.schema}.telegram_broadcasts b
       LEFT JOIN ${this.schema}.telegram_broadcast_deliveries d ON d.broadcast_id = b.id AND d.chat_id = ANY($2::text[])
       LEFT JOIN ${this.schema}.telegram_unreachable_chats u ON u.chat_id = d.chat_id
       WHERE b.id = $1`,
      [broadcastId, [...chatIds]],
    );
    const first = rows[0];
    if (first === undefined) return null;
    const byChat = new Map(rows.filter((r) => r.chat_id !== null).map((r) => [r.chat_id!, r]));
    const copies = chatIds.flatMap((chatId) => {
      const row = byChat.get(chatId);
      return row === undefined ? [] : [{ chatId, status: row.status!, unreachable: row.reason }];
    });
    return { text: first.text, copies };
  }

  /** Marks a `pending` copy `sending` by job attempt `attempt`, before the call; false when it was not `pending`. */
  async beginSend(copy: BroadcastCopy, attempt: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = 'sending', claimed_at = $3, attempts = $4
       WHERE broadcast_id = $1 AND chat_id = $2 AND status = 'pending' RETURNING chat_id`,
      [copy.broadcastId, copy.chatId, this.clock.now(), attempt],
    );
    return rows.length > 0;
  }

  /**
   * Records how a copy being sent ended: `sent`, `failed` (Telegram refused it), `pending` (refused
   * for now: it was not delivered), or `unknown` (the call may have delivered it).
   */
  async finish(copy: BroadcastCopy, outcome: 'sent' | 'failed' | 'pending' | 'unknown', error: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = $3, sent_at = CASE WHEN $3 = 'sent' THEN $4::timestamptz END, error = $5
       WHERE broadcast_id = $1 AND chat_id = $2 AND status IN ('sending', 'pending')`,
      [copy.broadcastId, copy.chatId, outcome, this.clock.now(), error],
    );
  }

  /** `finish` for several copies of one broadcast in one statement. */
  async finishMany(
    broadcastId: string,
    chatIds: readonly string[],
    outcome: 'failed' | 'unknown',
    error: string | null = null,
  ): Promise<void> {
    if (chatIds.length === 0) return;
    await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = $3, sent_at = NULL, error = $4
       WHERE broadcast_id = $1 AND chat_id = ANY($2::text[]) AND status IN ('sending', 'pending')`,
      [broadcastId, [...chatIds], outcome, error],
    );
  }

  /** Broadcasts with copies still `pending`: work a shop from before host jobs left (see `adoptPendingBroadcasts`). */
  async withPending(): Promise<Array<{ id: string; text: string; createdBy: string }>> {
    const { rows } = await this.db.query<{ id: string; text: string; created_by: string }>(
      `SELECT b.id, b.text, b.created_by FROM ${this.schema}.telegram_broadcasts b
       WHERE EXISTS (SELECT 1 FROM ${this.schema}.telegram_broadcast_deliveries d WHERE d.broadcast_id = b.id AND d.status = 'pending')
       ORDER BY b.created_at`,
    );
    return rows.map((r) => ({ id: r.id, text: r.text, createdBy: r.created_by }));
  }

  /**
   * Copies an old release's sender left `sending` before `before` (it claimed them, then stopped): their
   * outcome is unknown, so they are marked so and never sent. Returns how many.
   */
  async abandonStale(before: Date): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = 'unknown', error = 'the sender stopped during the call'
       WHERE status = 'sending' AND claimed_at < $1 RETURNING chat_id`,
      [before],
    );
    return rows.length;
  }

  /** How many deliveries of a broadcast are in each status. */
  async progress(broadcastId: string): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM ${this.schema}.telegram_broadcast_deliveries WHERE broadcast_id = $1 GROUP BY status`,
      [broadcastId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
