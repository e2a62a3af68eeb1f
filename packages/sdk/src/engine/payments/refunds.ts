import { z } from 'zod';
import { ActorSchema, IdSchema, type Actor } from '../../domain/common.js';
import { createId, keyedId } from '../../domain/ids.js';
import type { Payment } from '../../domain/payment.js';
import { parseInput } from '../../domain/validate.js';
import { EligibilityError, InsufficientFundsError, NotFoundError, PanelkitError, RetryLaterError } from '../../errors.js';
import { PaymentProviderUnavailableError, type PaymentRefundOutcome } from '../../ports/payment-provider.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { reversalSplit } from '../../rules/payment.js';
import type { EngineContext } from '../context.js';
import { refundJob } from './payment-job-types.js';
import type { PaymentProviderRegistry } from './providers.js';
import { refundReversalKey, refundedAmount, refundsOf, withRefund, type PaymentRefundRecord } from '../../domain/payment-refund.js';

/** Validates `kit.payments.refund`: which payment, how much of it (default all that is left), who asks and why. */
export const RefundPaymentSchema = z.object({
  paymentId: IdSchema,
  /** Minor units of the payment's currency; default what is not refunded yet. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  actor: ActorSchema,
  reason: z.string().max(500).nullable().default(null),
  /** The form or button that asked: the same key again is the same refund (`replayed`). */
  requestKey: z.string().min(1).max(200).nullable().default(null),
  /**
   * Refuse when the wallet no longer holds the amount (default true): the buyer spent the money, and a
   * refund would give it to them twice. `false` refunds anyway; the reversal then takes what is there.
   */
  requireCovered: z.boolean().default(true),
});
/** Input of `kit.payments.refund`. */
export type RefundPaymentRequest = z.input<typeof RefundPaymentSchema>;

/** A refund queued (or queued before, `replayed`); its job gives the money back at the provider. */
export interface RefundPaymentResult {
  refund: PaymentRefundRecord;
  payment: Payment;
  replayed: boolean;
}

const REFUSE = (reason: string, message: string, details: Record<string, string | number> = {}) =>
  new EligibilityError(message, [reason], { details });

/**
 * Asks for (part of) a credited payment back at its provider: in one transaction the payment is locked,
 * the refund recorded on it (`details.refunds`), audited (`payment.refund_requested`) and its job queued, so
 * the provider is asked exactly when the refund exists. `EligibilityError` with a reason when it cannot be:
 * `refund_not_supported` (the provider declares no `refunds`), `not_credited`, `partial_not_supported`,
 * `exceeds_refundable` (more than is left), `spent` (the wallet holds less than the amount; see `requireCovered`).
 */
export async function requestRefund(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  input: RefundPaymentRequest,
): Promise<RefundPaymentResult> {
  const request = parseInput(RefundPaymentSchema, input, 'payment refund');
  const found = await ctx.storage.payments.get(request.paymentId);
  if (found === null) throw new NotFoundError('payment', request.paymentId);
  const provider = registry.require(found.providerId);
  const refunds = provider.capabilities.refunds;
  if (refunds === undefined || provider.refund === undefined)
    throw REFUSE('refund_not_supported', `payments of ${provider.id} cannot be refunded at the provider`, { providerId: provider.id });
  const refundId = request.requestKey === null ? createId('ref') : keyedId('ref', `${found.id}\u0000${request.requestKey}`);
  return ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(found.id, ['credited'], {});
    const current = locked ?? (await tx.payments.get(found.id))!;
    const earlier = refundsOf(current)[refundId];
    if (earlier !== undefined) return { refund: earlier, payment: current, replayed: true };
    if (locked === null) throw REFUSE('not_credited', `payment ${found.id} is ${current.status}, not credited`, { status: current.status });
    const left = locked.amount - refundedAmount(locked);
    const amount = request.amount ?? left;
    if (amount <= 0 || amount > left)
      throw REFUSE('exceeds_refundable', `at most ${left} of payment ${found.id} can be refunded`, { left });
    if (!refunds.partial && amount !== locked.amount)
      throw REFUSE('partial_not_supported', `${provider.id} refunds whole payments only`, { providerId: provider.id });
    if (request.requireCovered) {
      const balance = await tx.ledger.balance(locked.customerId, locked.currency);
      if (balance < amount) throw REFUSE('spent', `the wallet holds ${balance}, less than the refund`, { balance });
    }
    const record: PaymentRefundRecord = {
      id: refundId,
      amount,
      status: 'requested',
      refundRef: null,
      reason: request.reason,
      requestedBy: request.actor,
      requestedAt: ctx.clock.now().toISOString(),
      entryId: null,
      taken: 0,
      failure: null,
    };
    const noted = await tx.payments.transition(found.id, ['credited'], { details: withRefund(locked, record) });
    await tx.audit.append({
      actor: request.actor,
      action: 'payment.refund_requested',
      subjectType: 'customer',
      subjectId: locked.customerId,
      data: { paymentId: locked.id, providerId: locked.providerId, refundId, amount, currency: locked.currency, reason: request.reason },
    });
    await tx.jobs.enqueue(refundJob(locked.id, refundId, ctx));
    return { refund: record, payment: noted!, replayed: false };
  });
}

async function saveRecord(ctx: EngineContext, paymentId: string, record: PaymentRefundRecord): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(paymentId, ['credited', 'reversed'], {});
    if (locked === null) return;
    const stored = refundsOf(locked)[record.id];
    if (stored === undefined || stored.status === 'succeeded' || stored.status === 'failed') return;
    await tx.payments.transition(paymentId, [locked.status], { details: withRefund(locked, record) });
  });
}

/**
 * The refund job's work: asks the provider (with the refund's id as its idempotency key, so a retry after a
 * lost answer, a `pending` answer or a crash is the same refund there) and applies its answer once. The
 * provider's outage is retried by the job; `pending` is asked about again later, naming the provider's `refundRef`
 * it answered with (the provider looks the refund up rather than sending it again after its key expired).
 */
export async function runRefund(ctx: EngineContext, registry: PaymentProviderRegistry, paymentId: string, refundId: string): Promise<void> {
  const payment = await ctx.storage.payments.get(paymentId);
  const record = payment === null ? undefined : refundsOf(payment)[refundId];
  if (payment === null || record === undefined || record.status === 'succeeded' || record.status === 'failed') return;
  const provider = registry.require(payment.providerId);
  if (provider.refund === undefined) throw REFUSE('refund_not_supported', `payments of ${provider.id} cannot be refunded at the provider`);
  let outcome: PaymentRefundOutcome;
  try {
    outcome = await provider.refund({
      refundId,
      idempotencyKey: refundId,
      refundRef: record.refundRef,
      payment,
      amount: { amount: record.amount, currency: payment.currency },
      reason: record.reason,
    });
  } catch (error) {
    if (PanelkitError.is(error)) throw error;
    throw new PaymentProviderUnavailableError(provider.id, `payment provider ${provider.id} could not refund`, { cause: error });
  }
  switch (outcome.status) {
    case 'succeeded':
      await settleRefund(ctx, paymentId, refundId, outcome.refundRef);
      return;
    case 'failed':
      await failRefund(ctx, paymentId, refundId, outcome.refundRef, outcome.reason);
      return;
    case 'pending':
      await saveRecord(ctx, paymentId, { ...record, status: 'pending', refundRef: outcome.refundRef });
      throw new RetryLaterError(`refund ${refundId} is pending at ${provider.id}`, outcome.retryAfterMs ?? 60_000);
  }
}

async function takeFromWallet(tx: StorageRepositories, payment: Payment, record: PaymentRefundRecord, actor: Actor) {
  let split = reversalSplit(record.amount, await tx.ledger.balance(payment.customerId, payment.currency));
  // The balance may move between the read and the append: the append under the customer's lock is the judge.
  for (let attempt = 0; split.taken > 0; attempt++) {
    try {
      const appended = await tx.ledger.append({
        customerId: payment.customerId,
        kind: 'payment_reversal',
        amount: -split.taken,
        currency: payment.currency,
        idempotencyKey: refundReversalKey(record.id),
        reference: (payment.externalRef ?? payment.id).slice(0, 200),
        note: `${payment.providerId} payment ${payment.id} refunded (${record.id})`,
        actor,
      });
      return { ...split, entry: appended.entry, created: appended.created };
    } catch (error) {
      if (!InsufficientFundsError.is(error) || attempt >= 3) throw error;
      split = reversalSplit(record.amount, error.balance);
    }
  }
  return { ...split, entry: null, created: false };
}

/**
 * A refund the provider made: in one transaction the payment is locked, the reversal appended under the
 * refund's own ledger key (what the wallet still holds of it, never below zero), the refund marked
 * `succeeded`, the payment `reversed` once its refunds reach its amount, and `payment.refunded` audited (the
 * buyer's notification). Applied once, whichever replica, job or provider callback gets here first.
 */
export async function settleRefund(
  ctx: EngineContext,
  paymentId: string,
  refundId: string,
  refundRef: string | null,
): Promise<'refunded' | 'already_refunded' | 'unknown'> {
  const actor: Actor = { type: 'system', id: 'payment-gateway' };
  const result = await ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(paymentId, ['credited', 'reversed'], {});
    const record = locked === null ? undefined : refundsOf(locked)[refundId];
    if (locked === null || record === undefined) return null;
    if (record.status === 'succeeded') return { outcome: 'already_refunded' as const, payment: locked, record };
    const taken = await takeFromWallet(tx, locked, record, actor);
    const done: PaymentRefundRecord = {
      ...record,
      status: 'succeeded',
      refundRef: refundRef ?? record.refundRef,
      entryId: taken.entry?.id ?? null,
      taken: taken.taken,
    };
    const refunds = { ...refundsOf(locked), [refundId]: done };
    const total = Object.values(refunds)
      .filter((r) => r.status === 'succeeded')
      .reduce((sum, r) => sum + r.amount, 0);
    const full = total >= locked.amount && locked.status === 'credited';
    const after = await tx.payments.transition(paymentId, [locked.status], {
      details: { refunds },
      ...(full
        ? {
            status: 'reversed' as const,
            decidedBy: actor,
            note: record.reason ?? 'refunded',
            ...(taken.entry ? { reversalEntryId: taken.entry.id } : {}),
          }
        : {}),
    });
    await tx.audit.append({
      actor,
      action: 'payment.refunded',
      subjectType: 'customer',
      subjectId: locked.customerId,
      data: {
        paymentId,
        providerId: locked.providerId,
        refundId,
        amount: record.amount,
        taken: taken.taken,
        shortfall: taken.shortfall,
        currency: locked.currency,
        full,
      },
    });
    return { outcome: 'refunded' as const, payment: after!, record: done, appended: taken };
  });
  if (result === null) return 'unknown';
  if (result.outcome === 'refunded') {
    const at = ctx.clock.now();
    if (result.appended?.created && result.appended.entry) ctx.events.emit('ledger:appended', { entry: result.appended.entry, at });
    const { currency } = result.payment;
    ctx.events.emit('payment:refunded', {
      payment: result.payment,
      refund: result.record,
      taken: { amount: result.appended?.taken ?? 0, currency },
      shortfall: { amount: result.appended?.shortfall ?? 0, currency },
      at,
    });
  }
  return result.outcome;
}

async function failRefund(
  ctx: EngineContext,
  paymentId: string,
  refundId: string,
  refundRef: string | null,
  reason: string,
): Promise<void> {
  const failed = await ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(paymentId, ['credited', 'reversed'], {});
    const record = locked === null ? undefined : refundsOf(locked)[refundId];
    if (locked === null || record === undefined || record.status === 'succeeded' || record.status === 'failed') return null;
    const done: PaymentRefundRecord = { ...record, status: 'failed', refundRef, failure: reason.slice(0, 500) };
    const after = await tx.payments.transition(paymentId, [locked.status], { details: withRefund(locked, done) });
    await tx.audit.append({
      actor: { type: 'system', id: 'payment-gateway' },
      action: 'payment.refund_failed',
      subjectType: 'customer',
      subjectId: locked.customerId,
      data: { paymentId, providerId: locked.providerId, refundId, amount: record.amount, currency: locked.currency, reason: done.failure },
    });
    return { payment: after!, refund: done };
  });
  if (failed !== null) ctx.events.emit('payment:refund_failed', { ...failed, at: ctx.clock.now() });
}
