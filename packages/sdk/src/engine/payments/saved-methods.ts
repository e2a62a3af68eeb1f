import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IdSchema, JsonObjectSchema } from '../../domain/common.js';
import { MoneySchema } from '../../domain/money.js';
import type { Payment } from '../../domain/payment.js';
import { viewOfSavedMethod, type SavedPaymentMethod, type SavedPaymentMethodView } from '../../domain/payment-method.js';
import { parseInput } from '../../domain/validate.js';
import { ConfigurationError, EligibilityError, NotFoundError } from '../../errors.js';
import type { SavedPaymentMethodReport } from '../../ports/payment-provider.js';
import type { StorageRepositories } from '../../ports/storage.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { EngineContext } from '../context.js';
import { chargeJob, type ForgetJobPayloadSchema, forgetMethodJob } from './payment-job-types.js';
import type { PaymentProviderRegistry } from './providers.js';

/** What sealing a saved method's reference is bound to: opened only as the same customer's method with the same provider. */
export function savedMethodContext(customerId: string, providerId: string): string {
  return `payments.saved_method:${customerId}:${providerId}`;
}

/** The one-way digest a method is known by (hex SHA-256 of the provider and its reference). */
export function savedMethodFingerprint(providerId: string, ref: string): string {
  return createHash('sha256').update(`${providerId}\u0000${ref}`).digest('hex');
}

/**
 * Keeps the method a payment saved, in the transaction that credits it: sealed, one row per customer,
 * provider and method. Only when the buyer asked (`details.saveMethod`) and the kit has a secret box.
 */
export async function rememberSavedMethod(
  ctx: EngineContext,
  tx: StorageRepositories,
  payment: Payment,
  report: SavedPaymentMethodReport,
): Promise<SavedPaymentMethod | null> {
  if (payment.details['saveMethod'] !== true) return null;
  const box = ctx.payments?.secrets ?? null;
  if (box === null) {
    ctx.logger.warn({ paymentId: payment.id }, 'a payment saved a method, but the kit has no payments.secrets to seal it: not kept');
    return null;
  }
  return tx.paymentMethods.save({
    customerId: payment.customerId,
    providerId: payment.providerId,
    sealedRef: box.seal(report.ref, savedMethodContext(payment.customerId, payment.providerId)),
    fingerprint: savedMethodFingerprint(payment.providerId, report.ref),
    label: report.label.slice(0, 100) || payment.providerId,
    allowRenewal: payment.details['allowRenewal'] === true,
    paymentId: payment.id,
  });
}

/** Opens a saved method's reference for its provider (`SecretKeyError` when no key of the box opens it). */
export function openSavedMethod(box: SecretBox, method: SavedPaymentMethod): string {
  return box.open(method.sealedRef, savedMethodContext(method.customerId, method.providerId));
}

async function ownMethod(
  ctx: EngineContext,
  customerId: string,
  methodId: string,
  repos: StorageRepositories = ctx.storage,
): Promise<SavedPaymentMethod> {
  const method = await repos.paymentMethods.get(parseInput(IdSchema, methodId, 'saved payment method id'));
  if (method === null || method.customerId !== customerId) throw new NotFoundError('saved payment method', methodId);
  return method;
}

/** The customer's saved methods, without their references. */
export async function listSavedMethods(ctx: EngineContext, customerId: string): Promise<SavedPaymentMethodView[]> {
  return (await ctx.storage.paymentMethods.listByCustomer(parseInput(IdSchema, customerId, 'customer id'))).map(viewOfSavedMethod);
}

/** Whether the method's provider, as the kit has it now, can make its gateway forget a method. */
function forgetsAtProvider(ctx: EngineContext, providerId: string): boolean {
  const provider = ctx.payments?.registry.list().find((p) => p.id === providerId);
  return provider?.forgetSavedMethod !== undefined;
}

/**
 * The buyer forgets a saved method (audited); another buyer's is a `NotFoundError`. Nothing is charged from it
 * afterwards. Where its provider can forget methods (`forgetSavedMethod`), a job in the same transaction makes the
 * gateway forget it too (Stripe detaches the card), so the shop keeps no way to charge it anywhere.
 */
export async function removeSavedMethod(ctx: EngineContext, input: { customerId: string; methodId: string }): Promise<void> {
  const method = await ownMethod(ctx, input.customerId, input.methodId);
  await ctx.storage.transaction(async (tx) => {
    if (!(await tx.paymentMethods.remove(method.id))) return;
    if (forgetsAtProvider(ctx, method.providerId))
      await tx.jobs.enqueue(
        forgetMethodJob(
          { methodId: method.id, customerId: method.customerId, providerId: method.providerId, sealedRef: method.sealedRef },
          ctx,
        ),
      );
    await tx.audit.append({
      actor: { type: 'customer', id: method.customerId },
      action: 'payment.method_removed',
      subjectType: 'customer',
      subjectId: method.customerId,
      data: { methodId: method.id, providerId: method.providerId, label: method.label },
    });
  });
}

/** The buyer lets a saved method pay their auto-renewals when the wallet is short, or stops it (audited). */
export async function allowSavedMethodForRenewal(
  ctx: EngineContext,
  input: { customerId: string; methodId: string; allowed: boolean },
): Promise<SavedPaymentMethodView> {
  const method = await ownMethod(ctx, input.customerId, input.methodId);
  const allowed = parseInput(z.boolean(), input.allowed, 'allowed');
  if (method.allowRenewal === allowed) return viewOfSavedMethod(method);
  return ctx.storage.transaction(async (tx) => {
    const changed = await tx.paymentMethods.setAllowRenewal(method.id, allowed);
    if (changed === null) throw new NotFoundError('saved payment method', method.id);
    await tx.audit.append({
      actor: { type: 'customer', id: method.customerId },
      action: allowed ? 'payment.method_renewal_on' : 'payment.method_renewal_off',
      subjectType: 'customer',
      subjectId: method.customerId,
      data: { methodId: method.id, providerId: method.providerId },
    });
    return viewOfSavedMethod(changed);
  });
}

/** Validates `kit.payments.chargeSavedMethod`. */
export const ChargeSavedMethodSchema = z.object({
  customerId: IdSchema,
  methodId: IdSchema,
  amount: MoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  /** What makes this charge one: the same key again is the same payment, charged once (e.g. `renewal:<subscription>:<period>`). */
  key: z.string().min(1).max(200),
  description: z.string().min(1).max(200).default('wallet top-up'),
  /** Kept on the payment (`details`), e.g. the subscription a renewal charge is for. */
  details: JsonObjectSchema.default({}),
});
/** Input of `kit.payments.chargeSavedMethod`. */
export type ChargeSavedMethodRequest = z.input<typeof ChargeSavedMethodSchema>;

/**
 * Starts an off-session charge of a saved method: a `pending` payment (request key `key`, so the same key is
 * the same payment) and its charge job, in one transaction (with the caller's `tx` when given). The job
 * charges the provider with the payment's idempotency key and credits the payment when it is paid.
 */
export async function startSavedMethodCharge(
  ctx: EngineContext,
  registry: PaymentProviderRegistry,
  input: ChargeSavedMethodRequest,
  tx?: StorageRepositories,
): Promise<{ payment: Payment; replayed: boolean }> {
  const request = parseInput(ChargeSavedMethodSchema, input, 'saved method charge');
  const method = await ownMethod(ctx, request.customerId, request.methodId, tx);
  const provider = registry.require(method.providerId);
  if (provider.capabilities.savedMethods !== true || provider.chargeSavedMethod === undefined)
    throw new EligibilityError(`${provider.id} cannot charge saved methods`, ['saved_methods_not_supported'], {
      details: { providerId: provider.id },
    });
  if (ctx.payments?.secrets == null) throw new ConfigurationError('charging saved methods needs payments.secrets in createPanelkit');
  const write = async (t: StorageRepositories) => {
    const made = await t.payments.create(
      {
        customerId: method.customerId,
        providerId: method.providerId,
        amount: request.amount.amount,
        currency: request.amount.currency,
        requestKey: request.key,
        details: {
          ...request.details,
          savedMethodId: method.id,
          savedMethodLabel: method.label,
          offSession: true,
          description: request.description,
        },
      },
      { maxPending: null },
    );
    if (!made.ok) {
      if (made.reason === 'duplicate') return { payment: made.existing, replayed: true };
      throw new EligibilityError('the charge could not be recorded', ['too_many_pending']);
    }
    await t.audit.append({
      actor: { type: 'system', id: 'payments' },
      action: 'payment.started',
      subjectType: 'customer',
      subjectId: method.customerId,
      data: {
        paymentId: made.payment.id,
        providerId: method.providerId,
        amount: made.payment.amount,
        currency: made.payment.currency,
        offSession: true,
        needsReview: false,
      },
    });
    await t.jobs.enqueue(chargeJob(made.payment.id, ctx));
    return { payment: made.payment, replayed: false };
  };
  return tx === undefined ? ctx.storage.transaction(write) : write(tx);
}

/**
 * The `payment.forget_method` job: opens the removed method's reference and asks its provider to forget it. A
 * provider no longer configured, or one that cannot forget, leaves nothing to do (logged).
 */
export async function runForgetSavedMethod(ctx: EngineContext, payload: z.infer<typeof ForgetJobPayloadSchema>): Promise<void> {
  const provider = ctx.payments?.registry.list().find((p) => p.id === payload.providerId);
  const box = ctx.payments?.secrets ?? null;
  if (provider?.forgetSavedMethod === undefined || box === null) {
    ctx.logger.warn(
      { methodId: payload.methodId, providerId: payload.providerId },
      'a removed saved method cannot be forgotten at its provider now',
    );
    return;
  }
  const methodRef = box.open(payload.sealedRef, savedMethodContext(payload.customerId, payload.providerId));
  await provider.forgetSavedMethod({ customerId: payload.customerId, methodRef });
}
