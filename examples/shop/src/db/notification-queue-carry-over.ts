import type { SqlQueryable } from '@panelkit/storage-postgres';

/**
 * What an earlier release's notification queue left undone, read before the shop migration
 * `notifications_on_host_jobs` drops that queue: the audit relay's saved position, notifications
 * not fanned out yet, and deliveries not sent yet.
 */
export interface NotificationQueueLeftovers {
  /** Where the relay had read the audit trail up to (`null`: nothing to read). */
  relayPositionAt: Date | null;
  notificationIds: string[];
  deliveries: Array<{ id: string; channel: string }>;
}

/** True while the earlier release's queue is still there (its relay table exists). */
export async function hasNotificationRelay(db: SqlQueryable, shopSchema: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${shopSchema}.notification_relay`]);
  return rows[0]?.found === true;
}

/** Reads what the earlier release's queue left undone (see {@link NotificationQueueLeftovers}). */
export async function notificationQueueLeftovers(db: SqlQueryable, shopSchema: string): Promise<NotificationQueueLeftovers> {
  const relay = await db.query<{ position_at: Date | string }>(
    `SELECT position_at FROM ${shopSchema}.notification_relay WHERE name = 'audit'`,
  );
  const notifications = await db.query<{ id: string }>(
    `SELECT id FROM ${shopSchema}.notifications WHERE fanned_out_at IS NULL ORDER BY created_at, id`,
  );
  const deliveries = await db.query<{ id: string; channel: string }>(
    `SELECT id, channel FROM ${shopSchema}.notification_deliveries WHERE status IN ('pending', 'sending') ORDER BY created_at, id`,
  );
  const position = relay.rows[0]?.position_at;
  return {
    relayPositionAt: position === undefined ? null : new Date(position),
    notificationIds: notifications.rows.map((r) => r.id),
    deliveries: deliveries.rows,
  };
}
