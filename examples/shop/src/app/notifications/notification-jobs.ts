import { defineHostJob, type HostJobDefinition, type Job } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import type { NotificationChannel } from './channel.js';
import { deliveriesOf } from '../../db/notification-deliveries.js';
import { deliverer } from './deliver.js';
import { eventNoticesJob } from './event-notices.js';
import { fanOutTargets } from './fan-out-targets.js';
import { DELIVERY_RETRY, DeliveryPayload, deliveryJobType, FAN_OUT_TYPE, FanOutPayload } from '../../db/notification-outbox.js';
import { notificationsOf } from '../../db/notifications.js';

/**
 * The notification pipeline on the SDK's worker, for this process's channels: the audit event's notices job
 * (each notice written and fanned out in one transaction), the fan-out job (for notifications written by a
 * cause that does not know the channels: the recipient's addresses on each channel, the buyer's opt-outs,
 * each delivery written with its send job in one transaction), and one send job type per channel. A send
 * marks its delivery sent, and a send given up marks it failed (the admin's page lists it and may queue it
 * again). A send runs at least once (a worker that dies after the channel took the message runs it again):
 * every send carries the delivery's idempotency key, which each channel honours. The sends of one claim run together
 * (a batch's notices): their deliveries, recipients and link tokens read in a statement each, sent side by side (one
 * statement claims their keys on Telegram), marked sent in one (`deliver.ts`). A channel that sends a key at most
 * once itself (`sentWhenWritten`: Telegram) has the deliveries of an event's notices sent by the notices job as soon
 * as it commits them, and a send job only for one that send did not settle (`event-notices.ts`).
 */
export function notificationJobs(shop: Shop, channels: readonly NotificationChannel[]): HostJobDefinition[] {
  const store = notificationsOf(shop);
  const deliveries = deliveriesOf(shop);
  const send = deliverer(shop);

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
   * Sends a claim's deliveries on `channel` (those gone or sent already are skipped): read in one statement, then
   * sent as `deliverer` sends. Answers the jobs that failed (job id → error), each to run again alone.
   */
  async function deliverAll(
    channel: NotificationChannel,
    batch: readonly { deliveryId: string; job: Job }[],
  ): Promise<Map<string, unknown>> {
    const reads = await store.ofDeliveries(batch.map((item) => item.deliveryId));
    const due = batch.flatMap(({ deliveryId, job }) => {
      const read = reads.get(deliveryId);
      return read === undefined || read.delivery.status === 'sent' ? [] : [{ ...read, attempt: job.attempts, key: job.id }];
    });
    return send(channel, due);
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
  // Telegram's deliveries of an event's notices are sent by its job (no send job unless that send fails).
  const sentNow = { channels: channels.filter((c) => c.sentWhenWritten === true), send };
  return [eventNoticesJob(shop, targets, sentNow.channels.length === 0 ? undefined : sentNow), fanOut, ...sends];
}
