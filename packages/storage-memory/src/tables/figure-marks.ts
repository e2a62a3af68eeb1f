import type { Subscription } from '@panelkit/sdk';
import type { MemoryState } from '../state.js';

/**
 * The fields of a subscription the figures read (`FigureSubscription`): a write that changes none of them (a usage
 * reading, a remote identity, a link) marks nothing.
 */
const SUBSCRIPTION_FIGURE_FIELDS = [
  'customerId',
  'orderId',
  'planId',
  'panelId',
  'status',
  'statusChangedAt',
  'expiresAt',
  'durationDays',
  'activatedAt',
  'trial',
  'bundleId',
] as const satisfies readonly (keyof Subscription)[];

function same(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
}

function changed<T>(before: T, after: T, fields: readonly (keyof T)[]): boolean {
  return fields.some((f) => !same(before[f], after[f]));
}

/**
 * Makes every write of a figure input put its customer in the figures' inbox, in the same call and undo log: the
 * memory twin of PostgreSQL's triggers, hooked on the tables rather than on repository functions so that no write
 * path (an import, a storefront assignment, a settlement) can be missed. See `FigureRepository` for the list.
 */
export function watchFigureInputs(state: MemoryState): void {
  const { figures } = state;
  const customerExists = (id: string) => state.customers.customers.get(id) !== undefined;

  state.ledger.entries.watch((undo, before, after) => {
    if (before === undefined && after !== undefined) figures.mark(undo, after.customerId);
  });
  state.orders.orders.watch((undo, before, after) => {
    if (after === undefined) return;
    if (before === undefined || changed(before, after, ['status', 'total', 'customerId'])) figures.mark(undo, after.customerId);
  });
  state.subscriptions.subscriptions.watch((undo, before, after) => {
    if (after === undefined) return;
    if (before !== undefined && !changed(before, after, SUBSCRIPTION_FIGURE_FIELDS)) return;
    figures.mark(undo, after.customerId);
    if (before !== undefined && before.customerId !== after.customerId) figures.mark(undo, before.customerId);
  });
  state.payments.payments.watch((undo, _before, after) => {
    if (after !== undefined) figures.mark(undo, after.customerId);
  });
  state.campaigns.watch((undo, before, after) => {
    if (before === undefined && after !== undefined) figures.mark(undo, after.customerId);
  });
  state.referrals.referrals.watch((undo, before, after) => {
    if (before === undefined && after !== undefined) figures.mark(undo, after.referredId);
  });
  state.gifts.gifts.watch((undo, before, after) => {
    if (before === undefined || after === undefined || before.status === after.status) return;
    figures.mark(undo, after.giverId);
    if (after.claimedBy !== null) figures.mark(undo, after.claimedBy);
  });
  state.customers.customers.watch((undo, before, after) => {
    if (after === undefined) return;
    if (before === undefined ? after.storefrontId !== null : before.storefrontId !== after.storefrontId) figures.mark(undo, after.id);
  });
  state.audit.events.watch((undo, before, after) => {
    if (before !== undefined || after === undefined || after.subjectType !== 'trial_refusal') return;
    if (customerExists(after.subjectId)) figures.mark(undo, after.subjectId);
  });
}
