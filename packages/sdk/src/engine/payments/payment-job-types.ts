import { z } from 'zod';
import { IdSchema } from '../../domain/common.js';
import { keyedId } from '../../domain/ids.js';
import type { NewJob } from '../../domain/job.js';
import type { EngineContext } from '../context.js';
import { JOB_TYPES } from '../job-types.js';
import type { JobRetryPolicy } from '../policy.js';

/** The payload of a `payment.refund` job: the payment and the refund recorded on it. */
export const RefundJobPayloadSchema = z.object({ paymentId: IdSchema, refundId: z.string().min(1).max(100) });

/** The payload of a `payment.charge_saved` job: the pending payment the charge is. */
export const ChargeJobPayloadSchema = z.object({ paymentId: IdSchema });

/**
 * The payload of a `payment.forget_method` job: the removed method as it was stored (its row is gone), its
 * reference still sealed to its customer and provider.
 */
export const ForgetJobPayloadSchema = z.object({
  methodId: IdSchema,
  customerId: IdSchema,
  providerId: z.string().min(1).max(40),
  sealedRef: z.string().min(1),
});

/**
 * How payment jobs retry: a provider's outage may last hours and money must not be left half-done, so they
 * keep trying for three days, backing off to 15 minutes between attempts.
 */
export const PAYMENT_JOB_RETRY: Readonly<JobRetryPolicy> = Object.freeze({
  maxAttempts: 400,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60_000,
  maxRetryAfterMs: 24 * 60 * 60_000,
  giveUpAfterMs: 3 * 24 * 60 * 60_000,
});

// One attempt held back, as for every engine job (see `jobAttempts`).
const attempts = (_ctx: EngineContext): number => PAYMENT_JOB_RETRY.maxAttempts + 1;

/** The one job of a refund (its id is keyed by the refund: enqueued twice, it is one job). */
export function refundJob(paymentId: string, refundId: string, ctx: EngineContext): NewJob {
  return {
    id: keyedId('job', `${JOB_TYPES.refundPayment}\u0000${refundId}`),
    type: JOB_TYPES.refundPayment,
    payload: { paymentId, refundId },
    serialKey: `payment:${paymentId}`,
    maxAttempts: attempts(ctx),
  };
}

/** The one job of an off-session charge (keyed by its payment). */
export function chargeJob(paymentId: string, ctx: EngineContext): NewJob {
  return {
    id: keyedId('job', `${JOB_TYPES.chargeSavedMethod}\u0000${paymentId}`),
    type: JOB_TYPES.chargeSavedMethod,
    payload: { paymentId },
    serialKey: `payment:${paymentId}`,
    maxAttempts: attempts(ctx),
  };
}

/** The one job that renews what a credited renewal charge paid for (keyed by its payment). */
export function renewChargedJob(paymentId: string, ctx: EngineContext): NewJob {
  return {
    id: keyedId('job', `${JOB_TYPES.renewCharged}\u0000${paymentId}`),
    type: JOB_TYPES.renewCharged,
    payload: { paymentId },
    serialKey: `payment:${paymentId}`,
    maxAttempts: attempts(ctx),
  };
}

/** The one job that makes the provider forget a removed method (keyed by the method). */
export function forgetMethodJob(method: z.infer<typeof ForgetJobPayloadSchema>, ctx: EngineContext): NewJob {
  return {
    id: keyedId('job', `${JOB_TYPES.forgetSavedMethod}\u0000${method.methodId}`),
    type: JOB_TYPES.forgetSavedMethod,
    payload: method,
    serialKey: `payment_method:${method.methodId}`,
    maxAttempts: attempts(ctx),
  };
}
