import type { AuditEvent, Subscription } from '@panelkit/sdk';
import { type EntitlementKind, KIND_TRAITS } from '@panelkit/sdk/kinds';
import type { NotificationParams } from '../../db/notification-kinds.js';
import type { NewNotification } from '../../db/notifications.js';
import type { Shop } from '../shop.js';
import { kindBundleOf } from './kind-bundle.js';

/** The audit actions after which a part may have new credentials or a new server (`data.linkChanged` says whether). */
export const REIMPORT_ACTIONS = [
  'subscription.extended',
  'subscription.renewed',
  'subscription.plan_changed',
  'subscription.evacuated',
] as const;

/** The actions that extend: a bundle's parts extended as one purchase share the new expiry, which names that purchase. */
const EXTENDING = new Set<string>(['subscription.extended', 'subscription.renewed']);
const REIMPORTING = new Set<string>(REIMPORT_ACTIONS);

/** How many of a part's newest audit events are searched for its side of a bundle's extension. */
const RECENT_EVENTS = 20;

/** A re-import notice: for the buyer, with a cause of its own when it stands for a whole bundle. */
export type ReimportNotice = Omit<NewNotification, 'source'> & { source?: string };

/** Whether the buyer's app does not take a new config from the link by itself (WireGuard, AmneziaWG, Telegram). */
function mustReimport(sub: Pick<Subscription, 'kind'>): boolean {
  return !KIND_TRAITS[sub.kind].refreshesFromLink;
}

function noticeOf(sub: Subscription, kinds: readonly EntitlementKind[], facts: NotificationParams, source?: string): ReimportNotice {
  return {
    recipient: { kind: 'customer', customerId: sub.customerId },
    kind: 'reimport_needed',
    params: { ...facts, reimportKinds: [...new Set(kinds)].join(',') },
    ...(source === undefined ? {} : { source }),
  };
}

/**
 * The notice telling a buyer to take a part's config or proxy again, for an audit event that gave it new credentials
 * or a new server (`data.linkChanged`: a rotation on extension or renewal, a plan change that moved it, an
 * evacuation), or `null`. Only for kinds whose app does not refresh from the link (`refreshesFromLink` false).
 *
 * A move is one part's: its notice's cause is the event (the default `audit:<id>`). A bundle of kinds extended as one
 * purchase sends one notice for the whole bundle, keyed by the bundle and its new expiry: it is written by the event
 * of whichever part comes last (while a part that must be re-imported still has its change in flight, nothing is
 * written, so the buyer is not sent to take a config that has not changed yet), and names every such part whose own
 * event of that extension says its link changed. Reconciliation's repair writes no such event: it restores a peer
 * with the credentials it had, which the buyer's config already holds.
 */
export async function reimportNotice(
  shop: Shop,
  event: AuditEvent,
  sub: Subscription,
  facts: NotificationParams,
): Promise<ReimportNotice | null> {
  if (!REIMPORTING.has(event.action)) return null;
  const parts = EXTENDING.has(event.action) ? await kindBundleOf(shop, sub) : null;
  if (parts === null) return event.data['linkChanged'] === true && mustReimport(sub) ? noticeOf(sub, [sub.kind], facts) : null;
  const expiresAt = event.data['expiresAt'];
  if (typeof expiresAt !== 'string') return null;
  const watched = parts.filter(mustReimport);
  const inFlight = await Promise.all(watched.map((part) => shop.kit.changeInFlight(part.id)));
  if (inFlight.some(Boolean)) return null;
  const rotated: EntitlementKind[] = [];
  for (const part of watched) if (await rotatedBy(shop, part, expiresAt)) rotated.push(part.kind);
  if (rotated.length === 0) return null;
  return noticeOf(sub, rotated, facts, `reimport:${sub.bundleId}:${expiresAt}`);
}

/** Whether the part's own event of the extension to `expiresAt` says its link changed. */
async function rotatedBy(shop: Shop, part: Subscription, expiresAt: string): Promise<boolean> {
  const recent = await shop.storage.audit.list({ subjectType: 'subscription', subjectId: part.id }, { limit: RECENT_EVENTS });
  return recent.items.some((e) => EXTENDING.has(e.action) && e.data['expiresAt'] === expiresAt && e.data['linkChanged'] === true);
}
