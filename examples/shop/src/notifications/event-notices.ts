import { defineHostJob, enqueueHostJob, type AuditEvent, type AuditOutboxHook, type HostJobDefinition } from '@panelkit/sdk';
import { JsonObjectSchema } from '@panelkit/sdk/schemas';
import { z } from 'zod';
import type { Shop } from '../stack/shop.js';
import { NOTIFYING_ACTIONS, noticesFor } from './audit-notices.js';
import { writeNotification } from './store.js';

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

/**
 * The job that writes an event's notifications (one per kind and recipient; the event is their
 * `source`, so a rerun writes nothing twice). Names and links are read when it runs, outside the
 * engine's transaction. `shopOf` gives the shop once it is open (the job is defined before it is).
 */
export function eventNoticesJob(shopOf: () => Shop): HostJobDefinition<typeof EventSchema> {
  return defineHostJob({
    type: EVENT_NOTICES_TYPE,
    payload: EventSchema,
    async run(payload) {
      const shop = shopOf();
      const event = { ...payload, at: new Date(payload.at) } as AuditEvent;
      const notices = await noticesFor(shop, event);
      if (notices.length === 0) return;
      const now = shop.clock.now();
      await shop.db.transaction(async (db) => {
        for (const notice of notices) await writeNotification(db, shop.shopSchema, now, { ...notice, source: `audit:${event.id}` });
      });
    },
  });
}

/**
 * The audit outbox hook (`withAuditOutbox`): an event that may notify someone enqueues its job in the
 * transaction that writes it, keyed by the event, so it is enqueued once and only if the cause commits.
 */
export function enqueueEventNotices(job: HostJobDefinition<typeof EventSchema>): AuditOutboxHook {
  return async (tx, event) => {
    if (!notifying.has(event.action)) return;
    const payload = { ...event, at: event.at.toISOString(), actor: { ...event.actor } };
    await enqueueHostJob(tx, job, payload, { key: `audit:${event.id}` });
  };
}

/**
 * Events an older release's relay had not reached yet (it polled the audit trail from a saved
 * position, looking 10 minutes back; at most a day back): each gets its job once (keyed by the event), and notices the
 * relay wrote already are not written again (unique per event, kind and recipient). The position is
 * then forgotten, so this runs once. Returns how many events it handed to jobs.
 */
export async function adoptUnrelayedEvents(shop: Shop): Promise<number> {
  const job = shop.hostJobs.find((d) => d.type === EVENT_NOTICES_TYPE) as HostJobDefinition<typeof EventSchema> | undefined;
  if (job === undefined) return 0;
  const s = shop.shopSchema;
  const { rows } = await shop.db.query<{ position_at: Date | string }>(
    `SELECT position_at FROM ${s}.notification_relay WHERE name = 'audit'`,
  );
  if (rows[0] === undefined) return 0;
  // Never further back than a day: a schema migrated fresh (or restored from a backup) holds the migration's
  // seed, the epoch, and its whole history was notified long ago.
  const from = Math.max(new Date(rows[0].position_at).getTime() - 10 * 60_000, shop.clock.now().getTime() - 24 * 3_600_000);
  const hook = enqueueEventNotices(job);
  let queued = 0;
  let cursor: string | null = null;
  for (;;) {
    const page = await shop.storage.audit.list({}, { limit: 200, cursor });
    const recent = page.items.filter((e) => e.at.getTime() > from);
    for (const event of recent) {
      if (!notifying.has(event.action)) continue;
      await shop.storage.transaction((tx) => hook(tx, event));
      queued++;
    }
    if (page.nextCursor === null || recent.length < page.items.length) break;
    cursor = page.nextCursor;
  }
  await shop.db.query(`DELETE FROM ${s}.notification_relay WHERE name = 'audit'`);
  return queued;
}
