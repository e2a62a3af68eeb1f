import type { Actor } from '../../domain/common.js';
import type { Payment } from '../../domain/payment.js';
import { PanelkitError } from '../../errors.js';
import { PaymentProviderUnavailableError, type SavedMethodChargeOutcome } from '../../ports/payment-provider.js';
import type { EngineContext } from '../context.js';
import type { PaymentProviderRegistry } from './providers.js';
import { openSavedMethod } from './saved-methods.js';
import { creditPayment } from './settle.js';

const GATEWAY: Actor = Object.freeze({ type: 'system', id: 'payment-gateway' });

/** The idempotency key of a payment's off-session charge at its provider: one payment, one charge. */
export function chargeIdempotencyKey(paymentId: string): string {
  return `charge:${paymentId}`;
}

/** What the charge job came to. */
export type ChargeRunResult = 'credited' | 'declined' | 'requires_action' | 'waiting' | 'done';

/**
 * The charge job's work: charges the saved method with the payment's idempotency key (so a retry after a
 * lost answer, another replica or a crash is the same charge at the provider) and applies the answer once:
 * paid → the payment is credited; declined → it is rejected and `payment.charge_declined` audited (the
 * buyer's notification); requires action → it waits for the buyer at `actionUrl` (`payment.action_required`
 * audited) and the provider's callback or a verify settles it. The provider's outage is retried by the job.
 */
export async function runSavedMethodCharge(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  paymentId: string,
): Promise<ChargeRunResult> {
  const payment = await ctx.storage.payments.get(paymentId);
  if (payment === null || payment.status !== 'pending') return payment?.status === 'credited' ? 'credited' : 'done';
  const asked = payment.details['chargeStatus'];
  if (asked === 'requires_action' || asked === 'pending') return 'waiting';
  const methodId = payment.details['savedMethodId'];
  const method = typeof methodId === 'string' ? await ctx.storage.paymentMethods.get(methodId) : null;
  if (method === null || method.customerId !== payment.customerId) {
    await decline(ctx, payment, null, 'the saved method was removed');
    return 'declined';
  }
  const provider = registry.require(payment.providerId);
  const box = ctx.payments?.secrets;
  if (provider.chargeSavedMethod === undefined || box == null)
    throw new PaymentProviderUnavailableError(provider.id, `${provider.id} cannot charge saved methods here`);
  let outcome: SavedMethodChargeOutcome;
  try {
    outcome = await provider.chargeSavedMethod({
      paymentId: payment.id,
      idempotencyKey: chargeIdempotencyKey(payment.id),
      customerId: payment.customerId,
      methodRef: openSavedMethod(box, method),
      amount: { amount: payment.amount, currency: payment.currency },
      description: typeof payment.details['description'] === 'string' ? payment.details['description'] : 'wallet top-up',
    });
  } catch (error) {
    if (PanelkitError.is(error)) throw error;
    throw new PaymentProviderUnavailableError(provider.id, `payment provider ${provider.id} could not charge`, { cause: error });
  }
  switch (outcome.status) {
    case 'succeeded': {
      const paid = outcome.amount;
      if (paid != null && (paid.amount !== payment.amount || paid.currency !== payment.currency)) {
        await ctx.storage.payments.transition(payment.id, ['pending'], {
          externalRef: outcome.externalRef,
          details: { chargeStatus: 'mismatch' },
        });
        ctx.logger.warn({ paymentId: payment.id, paid }, 'an off-session charge does not match its amount; left for an admin');
        return 'waiting';
      }
      await ctx.storage.payments.transition(payment.id, ['pending'], {
        externalRef: outcome.externalRef,
        details: { chargeStatus: 'succeeded' },
      });
      const credited = await creditPayment(ctx, payment.id, { confirmation: 'gateway', actor: GATEWAY, note: 'off-session charge' });
      return credited.payment.status === 'credited' ? 'credited' : 'done';
    }
    case 'declined':
      await decline(ctx, payment, outcome.externalRef, outcome.reason);
      return 'declined';
    case 'requires_action':
    case 'pending': {
      const waiting = await ctx.storage.transaction(async (tx) => {
        const noted = await tx.payments.transition(payment.id, ['pending'], {
          externalRef: outcome.externalRef,
          details: {
            chargeStatus: outcome.status,
            ...(outcome.status === 'requires_action' ? { redirectUrl: outcome.actionUrl } : {}),
          },
        });
        if (noted === null || outcome.status !== 'requires_action') return noted;
        await tx.audit.append({
          actor: GATEWAY,
          action: 'payment.action_required',
          subjectType: 'customer',
          subjectId: payment.customerId,
          data: chargeAuditData(noted, { actionUrl: outcome.actionUrl }),
        });
        return noted;
      });
      if (waiting !== null && outcome.status === 'requires_action')
        ctx.events.emit('payment:action_required', { payment: waiting, actionUrl: outcome.actionUrl, at: ctx.clock.now() });
      return outcome.status === 'requires_action' ? 'requires_action' : 'waiting';
    }
  }
}

function chargeAuditData(payment: Payment, extra: Record<string, string | null>): Record<string, string | number | boolean | null> {
  const subscriptionId = payment.details['subscriptionId'];
  return {
    paymentId: payment.id,
    providerId: payment.providerId,
    amount: payment.amount,
    currency: payment.currency,
    methodLabel: typeof payment.details['savedMethodLabel'] === 'string' ? payment.details['savedMethodLabel'] : null,
    subscriptionId: typeof subscriptionId === 'string' ? subscriptionId : null,
    ...extra,
  };
}

async function decline(ctx: EngineContext, payment: Payment, externalRef: string | null, reason: string): Promise<void> {
  const closed = await ctx.storage.transaction(async (tx) => {
    const after = await tx.payments.transition(payment.id, ['pending'], {
      status: 'rejected',
      decidedBy: GATEWAY,
      note: `declined: ${reason}`.slice(0, 1000),
      ...(externalRef === null ? {} : { externalRef }),
      details: { chargeStatus: 'declined', declineReason: reason.slice(0, 300) },
    });
    if (after === null) return null;
    await tx.audit.append({
      actor: GATEWAY,
      action: 'payment.charge_declined',
      subjectType: 'customer',
      subjectId: payment.customerId,
      data: chargeAuditData(after, { reason: reason.slice(0, 300) }),
    });
    return after;
  });
  if (closed !== null) {
    ctx.events.emit('payment:closed', { payment: closed, actor: GATEWAY, at: ctx.clock.now() });
    ctx.events.emit('payment:charge_declined', { payment: closed, reason, at: ctx.clock.now() });
  }
}
