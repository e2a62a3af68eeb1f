import { createHash, randomUUID } from 'node:crypto';
import { createId, type Clock } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** `pending` (due at `nextAttemptAt`), `sending` (leased), `sent`, or `failed` after every attempt. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** One message of one notification to one address on one channel. */
export interface Delivery {
  id: string;
  notificationId: string;
  channel: string;
  address: string;
  /** Unique per (notification, channel, address); passed to the channel on every attempt. */
  idempotencyKey: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

/** A delivery this worker holds: only its lease token may mark it sent or failed. */
export interface ClaimedDelivery {
  delivery: Delivery;
  leaseToken: string;
}

/** A failed delivery with what the admin page shows beside it. */
export type FailedDelivery = Delivery & { kind: string; customerId: string | null };

interface DeliveryRow {
  id: string;
  notification_id: string;
  channel: string;
  address: string;
  idempotency_key: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string;
  lease_token: string | null;
  last_error: string | null;
  sent_at: Date | string | null;
  created_at: Date | string;
  kind?: string;
  customer_id?: string | null;
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    notificationId: row.notification_id,
    channel: row.channel,
    address: row.address,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error,
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
    createdAt: new Date(row.created_at),
  };
}

/** The key of one delivery: the same notification, channel and address always give the same key. */
export function deliveryKey(notificationId: string, channel: string, address: string): string {
  return `${notificationId}.${channel}.${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}

/**
 * The `notification_deliveries` table, used like the engine's job queue: claimed with one
 * statement (`FOR UPDATE SKIP LOCKED`, then a lease token and expiry), settled only with that token.
 */
export class DeliveryStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return `${this.schema}.notification_deliveries`;
  }

  /**
   * Writes the notification's deliveries (each once, whoever else writes them at the same time)
   * and marks it fanned out, `muted` when the buyer turned its kind off (then no delivery is written).
   */
  async fanOut(notificationId: string, targets: ReadonlyArray<{ channel: string; address: string }>, muted: boolean): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (db) => {
      for (const { channel, address } of muted ? [] : targets) {
        await db.query(
          `INSERT INTO ${this.table} (id, notification_id, channel, address, idempotency_key, status, next_attempt_at, created_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT DO NOTHING`,
          [createId('dlv'), notificationId, channel, address, deliveryKey(notificationId, channel, address), now],
        );
      }
      await db.query(`UPDATE ${this.schema}.notifications SET fanned_out_at = $2, muted = $3 WHERE id = $1 AND fanned_out_at IS NULL`, [
        notificationId,
        now,
        muted,
      ]);
    });
  }

  /**
   * Leases up to `limit` deliveries on `channels` that are due, or whose lease ran out (a worker
   * died mid-send), for `leaseMs`. Replicas claiming at once get disjoint sets; a replica without
   * some channel leaves its deliveries to the others.
   */
  async claim(channels: readonly string[], limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const token = randomUUID();
    const { rows } = await this.db.query<DeliveryRow>(
      `UPDATE ${this.table} SET status = 'sending', lease_token = $1, lease_expires_at = $2, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM ${this.table}
         WHERE ((status = 'pending' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_expires_at <= $3))
           AND channel = ANY($5::text[])
         ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [token, new Date(now.getTime() + leaseMs), now, limit, [...channels]],
    );
    return rows.map((row) => ({ delivery: toDelivery(row), leaseToken: token }));
  }

  /** Marks it sent; false (and nothing changed) when the lease was lost. */
  async markSent(claimed: ClaimedDelivery): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${this.table} SET status = 'sent', sent_at = $3, lease_token = NULL, lease_expires_at = NULL, last_error = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'sending' RETURNING id`,
      [claimed.delivery.id, claimed.leaseToken, this.clock.now()],
    );
    return rows.length > 0;
  }

  /** Records a failed attempt: due again at `retryAt`, or `failed` for good when it is `null`. False when the lease was lost. */
  async markFailed(claimed: ClaimedDelivery, error: string, retryAt: Date | null): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${this.table}
       SET status = $3, next_attempt_at = coalesce($4, next_attempt_at), last_error = $5, lease_token = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'sending' RETURNING id`,
      [claimed.delivery.id, claimed.leaseToken, retryAt === null ? 'failed' : 'pending', retryAt, error.slice(0, 1000)],
    );
    return rows.length > 0;
  }

  /** Deliveries that gave up, newest first, for the admin's page. */
  async listFailed(limit: number): Promise<FailedDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT d.*, n.kind, n.customer_id FROM ${this.table} d JOIN ${this.schema}.notifications n ON n.id = d.notification_id
       WHERE d.status = 'failed' ORDER BY d.created_at DESC, d.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ ...toDelivery(row), kind: row.kind ?? '', customerId: row.customer_id ?? null }));
  }

  /** An admin's retry: a failed delivery is due now with a fresh attempt count. False when it was not failed. */
  async retry(id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${this.table} SET status = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1 AND status = 'failed' RETURNING id`,
      [id, this.clock.now()],
    );
    return rows.length > 0;
  }

  /** Every delivery of a notification (tests, the admin's detail). */
  async ofNotification(notificationId: string): Promise<Delivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(`SELECT * FROM ${this.table} WHERE notification_id = $1 ORDER BY channel, address`, [
      notificationId,
    ]);
    return rows.map(toDelivery);
  }
}

/** The shop's delivery queue. */
export function deliveriesOf(shop: { db: SqlClient; shopSchema: string; clock: Clock }): DeliveryStore {
  return new DeliveryStore(shop.db, shop.shopSchema, shop.clock);
}
