import { defineHostJob, enqueueHostJob, PanelkitError, type AuditEvent, type AuditOutboxHook, type HostJobDefinition } from '@panelkit/sdk';
import { enqueueHostJobs, type AuditOutboxManyHook } from '@panelkit/sdk/host-jobs';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import { NOTIFYING_ACTIONS, noticesFor } from './audit-notices.js';
import { writeNotification } from '../../db/notifications.js';
import type { FanOutTargets } from './fan-out-targets.js';
import type { DeliveryTargets } from '../../db/notification-deliveries.js';

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
 * engine's transaction.
 */
export function eventNoticesJob(shop: Shop, targets: FanOutTargets): EventNoticesJob {
  return defineHostJob({
    type: EVENT_NOTICES_TYPE,
    payload: EventSchema,
    async run(payload) {
      const event = { ...payload, at: new Date(payload.at) } as AuditEvent;
      const notices = await noticesFor(shop, event);
      if (notices.length === 0) return;
      const fanOuts: DeliveryTargets[] = [];
      for (const notice of notices) fanOuts.push(await targets(notice));
      const now = shop.clock.now();
      try {
        await shop.storage.transaction(async (tx) => {
          for (const [i, notice] of notices.entries())
            await writeNotification(tx, shop.shopSchema, now, { ...notice, source: `audit:${event.id}` }, fanOuts[i]);
        });
      } catch (error) {
        // The event is committed and its notices must follow: the storage's refusal of the write (a
        // constraint, say) is retried like any failure, never given up at once as bad input would be.
        if (PanelkitError.is(error) && !error.retryable) throw new Error(`writing the notices failed: ${error.message}`, { cause: error });
        throw error;
      }
    },
  });
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
