import type { Actor, JsonObject } from '../../domain/common.js';
import { paymentLedgerKey, paymentReversalKey, type Payment, type PaymentConfirmation } from '../../domain/payment.js';
import { InsufficientFundsError, NotFoundError } from '../../errors.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { CLOSABLE_FROM, CREDITABLE_FROM, reversalSplit, type PaymentClosing } from '../../rules/payment.js';
import type { SavedPaymentMethodReport } from '../../ports/payment-provider.js';
import type { EngineContext } from '../context.js';
import { renewChargedJob } from './payment-job-types.js';
import { rememberSavedMethod } from './saved-methods.js';

/**
 * What became of a payment after one path acted on it. `already_credited`: it had been credited by
 * another path (or this one, replayed) and nothing moved. `unchanged`: its status did not allow the
 * action (e.g. rejecting a credited payment); `payment` shows what it is.
 */
export type PaymentOutcome =
  | 'credited'
  | 'already_credited'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'reversed'
  | 'already_reversed'
  | 'waiting'
  | 'mismatch'
  | 'unchanged'
  /** The gateway reported a second payment of its own on an intent another payment credited (see `applySignal`). */
  | 'another_settlement'
  /** A part of the payment was refunded at the provider (it stays `credited`); see `kit.payments.refund`. */
  | 'refunded';

/** A payment and what the last action did to it. */
export interface PaymentResult {
  outcome: PaymentOutcome;
  payment: Payment;
}

async function load(tx: StorageRepositories, id: string): Promise<Payment> {
  const payment = await tx.payments.get(id);
  if (payment === null) throw new NotFoundError('payment', id);
  return payment;
}

/**
 * The one place a payment is credited. In one transaction: the payment's row is locked and checked
 * (`CREDITABLE_FROM[confirmation]`), the `top_up` entry is appended under the payment's ledger key,
 * and the payment becomes `credited` with that entry. Any number of confirmations, on any replica, in
 * any order: the first to lock the row credits; the rest find it credited (`already_credited`). The
 * ledger key is a second wall: even a payment carried over from a host that had credited it already
 * is not credited twice. A payment charged for a renewal queues, with its credit, the job that renews.
 */
export async function creditPayment(
  ctx: EngineContext,
  paymentId: string,
  how: {
    confirmation: PaymentConfirmation;
    actor: Actor;
    note?: string | null;
    settlementRef?: string;
    /** The method the provider saved with this payment: kept (sealed) for the customer when they asked to save it. */
    savedMethod?: SavedPaymentMethodReport;
  },
): Promise<PaymentResult> {
  const from = CREDITABLE_FROM[how.confirmation];
  const settled = how.settlementRef === undefined ? undefined : { settlementRef: how.settlementRef };
  const result = await ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(paymentId, from, {});
    if (locked === null) {
      const done = await tx.payments.transition(paymentId, ['credited', 'reversed'], {});
      if (done === null) return { outcome: 'unchanged' as const, payment: await load(tx, paymentId), appended: null };
      const known = done.details['settlementRef'];
      if (settled === undefined || known === settled.settlementRef)
        return { outcome: 'already_credited' as const, payment: done, appended: null };
      // Credited by an admin before the gateway said which of its payments this was: now it has said.
      if (known === undefined) {
        const noted = await tx.payments.transition(paymentId, [done.status], { details: settled });
        return { outcome: 'already_credited' as const, payment: noted!, appended: null };
      }
      // Another of the gateway's payments on the same intent: money of its own (see `applySignal`).
      return { outcome: 'another_settlement' as const, payment: done, appended: null };
    }
    const appended = await tx.ledger.append({
      customerId: locked.customerId,
      kind: 'top_up',
      amount: locked.amount,
      currency: locked.currency,
      idempotencyKey: paymentLedgerKey(locked.id),
      reference: (locked.externalRef ?? locked.id).slice(0, 200),
      note: `${locked.providerId} payment ${locked.id}`,
      actor: how.actor,
    });
    const credited = await tx.payments.transition(paymentId, from, {
      status: 'credited',
      confirmation: how.confirmation,
      ledgerEntryId: appended.entry.id,
      decidedBy: how.actor,
      ...(how.note === undefined ? {} : { note: how.note }),
      ...(settled === undefined ? {} : { details: settled }),
    });
    if (how.savedMethod !== undefined) await rememberSavedMethod(ctx, tx, locked, how.savedMethod);
    // A charge made for a renewal: the renewal it paid for follows, whichever path credited it, however late.
    if (typeof locked.details['renewalKey'] === 'string') await tx.jobs.enqueue(renewChargedJob(locked.id, ctx));
    await tx.audit.append({
      actor: how.actor,
      action: 'payment.credited',
      subjectType: 'customer',
      subjectId: locked.customerId,
      data: {
        paymentId: locked.id,
        providerId: locked.providerId,
        amount: locked.amount,
        currency: locked.currency,
        confirmation: how.confirmation,
        from: locked.status,
        note: how.note ?? null,
      },
    });
    return { outcome: 'credited' as const, payment: credited!, appended };
  });
  if (result.outcome === 'credited') {
    const at = ctx.clock.now();
    if (result.appended?.created) ctx.events.emit('ledger:appended', { entry: result.appended.entry, at });
    ctx.events.emit('payment:credited', { payment: result.payment, actor: how.actor, at });
  }
  return { outcome: result.outcome, payment: result.payment };
}

/** Ends a pending payment without money (rejected, expired, cancelled); `unchanged` when it was not pending. */
export async function closePayment(
  ctx: EngineContext,
  paymentId: string,
  to: PaymentClosing,
  how: { actor: Actor; note?: string | null; details?: JsonObject },
): Promise<PaymentResult> {
  const result = await ctx.storage.transaction(async (tx) => {
    const closed = await tx.payments.transition(paymentId, CLOSABLE_FROM, {
      status: to,
      decidedBy: how.actor,
      ...(how.note === undefined ? {} : { note: how.note }),
      ...(how.details === undefined ? {} : { details: how.details }),
    });
    if (closed === null) return { outcome: 'unchanged' as const, payment: await load(tx, paymentId) };
    await tx.audit.append({
      actor: how.actor,
      action: `payment.${to}`,
      subjectType: 'customer',
      subjectId: closed.customerId,
      data: {
        paymentId: closed.id,
        providerId: closed.providerId,
        amount: closed.amount,
        currency: closed.currency,
        note: how.note ?? null,
      },
    });
    return { outcome: to, payment: closed };
  });
  if (result.outcome !== 'unchanged') ctx.events.emit('payment:closed', { payment: result.payment, actor: how.actor, at: ctx.clock.now() });
  return result;
}

/**
 * A credited payment the gateway refunded or the buyer charged back: a `payment_reversal` entry takes
 * back what the wallet still holds of it (never an edit of the credit, never below zero) and the
 * payment becomes `reversed`, once. `payment:reversed` tells what was taken and what was not.
 */
export async function reversePayment(
  ctx: EngineContext,
  paymentId: string,
  reason: 'refunded' | 'charged_back',
  how: { actor: Actor; note?: string | null },
): Promise<PaymentResult & { taken: number; shortfall: number }> {
  const result = await ctx.storage.transaction(async (tx) => {
    const locked = await tx.payments.transition(paymentId, ['credited'], {});
    if (locked === null) {
      const current = await load(tx, paymentId);
      return {
        outcome: current.status === 'reversed' ? ('already_reversed' as const) : ('unchanged' as const),
        payment: current,
        taken: 0,
        shortfall: 0,
      };
    }
    let split = reversalSplit(locked.amount, await tx.ledger.balance(locked.customerId, locked.currency));
    let entryId: string | null = null;
    // The balance may move between the read and the append (a purchase on another replica): the
    // append under the customer's lock is the judge, and a refusal says what the balance is.
    for (let attempt = 0; split.taken > 0 && entryId === null; attempt++) {
      try {
        const appended = await tx.ledger.append({
          customerId: locked.customerId,
          kind: 'payment_reversal',
          amount: -split.taken,
          currency: locked.currency,
          idempotencyKey: paymentReversalKey(locked.id),
          reference: (locked.externalRef ?? locked.id).slice(0, 200),
          note: `${locked.providerId} payment ${locked.id} ${reason === 'refunded' ? 'refunded' : 'charged back'}`,
          actor: how.actor,
        });
        entryId = appended.entry.id;
      } catch (error) {
        if (!InsufficientFundsError.is(error) || attempt >= 3) throw error;
        split = reversalSplit(locked.amount, error.balance);
      }
    }
    const reversed = await tx.payments.transition(paymentId, ['credited'], {
      status: 'reversed',
      decidedBy: how.actor,
      ...(entryId === null ? {} : { reversalEntryId: entryId }),
      note: how.note ?? reason,
      details: { reversal: { reason, taken: split.taken, shortfall: split.shortfall } },
    });
    await tx.audit.append({
      actor: how.actor,
      action: 'payment.reversed',
      subjectType: 'customer',
      subjectId: locked.customerId,
      data: {
        paymentId: locked.id,
        providerId: locked.providerId,
        reason,
        taken: split.taken,
        shortfall: split.shortfall,
        currency: locked.currency,
      },
    });
    return { outcome: 'reversed' as const, payment: reversed!, ...split };
  });
  if (result.outcome === 'reversed') {
    const { currency } = result.payment;
    ctx.events.emit('payment:reversed', {
      payment: result.payment,
      reason,
      taken: { amount: result.taken, currency },
      shortfall: { amount: result.shortfall, currency },
      at: ctx.clock.now(),
    });
  }
  return result;
}
