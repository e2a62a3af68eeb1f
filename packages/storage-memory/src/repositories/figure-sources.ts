import { type BuyerRows, type FigurePayment, figureSubscriptionOf } from '@panelkit/sdk/rules';
import type { TimeKey } from '@panelkit/sdk/storage';
import type { BTree } from '../internal/btree.js';
import { copy } from '../internal/copy.js';
import { compareTimeKeys } from '../internal/keys.js';
import { ascending } from '../internal/paging.js';
import type { MemoryState } from '../state.js';

const TRIAL_REFUSAL_SUBJECT = 'trial_refusal';

/** The rows of one per-customer index, oldest first. */
function rowsOf<T>(tree: BTree<TimeKey, undefined> | undefined, load: (rowId: string) => T): T[] {
  return [...ascending(tree, compareTimeKeys)].map(([, rowId]) => load(rowId));
}

/**
 * `figures.sources` in memory: each customer's `BuyerRows` read from the tables through their per-customer indexes
 * (ledger, subscriptions, orders, refusals) and one pass over payments and gifts for the whole batch. Only the fields
 * `BuyerRows` names are returned, as PostgreSQL returns them; lists are oldest first. `ids` are checked, distinct and
 * in id order; an unknown one is a `NotFoundError`.
 */
export function buyerRowsOf(state: MemoryState, ids: readonly string[]): BuyerRows[] {
  const customers = ids.map((id) => state.customers.customers.require(id));
  const wanted = new Set(ids);
  const payments = new Map<string, FigurePayment[]>();
  for (const p of state.payments.payments.values()) {
    if (!wanted.has(p.customerId)) continue;
    const row: FigurePayment = {
      id: p.id,
      customerId: p.customerId,
      providerId: p.providerId,
      currency: p.currency,
      ledgerEntryId: p.ledgerEntryId,
      reversalEntryId: p.reversalEntryId,
      details: copy(p.details),
    };
    payments.set(p.customerId, [...(payments.get(p.customerId) ?? []), row]);
  }
  const claims = new Map<string, { claimedBy: string; claimedAt: Date | null }[]>();
  for (const g of state.gifts.gifts.values()) {
    if (g.claimedBy === null || !wanted.has(g.claimedBy)) continue;
    claims.set(g.claimedBy, [...(claims.get(g.claimedBy) ?? []), { claimedBy: g.claimedBy, claimedAt: copy(g.claimedAt) }]);
  }

  return customers.map((customer) => {
    const id = customer.id;
    const ledger = rowsOf(state.ledger.byCustomer.tree(id), (rowId) => {
      const e = state.ledger.entries.load(rowId);
      return {
        id: e.id,
        customerId: e.customerId,
        kind: e.kind,
        amount: e.amount,
        currency: e.currency,
        orderId: e.orderId,
        subscriptionId: e.subscriptionId,
        createdAt: copy(e.createdAt),
        actor: { type: e.actor.type },
      };
    });
    const subscriptions = rowsOf(state.subscriptions.byCustomer.tree(id), (rowId) => {
      const s = state.subscriptions.subscriptions.load(rowId);
      return copy(figureSubscriptionOf(s));
    });
    const orders = rowsOf(state.orders.byCustomer.tree(id), (rowId) => {
      const o = state.orders.orders.load(rowId);
      return copy({ id: o.id, customerId: o.customerId, total: o.total, createdAt: o.createdAt });
    });
    const trialRefusals = rowsOf(state.audit.bySubjectId.tree(id), (rowId) => state.audit.events.load(rowId))
      .filter((e) => e.subjectType === TRIAL_REFUSAL_SUBJECT && e.action === 'trial.refused')
      .map((e) => copy(e.at));
    const planFamilies: Record<string, string> = {};
    for (const s of subscriptions) if (s.trial) planFamilies[s.planId] = state.plans.load(s.planId).family;
    const attribution = state.campaigns.get(id);
    const referral = state.referrals.referrals.get(id);
    return {
      customer: { id, storefrontId: customer.storefrontId },
      ledger,
      subscriptions,
      orders,
      payments: payments.get(id) ?? [],
      attribution: attribution === undefined ? null : { campaign: attribution.campaign, attributedAt: copy(attribution.attributedAt) },
      referral: referral === undefined ? null : { referredId: referral.referredId },
      giftClaims: claims.get(id) ?? [],
      trialRefusals,
      planFamilies,
    };
  });
}
