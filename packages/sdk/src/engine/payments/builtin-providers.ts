import type { PaymentProvider } from '../../ports/payment-provider.js';
import { TestPaymentWorld } from './test-world.js';

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

/** Options of `testPaymentProvider`. */
export interface TestPaymentOptions {
  /** The provider id (default `test`). */
  id?: string;
  /** Declare refunds at the provider (whole or partial), made in `world`. */
  refunds?: boolean;
  /** Declare saved methods: a payment started with `saveMethod` saves the buyer's "test card", charged in `world`. */
  savedMethods?: boolean;
  /** Where refunds and charges are kept (default a new one): share it to watch or steer them. */
  world?: TestPaymentWorld;
}

/**
 * For demos and tests: whatever the buyer asks for is credited at once, no money involved. With `refunds` or
 * `savedMethods` it also refunds and charges saved methods, in a `TestPaymentWorld`. Never enable it in production.
 */
export function testPaymentProvider(options: TestPaymentOptions = {}): PaymentProvider {
  const id = options.id ?? 'test';
  const base: PaymentProvider = {
    id,
    capabilities: {
      confirmations: ['instant'],
      adminReject: false,
      ...(options.refunds ? { refunds: { partial: true } } : {}),
      ...(options.savedMethods ? { savedMethods: true } : {}),
    },
    maxPending: null,
    pendingTtlMs: null,
  };
  if (!options.refunds && !options.savedMethods) return base;
  const world = options.world ?? new TestPaymentWorld(id);
  return {
    ...base,
    // Opened only to name the payment and report the saved "card": nothing leaves the process.
    async open(request) {
      return {
        // A reference of the test gateway's own, as a buyer would see one on a real gateway's receipt.
        externalRef: `TEST-${request.paymentId.slice(-10).toUpperCase()}`,
        redirectUrl: null,
        ...(request.saveMethod ? { savedMethod: { ref: `test-card:${request.customerId}`, label: 'Test card •••• 4242' } } : {}),
      };
    },
    ...(options.refunds ? { refund: async (r) => world.refund(r.idempotencyKey, r.payment.externalRef ?? r.payment.id, r.amount) } : {}),
    ...(options.savedMethods
      ? {
          chargeSavedMethod: async (r) => world.charge(r.idempotencyKey, r.methodRef, r.amount),
          forgetSavedMethod: async (r) => world.forget(r.methodRef),
        }
      : {}),
  };
}
