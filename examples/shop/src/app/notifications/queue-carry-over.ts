import {
  hasNotificationRelay,
  notificationQueueLeftovers,
  type NotificationQueueLeftovers,
} from '../../db/notification-queue-carry-over.js';
import type { Shop } from '../shop.js';
import { enqueueEventNotices, isNotifyingAction } from './event-notices.js';
import { enqueueDeliveries, enqueueFanOuts } from '../../db/notification-outbox.js';

/** What `carryOverNotificationQueue` handed to the SDK's queue. */
export interface NotificationQueueCarryOver {
  /** Audit events the old relay had not reached, now each with its notices job. */
  events: number;
  /** Notifications not fanned out yet, now each with its fan-out job. */
  notifications: number;
  /** Deliveries not sent yet, now each with its send job. */
  deliveries: number;
}

function isMissingTable(error: unknown): boolean {
  return (error as { code?: string }).code === '42P01';
}

/**
 * Before the shop migration `notifications_on_host_jobs` drops an earlier release's notification
 * queue, hands what it left undone to the SDK's queue: every audit event its relay had not read (it
 * polled from a saved position looking 10 minutes back; at most a day back), every notification not
 * fanned out and every delivery not sent. Each job is keyed by its cause, so a replica starting at
 * the same moment, or a rerun after a crash, queues nothing twice; notices the relay wrote already
 * are not written again (unique per event, kind and recipient).
 */
export async function carryOverNotificationQueue(shop: Shop): Promise<NotificationQueueCarryOver> {
  const none = { events: 0, notifications: 0, deliveries: 0 };
  let leftovers: NotificationQueueLeftovers;
  try {
    if (!(await hasNotificationRelay(shop.db, shop.shopSchema))) return none;
    leftovers = await notificationQueueLeftovers(shop.db, shop.shopSchema);
  } catch (error) {
    // Another replica carried it over and dropped the old queue between the two reads.
    if (isMissingTable(error)) return none;
    throw error;
  }
  const events = leftovers.relayPositionAt === null ? 0 : await carryOverEvents(shop, leftovers.relayPositionAt);
  await shop.storage.transaction(async (tx) => {
    await enqueueFanOuts(tx, leftovers.notificationIds);
    await enqueueDeliveries(tx, leftovers.deliveries);
  });
  return { events, notifications: leftovers.notificationIds.length, deliveries: leftovers.deliveries.length };
}

async function carryOverEvents(shop: Shop, positionAt: Date): Promise<number> {
  // Never further back than a day: a schema migrated fresh (or restored from a backup) holds the migration's
  // seed, the epoch, and its whole history was notified long ago.
  const from = Math.max(positionAt.getTime() - 10 * 60_000, shop.clock.now().getTime() - 24 * 3_600_000);
  const hook = enqueueEventNotices();
  let queued = 0;
  let cursor: string | null = null;
  for (;;) {
    const page = await shop.storage.audit.list({}, { limit: 200, cursor });
    const recent = page.items.filter((e) => e.at.getTime() > from);
    for (const event of recent) {
      if (!isNotifyingAction(event.action)) continue;
      await shop.storage.transaction((tx) => hook(tx, event));
      queued++;
    }
    if (page.nextCursor === null || recent.length < page.items.length) break;
    cursor = page.nextCursor;
  }
  return queued;
}
