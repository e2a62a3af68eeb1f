import type { Payment } from '../../domain/payment.js';
import { ConfigurationError } from '../../errors.js';
import type { EngineContext } from '../context.js';
import { eachAlone, type JobHandler } from '../handler.js';
import { JOB_TYPES, parsePayload } from '../job-types.js';
import { runSavedMethodCharge } from './charges.js';
import { ChargeJobPayloadSchema, ForgetJobPayloadSchema, PAYMENT_JOB_RETRY, RefundJobPayloadSchema } from './payment-job-types.js';
import { runForgetSavedMethod } from './saved-methods.js';
import { runRefund } from './refunds.js';

/**
 * The worker's handlers of the payment jobs: refunds at the provider, off-session charges and forgetting removed
 * methods. They run in
 * the worker's process without a panel, under the jobs' leases (one replica at a time per job), with
 * `PAYMENT_JOB_RETRY`. `afterCharge` runs in the job a renewal charge's credit queued (the scheduler renews there).
 */
export function paymentJobHandlers(afterCharge: (ctx: EngineContext, payment: Payment) => Promise<void>): JobHandler[] {
  const refund: JobHandler = {
    type: JOB_TYPES.refundPayment,
    local: true,
    retry: PAYMENT_JOB_RETRY,
    route: async () => null,
    run: eachAlone(async (env, job) => {
      const { paymentId, refundId } = parsePayload(RefundJobPayloadSchema, job.payload, job.type);
      const registry = env.ctx.payments?.registry;
      if (registry === undefined) throw new ConfigurationError('the kit has no payment providers');
      await runRefund(env.ctx, registry, paymentId, refundId);
    }),
  };
  const charge: JobHandler = {
    type: JOB_TYPES.chargeSavedMethod,
    local: true,
    retry: PAYMENT_JOB_RETRY,
    route: async () => null,
    run: eachAlone(async (env, job) => {
      const { paymentId } = parsePayload(ChargeJobPayloadSchema, job.payload, job.type);
      const registry = env.ctx.payments?.registry;
      if (registry === undefined) throw new ConfigurationError('the kit has no payment providers');
      // A credit queues the renewal it paid for (see `creditPayment`).
      await runSavedMethodCharge(env.ctx, registry, paymentId);
    }),
  };
  const renew: JobHandler = {
    type: JOB_TYPES.renewCharged,
    local: true,
    retry: PAYMENT_JOB_RETRY,
    route: async () => null,
    run: eachAlone(async (env, job) => {
      const { paymentId } = parsePayload(ChargeJobPayloadSchema, job.payload, job.type);
      const payment = await env.ctx.storage.payments.get(paymentId);
      if (payment?.status === 'credited') await afterCharge(env.ctx, payment);
    }),
  };
  const forget: JobHandler = {
    type: JOB_TYPES.forgetSavedMethod,
    local: true,
    retry: PAYMENT_JOB_RETRY,
    route: async () => null,
    run: eachAlone(async (env, job) => runForgetSavedMethod(env.ctx, parsePayload(ForgetJobPayloadSchema, job.payload, job.type))),
  };
  return [refund, charge, renew, forget];
}
