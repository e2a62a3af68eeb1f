import {
  defineHostJob,
  enqueueHostJob,
  PanelkitError,
  RetryLaterError,
  type AuditEvent,
  type AuditOutboxHook,
  type Customer,
  type HostJobDefinition,
  type Subscription,
} from '@panelkit/sdk';
import { completeHostJobsWith, enqueueHostJobs, type AuditOutboxManyHook } from '@panelkit/sdk/host-jobs';
import type { StorageTransaction } from '@panelkit/sdk/storage';
import type { LinkTokensToMake } from '@panelkit/sdk/links';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import type { LinkTokenRequest } from '@panelkit/sdk/storage';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import { NOTIFYING_ACTIONS, noticesFor, subscriptionsReadFor, type SubscriptionReader } from './audit-notices.js';
import { writeNotificationsSentNow, type DeliveryRead, type NewNotification, type WrittenToSend } from '../../db/notifications.js';
import { deliveriesOf, type DeliveryTargets, type DeliveryWrite } from '../../db/notification-deliveries.js';
import { DELIVERY_RETRY, queueDeliveriesAt } from '../../db/notification-outbox.js';
import type { FanOutTargets } from './fan-out-targets.js';
import type { NotificationChannel } from './channel.js';
import type { Deliverer } from './deliver.js';
import { linkReaderOf } from './reading-params.js';

/** The host job that turns one audit event into its notifications. */
export const EVENT_NOTICES_TYPE = 'shop.notification.event';

const EventSchema = z.object({
  id: z.string().min(1),
  at: z.iso.datetime(),
  actor: JsonObjectSchema,
  action: z.string().min(1),
  subjectType: z.string().min(1),
  subjectId: z.string().min(1),
  data: JsonObjectSchema,
});

const notifying = new Set<string>(NOTIFYING_ACTIONS);

/** True for an audit action that may notify someone (`NOTIFYING_ACTIONS`). */
export function isNotifyingAction(action: string): boolean {
  return notifying.has(action);
}

/** The event notices job's definition, as `eventNoticesJob` builds it. */
export type EventNoticesJob = HostJobDefinition<typeof EventSchema>;

/** The type and payload to enqueue with; the worker runs the one `eventNoticesJob` builds. */
const eventNoticesQueue: EventNoticesJob = defineHostJob({
  type: EVENT_NOTICES_TYPE,
  payload: EventSchema,
  run: () => Promise.reject(new Error('this definition only enqueues; the worker runs the one eventNoticesJob() builds')),
});

/**
 * The channels whose deliveries an event's notices job sends itself (`NotificationChannel.sentWhenWritten`), and how
 * it sends them (`deliverer`, as a send job does).
 */
export interface SentNow {
  channels: readonly NotificationChannel[];
  send: Deliverer;
}

/**
 * The job that writes an event's notifications (one per kind and recipient; the event is their `source`, so a
 * rerun writes nothing twice), each fanned out to `targets` (the channels of the process that runs it) in the
 * same transaction: its deliveries and their send jobs. Names and links are read when it runs, outside the
 * engine's transaction. The events of one claim (a provisioning batch's, enqueued together) run together: their
 * subscriptions read in one statement, their notices and deliveries written in one transaction of one statement
 * and one `enqueueMany` of send jobs a channel.
 *
 * The deliveries on `sentNow`'s channels (Telegram) get no send job in that transaction: this job sends them once it
 * commits, and queues a send job only for one that send did not settle (a 429, a 5xx: due when the channel asked),
 * in the transaction that marks the others sent and completes the job (`HostJobContext.completeWith`: the completion
 * rides in that write's round trip, not in one of its own after the run).
 * With no send job to queue (every delivery on those channels) the write is its one statement alone, no `BEGIN` and
 * `COMMIT` around it.
 * Until this job succeeds its own row is the durable record of those sends: a run that dies after the commit is run
 * again (its lease expires, or a stopping worker hands it back), finds its notices written and writes nothing twice,
 * and queues the send job of each of their deliveries still pending (due a retry delay later, for a send still under
 * way to finish; the channel's key claim sends each at most once); so does a job given up (`onDead`).
 */
export function eventNoticesJob(shop: Shop, targets: FanOutTargets, sentNow?: SentNow): EventNoticesJob {
  return defineHostJob({
    type: EVENT_NOTICES_TYPE,
    payload: EventSchema,
    run: (payload, context) =>
      writeEventNotices(shop, targets, [payload], sentNow, (last) =>
        context.completeWith === undefined ? shop.storage.transaction(last) : context.completeWith(last),
      ),
    runMany: (items) =>
      writeEventNotices(
        shop,
        targets,
        items.map((item) => item.payload),
        sentNow,
        (last) =>
          items.every((item) => item.context.completeWith !== undefined)
            ? completeHostJobsWith(
                items.map((item) => item.context),
                last,
              )
            : shop.storage.transaction(last),
      ),
    async onDead(payload) {
      if (sentNow !== undefined) await queueLeftPending(shop, (await noticesOf(shop, [payload])).notices, sentNow);
    },
  });
}

/** The notices of these events (see `eventNoticesJob`), each with its source, and the buyers read with their subscriptions. */
async function noticesOf(
  shop: Shop,
  payloads: readonly z.output<typeof EventSchema>[],
): Promise<{ notices: NewNotification[]; buyers: ReadonlyMap<string, Customer> }> {
  const events = payloads.map((payload) => ({ ...payload, at: new Date(payload.at) }) as AuditEvent);
  const { subscriptionOf, buyers } = await subscriptionReader(shop, events);
  const notices: NewNotification[] = [];
  for (const event of events) {
    for (const notice of await noticesFor(shop, event, subscriptionOf))
      notices.push({ ...notice, source: notice.source ?? `audit:${event.id}` });
  }
  return { notices, buyers };
}

/**
 * Runs the job's last write in the transaction that completes it (`HostJobContext.completeWith`, `completeHostJobsWith`;
 * in a transaction of its own for a context made by hand, which the worker then completes as it completes every job).
 */
type Completing = (last: (tx: StorageTransaction) => Promise<void>) => Promise<void>;

/**
 * Writes the notices of these events (see `eventNoticesJob`), all in one transaction, then sends the deliveries it wrote
 * for `sentNow`'s channels, queues the ones still pending of the notices found written before (a run before
 * committed them, and may not have sent them), and last marks the ones sent and queues a send job for each left to
 * retry, in the transaction that completes the job (`complete`: one round trip with the completion on PostgreSQL).
 */
async function writeEventNotices(
  shop: Shop,
  targets: FanOutTargets,
  payloads: readonly z.output<typeof EventSchema>[],
  sentNow: SentNow | undefined,
  complete: Completing,
): Promise<void> {
  const { notices, buyers } = await noticesOf(shop, payloads);
  if (notices.length === 0) return;
  const fanOuts = await targets(notices);
  const now = shop.clock.now();
  const unqueued = new Set(sentNow?.channels.map((c) => c.name));
  const links = linksToMake(shop, notices, fanOuts, unqueued, buyers);
  const write = (into: DeliveryWrite) =>
    writeNotificationsSentNow(
      into,
      shop.shopSchema,
      now,
      notices.map((notice, i) => ({ notice, targets: fanOuts[i]!, link: links?.byNotice[i] })),
      unqueued,
      shop.config.schema,
    );
  // With no send job to queue (every target on a channel sent here) the write is one statement: its own transaction.
  const alone = fanOuts.every((line) => line.every((target) => unqueued.has(target.channel)));
  let written: WrittenToSend;
  try {
    written = alone ? await write({ alone: shop.db }) : await shop.storage.transaction(write);
  } catch (error) {
    // The event is committed and its notices must follow: the storage's refusal of the write (a
    // constraint, say) is retried like any failure, never given up at once as bad input would be.
    if (PanelkitError.is(error) && !error.retryable) throw new Error(`writing the notices failed: ${error.message}`, { cause: error });
    throw error;
  }
  if (sentNow === undefined) return;
  const sends = await sendWritten(shop, written.toSend, sentNow, buyers, links?.toMake.tokensOf(written.nonces) ?? new Map());
  if (written.before.length > 0) await queueLeftPending(shop, written.before, sentNow);
  // Nothing to write: the worker completes the job, as it completes every job.
  if (sends.sent.length === 0 && sends.retries.length === 0) return;
  await complete(async (tx) => {
    await deliveriesOf(shop).markSentManyIn(tx, sends.sent);
    await queueDeliveriesAt(tx, sends.retries);
  });
}

/**
 * The link tokens the notices' messages sent now carry, made in the statement that writes them: a candidate for each
 * notice whose message carries its buyer's link (`linkReaderOf`), the buyer read with its subscription (so it exists),
 * and that has a target on a channel sent now. `null` when there is none, or `kit.links` cannot make tokens (the
 * send then asks `kit.links` as a send job does, and fails that delivery as it would).
 */
function linksToMake(
  shop: Shop,
  notices: readonly NewNotification[],
  fanOuts: readonly DeliveryTargets[],
  sentNow: ReadonlySet<string>,
  buyers: ReadonlyMap<string, Customer>,
): { toMake: LinkTokensToMake; byNotice: (LinkTokenRequest | undefined)[] } | null {
  const readers = notices.map((notice, i) => {
    const reader = linkReaderOf(notice);
    return typeof reader === 'string' && buyers.has(reader) && fanOuts[i]!.some((t) => sentNow.has(t.channel)) ? reader : undefined;
  });
  const customers = readers.filter((reader) => reader !== undefined);
  if (customers.length === 0) return null;
  let toMake: LinkTokensToMake;
  try {
    toMake = shop.kit.links.toMake(customers);
  } catch {
    return null;
  }
  const requestOf = new Map(toMake.requests.map((r) => [r.customerId, r]));
  return { toMake, byNotice: readers.map((reader) => (reader === undefined ? undefined : requestOf.get(reader))) };
}

/**
 * Sends the deliveries just written without send jobs, a channel at a time, and answers the ones sent (for the job's
 * last write to mark so) and a send job for each that send did not settle, due when the channel asked (a 429's
 * `retry_after`) or after the delivery policy's first delay. Until that write commits this job's row is their record: a
 * throw, or a run that dies, before it leaves them pending, and the job's next run queues their send jobs
 * (`queueLeftPending`), whose key claim sends none again. `buyers`: recipients this job read already (with their
 * subscriptions), not read again; `tokens`: link tokens made with the write.
 */
async function sendWritten(
  shop: Shop,
  written: readonly DeliveryRead[],
  sentNow: SentNow,
  buyers: ReadonlyMap<string, Customer>,
  tokens: ReadonlyMap<string, string>,
): Promise<{ sent: { id: string; attempts: number }[]; retries: { channel: string; id: string; runAt: Date }[] }> {
  const sent: { id: string; attempts: number }[] = [];
  const retries: { channel: string; id: string; runAt: Date }[] = [];
  const gather = async (marked: readonly { id: string; attempts: number }[]) => {
    sent.push(...marked);
  };
  for (const channel of sentNow.channels) {
    const due = written.filter((d) => d.delivery.channel === channel.name).map((d) => ({ ...d, attempt: 1, key: d.delivery.id }));
    if (due.length === 0) continue;
    const failed = await sentNow.send(channel, due, { buyers, tokens }, gather);
    const at = shop.clock.now().getTime();
    for (const [id, error] of failed)
      retries.push({
        channel: channel.name,
        id,
        runAt: new Date(at + (RetryLaterError.is(error) ? error.retryAfterMs : DELIVERY_RETRY.baseDelayMs)),
      });
  }
  return { sent, retries };
}

/**
 * Queues a send job for each delivery of these notices on `sentNow`'s channels still pending, due the delivery policy's
 * first delay from now (a send of a run before may still be under way); one queued before is left as it is.
 */
async function queueLeftPending(shop: Shop, notices: readonly NewNotification[], sentNow: SentNow): Promise<void> {
  const pending = await deliveriesOf(shop).pendingOf(
    notices.map((n) => ({ source: n.source, kind: n.kind, customerId: n.recipient.kind === 'customer' ? n.recipient.customerId : null })),
    sentNow.channels.map((c) => c.name),
  );
  const runAt = new Date(shop.clock.now().getTime() + DELIVERY_RETRY.baseDelayMs);
  await queueDeliveriesAt(
    shop.storage,
    pending.map((d) => ({ ...d, runAt })),
  );
}

/**
 * How the events' notices read subscriptions: all of those the events name in one `getManyWithCustomers` first, with
 * their buyers (whose language and storefront a notice to them is written in: the send reads them no more).
 */
async function subscriptionReader(
  shop: Shop,
  events: readonly AuditEvent[],
): Promise<{ subscriptionOf: SubscriptionReader; buyers: ReadonlyMap<string, Customer> }> {
  const ids = new Set(events.flatMap(subscriptionsReadFor));
  const read = new Map<string, Subscription>();
  const buyers = new Map<string, Customer>();
  if (ids.size > 0)
    for (const { subscription, customer } of await shop.storage.subscriptions.getManyWithCustomers([...ids])) {
      read.set(subscription.id, subscription);
      if (customer !== null) buyers.set(customer.id, customer);
    }
  return {
    subscriptionOf: (id) => (ids.has(id) ? Promise.resolve(read.get(id) ?? null) : shop.storage.subscriptions.get(id)),
    buyers,
  };
}

/**
 * The audit outbox hook (`withAuditOutbox`): an event that may notify someone enqueues its job in the
 * transaction that writes it, keyed by the event, so it is enqueued once and only if the cause commits.
 */
export function enqueueEventNotices(): AuditOutboxHook {
  return async (tx, event) => {
    if (!notifying.has(event.action)) return;
    const { payload, options } = eventNoticesItem(event);
    await enqueueHostJob(tx, eventNoticesQueue, payload, options);
  };
}

/**
 * {@link enqueueEventNotices} for the events appended together (`withAuditOutbox`'s `many`: a provisioning batch's
 * subscriptions and orders): their jobs in one `enqueueHostJobs`, one statement, not one an event.
 */
export function enqueueEventNoticesMany(): AuditOutboxManyHook {
  return async (tx, events) => {
    const items = events.filter((event) => notifying.has(event.action)).map(eventNoticesItem);
    if (items.length > 0) await enqueueHostJobs(tx, eventNoticesQueue, items);
  };
}

/** An event's notices job: its payload, keyed by the event so it is enqueued once. */
function eventNoticesItem(event: AuditEvent) {
  return { payload: { ...event, at: event.at.toISOString(), actor: { ...event.actor } }, options: { key: `audit:${event.id}` } };
}
