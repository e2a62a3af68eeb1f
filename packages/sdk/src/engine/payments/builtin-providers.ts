import type { PaymentProvider } from '../../ports/payment-provider.js';

/** Options of `cardToCardProvider`. */
export interface CardToCardOptions {
  /** The provider id (default `card`). */
  id?: string;
  /** Receipts one buyer may have waiting for review at once (default 5). */
  maxPending?: number | null;
  /** How long a receipt waits for an admin before it expires (default `null`: until reviewed). */
  pendingTtlMs?: number | null;
}

/**
 * Card-to-card transfers: the buyer pays at their bank and submits the receipt (its number is the
 * payment's external reference, so one receipt is one payment); an admin checks the statement and
 * approves or rejects it. Nothing else may credit it.
 */
export function cardToCardProvider(options: CardToCardOptions = {}): PaymentProvider {
  return {
    id: options.id ?? 'card',
    capabilities: { confirmations: ['admin_approval'], adminReject: true },
    maxPending: options.maxPending === undefined ? 5 : options.maxPending,
    pendingTtlMs: options.pendingTtlMs ?? null,
  };
}

/** For demos and tests: whatever the buyer asks for is credited at once, no money involved. Never enable it in production. */
export function testPaymentProvider(options: { id?: string } = {}): PaymentProvider {
  return {
    id: options.id ?? 'test',
    capabilities: { confirmations: ['instant'], adminReject: false },
    maxPending: null,
    pendingTtlMs: null,
  };
}
