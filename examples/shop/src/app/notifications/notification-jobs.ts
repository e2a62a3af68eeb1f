import { RetryLaterError, defineHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { isLocale, type Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import type { Recipient } from '../../db/notifications.js';
import { DeliveryRefusedError, type NotificationChannel } from './channel.js';
import { deliveriesOf } from '../../db/notification-deliveries.js';
import { isCustomerKind } from '../../db/notification-kinds.js';
import { readingParams } from './reading-params.js';
import { renderNotification } from './render.js';
import { DELIVERY_RETRY, DeliveryPayload, deliveryJobType, FAN_OUT_TYPE, FanOutPayload } from '../../db/notification-outbox.js';
import { notificationsOf } from '../../db/notifications.js';

/**
 * The notification pipeline on the SDK's worker, for this process's channels: the fan-out job (the
 * recipient's addresses on each channel, the buyer's opt-outs), and one send job type per channel.
 * A notification is written with its fan-out job in the transaction of its cause; the fan-out
 * writes each delivery with its send job in one transaction; a send marks its delivery sent, and a
 * send given up marks it failed (the admin's page lists it and may queue it again). A send runs at
 * least once (a worker that dies after the channel took the message runs it again): every send
 * carries the delivery's idempotency key, which each channel honours.
 */
export function notificationJobs(shop: Shop, channels: readonly NotificationChannel[]): HostJobDefinition[] {
  const log = shop.logger.child({ component: 'notifications' });
  const store = notificationsOf(shop);
  const deliveries = deliveriesOf(shop);

  async function localeOf(recipient: Recipient): Promise<Locale> {
    if (recipient.kind === 'staff') return shop.config.notifications.staffLocale;
    const locale = (await shop.storage.customers.get(recipient.customerId))?.locale;
    return isLocale(locale) ? locale : 'en';
  }

  const fanOut = defineHostJob({
    type: FAN_OUT_TYPE,
    payload: FanOutPayload,
    async run({ notificationId }) {
      const n = await store.get(notificationId);
      if (n === null || n.fannedOutAt !== null) return;
      const muted = n.recipient.kind === 'customer' && isCustomerKind(n.kind) && (await store.optedOut(n.recipient.customerId)).has(n.kind);
      const targets: { channel: string; address: string }[] = [];
      if (!muted) {
        for (const channel of channels) {
          for (const address of await channel.addressesOf(n.recipient)) targets.push({ channel: channel.name, address });
        }
      }
      // A security notice also goes to the address it is about (the old email after a change): its owner may be the one locked out.
      const previous = n.params['previousEmail'];
      if (
        typeof previous === 'string' &&
        channels.some((c) => c.name === 'email') &&
        !targets.some((x) => x.channel === 'email' && x.address === previous)
      )
        targets.push({ channel: 'email', address: previous });
      await deliveries.fanOut(n.id, targets, muted);
    },
  });

  const sends = channels.map((channel) =>
    defineHostJob({
      type: deliveryJobType(channel.name),
      payload: DeliveryPayload,
      // The same policy as the enqueuing side's: a job's attempts are fixed when it is enqueued.
      retry: DELIVERY_RETRY,
      async run({ deliveryId }, { job }) {
        const delivery = await deliveries.get(deliveryId);
        if (delivery === null || delivery.status === 'sent') return;
        try {
          const notification = await store.get(delivery.notificationId);
          if (notification === null) return;
          const locale = await localeOf(notification.recipient);
          const params = await readingParams(shop, notification, locale);
          const message = renderNotification(notification.kind, params, {
            locale,
            timeZone: shop.config.timeZone,
            shopName: shop.config.shopName,
          });
          await channel.send(delivery.address, message, delivery.idempotencyKey);
        } catch (error) {
          if (error instanceof DeliveryRefusedError) {
            // Final for this message: failed now with the address's reason, the job done (nothing to retry).
            log.info({ deliveryId, channel: channel.name, reason: error.reason }, 'delivery refused');
            await deliveries.markRefused(deliveryId, job.attempts, error.reason);
            return;
          }
          const attempt = { deliveryId, channel: channel.name, attempt: job.attempts };
          // Routine (Telegram's 429 with its retry_after, a 5xx): the job runs again then; one line says so, no stack.
          if (RetryLaterError.is(error))
            log.info({ ...attempt, retryAfterMs: error.retryAfterMs, reason: error.message }, 'delivery will be retried later');
          else log.warn({ err: error, ...attempt }, 'delivery failed');
          await deliveries.noteAttempt(deliveryId, job.attempts, error instanceof Error ? error.message : String(error));
          throw error;
        }
        await deliveries.markSent(deliveryId, job.attempts);
      },
      async onDead({ deliveryId }, error) {
        await deliveries.markFailed(deliveryId, error.message);
      },
    }),
  );
  return [fanOut, ...sends];
}
