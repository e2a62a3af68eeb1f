import { RetryLaterError, defineHostJob, type HostJobDefinition, type Job } from '@panelkit/sdk';
import { isLocale, type Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import type { Recipient } from '../../db/notifications.js';
import { DeliveryRefusedError, type NotificationChannel } from './channel.js';
import { deliveriesOf } from '../../db/notification-deliveries.js';
import { eventNoticesJob } from './event-notices.js';
import { fanOutTargets } from './fan-out-targets.js';
import { readingParams } from './reading-params.js';
import { renderNotification } from './render.js';
import { DELIVERY_RETRY, DeliveryPayload, deliveryJobType, FAN_OUT_TYPE, FanOutPayload } from '../../db/notification-outbox.js';
import { notificationsOf, type DeliveryRead } from '../../db/notifications.js';
import { shopNameOfStorefront } from '../storefront-bots/shop-name.js';

/**
 * The notification pipeline on the SDK's worker, for this process's channels: the audit event's notices job
 * (each notice written and fanned out in one transaction), the fan-out job (for notifications written by a
 * cause that does not know the channels: the recipient's addresses on each channel, the buyer's opt-outs,
 * each delivery written with its send job in one transaction), and one send job type per channel. A send
 * marks its delivery sent, and a send given up marks it failed (the admin's page lists it and may queue it
 * again). A send runs at least once (a worker that dies after the channel took the message runs it again):
 * every send carries the delivery's idempotency key, which each channel honours. The sends of one claim run together
 * (a batch's notices): their deliveries read in one statement, sent side by side, marked sent in one.
 */
export function notificationJobs(shop: Shop, channels: readonly NotificationChannel[]): HostJobDefinition[] {
  const log = shop.logger.child({ component: 'notifications' });
  const store = notificationsOf(shop);
  const deliveries = deliveriesOf(shop);

  /** The language and the shop name the recipient reads (a storefront's buyer: under its name, issue 70), from one read. */
  async function readerOf(recipient: Recipient): Promise<{ locale: Locale; shopName: string }> {
    if (recipient.kind === 'staff') return { locale: shop.config.notifications.staffLocale, shopName: shop.config.shopName };
    const customer = await shop.storage.customers.get(recipient.customerId);
    const locale = customer?.locale;
    return { locale: isLocale(locale) ? locale : 'en', shopName: await shopNameOfStorefront(shop, customer?.storefrontId ?? null) };
  }

  const targets = fanOutTargets(channels);
  const fanOut = defineHostJob({
    type: FAN_OUT_TYPE,
    payload: FanOutPayload,
    async run({ notificationId }) {
      const n = await store.get(notificationId);
      if (n === null || n.fannedOutAt !== null) return;
      const [fanOut] = await targets([n]);
      await store.fanOut(n, fanOut!);
    },
  });

  /**
   * Sends one delivery read with its notification (unless gone or sent already) on `channel`. Answers whether it was
   * sent now, to be marked so (a delivery refused for good is marked failed here, and is not); throws for the job to
   * run again (its attempt noted).
   */
  async function deliver(channel: NotificationChannel, read: DeliveryRead | null | undefined, job: Job): Promise<boolean> {
    if (read === null || read === undefined || read.delivery.status === 'sent') return false;
    const { delivery, notification } = read;
    try {
      const { locale, shopName } = await readerOf(notification.recipient);
      const params = await readingParams(shop, notification, locale);
      const message = renderNotification(notification.kind, params, { locale, timeZone: shop.config.timeZone, shopName });
      await channel.send(delivery.address, message, delivery.idempotencyKey);
      return true;
    } catch (error) {
      if (error instanceof DeliveryRefusedError) {
        // Final for this message: failed now with the address's reason, the job done (nothing to retry).
        log.info({ deliveryId: delivery.id, channel: channel.name, reason: error.reason }, 'delivery refused');
        await deliveries.markRefused(delivery.id, job.attempts, error.reason);
        return false;
      }
      const attempt = { deliveryId: delivery.id, channel: channel.name, attempt: job.attempts };
      // Routine (Telegram's 429 with its retry_after, a 5xx): the job runs again then; one line says so, no stack.
      if (RetryLaterError.is(error))
        log.info({ ...attempt, retryAfterMs: error.retryAfterMs, reason: error.message }, 'delivery will be retried later');
      else log.warn({ err: error, ...attempt }, 'delivery failed');
      await deliveries.noteAttempt(delivery.id, job.attempts, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  const sends = channels.map((channel) =>
    defineHostJob({
      type: deliveryJobType(channel.name),
      payload: DeliveryPayload,
      // The same policy as the enqueuing side's: a job's attempts are fixed when it is enqueued.
      retry: DELIVERY_RETRY,
      async run({ deliveryId }, { job }) {
        if (await deliver(channel, await store.ofDelivery(deliveryId), job)) await deliveries.markSent(deliveryId, job.attempts);
      },
      // The deliveries of one claim (a batch's notices): read in one statement, sent side by side, marked sent in one.
      async runMany(items) {
        const reads = await store.ofDeliveries(items.map((item) => item.payload.deliveryId));
        const failed = new Map<string, unknown>();
        const sent: { id: string; attempts: number }[] = [];
        await Promise.all(
          items.map(async ({ payload: { deliveryId }, context: { job } }) => {
            try {
              if (await deliver(channel, reads.get(deliveryId), job)) sent.push({ id: deliveryId, attempts: job.attempts });
            } catch (error) {
              failed.set(job.id, error);
            }
          }),
        );
        await deliveries.markSentMany(sent);
        return failed;
      },
      async onDead({ deliveryId }, error) {
        await deliveries.markFailed(deliveryId, error.message);
      },
    }),
  );
  return [eventNoticesJob(shop, targets), fanOut, ...sends];
}
