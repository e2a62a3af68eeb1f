import { keyedId, type Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** One buyer's copy of a broadcast, claimed for sending. */
export interface ClaimedDelivery {
  broadcastId: string;
  chatId: string;
  text: string;
}

/** After this long a delivery still `sending` belongs to a process that died mid-call: it is marked `unknown`, never resent. */
export const SENDING_LEASE_MS = 5 * 60_000;

/**
 * The `telegram_broadcasts` and `telegram_broadcast_deliveries` tables. A broadcast and one
 * `pending` delivery per linked chat are written in one transaction; senders on any replica
 * claim deliveries with `FOR UPDATE SKIP LOCKED`, moving them to `sending` *before* calling
 * Telegram, so a copy goes out at most once: a crash mid-call leaves `sending`, which the sweep
 * turns `unknown` rather than sending again. Resumable: whatever is `pending` is picked up later.
 */
export class BroadcastStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the broadcast for every linked chat but `exceptUsers`' (the admins); the same `key` (the admin's message) creates it
   * once. Returns its id and how many chats it goes to.
   */
  async create(input: {
    key: string;
    text: string;
    createdBy: string;
    exceptUsers?: readonly string[];
  }): Promise<{ id: string; recipients: number; created: boolean }> {
    const id = keyedId('bc', input.key);
    return this.db.transaction(async (db) => {
      const { rows } = await db.query(
        `INSERT INTO ${this.schema}.telegram_broadcasts (id, text, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
        [id, input.text, input.createdBy, this.clock.now()],
      );
      if (rows.length > 0) {
        await db.query(
          `INSERT INTO ${this.schema}.telegram_broadcast_deliveries (broadcast_id, chat_id, status)
           SELECT $1, chat_id, 'pending' FROM ${this.schema}.telegram_links WHERE telegram_user_id <> ALL($2::text[]) ON CONFLICT DO NOTHING`,
          [id, [...(input.exceptUsers ?? [])]],
        );
      }
      const count = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${this.schema}.telegram_broadcast_deliveries WHERE broadcast_id = $1`,
        [id],
      );
      return { id, recipients: count.rows[0]?.n ?? 0, created: rows.length > 0 };
    });
  }

  /** Claims up to `limit` pending deliveries (oldest broadcast first), marking them `sending`. */
  async claim(limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.db.query<{ broadcast_id: string; chat_id: string; text: string }>(
      `WITH due AS (
         SELECT d.broadcast_id, d.chat_id FROM ${this.schema}.telegram_broadcast_deliveries d
         JOIN ${this.schema}.telegram_broadcasts b ON b.id = d.broadcast_id
         WHERE d.status = 'pending' ORDER BY b.created_at, d.broadcast_id, d.chat_id LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE ${this.schema}.telegram_broadcast_deliveries d SET status = 'sending', claimed_at = $2, attempts = d.attempts + 1
       FROM due, ${this.schema}.telegram_broadcasts b
       WHERE d.broadcast_id = due.broadcast_id AND d.chat_id = due.chat_id AND b.id = d.broadcast_id
       RETURNING d.broadcast_id, d.chat_id, b.text`,
      [limit, this.clock.now()],
    );
    return rows.map((r) => ({ broadcastId: r.broadcast_id, chatId: r.chat_id, text: r.text }));
  }

  /** Records how a claimed delivery ended: `sent`, `failed` (Telegram refused it), or back to `pending` (refused for now). */
  async finish(
    d: Pick<ClaimedDelivery, 'broadcastId' | 'chatId'>,
    outcome: 'sent' | 'failed' | 'pending',
    error: string | null = null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = $3, sent_at = CASE WHEN $3 = 'sent' THEN $4::timestamptz END, error = $5
       WHERE broadcast_id = $1 AND chat_id = $2 AND status = 'sending'`,
      [d.broadcastId, d.chatId, outcome, this.clock.now(), error],
    );
  }

  /** Deliveries left `sending` by a process that died: their outcome is unknown, so they are never sent again. */
  async sweepAbandoned(): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE ${this.schema}.telegram_broadcast_deliveries SET status = 'unknown' WHERE status = 'sending' AND claimed_at < $1 RETURNING chat_id`,
      [new Date(this.clock.now().getTime() - SENDING_LEASE_MS)],
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
