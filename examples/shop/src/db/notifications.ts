import { createId, type Clock, type Page } from '@panelkit/sdk';
import type { LinkTokenRequest, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';
import { isCustomerKind, type CustomerKind, type NotificationKind, type NotificationParams } from './notification-kinds.js';
import { enqueueFanOut } from './notification-outbox.js';
import {
  toDelivery,
  writeDeliveries,
  type Delivery,
  type DeliveryRow,
  type DeliveryTargets,
  type DeliveryWrite,
} from './notification-deliveries.js';

/** Who a notification is for: one buyer, or the shop's staff. */
export type Recipient = { kind: 'customer'; customerId: string } | { kind: 'staff' };

/** A notice to write: for whom, what, and the cause it comes from (unique with kind and recipient). */
export interface NewNotification {
  recipient: Recipient;
  kind: NotificationKind;
  /** The cause, e.g. `audit:<event id>` or `payment:<id>`: the same cause never notifies one recipient twice of one kind. */
  source: string;
  params: NotificationParams;
}

/** A notification as stored. */
export interface Notification {
  id: string;
  recipient: Recipient;
  kind: NotificationKind;
  source: string;
  params: NotificationParams;
  createdAt: Date;
  /** When its deliveries were written (`null`: not yet). */
  fannedOutAt: Date | null;
  /** The buyer had turned this kind off: it is kept in the history and sent nowhere. */
  muted: boolean;
}

/** A delivery read with its notification (`NotificationStore.ofDeliveries`). */
export interface DeliveryRead {
  delivery: Delivery;
  notification: Notification;
}

interface NotificationRow {
  id: string;
  customer_id: string | null;
  kind: NotificationKind;
  source: string;
  params: NotificationParams | string;
  created_at: Date | string;
  fanned_out_at: Date | string | null;
  muted: boolean;
}

/** A `notifications` row as a {@link Notification}. */
export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    recipient: row.customer_id === null ? { kind: 'staff' } : { kind: 'customer', customerId: row.customer_id },
    kind: row.kind,
    source: row.source,
    params: typeof row.params === 'string' ? (JSON.parse(row.params) as NotificationParams) : row.params,
    createdAt: new Date(row.created_at),
    fannedOutAt: row.fanned_out_at === null ? null : new Date(row.fanned_out_at),
    muted: row.muted,
  };
}

/**
 * The SQL that tells whether a notification is muted: its recipient is a buyer who turned its kind off
 * (`customerKind`: the kind is one a buyer may turn off, `isCustomerKind`), read in the statement that writes it.
 */
function mutedSql(schema: string, customerId: string, kind: string, customerKind: string): string {
  return `(${customerKind} AND EXISTS (SELECT 1 FROM ${schema}.notification_opt_outs o WHERE o.customer_id = ${customerId} AND o.kind = ${kind}))`;
}

/**
 * Writes a notification in `tx`, the `storage.transaction` of its cause, so that they commit or roll back
 * together, with what delivers it: given `targets` (the writer knows its process's channels), fanned out at
 * once, its deliveries written in the same statement (none when the buyer turned its kind off) and their send
 * jobs queued; else the job that fans it out to the channels of the process that runs it. False when this
 * cause already notified this recipient of this kind (nothing is written or queued).
 */
export async function writeNotification(
  tx: StorageTransaction,
  schema: string,
  at: Date,
  input: NewNotification,
  targets?: DeliveryTargets,
): Promise<boolean> {
  if (targets !== undefined) return (await writeNotifications(tx, schema, at, [{ notice: input, targets }])) > 0;
  const id = createId('ntf');
  const customerId = input.recipient.kind === 'customer' ? input.recipient.customerId : null;
  const { rows } = await transactionSql(tx).query<{ id: string }>(
    `INSERT INTO ${schema}.notifications (id, customer_id, kind, source, params, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
    [id, customerId, input.kind, input.source, JSON.stringify(input.params), at],
  );
  if (rows.length === 0) return false;
  await enqueueFanOut(tx, id);
  return true;
}

/**
 * Writes several notifications fanned out at once, as `writeNotification` with `targets` writes each: all of them and
 * their deliveries in one statement, their send jobs in one `enqueueMany` a channel. Answers how many were new (a
 * cause that already notified its recipient of its kind writes nothing, here as there).
 */
export async function writeNotifications(
  tx: StorageTransaction,
  schema: string,
  at: Date,
  notices: readonly { notice: NewNotification; targets: DeliveryTargets }[],
): Promise<number> {
  return (await writeFannedOut(tx, schema, at, notices, new Set())).count;
}

/** What `writeNotificationsSentNow` wrote: the deliveries left to its caller to send, and the notices written before. */
export interface WrittenToSend {
  /** The new deliveries on the channels asked, each with its notification as written: no send job was queued for them. */
  toSend: DeliveryRead[];
  /** The notices given that this call did not write (their cause wrote them before, maybe with deliveries still to send). */
  before: NewNotification[];
  /** The nonces of the link tokens the notices asked for (`link`), by customer id: see `DeliveryLinkTokens`. */
  nonces: Map<string, string>;
}

/** A notice to write with its targets, and the link token its message carries (`kit.links.toMake`'s, made with it). */
export interface NoticeToWrite {
  notice: NewNotification;
  targets: DeliveryTargets;
  /** The customer whose link its message carries, with the candidate to store if it has no token; made in the write. */
  link?: LinkTokenRequest;
}

/**
 * `writeNotifications`, but the new deliveries on the channels in `sentNow` get no send job: they are answered, for the
 * caller to send once the write commits and to queue any it could not send (the event's notices job:
 * `event-notices.ts`). The other channels' deliveries are queued as `writeNotifications` queues them, in `into`'s
 * transaction; with none (every target on a `sentNow` channel) the write may be one statement `alone`. The link tokens
 * the notices ask for (`link`) are made in the same statement (in `engineSchema`), for the notices it writes deliveries of.
 */
export async function writeNotificationsSentNow(
  into: DeliveryWrite,
  schema: string,
  at: Date,
  notices: readonly NoticeToWrite[],
  sentNow: ReadonlySet<string>,
  engineSchema: string,
): Promise<WrittenToSend> {
  const { toSend, before, nonces } = await writeFannedOut(into, schema, at, notices, sentNow, engineSchema);
  return { toSend, before, nonces };
}

async function writeFannedOut(
  into: DeliveryWrite,
  schema: string,
  at: Date,
  notices: readonly NoticeToWrite[],
  unqueued: ReadonlySet<string>,
  engineSchema?: string,
): Promise<WrittenToSend & { count: number }> {
  if (notices.length === 0) return { count: 0, toSend: [], before: [], nonces: new Map() };
  const ids = notices.map(() => createId('ntf'));
  const links =
    engineSchema === undefined
      ? undefined
      : {
          engineSchema,
          rows: notices.flatMap(({ link }, i) =>
            link === undefined ? [] : [{ notificationId: ids[i]!, customerId: link.customerId, ...link.candidate }],
          ),
        };
  const written = await writeDeliveries(
    into,
    schema,
    notices.map(({ targets }, i) => ({ notificationId: ids[i]!, targets })),
    at,
    {
      sql: `INSERT INTO ${schema}.notifications (id, customer_id, kind, source, params, created_at, fanned_out_at, muted)
            SELECT i.id, i.customer_id, i.kind, i.source, i.params::jsonb, $6::timestamptz, $6::timestamptz,
              ${mutedSql(schema, 'i.customer_id', 'i.kind', 'i.customer_kind')}
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::boolean[])
              AS i(id, customer_id, kind, source, params, customer_kind)
            ON CONFLICT DO NOTHING RETURNING id, muted`,
      params: [
        ids,
        notices.map(({ notice }) => (notice.recipient.kind === 'customer' ? notice.recipient.customerId : null)),
        notices.map(({ notice }) => notice.kind),
        notices.map(({ notice }) => notice.source),
        notices.map(({ notice }) => JSON.stringify(notice.params)),
        at,
        notices.map(({ notice }) => isCustomerKind(notice.kind)),
      ],
    },
    unqueued,
    links,
  );
  const noticeOf = new Map(ids.map((id, i) => [id, notices[i]!.notice]));
  const mine = new Set(written.notificationIds);
  return {
    count: written.notificationIds.length,
    nonces: written.nonces,
    before: ids.flatMap((id, i) => (mine.has(id) ? [] : [notices[i]!.notice])),
    // A delivery is written only with its notification (not muted), so each is the notice given for its id.
    toSend: written.unqueued.map((d) => {
      const notice = noticeOf.get(d.notificationId)!;
      return {
        delivery: { ...d, status: 'pending', attempts: 0, lastError: null, sentAt: null, createdAt: at },
        notification: { id: d.notificationId, ...notice, createdAt: at, fannedOutAt: at, muted: false },
      };
    }),
  };
}

/** Keyset cursor over `(created_at, id)`, newest first. */
function encodeCursor(n: Notification): string {
  return Buffer.from(`${n.createdAt.toISOString()}|${n.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  return id === undefined || id.length === 0 || Number.isNaN(date.getTime()) ? null : { at: date, id };
}

/** The `notifications` and `notification_opt_outs` tables: the history and buyers' choices. */
export class NotificationStore {
  constructor(
    private readonly db: SqlClient,
    private readonly storage: Pick<StoragePort, 'transaction'>,
    private readonly schema: string,
    private readonly clock: Clock,
  ) {}

  /** Writes a notification and its fan-out job in their own transaction (for causes that have none, such as a failure). */
  write(input: NewNotification): Promise<boolean> {
    return this.storage.transaction((tx) => writeNotification(tx, this.schema, this.clock.now(), input));
  }

  /**
   * Fans a notification written without its deliveries out to `targets`: marks it fanned out, muted when its
   * buyer turned its kind off (then no delivery is written), and writes each delivery with its send job (each
   * once, whoever else fans it out at the same time), in one transaction.
   */
  async fanOut(n: Pick<Notification, 'id' | 'kind'>, targets: DeliveryTargets): Promise<void> {
    const now = this.clock.now();
    await this.storage.transaction((tx) =>
      writeDeliveries(tx, this.schema, [{ notificationId: n.id, targets }], now, {
        sql: `UPDATE ${this.schema}.notifications x SET fanned_out_at = $1, muted = ${mutedSql(this.schema, 'x.customer_id', 'x.kind', '$2::boolean')}
              WHERE x.id = $3 AND x.fanned_out_at IS NULL RETURNING x.id, x.muted`,
        params: [now, isCustomerKind(n.kind), n.id],
      }),
    );
  }

  /** Whether this cause already notified this recipient of this kind (a read, so a cause seen again often writes nothing). */
  async has(input: Pick<NewNotification, 'recipient' | 'kind' | 'source'>): Promise<boolean> {
    const customerId = input.recipient.kind === 'customer' ? input.recipient.customerId : '';
    const { rows } = await this.db.query(
      `SELECT 1 FROM ${this.schema}.notifications WHERE source = $1 AND kind = $2 AND coalesce(customer_id, '') = $3`,
      [input.source, input.kind, customerId],
    );
    return rows.length > 0;
  }

  async get(id: string): Promise<Notification | null> {
    const { rows } = await this.db.query<NotificationRow>(`SELECT * FROM ${this.schema}.notifications WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toNotification(rows[0]);
  }

  /** Deliveries with their notifications in one read, by delivery id (one whose delivery or notification is gone left out). */
  async ofDeliveries(deliveryIds: readonly string[]): Promise<Map<string, DeliveryRead>> {
    const { rows } = await this.db.query<DeliveryRow & { n: NotificationRow }>(
      `SELECT d.*, to_jsonb(n) AS n
       FROM ${this.schema}.notification_deliveries d JOIN ${this.schema}.notifications n ON n.id = d.notification_id
       WHERE d.id = ANY($1::text[])`,
      [[...deliveryIds]],
    );
    return new Map(rows.map((row) => [row.id, { delivery: toDelivery(row), notification: toNotification(row.n) }]));
  }

  /** A buyer's notifications, newest first; a cursor that does not parse starts from the top. */
  async history(customerId: string, page: { limit: number; cursor?: string | null }): Promise<Page<Notification>> {
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT * FROM ${this.schema}.notifications WHERE customer_id = $1 ${after === null ? '' : 'AND (created_at, id) < ($3, $4)'}
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      after === null ? [customerId, page.limit + 1] : [customerId, page.limit + 1, after.at, after.id],
    );
    const items = rows.slice(0, page.limit).map(toNotification);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last !== undefined ? encodeCursor(last) : null };
  }

  /** The kinds a buyer turned off. */
  async optedOut(customerId: string): Promise<Set<CustomerKind>> {
    const { rows } = await this.db.query<{ kind: string }>(`SELECT kind FROM ${this.schema}.notification_opt_outs WHERE customer_id = $1`, [
      customerId,
    ]);
    return new Set(rows.map((r) => r.kind).filter(isCustomerKind));
  }

  /** Replaces a buyer's opt-outs with `kinds`. */
  async setOptedOut(customerId: string, kinds: readonly CustomerKind[]): Promise<void> {
    await this.db.transaction(async (db) => {
      await db.query(`DELETE FROM ${this.schema}.notification_opt_outs WHERE customer_id = $1`, [customerId]);
      for (const kind of new Set(kinds)) {
        await db.query(`INSERT INTO ${this.schema}.notification_opt_outs (customer_id, kind) VALUES ($1, $2)`, [customerId, kind]);
      }
    });
  }
}

/** The shop's notification store. */
export function notificationsOf(shop: {
  db: SqlClient;
  storage: Pick<StoragePort, 'transaction'>;
  shopSchema: string;
  clock: Clock;
}): NotificationStore {
  return new NotificationStore(shop.db, shop.storage, shop.shopSchema, shop.clock);
}
