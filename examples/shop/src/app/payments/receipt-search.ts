import type { Payment as SdkPayment } from '@panelkit/sdk';
import type { PaymentFilter } from '@panelkit/sdk/storage';
import type { AccountStore } from '../../db/accounts.js';
import { referenceKey } from '../input/digits.js';
import { sdkStatuses, toShopPayment, type PaymentStatus, type PaymentWithEmail } from './records.js';
import { zonedToInstant } from '../input/zoned-time.js';
import type { Panelkit } from '@panelkit/sdk';

/** What the admin receipts queue is narrowed by; every field is optional (`null`: not narrowed). */
export interface ReceiptFilters {
  /** A reference (compared as the duplicate check does), part of a customer's email, or an amount in minor units. */
  text: string | null;
  /** The amount `text` reads as, in minor units, when it reads as one. */
  amount: number | null;
  status: PaymentStatus | null;
  provider: string | null;
  /** Submitted on or after this day (YYYY-MM-DD in `timeZone`). */
  from: string | null;
  /** Submitted on or before this day (YYYY-MM-DD in `timeZone`). */
  to: string | null;
  timeZone: string;
  /** Only these payments (the bulk approval's selection). */
  ids?: readonly string[];
}

/** What the search reads: the SDK's payments, and the shop's accounts for emails. */
export interface ReceiptSearchShop {
  kit: Panelkit;
  accounts: AccountStore;
}

/** How many matching payments one search reads at most (pending ones are shown oldest first, so all are read). */
export const SEARCH_SCAN = 5000;

/** The SDK's payments matching `filter`, newest first, up to `max`. */
async function matching(kit: Panelkit, filter: PaymentFilter, max: number): Promise<SdkPayment[]> {
  const out: SdkPayment[] = [];
  let cursor: string | null = null;
  do {
    const page = await kit.payments.list(filter, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && out.length < max);
  return out.slice(0, max);
}

/**
 * Payments matching the filters with their customer's email: pending oldest first, decided ones newest
 * first. The SDK's storage does the filtering (`PaymentFilter`); the text matches a buyer's email (from
 * the shop's accounts), a part of the reference (compared as the duplicate check does), or the amount.
 */
export async function searchReceipts(shop: ReceiptSearchShop, filters: ReceiptFilters, limit: number): Promise<PaymentWithEmail[]> {
  let found: SdkPayment[];
  if (filters.ids !== undefined) {
    found = (await Promise.all(filters.ids.map((id) => shop.kit.payments.get(id)))).filter((p): p is SdkPayment => p !== null);
    if (filters.status !== null) found = found.filter((p) => sdkStatuses(filters.status!).includes(p.status));
    if (filters.provider !== null) found = found.filter((p) => p.providerId === filters.provider);
  } else {
    const from = filters.from === null ? null : zonedToInstant(`${filters.from}T00:00`, filters.timeZone);
    const to = filters.to === null ? null : zonedToInstant(`${nextDay(filters.to)}T00:00`, filters.timeZone);
    const filter: PaymentFilter = {
      ...(filters.status === null ? {} : { statuses: sdkStatuses(filters.status) }),
      ...(filters.provider === null ? {} : { providerId: filters.provider }),
      ...(from === null ? {} : { createdFrom: from }),
      ...(to === null ? {} : { createdBefore: to }),
    };
    if (filters.text !== null) {
      const key = referenceKey(filters.text);
      filter.anyOf = {
        customerIds: await shop.accounts.customersWithEmailLike(filters.text),
        ...(key.length > 0 ? { externalRefContains: key } : {}),
        ...(filters.amount !== null ? { amount: filters.amount } : {}),
      };
    }
    found = await matching(shop.kit, filter, filters.status === 'pending' ? SEARCH_SCAN : limit);
  }
  const ordered = filters.status === 'pending' ? [...found].reverse() : found;
  const shown = ordered.slice(0, limit);
  const emails = await shop.accounts.emailsOfCustomers(shown.map((p) => p.customerId));
  return shown.map((p) => ({ ...toShopPayment(p), email: emails.get(p.customerId) ?? null }));
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Payments waiting for a decision, oldest first, with emails. */
export function listPendingReceipts(shop: ReceiptSearchShop, limit: number): Promise<PaymentWithEmail[]> {
  return searchReceipts(
    shop,
    { text: null, amount: null, status: 'pending', provider: null, from: null, to: null, timeZone: 'UTC' },
    limit,
  );
}

/** Payments an admin decided, most recently decided first, with emails. */
export async function listReviewedReceipts(shop: ReceiptSearchShop, limit: number): Promise<PaymentWithEmail[]> {
  const decided = (await matching(shop.kit, { statuses: ['credited', 'rejected', 'reversed'] }, SEARCH_SCAN))
    .filter((p) => p.decidedBy?.type === 'admin')
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
  const emails = await shop.accounts.emailsOfCustomers(decided.map((p) => p.customerId));
  return decided.map((p) => ({ ...toShopPayment(p), email: emails.get(p.customerId) ?? null }));
}
