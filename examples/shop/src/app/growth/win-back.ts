import { createHash } from 'node:crypto';
import { ConflictError, defineHostJob, enqueuePeriodicHostJob, type HostJobDefinition, type Subscription } from '@panelkit/sdk';
import { z } from 'zod';
import { notificationsOf, writeNotification } from '../../db/notifications.js';
import type { Shop } from '../shop.js';
import { readGrowthSettings } from './growth-settings.js';

/** The host job that sends lapsed buyers the owner's win-back offer. */
export const WIN_BACK_JOB = 'shop.growth.win_back';
/** How often one replica looks (leaderless: one winner per slot). */
export const WIN_BACK_EVERY_MS = 60 * 60_000;
/**
 * How long after its due day a lapse still gets the offer (a shop that was down catches up), and no longer: turning
 * the offer on does not write to every buyer who ever lapsed.
 */
const CATCH_UP_MS = 7 * 86_400_000;
/** Subscriptions read per page of a panel. */
const PAGE = 200;
/** A buyer with one of these is being served: no offer. */
const LIVE = new Set<Subscription['status']>(['pending', 'active', 'on_hold', 'limited', 'suspended']);

const SweepSchema = z.object({ slot: z.iso.datetime() });

/** The cause of one lapse's offer: a subscription's expiry at one instant (renewed and lapsed again is a new lapse). */
export function winBackSource(sub: Pick<Subscription, 'id' | 'statusChangedAt'>): string {
  return `win-back:${sub.id}:${sub.statusChangedAt.getTime()}`;
}

/** The lapse's own discount code (`WB…`): derived from its cause, so a retried sweep makes the same code. */
export function winBackCode(sub: Pick<Subscription, 'id' | 'statusChangedAt'>): string {
  return `WB${createHash('sha256').update(winBackSource(sub)).digest('hex').slice(0, 12).toUpperCase()}`;
}

/**
 * Sends the owner's win-back offer for each paid subscription that expired the owner's days ago (up to a week late),
 * whose buyer has no subscription in service: a discount code of its own (the owner's percent, one use, valid the
 * owner's days, for a purchase or an extension, bound to that buyer: anyone else entering it is refused
 * `wrong_customer`) and a `win_back` notice with it, in one transaction, in the buyer's language on their channels. Once per lapse across replicas and sweeps (the notice's cause is unique). Returns how
 * many it sent.
 */
export async function sendWinBackOffers(shop: Shop): Promise<number> {
  const settings = await readGrowthSettings(shop);
  if (settings.winBackDays === 0) return 0;
  const now = shop.clock.now();
  const dueBefore = now.getTime() - settings.winBackDays * 86_400_000;
  const notifications = notificationsOf(shop);
  let sent = 0;
  for (const panel of await shop.storage.panels.list()) {
    let cursor: string | null = null;
    do {
      const page = await shop.storage.subscriptions.listByPanel(
        panel.id,
        { statuses: ['expired'] },
        cursor === null ? { limit: PAGE } : { limit: PAGE, cursor },
      );
      for (const sub of page.items) {
        const lapsed = sub.statusChangedAt.getTime();
        if (sub.trial || lapsed > dueBefore || lapsed < dueBefore - CATCH_UP_MS) continue;
        const notice = {
          recipient: { kind: 'customer', customerId: sub.customerId },
          kind: 'win_back',
          source: winBackSource(sub),
        } as const;
        if (await notifications.has(notice)) continue;
        const recent = await shop.storage.subscriptions.listByCustomer(sub.customerId, { limit: 20 });
        if (recent.items.some((s) => LIVE.has(s.status))) continue;
        if (await offer(shop, sub, settings.winBackPercent, settings.winBackValidDays)) sent++;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return sent;
}

/** The lapse's code and notice in one transaction; false when another sweep (on any replica) sent them first. */
async function offer(shop: Shop, sub: Subscription, percent: number, validDays: number): Promise<boolean> {
  try {
    return await offerOnce(shop, sub, percent, validDays);
  } catch (error) {
    // Another replica's sweep made the lapse's code between our check and our insert: its offer stands.
    if (ConflictError.is(error)) return false;
    throw error;
  }
}

async function offerOnce(shop: Shop, sub: Subscription, percent: number, validDays: number): Promise<boolean> {
  const now = shop.clock.now();
  const endsAt = new Date(now.getTime() + validDays * 86_400_000);
  const actor = { type: 'scheduler', id: null } as const;
  return shop.storage.transaction(async (tx) => {
    if (await tx.discounts.getByCode(winBackCode(sub))) return false;
    const code = await tx.discounts.create({
      code: winBackCode(sub),
      value: { type: 'percent', percent },
      endsAt,
      maxUses: 1,
      maxUsesPerCustomer: 1,
      // Only the lapsed buyer may spend it: anyone else who learns the code is refused `wrong_customer`.
      customerId: sub.customerId,
      appliesTo: ['purchase', 'extension'],
      note: `win-back offer for ${sub.customerId}`,
    });
    await tx.audit.append({
      actor,
      action: 'discount.created',
      subjectType: 'discount_code',
      subjectId: code.id,
      data: { code: code.code },
    });
    return writeNotification(tx, shop.shopSchema, now, {
      recipient: { kind: 'customer', customerId: sub.customerId },
      kind: 'win_back',
      source: winBackSource(sub),
      params: { subscriptionId: sub.id, planId: sub.planId, code: code.code, percent, expiresAt: endsAt.toISOString() },
    });
  });
}

/** The win-back sweep as a host job on the SDK's worker. */
export function winBackJob(shopOf: () => Shop): HostJobDefinition<typeof SweepSchema> {
  return defineHostJob({
    type: WIN_BACK_JOB,
    payload: SweepSchema,
    serialKey: () => WIN_BACK_JOB,
    retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: WIN_BACK_EVERY_MS, giveUpAfterMs: WIN_BACK_EVERY_MS },
    async run(_payload, { logger }) {
      const sent = await sendWinBackOffers(shopOf());
      if (sent > 0) logger.info({ sent }, 'win-back offers sent to lapsed buyers');
    },
  });
}

/** Asked on every background tick: the one replica that wins a new slot queues the sweep. Returns whether this call did. */
export async function queueWinBackOffers(shop: Shop): Promise<boolean> {
  const job = shop.hostJobs.find((d) => d.type === WIN_BACK_JOB);
  if (job === undefined) return false;
  const { enqueued } = await enqueuePeriodicHostJob(shop.storage, job, {
    everyMs: WIN_BACK_EVERY_MS,
    now: shop.clock.now(),
    payload: (slot) => ({ slot: slot.toISOString() }),
  });
  return enqueued;
}
