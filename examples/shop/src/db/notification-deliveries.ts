import { createHash } from 'node:crypto';
import { createId, type Clock } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';
import { enqueueDelivery } from './notification-outbox.js';

/** `pending` (its send job is queued or running), `sent`, or `failed` after every attempt. */
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

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
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
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
 * The `notification_deliveries` table: one row per notification, channel and address, the record of
 * what was sent. The queue is the SDK's: each pending delivery has a send job (`queue.ts`).
 */
export class DeliveryStore {
  constructor(
    private readonly db: SqlClient,
    private readonly storage: Pick<StoragePort, 'transaction'>,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  private get table(): string {
    return `${this.schema}.notification_deliveries`;
  }

  /**
   * Writes the notification's deliveries, each with its send job (each once, whoever else writes them
   * at the same time), and marks it fanned out, `muted` when the buyer turned its kind off (then no
   * delivery is written), all in one transaction.
   */
  async fanOut(notificationId: string, targets: ReadonlyArray<{ channel: string; address: string }>, muted: boolean): Promise<void> {
    const now = this.clock.now();
    await this.storage.transaction(async (tx) => {
      const db = transactionSql(tx);
      const { rows } = await db.query<{ fanned: boolean }>(
        `UPDATE ${this.schema}.notifications SET fanned_out_at = $2, muted = $3 WHERE id = $1 AND fanned_out_at IS NULL RETURNING true AS fanned`,
        [notificationId, now, muted],
      );
      if (rows.length === 0) return;
      for (const { channel, address } of muted ? [] : targets) {
        const inserted = await db.query<{ id: string }>(
          `INSERT INTO ${this.table} (id, notification_id, channel, address, idempotency_key, status, created_at)
           VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT DO NOTHING RETURNING id`,
          [createId('dlv'), notificationId, channel, address, deliveryKey(notificationId, channel, address), now],
        );
        const id = inserted.rows[0]?.id;
        if (id !== undefined) await enqueueDelivery(tx, channel, id);
      }
    });
  }

  /** One delivery, or `null`. */
  async get(id: string): Promise<Delivery | null> {
    const { rows } = await this.db.query<DeliveryRow>(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toDelivery(rows[0]);
  }

  /** Marks it sent after attempt `attempts`; false when it was sent already. */
  async markSent(id: string, attempts: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${this.table} SET status = 'sent', sent_at = $2, attempts = $3, last_error = NULL WHERE id = $1 AND status <> 'sent' RETURNING id`,
      [id, this.clock.now(), attempts],
    );
    return rows.length > 0;
  }

  /** Records a failed attempt (its job retries it). */
  async noteAttempt(id: string, attempts: number, error: string): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET attempts = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [
      id,
      attempts,
      error.slice(0, 1000),
    ]);
  }

  /** The address refused it for good after attempt `attempts`: `failed` at once with that reason (an admin may retry it). */
  async markRefused(id: string, attempts: number, reason: string): Promise<void> {
    await this.db.query(`UPDATE ${this.table} SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [
      id,
      attempts,
      reason.slice(0, 1000),
    ]);
  }

  /** Its send job was given up: `failed` for good, until an admin retries it (the last attempt's error stays, else `error`). */
  async markFailed(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE ${this.table} SET status = 'failed', last_error = coalesce(last_error, $2) WHERE id = $1 AND status = 'pending'`,
      [id, error.slice(0, 1000)],
    );
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

  /**
   * An admin's retry: a failed delivery is pending again with a fresh attempt count and a new send job,
   * in one transaction (two clicks queue one). False when it was not failed.
   */
  async retry(id: string): Promise<boolean> {
    const now = this.clock.now();
    return this.storage.transaction(async (tx) => {
      const { rows } = await transactionSql(tx).query<{ channel: string }>(
        `UPDATE ${this.table} SET status = 'pending', attempts = 0, last_error = NULL WHERE id = $1 AND status = 'failed' RETURNING channel`,
        [id],
      );
      const channel = rows[0]?.channel;
      if (channel === undefined) return false;
      await enqueueDelivery(tx, channel, id, `${id}:retry:${now.toISOString()}`);
      return true;
    });
  }

  /** Every delivery of a notification (tests, the admin's detail). */
  async ofNotification(notificationId: string): Promise<Delivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(`SELECT * FROM ${this.table} WHERE notification_id = $1 ORDER BY channel, address`, [
      notificationId,
    ]);
    return rows.map(toDelivery);
  }
}

/** The shop's delivery records. */
export function deliveriesOf(shop: {
  db: SqlClient;
  storage: Pick<StoragePort, 'transaction'>;
  shopSchema: string;
  clock: Clock;
}): DeliveryStore {
  return new DeliveryStore(shop.db, shop.storage, shop.shopSchema, shop.clock);
}
