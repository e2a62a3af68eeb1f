import { defineHostJob, enqueueHostJob, PanelkitError, type AuditEvent, type AuditOutboxHook, type HostJobDefinition } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import { NOTIFYING_ACTIONS, noticesFor } from './audit-notices.js';
import { writeNotification } from '../../db/notifications.js';

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

/**
 * The job that writes an event's notifications (one per kind and recipient; the event is their
 * `source`, so a rerun writes nothing twice). Names and links are read when it runs, outside the
 * engine's transaction. `shopOf` gives the shop once it is open (the job is defined before it is).
 */
export function eventNoticesJob(shopOf: () => Shop): EventNoticesJob {
  return defineHostJob({
    type: EVENT_NOTICES_TYPE,
    payload: EventSchema,
    async run(payload) {
      const shop = shopOf();
      const event = { ...payload, at: new Date(payload.at) } as AuditEvent;
      const notices = await noticesFor(shop, event);
      if (notices.length === 0) return;
      const now = shop.clock.now();
      try {
        await shop.storage.transaction(async (tx) => {
          for (const notice of notices) await writeNotification(tx, shop.shopSchema, now, { ...notice, source: `audit:${event.id}` });
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
export function enqueueEventNotices(job: EventNoticesJob): AuditOutboxHook {
  return async (tx, event) => {
    if (!notifying.has(event.action)) return;
    const payload = { ...event, at: event.at.toISOString(), actor: { ...event.actor } };
    await enqueueHostJob(tx, job, payload, { key: `audit:${event.id}` });
  };
}
