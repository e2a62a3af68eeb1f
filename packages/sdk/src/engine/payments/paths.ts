import { z } from 'zod';
import { ActorSchema, IdSchema, JsonObjectSchema, type Actor } from '../../domain/common.js';
import { createId, keyedId } from '../../domain/ids.js';
import { CurrencySchema } from '../../domain/money.js';
import { ExternalRefSchema, PaymentSchema, type Payment } from '../../domain/payment.js';
import { parseInput } from '../../domain/validate.js';
import { ConfigurationError, EligibilityError, NotFoundError, PanelkitError, ValidationError } from '../../errors.js';
import {
  PaymentProviderUnavailableError,
  type PaymentCallback,
  type PaymentOpened,
  type PaymentProvider,
  type PaymentSignal,
  type SavedPaymentMethodReport,
} from '../../ports/payment-provider.js';
import type { EngineContext } from '../context.js';
import type { PaymentProviderRegistry } from './providers.js';
import { refundsOf } from '../../domain/payment-refund.js';
import { settleRefund } from './refunds.js';
import { closePayment, creditPayment, reversePayment, type PaymentResult } from './settle.js';

/** Validates `kit.payments.start`: who pays how much with which provider, and the request's key. */
export const StartPaymentSchema = z.object({
  customerId: IdSchema,
  providerId: PaymentSchema.shape.providerId,
  amount: z.object({ amount: PaymentSchema.shape.amount, currency: CurrencySchema }),
  /**
   * The form or button that asked: the same key again (from this buyer, for this provider and amount) is the same
   * payment (`replayed`), and the same one at the provider, which is asked with the payment's id derived from it.
   */
  requestKey: z.string().min(1).max(200).nullable().default(null),
  /** The buyer's reference for providers that open nothing (a card receipt's number, normalised by the host). */
  externalRef: ExternalRefSchema.nullable().default(null),
  details: JsonObjectSchema.default({}),
  /** Where a redirect gateway sends the buyer back; `{paymentId}` in it becomes the new payment's id. */
  returnUrl: z.url().nullable().default(null),
  description: z.string().min(1).max(200).default('wallet top-up'),
  /** The way to pay at the provider (one of its `capabilities.methods`), kept in the payment's details as `method`. */
  method: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/)
    .nullable()
    .default(null),
  /**
   * The buyer asks to keep the method for later charges (providers declaring `savedMethods`; ignored by
   * others). Once the payment is paid, the method the provider reports is kept, sealed, for the buyer.
   */
  saveMethod: z.boolean().default(false),
  /** With `saveMethod`: the buyer also lets the saved method pay their auto-renewals when the wallet is short. */
  allowRenewal: z.boolean().default(false),
});
/** Input of `kit.payments.start`. */
export type StartPaymentRequest = z.input<typeof StartPaymentSchema>;

/**
 * How starting a payment ended. `ok`: the payment (credited at once for an instant provider, else
 * pending) and where the buyer pays; `replayed` when this request key had made it before. Otherwise
 * nothing was stored: the buyer has `max` pending payments of this provider, or the reference is taken
 * (`duplicate`: another payment has it, or this request key made a payment of another amount).
 */
export type StartPaymentResult =
  | { ok: true; payment: Payment; redirectUrl: string | null; replayed: boolean }
  | { ok: false; reason: 'too_many_pending'; max: number }
  | { ok: false; reason: 'duplicate'; existing: Payment };

/** Validates an admin's or buyer's action on one payment. */
export const PaymentActionSchema = z.object({
  paymentId: IdSchema,
  actor: ActorSchema,
  note: z.string().max(1000).nullable().default(null),
});
/** Input of `kit.payments.approve`, `markPaid` and `reject`. */
export type PaymentAction = z.input<typeof PaymentActionSchema>;

/** What a provider's signal came to; `unknown` when no payment of the provider has its reference. */
export type SignalResult = PaymentResult | { outcome: 'unknown'; payment: null };

const GATEWAY: Actor = Object.freeze({ type: 'system', id: 'payment-gateway' });

const redirectOf = (payment: Payment): string | null =>
  typeof payment.details['redirectUrl'] === 'string' ? payment.details['redirectUrl'] : null;

async function openAt(
  provider: PaymentProvider,
  request: Parameters<NonNullable<PaymentProvider['open']>>[0],
): Promise<PaymentOpened | null> {
  if (provider.open === undefined) return null;
  try {
    return await provider.open(request);
  } catch (error) {
    if (PanelkitError.is(error)) throw error;
    throw new PaymentProviderUnavailableError(provider.id, `payment provider ${provider.id} could not open the payment`, { cause: error });
  }
}

/**
 * The id of the payment a buyer's request key stands for: the same buyer, provider and key always give the same
 * id (two buyers' keys never meet), so the payment row is made once, and the provider, which keys its side on the
 * id, is asked with the same key on every try, on every replica.
 */
export function requestedPaymentId(customerId: string, providerId: string, requestKey: string): string {
  return keyedId('pay', `payment\u0000${customerId}\u0000${providerId}\u0000${requestKey}`);
}

/** Whether a payment its request key found is this request's (a replay) rather than another amount under the key. */
const sameRequest = (payment: Payment, request: z.output<typeof StartPaymentSchema>): boolean =>
  request.requestKey !== null &&
  payment.customerId === request.customerId &&
  payment.requestKey === request.requestKey &&
  payment.amount === request.amount.amount &&
  payment.currency === request.amount.currency;

/**
 * A buyer's payment through one provider. A gateway's payment is opened at the gateway first (an
 * invoice, a payment request) and stored only once that worked, so a gateway that is down leaves
 * nothing behind (`PaymentProviderUnavailableError`); the pending limit is checked before opening and
 * again, atomically, when storing. An instant provider's payment is credited before this returns.
 * With a request key, the payment's id is the key's ({@link requestedPaymentId}): a retry after the
 * gateway's answer was lost, or the same form at two replicas at once, opens it again under the same id
 * (the gateway's idempotency key), so the buyer gets one payment and one page to pay on.
 */
export async function startPayment(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  input: StartPaymentRequest,
): Promise<StartPaymentResult> {
  const request = parseInput(StartPaymentSchema, input, 'payment');
  const provider = registry.require(request.providerId);
  if (request.method !== null && !(provider.capabilities.methods ?? []).includes(request.method))
    throw new ValidationError(`payment provider ${provider.id} takes no method ${request.method}`, [
      { path: 'method', message: "not one of the provider's methods" },
    ]);
  const max = provider.maxPending;
  const id = request.requestKey === null ? createId('pay') : requestedPaymentId(request.customerId, provider.id, request.requestKey);
  if (provider.open !== undefined && request.requestKey !== null) {
    // A double click or a retried request: the same payment, without asking the gateway again.
    const earlier = await ctx.storage.payments.get(id);
    if (earlier !== null) {
      if (!sameRequest(earlier, request)) return { ok: false, reason: 'duplicate', existing: earlier };
      return { ok: true, payment: earlier, redirectUrl: redirectOf(earlier), replayed: true };
    }
  }
  if (max !== null && provider.open !== undefined && (await ctx.storage.payments.countPending(request.customerId, provider.id)) >= max)
    return { ok: false, reason: 'too_many_pending', max };
  const now = ctx.clock.now();
  const saveMethod = request.saveMethod && provider.capabilities.savedMethods === true;
  const opened = await openAt(provider, {
    paymentId: id,
    customerId: request.customerId,
    amount: request.amount,
    returnUrl: request.returnUrl === null ? null : request.returnUrl.replaceAll('{paymentId}', id),
    description: request.description,
    method: request.method,
    ...(saveMethod ? { saveMethod } : {}),
  });
  const saving = saveMethod ? { saveMethod: true, allowRenewal: request.allowRenewal } : {};
  const instant = provider.capabilities.confirmations.includes('instant');
  // Stored with its `payment.started` event in one transaction: a host hears of every payment that waits
  // (staff of a receipt to review, say) exactly when it exists. An instant one is credited at once instead.
  const created = await ctx.storage.transaction(async (tx) => {
    const made = await tx.payments.create(
      {
        id,
        customerId: request.customerId,
        providerId: provider.id,
        amount: request.amount.amount,
        currency: request.amount.currency,
        externalRef: opened?.externalRef ?? request.externalRef,
        requestKey: request.requestKey,
        details: {
          ...request.details,
          ...opened?.details,
          ...saving,
          ...(opened?.redirectUrl ? { redirectUrl: opened.redirectUrl } : {}),
          ...(request.method === null ? {} : { method: request.method }),
        },
        expiresAt: provider.pendingTtlMs === null ? null : new Date(now.getTime() + provider.pendingTtlMs),
      },
      { maxPending: max },
    );
    if (made.ok && !instant) {
      await tx.audit.append({
        actor: { type: 'customer', id: request.customerId },
        action: 'payment.started',
        subjectType: 'customer',
        subjectId: request.customerId,
        data: {
          paymentId: id,
          providerId: provider.id,
          amount: request.amount.amount,
          currency: request.amount.currency,
          // An admin decides it (a receipt to review), rather than a gateway.
          needsReview: provider.capabilities.confirmations.includes('admin_approval'),
        },
      });
    }
    return made;
  });
  if (!created.ok) {
    if (created.reason === 'too_many_pending') return { ok: false, reason: 'too_many_pending', max: max ?? created.pending };
    const { existing } = created;
    if (!sameRequest(existing, request)) return { ok: false, reason: 'duplicate', existing };
    const settled = await settleInstant(ctx, provider, existing);
    return { ok: true, payment: settled, redirectUrl: redirectOf(settled), replayed: true };
  }
  const settled = await settleInstant(ctx, provider, created.payment, opened?.savedMethod);
  return { ok: true, payment: settled, redirectUrl: redirectOf(settled), replayed: false };
}

async function settleInstant(
  ctx: EngineContext,
  provider: PaymentProvider,
  payment: Payment,
  savedMethod?: SavedPaymentMethodReport,
): Promise<Payment> {
  if (!provider.capabilities.confirmations.includes('instant') || payment.status !== 'pending') return payment;
  const actor: Actor = { type: 'customer', id: payment.customerId };
  return (await creditPayment(ctx, payment.id, { confirmation: 'instant', actor, ...(savedMethod ? { savedMethod } : {}) })).payment;
}

/**
 * Applies what a provider's world says (a verified callback, a verify answer) to the payment with the
 * signal's reference: `paid` credits it (once), `failed` and `expired` close it, `refunded` and
 * `charged_back` reverse a credited one (or close a pending one). A paid amount that is not the
 * payment's is left for an admin (`mismatch`): nothing is credited.
 */
export async function applySignal(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  providerId: string,
  signal: PaymentSignal,
): Promise<SignalResult> {
  const provider = registry.requireConfirmation(providerId, 'gateway');
  const payment = await ctx.storage.payments.getByExternalRef(provider.id, signal.externalRef);
  if (payment === null) return { outcome: 'unknown', payment: null };
  const note = signal.providerStatus === undefined ? null : `gateway: ${signal.providerStatus}`;
  switch (signal.kind) {
    case 'waiting':
      return { outcome: 'waiting', payment };
    case 'paid': {
      const paid = signal.amount;
      if (paid != null && (paid.currency !== payment.currency || paid.amount !== payment.amount)) {
        ctx.logger.warn({ paymentId: payment.id, paid }, 'a gateway payment does not match its amount; left for an admin');
        return { outcome: 'mismatch', payment };
      }
      const how = {
        confirmation: 'gateway' as const,
        actor: GATEWAY,
        note,
        ...(signal.settlementRef ? { settlementRef: signal.settlementRef } : {}),
        ...(signal.savedMethod ? { savedMethod: signal.savedMethod } : {}),
      };
      const credited = await creditPayment(ctx, payment.id, how);
      if (credited.outcome !== 'another_settlement' || signal.settlementRef === undefined) return credited;
      return creditSecondSettlement(ctx, payment, signal.settlementRef, how);
    }
    case 'failed':
      return closePayment(ctx, payment.id, 'rejected', { actor: GATEWAY, note });
    case 'expired':
      return closePayment(ctx, payment.id, 'expired', { actor: GATEWAY, note });
    case 'refunded':
    case 'charged_back': {
      if (payment.status === 'pending') return closePayment(ctx, payment.id, 'rejected', { actor: GATEWAY, note });
      const engineRefunds = refundsOf(payment);
      if (signal.kind === 'refunded' && signal.refundKey !== undefined && engineRefunds[signal.refundKey] !== undefined) {
        const settled = await settleRefund(ctx, payment.id, signal.refundKey, null);
        const after = (await ctx.storage.payments.get(payment.id))!;
        return {
          outcome: settled === 'refunded' ? (after.status === 'reversed' ? 'reversed' : 'refunded') : 'already_reversed',
          payment: after,
        };
      }
      // The refunds the engine asked for are settled by their jobs (or by a signal naming them), never twice.
      if (signal.kind === 'refunded' && Object.keys(engineRefunds).length > 0) return { outcome: 'unchanged', payment };
      const { outcome, payment: after } = await reversePayment(ctx, payment.id, signal.kind, { actor: GATEWAY, note });
      return { outcome, payment: after };
    }
  }
}

/**
 * A second payment the gateway reports on an intent that another payment credited: recorded as a
 * payment of its own (reference `<intent's>/<settlement's>`, so a replay finds it) and credited once.
 */
async function creditSecondSettlement(
  ctx: EngineContext,
  intent: Payment,
  settlementRef: string,
  how: { confirmation: 'gateway'; actor: Actor; note: string | null },
): Promise<PaymentResult> {
  const created = await ctx.storage.payments.create(
    {
      customerId: intent.customerId,
      providerId: intent.providerId,
      amount: intent.amount,
      currency: intent.currency,
      externalRef: `${intent.externalRef}/${settlementRef}`.slice(0, 200),
      details: { intentId: intent.id },
    },
    { maxPending: null },
  );
  const second = created.ok ? created.payment : created.reason === 'duplicate' ? created.existing : null;
  if (second === null) return { outcome: 'unchanged', payment: intent };
  return creditPayment(ctx, second.id, { ...how, settlementRef });
}

/** A provider's callback: authenticated and translated by the provider (`PaymentSignatureError` when it is not its), then applied. */
export async function handleCallback(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  providerId: string,
  callback: PaymentCallback,
): Promise<SignalResult> {
  const provider = registry.requireConfirmation(providerId, 'gateway');
  if (provider.parseCallback === undefined) throw new ConfigurationError(`payment provider ${providerId} takes no callbacks`);
  return applySignal(ctx, registry, providerId, await provider.parseCallback(callback));
}

/** Asks a request/verify gateway what became of one payment (after the buyer's return), then applies its answer. */
export async function verifyPayment(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  paymentId: string,
  returned: Readonly<Record<string, string | undefined>>,
): Promise<SignalResult> {
  const payment = await requirePayment(ctx, paymentId);
  const provider = registry.requireConfirmation(payment.providerId, 'gateway');
  if (provider.verify === undefined) throw new ConfigurationError(`payment provider ${provider.id} cannot verify payments`);
  if (payment.externalRef === null) return { outcome: 'unchanged', payment };
  const signal = await provider.verify(payment, returned);
  // A verify answer names the payment it was asked about; anything else is not about this payment.
  if (signal.externalRef !== payment.externalRef) return { outcome: 'unchanged', payment };
  return applySignal(ctx, registry, provider.id, signal);
}

async function requirePayment(ctx: EngineContext, id: string): Promise<Payment> {
  const payment = await ctx.storage.payments.get(id);
  if (payment === null) throw new NotFoundError('payment', id);
  return payment;
}

/** An admin approves a receipt: only for providers declaring `admin_approval` (`EligibilityError` otherwise). */
export async function approvePayment(ctx: EngineContext, registry: PaymentProviderRegistry, input: PaymentAction): Promise<PaymentResult> {
  const action = parseInput(PaymentActionSchema, input, 'payment approval');
  const payment = await requirePayment(ctx, action.paymentId);
  registry.requireConfirmation(payment.providerId, 'admin_approval');
  return creditPayment(ctx, payment.id, { confirmation: 'admin_approval', actor: action.actor, note: action.note });
}

/**
 * An admin's explicit "mark paid" of a gateway's payment (the gateway is late or lost the callback):
 * only for providers declaring `admin_mark_paid`. The gateway's later callback finds it credited.
 */
export async function markPaymentPaid(ctx: EngineContext, registry: PaymentProviderRegistry, input: PaymentAction): Promise<PaymentResult> {
  const action = parseInput(PaymentActionSchema, input, 'payment mark-paid');
  const payment = await requirePayment(ctx, action.paymentId);
  registry.requireConfirmation(payment.providerId, 'admin_mark_paid');
  return creditPayment(ctx, payment.id, { confirmation: 'admin_mark_paid', actor: action.actor, note: action.note });
}

/** An admin rejects a pending payment: only for providers declaring `adminReject`. */
export async function rejectPayment(ctx: EngineContext, registry: PaymentProviderRegistry, input: PaymentAction): Promise<PaymentResult> {
  const action = parseInput(PaymentActionSchema, input, 'payment rejection');
  const payment = await requirePayment(ctx, action.paymentId);
  const provider = registry.require(payment.providerId);
  if (!provider.capabilities.adminReject) {
    throw new EligibilityError(`payments of ${provider.id} are not rejected by an admin`, ['payment_path_not_allowed'], {
      details: { providerId: provider.id },
    });
  }
  return closePayment(ctx, payment.id, 'rejected', { actor: action.actor, note: action.note });
}

/** The buyer withdraws their own pending payment; another buyer's is a `NotFoundError`, as if it did not exist. */
export async function cancelPayment(ctx: EngineContext, input: { paymentId: string; customerId: string }): Promise<PaymentResult> {
  const payment = await requirePayment(ctx, parseInput(IdSchema, input.paymentId, 'payment id'));
  if (payment.customerId !== input.customerId) throw new NotFoundError('payment', input.paymentId);
  return closePayment(ctx, payment.id, 'cancelled', { actor: { type: 'customer', id: input.customerId }, note: null });
}

/** Closes every pending payment whose time ran out (`expired`), a page at a time; returns how many. Safe on every replica. */
export async function expireDuePayments(ctx: EngineContext, options: { limit?: number } = {}): Promise<number> {
  const limit = options.limit ?? 500;
  const due = await ctx.storage.payments.listExpiring(ctx.clock.now(), limit);
  let expired = 0;
  for (const payment of due) {
    const result = await closePayment(ctx, payment.id, 'expired', { actor: { type: 'scheduler', id: null }, note: 'not paid in time' });
    if (result.outcome === 'expired') expired++;
  }
  return expired;
}
