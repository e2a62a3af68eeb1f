import { createHash } from 'node:crypto';
import { createId, type Clock } from '@panelkit/sdk';
import type { StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { ensureLinkTokensSql, transactionSql, type SqlClient } from '@panelkit/storage-postgres';
import { enqueueDeliveries, enqueueDelivery } from './notification-outbox.js';

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

/** A `notification_deliveries` row as read. */
export interface DeliveryRow {
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

/** A `notification_deliveries` row as a {@link Delivery}. */
export function toDelivery(row: DeliveryRow): Delivery {
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

/** Where one notification goes: an address on a channel for each delivery. */
export type DeliveryTargets = ReadonlyArray<{ channel: string; address: string }>;

/** Where one notification written by a `writeDeliveries` statement goes: its id and its targets. */
export interface NotificationTargets {
  notificationId: string;
  targets: DeliveryTargets;
}

/** A delivery a `writeDeliveries` statement wrote without its send job: its cause sends it (`unqueued`). */
export interface UnqueuedDelivery {
  id: string;
  notificationId: string;
  channel: string;
  address: string;
  idempotencyKey: string;
}

/**
 * Where a `writeDeliveries` statement runs: in a storage transaction (`tx`), or `alone` on the shop's database, its own
 * transaction, when no delivery it writes gets a send job (every target's channel is `unqueued`): one statement, and
 * no `BEGIN` and `COMMIT` around it.
 */
export type DeliveryWrite = StorageTransaction | { readonly alone: SqlClient };

/**
 * Link tokens a `writeDeliveries` statement makes (`kit.links.toMake`'s candidates, stored in the engine's schema by
 * storage-postgres's `ensureLinkTokensSql`): each row's customer's, when a delivery of its notification is written by
 * that statement (a notice muted, or written before, makes none). Only customers that exist.
 */
export interface DeliveryLinkTokens {
  engineSchema: string;
  rows: readonly { notificationId: string; customerId: string; nonce: string; tokenHash: string }[];
}

/**
 * In `into`, one statement: `notifications` (a statement on `$1…$n` returning `id` and `muted` of each notification this
 * call is the one that writes or fans out, nothing of the others) and, for each it returns that is not muted, a
 * `pending` delivery per target of its `fanOuts` line (each once per notification, channel and address); then each
 * new delivery's send job, in one `enqueueMany` a channel, but for the channels in `unqueued`: those deliveries are
 * answered instead, for the caller to send once the write commits (and to queue what it could not send). Answers the
 * ids the notification statement returned (nothing written for the others), and the nonces of the link tokens `links`
 * asked for, by customer id (see {@link DeliveryLinkTokens}). Written `alone`, a target on a channel not `unqueued` is
 * refused before anything is written (its send job would need a transaction).
 */
export async function writeDeliveries(
  into: DeliveryWrite,
  schema: string,
  fanOuts: readonly NotificationTargets[],
  now: Date,
  notifications: { sql: string; params: unknown[] },
  unqueued: ReadonlySet<string> = new Set(),
  links?: DeliveryLinkTokens,
): Promise<{ notificationIds: string[]; unqueued: UnqueuedDelivery[]; nonces: Map<string, string> }> {
  const at = notifications.params.length;
  const lines = fanOuts.flatMap(({ notificationId, targets }) => targets.map((t) => ({ notificationId, ...t })));
  const alone = 'alone' in into ? into.alone : null;
  if (alone !== null && lines.some((l) => !unqueued.has(l.channel)))
    throw new Error('deliveries with send jobs are written in a storage transaction, not alone');
  const asked = links === undefined || links.rows.length === 0 ? null : links.rows;
  // The tokens of the notices whose deliveries this statement writes, made in it (one round trip fewer than a call).
  const linkCtes =
    asked === null
      ? ''
      : `, ${ensureLinkTokensSql(
          links!.engineSchema,
          'links',
          `SELECT DISTINCT ON (l.customer_id) l.customer_id, l.nonce, l.token_hash
           FROM unnest($${at + 7}::text[], $${at + 8}::text[], $${at + 9}::text[], $${at + 10}::text[])
             AS l(notification_id, customer_id, nonce, token_hash)
           WHERE l.notification_id IN (SELECT notification_id FROM d)`,
          `$${at + 6}::timestamptz`,
        )}`;
  const linkRows =
    asked === null ? '' : `\n     UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, links.customer_id, links.nonce FROM links`;
  const { rows } = await (alone ?? transactionSql(into)).query<{
    id: string | null;
    delivery_id: string | null;
    channel: string | null;
    notification_id: string | null;
    address: string | null;
    idempotency_key: string | null;
    link_customer_id: string | null;
    link_nonce: string | null;
  }>(
    `WITH n AS (${notifications.sql}),
     d AS (
       INSERT INTO ${schema}.notification_deliveries (id, notification_id, channel, address, idempotency_key, status, created_at)
       SELECT t.id, n.id, t.channel, t.address, t.key, 'pending', $${at + 6}::timestamptz FROM n
       JOIN unnest($${at + 1}::text[], $${at + 2}::text[], $${at + 3}::text[], $${at + 4}::text[], $${at + 5}::text[])
         AS t(notification_id, id, channel, address, key) ON t.notification_id = n.id
       WHERE NOT n.muted
       ON CONFLICT DO NOTHING RETURNING id, channel, notification_id, address, idempotency_key
     )${linkCtes}
     SELECT n.id, NULL AS delivery_id, NULL AS channel, NULL AS notification_id, NULL AS address, NULL AS idempotency_key,
       NULL AS link_customer_id, NULL AS link_nonce FROM n
     UNION ALL SELECT NULL, d.id, d.channel, d.notification_id, d.address, d.idempotency_key, NULL, NULL FROM d${linkRows}`,
    [
      ...notifications.params,
      lines.map((l) => l.notificationId),
      lines.map(() => createId('dlv')),
      lines.map((l) => l.channel),
      lines.map((l) => l.address),
      lines.map((l) => deliveryKey(l.notificationId, l.channel, l.address)),
      now,
      ...(asked === null
        ? []
        : [asked.map((r) => r.notificationId), asked.map((r) => r.customerId), asked.map((r) => r.nonce), asked.map((r) => r.tokenHash)]),
    ],
  );
  const nonces = new Map(
    rows.flatMap((r) => (r.link_customer_id === null || r.link_nonce === null ? [] : [[r.link_customer_id, r.link_nonce] as const])),
  );
  const written = rows.flatMap((r) =>
    r.delivery_id === null || r.channel === null
      ? []
      : [
          {
            id: r.delivery_id,
            channel: r.channel,
            notificationId: r.notification_id!,
            address: r.address!,
            idempotencyKey: r.idempotency_key!,
          },
        ],
  );
  const queued = written.filter((d) => !unqueued.has(d.channel));
  if (queued.length > 0) await enqueueDeliveries(into as StorageTransaction, queued);
  return {
    notificationIds: rows.flatMap((r) => (r.id === null ? [] : [r.id])),
    unqueued: written.filter((d) => unqueued.has(d.channel)),
    nonces,
  };
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

  /** One delivery, or `null`. */
  async get(id: string): Promise<Delivery | null> {
    const { rows } = await this.db.query<DeliveryRow>(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toDelivery(rows[0]);
  }

  /** Marks deliveries sent, each after its own attempt, in one statement (one sent already is left); how many were marked now. */
  async markSentMany(sent: readonly { id: string; attempts: number }[]): Promise<number> {
    if (sent.length === 0) return 0;
    const { rows } = await this.db.query(`${this.markSentSql()} RETURNING d.id`, this.markSentParams(sent));
    return rows.length;
  }

  /**
   * `markSentMany` in `tx` (a storage transaction: what it writes commits with it), its answer not read: deferred into
   * the round trip of the transaction's next statement or its `COMMIT` where the connection can (`transactionSql`).
   */
  async markSentManyIn(tx: StorageTransaction, sent: readonly { id: string; attempts: number }[]): Promise<void> {
    if (sent.length === 0) return;
    const sql = transactionSql(tx);
    if (sql.defer !== undefined) sql.defer(this.markSentSql(), this.markSentParams(sent));
    else await sql.query(this.markSentSql(), this.markSentParams(sent));
  }

  private markSentSql(): string {
    return `UPDATE ${this.table} AS d SET status = 'sent', sent_at = $3, attempts = s.attempts, last_error = NULL
       FROM unnest($1::text[], $2::integer[]) AS s(id, attempts)
       WHERE d.id = s.id AND d.status <> 'sent'`;
  }

  private markSentParams(sent: readonly { id: string; attempts: number }[]): unknown[] {
    return [sent.map((x) => x.id), sent.map((x) => x.attempts), this.clock.now()];
  }

  /**
   * The pending deliveries on `channels` of the notifications these causes wrote (each matched as written: source,
   * kind and recipient, `notifications_once`), in one read: what an event's notices job run again hands to send jobs.
   */
  async pendingOf(
    notices: readonly { source: string; kind: string; customerId: string | null }[],
    channels: readonly string[],
  ): Promise<{ id: string; channel: string }[]> {
    if (notices.length === 0 || channels.length === 0) return [];
    const { rows } = await this.db.query<{ id: string; channel: string }>(
      `SELECT d.id, d.channel
       FROM unnest($1::text[], $2::text[], $3::text[]) AS w(source, kind, customer_id)
       JOIN ${this.schema}.notifications n ON n.source = w.source AND n.kind = w.kind AND coalesce(n.customer_id, '') = w.customer_id
       JOIN ${this.table} d ON d.notification_id = n.id
       WHERE d.status = 'pending' AND d.channel = ANY($4::text[])`,
      [notices.map((x) => x.source), notices.map((x) => x.kind), notices.map((x) => x.customerId ?? ''), [...channels]],
    );
    return rows;
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
