import { RetryLaterError, defineHostJob, type HostJobDefinition, type Job } from '@panelkit/sdk';
import { isLocale, type Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import type { Delivery } from '../../db/notification-deliveries.js';
import { DeliveryRefusedError, type NotificationChannel, type RenderedMessage } from './channel.js';
import { deliveriesOf } from '../../db/notification-deliveries.js';
import { eventNoticesJob } from './event-notices.js';
import { fanOutTargets } from './fan-out-targets.js';
import { linkReaderOf, readingParams } from './reading-params.js';
import { renderNotification } from './render.js';
import { DELIVERY_RETRY, DeliveryPayload, deliveryJobType, FAN_OUT_TYPE, FanOutPayload } from '../../db/notification-outbox.js';
import { notificationsOf, type Notification, type Recipient } from '../../db/notifications.js';
import { shopNameOfStorefront } from '../storefront-bots/shop-name.js';

/** What rendering a claim's notifications reads about their recipients (`recipientsOf`). */
interface RecipientReads {
  reader(recipient: Recipient): Promise<{ locale: Locale; shopName: string }>;
  tokenFor(customerId: string): Promise<string>;
}

/**
 * The notification pipeline on the SDK's worker, for this process's channels: the audit event's notices job
 * (each notice written and fanned out in one transaction), the fan-out job (for notifications written by a
 * cause that does not know the channels: the recipient's addresses on each channel, the buyer's opt-outs,
 * each delivery written with its send job in one transaction), and one send job type per channel. A send
 * marks its delivery sent, and a send given up marks it failed (the admin's page lists it and may queue it
 * again). A send runs at least once (a worker that dies after the channel took the message runs it again):
 * every send carries the delivery's idempotency key, which each channel honours. The sends of one claim run together
 * (a batch's notices): their deliveries, recipients and link tokens read in a statement each, sent side by side (one
 * statement claims their keys on Telegram), marked sent in one.
 */
export function notificationJobs(shop: Shop, channels: readonly NotificationChannel[]): HostJobDefinition[] {
  const log = shop.logger.child({ component: 'notifications' });
  const store = notificationsOf(shop);
  const deliveries = deliveriesOf(shop);

  /**
   * What rendering these notifications reads about their recipients, read for all of them at once: the buyers (one
   * `customers.getMany`) and the link tokens of those whose notice carries their link (one `kit.links.tokensFor`).
   */
  async function recipientsOf(notifications: readonly Notification[]): Promise<RecipientReads> {
    const buyers = [...new Set(notifications.flatMap((n) => (n.recipient.kind === 'customer' ? [n.recipient.customerId] : [])))];
    const linked = [...new Set(notifications.flatMap((n) => linkReaderOf(n) ?? []))];
    const [customers, tokens] = await Promise.all([
      buyers.length === 0 ? [] : shop.storage.customers.getMany(buyers),
      // All or none: when one buyer's token cannot be made, each is made alone below, so only that delivery fails.
      linked.length === 0 ? new Map<string, string>() : shop.kit.links.tokensFor(linked).catch(() => new Map<string, string>()),
    ]);
    const byId = new Map(customers.map((c) => [c.id, c]));
    return {
      /** The language and the shop name the recipient reads (a storefront's buyer: under its name, issue 70). */
      async reader(recipient) {
        if (recipient.kind === 'staff') return { locale: shop.config.notifications.staffLocale, shopName: shop.config.shopName };
        const customer = byId.get(recipient.customerId);
        const locale = customer?.locale;
        return { locale: isLocale(locale) ? locale : 'en', shopName: await shopNameOfStorefront(shop, customer?.storefrontId ?? null) };
      },
      tokenFor: (customerId) => Promise.resolve(tokens.get(customerId) ?? shop.kit.links.tokenFor(customerId)),
    };
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
   * What a delivery that was not sent leaves behind: one refused for good is marked failed here (nothing to retry:
   * answers `null`); any other failure is noted on the delivery and answered, for its job to run again.
   */
  async function settleFailure(channel: NotificationChannel, delivery: Delivery, job: Job, error: unknown): Promise<unknown> {
    if (error instanceof DeliveryRefusedError) {
      // Final for this message: failed now with the address's reason, the job done (nothing to retry).
      log.info({ deliveryId: delivery.id, channel: channel.name, reason: error.reason }, 'delivery refused');
      await deliveries.markRefused(delivery.id, job.attempts, error.reason);
      return null;
    }
    const attempt = { deliveryId: delivery.id, channel: channel.name, attempt: job.attempts };
    // Routine (Telegram's 429 with its retry_after, a 5xx): the job runs again then; one line says so, no stack.
    if (RetryLaterError.is(error))
      log.info({ ...attempt, retryAfterMs: error.retryAfterMs, reason: error.message }, 'delivery will be retried later');
    else log.warn({ err: error, ...attempt }, 'delivery failed');
    await deliveries.noteAttempt(delivery.id, job.attempts, error instanceof Error ? error.message : String(error));
    return error;
  }

  /**
   * Sends a claim's deliveries on `channel` (those gone or sent already are skipped): their recipients read at once
   * (`recipientsOf`), each rendered, all handed to the channel together (`sendMany`, else one `send` each), and the
   * ones sent marked so in one statement. Answers the jobs that failed (job id → error), each to run again alone.
   */
  async function deliverAll(
    channel: NotificationChannel,
    batch: readonly { deliveryId: string; job: Job }[],
  ): Promise<Map<string, unknown>> {
    const reads = await store.ofDeliveries(batch.map((item) => item.deliveryId));
    const due = batch.flatMap(({ deliveryId, job }) => {
      const read = reads.get(deliveryId);
      return read === undefined || read.delivery.status === 'sent' ? [] : [{ ...read, job }];
    });
    const failed = new Map<string, unknown>();
    const fail = async ({ delivery, job }: (typeof due)[number], error: unknown) => {
      const left = await settleFailure(channel, delivery, job, error);
      if (left !== null) failed.set(job.id, left);
    };
    let recipients: RecipientReads;
    try {
      recipients = await recipientsOf(due.map((d) => d.notification));
    } catch (error) {
      await Promise.all(due.map((d) => fail(d, error)));
      return failed;
    }
    const rendered: ((typeof due)[number] & { message: RenderedMessage })[] = [];
    await Promise.all(
      due.map(async (d) => {
        try {
          const { locale, shopName } = await recipients.reader(d.notification.recipient);
          const params = await readingParams(shop, d.notification, locale, recipients.tokenFor);
          rendered.push({
            ...d,
            message: renderNotification(d.notification.kind, params, { locale, timeZone: shop.config.timeZone, shopName }),
          });
        } catch (error) {
          await fail(d, error);
        }
      }),
    );
    const outgoing = rendered.map(({ delivery, message }) => ({
      address: delivery.address,
      message,
      idempotencyKey: delivery.idempotencyKey,
    }));
    const sendEach = () =>
      Promise.all(
        outgoing.map((m) =>
          channel.send(m.address, m.message, m.idempotencyKey).then(
            () => null,
            (error: unknown) => ({ error }),
          ),
        ),
      );
    // A sendMany that throws (its claim statement failed) failed every message it was given.
    const outcomes = await (channel.sendMany?.(outgoing) ?? sendEach()).catch((error: unknown) => outgoing.map(() => ({ error })));
    const sent: { id: string; attempts: number }[] = [];
    await Promise.all(
      rendered.map(async (d, i) => {
        const outcome = outcomes[i];
        if (outcome) await fail(d, outcome.error);
        else sent.push({ id: d.delivery.id, attempts: d.job.attempts });
      }),
    );
    await deliveries.markSentMany(sent);
    return failed;
  }

  const sends = channels.map((channel) =>
    defineHostJob({
      type: deliveryJobType(channel.name),
      payload: DeliveryPayload,
      // The same policy as the enqueuing side's: a job's attempts are fixed when it is enqueued.
      retry: DELIVERY_RETRY,
      async run({ deliveryId }, { job }) {
        const failed = await deliverAll(channel, [{ deliveryId, job }]);
        if (failed.has(job.id)) throw failed.get(job.id);
      },
      // The deliveries of one claim (a batch's notices): read, rendered, sent and marked sent together.
      runMany: (items) =>
        deliverAll(
          channel,
          items.map(({ payload, context }) => ({ deliveryId: payload.deliveryId, job: context.job })),
        ),
      async onDead({ deliveryId }, error) {
        await deliveries.markFailed(deliveryId, error.message);
      },
    }),
  );
  return [eventNoticesJob(shop, targets), fanOut, ...sends];
}
