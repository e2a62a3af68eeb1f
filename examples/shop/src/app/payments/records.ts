import type { Money, Page, Payment as SdkPayment, Panelkit } from '@panelkit/sdk';
import { machineNoteKey } from './payment-notes.js';

/**
 * How the shop shows a payment: `approved` is the SDK's `credited` (the word the shop's pages, bot
 * and JSON API have always used); the other statuses are the SDK's.
 */
export type PaymentStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'reversed';

/** What a provider keeps beside the amount: the receipt's number and card digits, the gateway's invoice and pay page. */
export interface PaymentDetails {
  /** The receipt's reference as the buyer typed it (the payment's external reference is its normalised key). */
  reference?: string;
  cardLast4?: string;
  /** ISO instant the buyer says they paid. */
  paidAt?: string;
  /** The key of the form that submitted it. */
  requestKey?: string;
  invoiceId?: string;
  invoiceUrl?: string;
}

/** A payment as the shop's pages show it; stored and moved by the SDK (`kit.payments`). */
export interface Payment {
  id: string;
  customerId: string;
  provider: string;
  amount: Money;
  status: PaymentStatus;
  /** What the buyer or gateway calls it (a receipt number, a gateway invoice). */
  reference: string | null;
  referenceKey: string | null;
  details: PaymentDetails;
  creditedEntryId: string | null;
  createdAt: Date;
  /** When it was last decided (credited, rejected, expired, cancelled, reversed); `null` while pending. */
  reviewedAt: Date | null;
  /** The deciding admin's account id, when an admin decided. */
  reviewedBy: string | null;
  reviewNote: string | null;
  /** When the note is the SDK's (the gateway's status, an expiry), not a person's: its catalog key, shown instead. */
  noteKey: string | null;
}

/** A payment with its buyer's email, for the admin's lists. */
export type PaymentWithEmail = Payment & { email: string | null };

/** The SDK's payment as the shop shows it. */
export function toShopPayment(p: SdkPayment): Payment {
  const details = p.details as PaymentDetails;
  return {
    id: p.id,
    customerId: p.customerId,
    provider: p.providerId,
    amount: { amount: p.amount, currency: p.currency },
    status: p.status === 'credited' ? 'approved' : p.status,
    reference: typeof details.reference === 'string' ? details.reference : p.externalRef,
    referenceKey: p.externalRef,
    details,
    creditedEntryId: p.ledgerEntryId,
    createdAt: p.createdAt,
    reviewedAt: p.status === 'pending' ? null : p.updatedAt,
    reviewedBy: p.decidedBy?.type === 'admin' ? (p.decidedBy.id ?? null) : null,
    reviewNote: p.note,
    noteKey: p.note !== null && p.decidedBy?.type !== 'admin' ? machineNoteKey(p.note) : null,
  };
}

/** The SDK statuses a shop status stands for. */
export function sdkStatuses(status: PaymentStatus): SdkPayment['status'][] {
  return [status === 'approved' ? 'credited' : status];
}

/** Reads the SDK's payments as the shop shows them. */
export class PaymentReader {
  constructor(private readonly kit: Panelkit) {}

  async get(id: string): Promise<Payment | null> {
    const payment = await this.kit.payments.get(id);
    return payment === null ? null : toShopPayment(payment);
  }

  /** Newest first; `null` cursor for the first page. */
  async listByCustomer(customerId: string, page: { limit: number; cursor?: string | null }): Promise<Page<Payment>> {
    const found = await this.kit.payments.list({ customerId }, { limit: page.limit, cursor: page.cursor ?? null });
    return { items: found.items.map(toShopPayment), nextCursor: found.nextCursor };
  }

  /** How many payments wait for a decision, counting up to `max`. */
  async countPending(max: number): Promise<number> {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page = await this.kit.payments.list({ statuses: ['pending'] }, { limit: 200, cursor });
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== null && count < max);
    return Math.min(count, max);
  }
}

/** The shop's view of the SDK's payments. */
export function paymentsOf(shop: { kit: Panelkit }): PaymentReader {
  return new PaymentReader(shop.kit);
}
