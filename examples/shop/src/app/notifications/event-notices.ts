import { defineHostJob, enqueueHostJob, PanelkitError, type AuditEvent, type AuditOutboxHook, type HostJobDefinition } from '@panelkit/sdk';
import { enqueueHostJobs, type AuditOutboxManyHook } from '@panelkit/sdk/host-jobs';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import { NOTIFYING_ACTIONS, noticesFor, subscriptionsReadFor, type SubscriptionReader } from './audit-notices.js';
import { writeNotifications, type NewNotification } from '../../db/notifications.js';
import type { FanOutTargets } from './fan-out-targets.js';

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
 * The job that writes an event's notifications (one per kind and recipient; the event is their `source`, so a
 * rerun writes nothing twice), each fanned out to `targets` (the channels of the process that runs it) in the
 * same transaction: its deliveries and their send jobs. Names and links are read when it runs, outside the
 * engine's transaction. The events of one claim (a provisioning batch's, enqueued together) run together: their
 * subscriptions read in one statement, their notices and deliveries written in one transaction of one statement
 * and one `enqueueMany` of send jobs a channel.
 */
export function eventNoticesJob(shop: Shop, targets: FanOutTargets): EventNoticesJob {
  return defineHostJob({
    type: EVENT_NOTICES_TYPE,
    payload: EventSchema,
    run: (payload) => writeEventNotices(shop, targets, [payload]),
    runMany: (items) =>
      writeEventNotices(
        shop,
        targets,
        items.map((item) => item.payload),
      ),
  });
}

/** Writes the notices of these events (see `eventNoticesJob`), all in one transaction. */
async function writeEventNotices(shop: Shop, targets: FanOutTargets, payloads: readonly z.output<typeof EventSchema>[]): Promise<void> {
  const events = payloads.map((payload) => ({ ...payload, at: new Date(payload.at) }) as AuditEvent);
  const subscriptionOf = await subscriptionReader(shop, events);
  const notices: NewNotification[] = [];
  for (const event of events) {
    for (const notice of await noticesFor(shop, event, subscriptionOf))
      notices.push({ ...notice, source: notice.source ?? `audit:${event.id}` });
  }
  if (notices.length === 0) return;
  const fanOuts = await targets(notices);
  const now = shop.clock.now();
  try {
    await shop.storage.transaction((tx) =>
      writeNotifications(
        tx,
        shop.shopSchema,
        now,
        notices.map((notice, i) => ({ notice, targets: fanOuts[i]! })),
      ),
    );
  } catch (error) {
    // The event is committed and its notices must follow: the storage's refusal of the write (a
    // constraint, say) is retried like any failure, never given up at once as bad input would be.
    if (PanelkitError.is(error) && !error.retryable) throw new Error(`writing the notices failed: ${error.message}`, { cause: error });
    throw error;
  }
}

/** How the events' notices read subscriptions: with several to read, all of them in one `getMany` first. */
async function subscriptionReader(shop: Shop, events: readonly AuditEvent[]): Promise<SubscriptionReader> {
  const ids = new Set(events.flatMap(subscriptionsReadFor));
  const one = (id: string) => shop.storage.subscriptions.get(id);
  if (ids.size < 2) return one;
  const read = new Map((await shop.storage.subscriptions.getMany([...ids])).map((sub) => [sub.id, sub]));
  return (id) => (ids.has(id) ? Promise.resolve(read.get(id) ?? null) : one(id));
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
