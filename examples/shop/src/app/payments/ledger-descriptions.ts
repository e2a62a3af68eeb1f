import type { LedgerEntry } from '@panelkit/sdk';
import { paymentsOf } from './records.js';
import type { Shop } from '../shop.js';
import type { Locale } from '../../i18n/translate.js';
import { planName as planNameIn } from '../subscriptions/plan-names.js';

/** What a wallet line is about, in a buyer's words: the plan (with a link to it) and a reference they recognise. */
export interface EntryDescription {
  /** Plan names, or a payment method's message key when `labelKey` is set. */
  label: string | null;
  /** A message key for the label instead of `label` (e.g. the payment method). */
  labelKey: string | null;
  href: string | null;
  /** The receipt number the buyer typed, or a short order code (`#3F9K2QXA`); never an internal id. */
  reference: string | null;
}

/** The last 8 characters of an id, upper-cased: short enough to read out to support, and unique enough in one wallet. */
export function shortCode(id: string): string {
  return `#${id
    .replace(/^[a-z]+_/, '')
    .slice(-8)
    .toUpperCase()}`;
}

/**
 * Describes each ledger entry of one customer: purchases by their order's plans, extensions and refunds by
 * their subscription's plan, top-ups by their payment method and receipt number. Each order, subscription,
 * plan and payment is read once. Plan names are in `locale` where the plan has one.
 */
export async function describeLedger(shop: Shop, entries: readonly LedgerEntry[], locale: Locale): Promise<Map<string, EntryDescription>> {
  const plans = new Map<string, string>();
  const planName = async (planId: string) => {
    if (!plans.has(planId))
      plans.set(planId, (await shop.storage.plans.get(planId)) === null ? '' : await planNameIn(shop, planId, locale));
    return plans.get(planId) as string;
  };
  const described = new Map<string, EntryDescription>();
  for (const e of entries) {
    if (e.subscriptionId !== null) {
      const sub = await shop.storage.subscriptions.get(e.subscriptionId);
      if (sub !== null) {
        const order = sub.orderId === null ? null : shortCode(sub.orderId);
        described.set(e.id, { label: await planName(sub.planId), labelKey: null, href: `/subscriptions/${sub.id}`, reference: order });
        continue;
      }
    }
    if (e.orderId !== null) {
      const order = await shop.storage.orders.get(e.orderId);
      if (order !== null) {
        const names = [...new Set(await Promise.all(order.items.map((i) => planName(i.planId))))].filter((n) => n !== '');
        described.set(e.id, { label: names.join(', '), labelKey: null, href: `/orders/${order.id}`, reference: shortCode(order.id) });
        continue;
      }
    }
    // A credited payment's entry carries its key (`paymentLedgerKey`): the payment says how it was paid.
    const paymentId = e.kind === 'top_up' && e.idempotencyKey.startsWith('payment:') ? e.idempotencyKey.slice('payment:'.length) : null;
    if (paymentId !== null || (e.kind === 'top_up' && e.reference !== null)) {
      const payment = paymentId === null ? null : await paymentsOf(shop).get(paymentId);
      if (payment !== null) {
        described.set(e.id, {
          label: null,
          labelKey: `wallet.providers.${payment.provider}`,
          href: null,
          reference: payment.reference ?? shortCode(payment.id),
        });
        continue;
      }
      described.set(e.id, {
        label: null,
        labelKey: null,
        href: null,
        reference: e.reference === null || /^[a-z]+_/.test(e.reference) ? null : e.reference,
      });
      continue;
    }
    described.set(e.id, { label: null, labelKey: null, href: null, reference: null });
  }
  return described;
}
