import type { AuditEvent, Subscription } from '@panelkit/sdk';
import { buyerLabel } from '../payments/buyer-label.js';
import type { Shop } from '../shop.js';
import type { NewNotification } from '../../db/notifications.js';
import { machineNoteKey } from '../payments/payment-notes.js';
import { deviceAddedNotice } from '../subscriptions/device-notices.js';
import { plansToShow } from '../subscriptions/plan-names.js';
import { reimportNotice } from '../kinds/reimport-notice.js';
import { GUARD_NOTIFYING_ACTIONS, guardNotice } from '../guard/buyer-guard.js';

/** The audit actions that may notify someone (each enqueues its notices job); every other action tells nobody anything. */
export const NOTIFYING_ACTIONS = [
  'subscription.provisioned',
  'subscription.warned',
  'subscription.limited',
  'subscription.expired',
  'subscription.renewed',
  'subscription.extended',
  'subscription.evacuated',
  'subscription.plan_changed',
  'subscription.failed',
  'subscription.extension_refunded',
  'ledger.refunded',
  'panel.unhealthy',
  'panel.healthy',
  'panel.client_unreadable',
  'target.nearly_full',
  'device.registered',
  'payment.started',
  'payment.credited',
  'payment.rejected',
  'payment.reversed',
  'payment.refunded',
  'payment.charge_declined',
  'payment.action_required',
  'gift.claimed',
  'gift.expired',
  ...GUARD_NOTIFYING_ACTIONS,
] as const;

/** A notice an event causes; `source`, when set, is a cause wider than the event (a bundle's), else `audit:<event id>`. */
type Notice = Omit<NewNotification, 'source'> & { source?: string };

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);

async function subscriptionFacts(shop: Shop, sub: Subscription) {
  const plan = (await plansToShow(shop.storage, [sub.planId])).get(sub.planId);
  return {
    subscriptionId: sub.id,
    // The name in the shop's default language; delivery writes it in the recipient's (see `notification-jobs.ts`).
    plan: plan?.name ?? sub.planId,
    planId: sub.planId,
    currency: plan?.price.currency ?? shop.config.currency,
    expiresAt: sub.expiresAt?.toISOString() ?? null,
  };
}

/**
 * What a `subscription.warned` notice (`expiry:4320m`, `traffic:80`, `renewal:insufficient_funds`,
 * `renewal:storefront:<reason>`) tells the buyer.
 */
function warning(notice: string, facts: Awaited<ReturnType<typeof subscriptionFacts>>): Omit<Notice, 'recipient'> | null {
  const expiry = /^expiry:(\d+)m$/.exec(notice);
  if (expiry !== null) return { kind: 'expiry_soon', params: { ...facts, leadMs: Number(expiry[1]) * 60_000 } };
  const traffic = /^traffic:(\d+)$/.exec(notice);
  if (traffic !== null) return { kind: 'traffic_warning', params: { ...facts, percent: Number(traffic[1]) } };
  if (notice === 'renewal:insufficient_funds') return { kind: 'renewal_failed_funds', params: facts };
  // A storefront refused its buyer's auto-renewal (suspended, over quota, the reseller's credit): said with its reason.
  const storefront = /^renewal:storefront:([a-z_]+)$/.exec(notice);
  if (storefront !== null) return { kind: 'renewal_refused_storefront', params: { ...facts, storefrontRefusal: storefront[1]! } };
  return null;
}

/** How the notices read a subscription: the storage's `subscriptions.get`, or a read made for several events at once. */
export type SubscriptionReader = (id: string) => Promise<Subscription | null>;

async function aboutSubscription(shop: Shop, event: AuditEvent, subscriptionOf: SubscriptionReader): Promise<Notice[]> {
  const sub = await subscriptionOf(event.subjectId);
  if (sub === null) return [];
  const facts = await subscriptionFacts(shop, sub);
  // A WireGuard or Telegram part with new credentials or a new server: its buyer must take it again.
  const reimport = await reimportNotice(shop, event, sub, facts);
  // The sharing guard's step (warned, limited, suspended): once per step, as the SDK writes one event a step.
  const guard = guardNotice(event, sub, facts);
  const notices = guard === null ? eventNotices(event, sub, facts) : [guard];
  return reimport === null ? notices : [...notices, reimport];
}

/** The notices an event about a subscription causes by itself (the re-import notice aside). */
function eventNotices(event: AuditEvent, sub: Subscription, facts: Awaited<ReturnType<typeof subscriptionFacts>>): Notice[] {
  const buyer = { kind: 'customer', customerId: sub.customerId } as const;
  const { data } = event;
  switch (event.action) {
    case 'subscription.provisioned':
      // No link here: it opens the buyer's VPN, so it is read from the (sealed) subscription when delivered.
      return [{ recipient: buyer, kind: 'subscription_provisioned', params: facts }];
    case 'subscription.warned': {
      const notice = warning(text(data['notice']) ?? '', facts);
      return notice === null ? [] : [{ recipient: buyer, ...notice }];
    }
    case 'subscription.limited':
      return [{ recipient: buyer, kind: 'subscription_limited', params: facts }];
    case 'subscription.expired':
      return [{ recipient: buyer, kind: 'subscription_expired', params: facts }];
    case 'subscription.renewed':
      // What the renewal charged (the extension price as sold, after any code), as the engine recorded it.
      return [
        {
          recipient: buyer,
          kind: 'subscription_renewed',
          params: { ...facts, amount: number(data['amount']) ?? 0, currency: text(data['currency']) ?? facts.currency },
        },
      ];
    case 'subscription.extended':
      return [{ recipient: buyer, kind: 'extension_applied', params: facts }];
    case 'subscription.evacuated':
      // Written in the transaction that recorded the client on its new panel: it works there already.
      return [{ recipient: buyer, kind: 'server_changed', params: facts }];
    case 'subscription.failed': {
      // Provisioning gave up for good (its job is dead): the buyer has the refund, the staff an alert.
      const refunded = number(data['refunded']) ?? 0;
      const alert: Notice = { recipient: { kind: 'staff' }, kind: 'provisioning_failed', params: { ...facts, error: text(data['error']) } };
      if (refunded <= 0) return [alert];
      return [{ recipient: buyer, kind: 'refund', params: { ...facts, amount: refunded, reason: 'provisioning_failed' } }, alert];
    }
    case 'subscription.extension_refunded':
      return [{ recipient: buyer, kind: 'refund', params: { ...facts, amount: number(data['amount']), reason: 'extension_failed' } }];
    case 'device.registered':
      // Written with the registration, in its transaction: one notice per device registered.
      return [deviceAddedNotice(sub, { model: text(data['model']), platform: text(data['platform']), app: text(data['app']) })];
    default:
      return [];
  }
}

/**
 * What the SDK's payments tell: the staff, when a receipt arrives for review and when a gateway took
 * back a credited payment (refund, chargeback); the buyer, when an admin decided their payment
 * (approved or marked paid, rejected) and when a gateway's payment landed. The audit event is written in
 * the payment's own transaction, so the notice cannot be lost.
 */
async function aboutPayment(shop: Shop, event: AuditEvent, subscriptionOf: SubscriptionReader): Promise<Notice[]> {
  const { data } = event;
  const buyer = { kind: 'customer', customerId: event.subjectId } as const;
  const byAdmin = event.actor.type === 'admin';
  const note = text(data['note']);
  // A reviewer's note is theirs to word; the SDK's (a gateway's status) is read from the catalogs.
  const facts = {
    paymentId: text(data['paymentId']),
    amount: number(data['amount']),
    currency: text(data['currency']),
    note: byAdmin ? note : '',
    ...(!byAdmin && note !== null && note !== '' ? { noteKey: machineNoteKey(note) } : {}),
  };
  switch (event.action) {
    case 'payment.started':
      if (data['needsReview'] !== true) return [];
      return [
        {
          recipient: { kind: 'staff' },
          kind: 'receipt_waiting',
          params: {
            ...facts,
            customerId: event.subjectId,
            buyer: buyerLabel(await shop.storage.customers.get(event.subjectId), event.subjectId),
          },
        },
      ];
    case 'payment.credited':
      if (byAdmin) return [{ recipient: buyer, kind: 'receipt_approved', params: facts }];
      // A gateway's payment lands while the buyer is elsewhere (the bot, a closed tab): tell them.
      return data['confirmation'] === 'gateway' ? [{ recipient: buyer, kind: 'topup_credited', params: facts }] : [];
    case 'payment.rejected':
      return byAdmin ? [{ recipient: buyer, kind: 'receipt_rejected', params: facts }] : [];
    case 'payment.refunded':
      // The shop gave the money back at the provider (the owner's refund, e.g. of Stars): the buyer hears of it.
      return [
        {
          recipient: buyer,
          kind: 'payment_refunded',
          params: { paymentId: facts.paymentId, amount: facts.amount, currency: facts.currency },
        },
      ];
    case 'payment.charge_declined':
    case 'payment.action_required': {
      // An auto-renewal's charge of the buyer's saved method: declined, or waiting for them to confirm it.
      const sub = text(data['subscriptionId']) === null ? null : await subscriptionOf(text(data['subscriptionId'])!);
      const params = {
        ...(sub === null ? {} : await subscriptionFacts(shop, sub)),
        paymentId: facts.paymentId,
        amount: facts.amount,
        currency: facts.currency,
        method: text(data['methodLabel']),
      };
      if (event.action === 'payment.charge_declined') return [{ recipient: buyer, kind: 'renewal_charge_declined', params }];
      return [{ recipient: buyer, kind: 'renewal_action_required', params: { ...params, link: text(data['actionUrl']) } }];
    }
    case 'payment.reversed':
      return [
        {
          recipient: { kind: 'staff' },
          kind: 'payment_reversed',
          params: {
            paymentId: facts.paymentId,
            customerId: event.subjectId,
            provider: text(data['providerId']),
            reason: text(data['reason']) === 'charged_back' ? 'charged_back' : 'gateway_refund',
            taken: number(data['taken']),
            shortfall: number(data['shortfall']),
            currency: facts.currency,
          },
        },
      ];
    default:
      return [];
  }
}

/** A gift's giver hears when it was claimed, and when nobody claimed it in time and its price came back. */
async function aboutGift(shop: Shop, event: AuditEvent): Promise<Notice[]> {
  if (event.action !== 'gift.claimed' && event.action !== 'gift.expired') return [];
  const gift = await shop.storage.gifts.get(event.subjectId);
  if (gift === null) return [];
  const plan = await shop.storage.plans.get(gift.planId);
  const giver = { kind: 'customer', customerId: gift.giverId } as const;
  const facts = { giftId: gift.id, plan: plan?.name ?? gift.planId, planId: gift.planId };
  if (event.action === 'gift.claimed') return [{ recipient: giver, kind: 'gift_claimed', params: facts }];
  return [{ recipient: giver, kind: 'gift_refunded', params: { ...facts, amount: gift.price.amount, currency: gift.price.currency } }];
}

/** The subscriptions an audit event's notices read (`noticesFor`), by id: what a read for several events at once fetches. */
export function subscriptionsReadFor(event: AuditEvent): string[] {
  if (event.subjectType === 'subscription') return [event.subjectId];
  const named = event.data['subscriptionId'];
  return event.subjectType === 'customer' && event.action.startsWith('payment.') && typeof named === 'string' ? [named] : [];
}

/**
 * The notifications one audit event causes (none for most). Reads the subject for names and dates (a subscription
 * through `subscriptionOf`); the event itself is the cause, so the same event always yields the same notices.
 */
export async function noticesFor(
  shop: Shop,
  event: AuditEvent,
  subscriptionOf: SubscriptionReader = (id) => shop.storage.subscriptions.get(id),
): Promise<Notice[]> {
  const { data } = event;
  switch (event.subjectType) {
    case 'subscription':
      return aboutSubscription(shop, event, subscriptionOf);
    case 'customer':
      if (event.action.startsWith('payment.')) return aboutPayment(shop, event, subscriptionOf);
      if (event.action !== 'ledger.refunded') return [];
      // The staff's reason for a refund of an order is the buyer's to read (the notice's note line).
      return [
        {
          recipient: { kind: 'customer', customerId: event.subjectId },
          kind: 'refund',
          params: { amount: number(data['amount']), currency: text(data['currency']), reason: 'by_shop', note: text(data['note']) },
        },
      ];
    case 'gift':
      return aboutGift(shop, event);
    case 'panel': {
      const panel = await shop.storage.panels.get(event.subjectId);
      const params = { panelId: event.subjectId, panel: panel?.name ?? event.subjectId, error: text(data['lastError']) };
      if (event.action === 'panel.unhealthy') return [{ recipient: { kind: 'staff' }, kind: 'panel_down', params }];
      // Healthy after being down; a first check of a new panel is no news.
      if (event.action === 'panel.healthy' && data['from'] === 'unhealthy')
        return [{ recipient: { kind: 'staff' }, kind: 'panel_up', params }];
      return [];
    }
    case 'unreadable_clients': {
      // One client on the panel fails every read: the engine announces it once, until a sync reads it again.
      if (event.action !== 'panel.client_unreadable') return [];
      const panel = await shop.storage.panels.get(event.subjectId);
      const params = {
        panelId: event.subjectId,
        panel: panel?.name ?? event.subjectId,
        username: text(data['username']),
        after: text(data['after']),
        before: text(data['before']),
        error: text(data['message']),
      };
      return [{ recipient: { kind: 'staff' }, kind: 'client_unreadable', params }];
    }
    case 'target':
      if (event.action !== 'target.nearly_full') return [];
      return [
        {
          recipient: { kind: 'staff' },
          kind: 'target_nearly_full',
          params: {
            targetId: event.subjectId,
            target: text(data['name']),
            allocated: number(data['allocated']),
            capacity: number(data['capacity']),
          },
        },
      ];
    default:
      return [];
  }
}
