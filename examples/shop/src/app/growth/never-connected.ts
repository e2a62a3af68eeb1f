import { defineHostJob, enqueuePeriodicHostJob, type HostJobDefinition, type Subscription } from '@panelkit/sdk';
import { z } from 'zod';
import { notificationsOf } from '../../db/notifications.js';
import type { Shop } from '../shop.js';
import { readGrowthSettings } from './growth-settings.js';

/** The host job that nudges buyers whose paid subscription never connected. */
export const NEVER_CONNECTED_JOB = 'shop.growth.never_connected';
/** How often one replica looks (leaderless: one winner per slot). */
export const NEVER_CONNECTED_EVERY_MS = 15 * 60_000;
/** Subscriptions read per page of a panel. */
const PAGE = 200;

const SweepSchema = z.object({ slot: z.iso.datetime() });

/** The cause of a subscription's nudge: one per subscription, ever, whichever replica writes it. */
export function neverConnectedSource(subscriptionId: string): string {
  return `never-connected:${subscriptionId}`;
}

/**
 * When a subscription started waiting for its first connection, and whether nothing shows one yet on the panel:
 * `on_hold` (start-on-first-use, not started) since it was made; `active` since its period started, with its
 * usage read at zero (an unread usage proves nothing). `null`: not a candidate.
 */
function waitingSince(sub: Subscription): Date | null {
  if (sub.trial) return null;
  if (sub.status === 'on_hold') return sub.createdAt;
  if (sub.status === 'active' && sub.usedBytes === 0) return sub.activatedAt ?? sub.statusChangedAt;
  return null;
}

/**
 * Writes one `never_connected` notice (through the shop's notifications: its fan-out job in the same transaction)
 * for each paid subscription that became active at least the owner's hours ago with no traffic on the panel and no
 * device on the link. Once per subscription across replicas and sweeps (its cause is unique). Returns how many it wrote.
 */
export async function nudgeNeverConnected(shop: Shop): Promise<number> {
  const { neverConnectedHours } = await readGrowthSettings(shop);
  if (neverConnectedHours === 0) return 0;
  const dueBefore = shop.clock.now().getTime() - neverConnectedHours * 3_600_000;
  const notifications = notificationsOf(shop);
  let written = 0;
  for (const panel of await shop.storage.panels.list()) {
    let cursor: string | null = null;
    do {
      const page = await shop.storage.subscriptions.listByPanel(
        panel.id,
        { statuses: ['active', 'on_hold'] },
        cursor === null ? { limit: PAGE } : { limit: PAGE, cursor },
      );
      for (const sub of page.items) {
        const since = waitingSince(sub);
        if (since === null || since.getTime() > dueBefore) continue;
        const notice = {
          recipient: { kind: 'customer', customerId: sub.customerId },
          kind: 'never_connected',
          source: neverConnectedSource(sub.id),
        } as const;
        if (await notifications.has(notice)) continue;
        if ((await shop.kit.devices.list(sub.id)).length > 0) continue;
        if (await notifications.write({ ...notice, params: { subscriptionId: sub.id, planId: sub.planId } })) written++;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return written;
}

/** The nudge as a host job on the SDK's worker. */
export function neverConnectedJob(shopOf: () => Shop): HostJobDefinition<typeof SweepSchema> {
  return defineHostJob({
    type: NEVER_CONNECTED_JOB,
    payload: SweepSchema,
    serialKey: () => NEVER_CONNECTED_JOB,
    retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: NEVER_CONNECTED_EVERY_MS, giveUpAfterMs: NEVER_CONNECTED_EVERY_MS },
    async run(_payload, { logger }) {
      const written = await nudgeNeverConnected(shopOf());
      if (written > 0) logger.info({ written }, 'buyers who never connected were nudged');
    },
  });
}

/** Asked on every background tick: the one replica that wins a new slot queues the nudge. Returns whether this call did. */
export async function queueNeverConnectedNudge(shop: Shop): Promise<boolean> {
  const job = shop.hostJobs.find((d) => d.type === NEVER_CONNECTED_JOB);
  if (job === undefined) return false;
  const { enqueued } = await enqueuePeriodicHostJob(shop.storage, job, {
    everyMs: NEVER_CONNECTED_EVERY_MS,
    now: shop.clock.now(),
    payload: (slot) => ({ slot: slot.toISOString() }),
  });
  return enqueued;
}
