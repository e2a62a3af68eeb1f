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

  /** How many linked chats a broadcast to all but `exceptUsers` reaches now (none marked unreachable). */
  async countRecipients(exceptUsers: readonly string[]): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.schema}.telegram_links WHERE telegram_user_id <> ALL($1::text[]) AND ${this.reachable}`,
      [[...exceptUsers]],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Writes the broadcast and one `pending` copy per reachable linked chat but `exceptUsers`' (once: a repeat
   * changes nothing), and returns the copies still `pending` (to enqueue their jobs). `tx` is the engine's
   * storage transaction, so the rows and the copies' jobs commit together.
   */
  async fanOut(
    tx: object,
    input: { id: string; text: string; createdBy: string; exceptUsers: readonly string[] },
  ): Promise<BroadcastCopy[]> {
    const db = transactionSql(tx);
    const { rows } = await db.query(
      `INSERT INTO ${this.schema}.telegram_broadcasts (id, text, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [input.id, input.text, input.createdBy, this.clock.now()],
    );
    if (rows.length > 0) {
      await db.query(
        `INSERT INTO ${this.schema}.telegram_broadcast_deliveries (broadcast_id, chat_id, status)
         SELECT $1, chat_id, 'pending' FROM ${this.schema}.telegram_links WHERE telegram_user_id <> ALL($2::text[]) AND ${this.reachable}
         ON CONFLICT DO NOTHING`,
        [input.id, [...input.exceptUsers]],
      );
    }
    const pending = await db.query<{ chat_id: string }>(
      `SELECT chat_id FROM ${this.schema}.telegram_broadcast_deliveries WHERE broadcast_id = $1 AND status = 'pending' ORDER BY chat_id`,
      [input.id],
    );
    return pending.rows.map((r) => ({ broadcastId: input.id, chatId: r.chat_id }));
  }

  /** The copy's record, or `null` when there is none. */
  async record(copy: BroadcastCopy): Promise<CopyRecord | null> {
    const { rows } = await this.db.query<{ text: string; status: CopyRecord['status']; attempts: number }>(
      `SELECT b.text, d.status, d.attempts FROM ${this.schema}.telegram_broadcast_deliveries d
       JOIN ${this.schema}.telegram_broadcasts b ON b.id = d.broadcast_id WHERE d.broadcast_id = $1 AND d.chat_id = $2`,
      [copy.broadcastId, copy.chatId],
    );
    const row = rows[0];
    return row === undefined ? null : { text: row.text, status: row.status, attempt: row.attempts };
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
