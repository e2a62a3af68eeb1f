import type { Subscription } from '../domain/subscription.js';
import type { Money } from '../domain/money.js';
import { ConflictError, EligibilityError, InsufficientFundsError, NotFoundError } from '../errors.js';
import { orderPurchaseKey, quoteDiscount } from '../engine/discount.js';
import { chargeAndQueueUpdate, changeRecorded, panelLocations, updateInFlight } from '../engine/extension.js';
import type { DiscountQuote } from '../rules/discount.js';
import { auditSubscription } from '../engine/context.js';
import { decideRenewal, renewableStatus } from '../rules/renewal.js';
import { TickScope } from './tick-scope.js';
import type { EngineContext } from '../engine/context.js';
import type { Payment } from '../domain/payment.js';
import { startSavedMethodCharge } from '../engine/payments/saved-methods.js';
import { pages } from '../engine/paging.js';
import { forEachAtOnce } from './tick-scope.js';
import { soldPlan } from '../engine/sold-plan.js';
import { spendable } from '../rules/credit.js';
import type { StorefrontRefusalReason } from '../rules/storefront.js';
import { changeSize, openStorefrontCharge, wholesaleTerms } from '../engine/storefront-charge.js';
import { StorefrontRefusedError } from '../engine/storefront-sale.js';
import { takesDiscountCodes } from '../rules/storefront.js';

/** One renewal per subscription and period, whichever replica or tick tries it. */
export function renewalKey(sub: Pick<Subscription, 'id' | 'expiresAt'>): string {
  return `renew:${sub.id}:${sub.expiresAt?.toISOString() ?? 'none'}`;
}

type RenewalOutcome = 'renewed' | 'in_flight' | 'not_renewed';

async function noteOnce(scope: TickScope, sub: Subscription, notice: string): Promise<boolean> {
  const { ctx } = scope;
  const written = await ctx.storage.transaction(async (tx) => {
    const current = await tx.subscriptions.get(sub.id);
    if (current === null || current.notices.includes(notice)) return null;
    const next = await tx.subscriptions.update(
      current.id,
      { notices: [...current.notices, notice] },
      { expectedRevision: current.revision },
    );
    await auditSubscription(tx, scope.actor, 'subscription.warned', next, { notice });
    return next;
  });
  if (written === null) return false;
  ctx.events.emit('subscription:warned', { subscription: written, actor: scope.actor, at: scope.now, notice });
  return true;
}

/**
 * Tells the buyer once why this period's renewal (`key`) was refused, unless another replica's renewal of the period
 * committed meanwhile and is what refused it (its debit spent the wallet, its sale filled the storefront's quota or
 * took the reseller's credit): `false` then, and no notice. The key is read only on this refusal's path.
 */
async function refuseOnce(scope: TickScope, sub: Subscription, key: string, notice: string): Promise<boolean> {
  if (await changeRecorded(scope.ctx.storage, key)) return false;
  await noteOnce(scope, sub, notice);
  return true;
}

/**
 * The notice a storefront buyer's auto-renewal refused by its storefront leaves (`renewal:storefront:<reason>`, e.g.
 * `renewal:storefront:storefront_suspended`, `renewal:storefront:reseller_credit`), once per period like
 * `renewal:insufficient_funds`. A renewal is a sale: when the storefront is suspended, over quota, or its reseller's
 * wallet and credit cannot pay the wholesale price, nothing is charged or written, the buyer is told, and the
 * subscription runs on to its expiry (one more try is made then, as for a short wallet).
 */
export function storefrontRefusalNotice(reason: StorefrontRefusalReason): string {
  return `renewal:storefront:${reason}`;
}

/** `paid`: a charge for this renewal was credited, so an expired subscription in its grace period renews too. */
async function renew(scope: TickScope, sub: Subscription, leadMs: number, paid = false): Promise<RenewalOutcome> {
  const { ctx, now } = scope;
  if (!sub.autoRenew || sub.expiresAt === null) return 'not_renewed';
  const key = renewalKey(sub);
  // Tried for this period already. Once its job has ended (a failure is refunded), the period is
  // not renewed: the subscription may expire.
  if (await changeRecorded(ctx.storage, key)) return (await updateInFlight(ctx.storage, sub.id)) ? 'in_flight' : 'not_renewed';
  // Renewed at the terms it was sold with (a reseller's prices included), not the plan's current ones.
  const plan = await soldPlan(ctx.storage, sub).catch((error: unknown) => {
    if (NotFoundError.is(error)) return null;
    throw error;
  });
  const caps = await scope.capabilities(sub.panelId);
  if (plan === null || caps === null) return 'not_renewed';
  const currency = (plan.extension.price ?? plan.price).currency;
  // What the customer may spend: its balance plus its credit limit. Only a hint: the debit is checked
  // again by the ledger, under the customer's lock.
  const balance = spendable(
    await ctx.storage.ledger.balance(sub.customerId, currency),
    await ctx.storage.ledger.creditLimit(sub.customerId, currency),
  );
  const decision = decideRenewal({ subscription: sub, plan, now, balance, leadMs, paid });
  // Not renewing for a reason other than money: a discount would change nothing.
  const quote = decision.renew ? decision.quote : decision.reason === 'insufficient_funds' ? decision.quote : undefined;
  if (quote === undefined) return 'not_renewed';
  const discount = await renewalDiscount(scope, sub, quote.price);
  const due = discount?.price ?? quote.price;
  if (balance < due.amount) {
    // The buyer's saved method pays the shortfall when they allowed it; its job renews once it is paid.
    const charge = await chargeShortfall(scope, sub, key, { amount: due.amount - balance, currency: due.currency });
    if (charge === 'renewed') return 'in_flight';
    if (charge === 'none' && !(await refuseOnce(scope, sub, key, 'renewal:insufficient_funds'))) return 'in_flight';
    return 'not_renewed';
  }
  // A code whose last use went meanwhile: renew at the full price rather than not at all.
  for (const applied of discount === null ? [null] : [discount, null]) {
    try {
      const charged = await ctx.storage.transaction(async (tx) => {
        const current = await tx.subscriptions.get(sub.id);
        if (current === null || renewalKey(current) !== key) return null;
        // Terminated, or auto-renew turned off, since it was read: the money stays in the wallet.
        if (!current.autoRenew || !renewableStatus(current.status, paid)) return 'refused' as const;
        // A storefront's buyer: a renewal is a sale like any (see `storefrontRefusal` for a refused one).
        const storefront = await openStorefrontCharge(tx, current.customerId, {
          source: 'renewal',
          size: changeSize(current, quote.newTrafficLimitBytes),
          wholesale: async (sale) => {
            const terms = await wholesaleTerms(tx, sale, plan);
            const at = decideRenewal({ subscription: current, plan: terms, now, balance: Number.MAX_SAFE_INTEGER, leadMs, paid });
            return at.renew ? at.quote.price : quote.price;
          },
        });
        // The code was judged before this read of the buyer: a buyer moved into a storefront since spends none.
        const code = takesDiscountCodes({ storefrontId: storefront?.sale.storefront.id ?? null }) ? applied : null;
        return chargeAndQueueUpdate(ctx, tx, current, caps, {
          storefront,
          action: 'renew',
          newExpiresAt: quote.newExpiresAt,
          newTrafficLimitBytes: quote.newTrafficLimitBytes,
          price: code?.price ?? quote.price,
          ledgerKey: key,
          ledgerKind: 'extension',
          actor: scope.actor,
          discount: code,
          discountUse: 'renewal',
        });
      });
      if (charged === 'refused') return 'not_renewed';
      if (charged?.entry) ctx.events.emit('ledger:appended', { entry: charged.entry, at: now });
      return charged === null ? 'in_flight' : 'renewed';
    } catch (error) {
      if (InsufficientFundsError.is(error) || StorefrontRefusedError.is(error)) {
        const notice = StorefrontRefusedError.is(error) ? storefrontRefusalNotice(error.reason) : 'renewal:insufficient_funds';
        return (await refuseOnce(scope, sub, key, notice)) ? 'not_renewed' : 'in_flight';
      }
      if (ConflictError.is(error)) return 'in_flight';
      if (EligibilityError.is(error) && applied !== null) continue;
      throw error;
    }
  }
  return 'not_renewed';
}

/**
 * Starts the one off-session charge of a renewal's shortfall, when the buyer saved a method with a provider
 * that charges saved methods and allowed it to pay renewals (their oldest such method). One per subscription
 * and period across every tick and replica: the charge is recorded together with winning the
 * `renewal-charge:<subscription>` slot for the period's expiry, and the payment's request key is the renewal's
 * key. `charged` when a charge exists for this renewal (started now or before: the buyer is not told to top up),
 * `renewed` when another replica renewed the period from the wallet since the shortfall was read (no charge), `none`
 * when no saved method may pay it.
 */
async function chargeShortfall(
  scope: TickScope,
  sub: Subscription,
  key: string,
  shortfall: Money,
): Promise<'charged' | 'renewed' | 'none'> {
  const { ctx } = scope;
  const payments = ctx.payments;
  if (payments === undefined || payments.secrets === null || sub.expiresAt === null) return 'none';
  const chargeable = (providerId: string) => {
    const provider = payments.registry.list().find((p) => p.id === providerId);
    return provider?.capabilities.savedMethods === true;
  };
  const method = (await ctx.storage.paymentMethods.listByCustomer(sub.customerId)).find((m) => m.allowRenewal && chargeable(m.providerId));
  if (method === undefined) return 'none';
  const expiresAt = sub.expiresAt;
  return ctx.storage.transaction(async (tx) => {
    // Another replica may have renewed the period from the wallet since the shortfall was read: no charge then.
    if (await changeRecorded(tx, key)) return 'renewed' as const;
    if (!(await tx.ticks.tryAcquire(`renewal-charge:${sub.id}`, expiresAt))) return 'charged' as const;
    const { payment } = await startSavedMethodCharge(
      ctx,
      payments.registry,
      {
        customerId: sub.customerId,
        methodId: method.id,
        amount: shortfall,
        key,
        description: 'subscription renewal',
        details: { subscriptionId: sub.id, renewalKey: key },
      },
      tx,
    );
    await auditSubscription(tx, scope.actor, 'subscription.renewal_charge_started', sub, {
      paymentId: payment.id,
      methodId: method.id,
      amount: shortfall.amount,
      currency: shortfall.currency,
    });
    return 'charged' as const;
  });
}

/**
 * After an off-session charge for a renewal was credited (the job its credit queued calls this): renews the
 * subscription from the wallet now, when it is still the period the charge was for, it still renews itself
 * and it is live or expired in its grace period (an expired one starts a new period from now, revived as an
 * extension by hand revives it). Terminated, or auto-renew turned off: the money stays in the wallet.
 * Idempotent: the renewal's ledger key makes a second call, on any replica, find it renewed. A lost race
 * with another write to the subscription throws `ConflictError`, so the job tries again.
 */
export async function renewAfterCharge(ctx: EngineContext, payment: Payment): Promise<void> {
  const subscriptionId = payment.details['subscriptionId'];
  const key = payment.details['renewalKey'];
  if (typeof subscriptionId !== 'string' || typeof key !== 'string') return;
  const sub = await ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null || renewalKey(sub) !== key || !sub.autoRenew) return;
  const now = ctx.clock.now();
  const outcome = await renew(new TickScope(ctx, now, now), sub, Number.MAX_SAFE_INTEGER, true);
  if (outcome === 'in_flight' && !(await changeRecorded(ctx.storage, key)))
    throw new ConflictError(`subscription ${sub.id} changed while its paid renewal was being made`, {
      details: { reason: 'renewal_raced', subscriptionId: sub.id },
    });
}

/**
 * The discount an auto-renewal gets: the code the subscription's order was bought with, when that code
 * applies to renewals (`appliesTo` has `renewal`) and still allows it now (each renewal takes a use).
 */
async function renewalDiscount(scope: TickScope, sub: Subscription, price: Money): Promise<DiscountQuote | null> {
  const { ctx, now } = scope;
  if (sub.orderId === null) return null;
  const used = await ctx.storage.discounts.getRedemption(orderPurchaseKey(sub.orderId));
  const code = used === null ? null : await ctx.storage.discounts.get(used.codeId);
  if (code === null || !code.appliesTo.includes('renewal')) return null;
  const locations = await panelLocations(ctx.storage, sub.panelId);
  const decision = await quoteDiscount(ctx.storage, {
    code: code.code,
    customerId: sub.customerId,
    use: 'renewal',
    planId: sub.planId,
    locations,
    on: 'panel',
    price,
    now,
  });
  return decision.allowed ? decision.quote : null;
}

/** At expiry: an auto-renewing subscription gets one more try before it expires. */
export function tryLastChanceRenewal(scope: TickScope, sub: Subscription): Promise<RenewalOutcome> {
  return renew(scope, sub, Number.MAX_SAFE_INTEGER);
}

/**
 * Auto-renew: subscriptions whose renewal time (`expiresAt - renewalLeadMs`) fell since the last
 * tick are charged from the wallet and get an update job. The window slides with the ticks, so
 * each tick reads only what came due.
 */
export async function renewDue(scope: TickScope): Promise<number> {
  const { ctx, now, since } = scope;
  const lead = ctx.policy.renewalLeadMs;
  let count = 0;
  const query = {
    kind: 'expiring' as const,
    statuses: ['active', 'limited'] as const,
    from: new Date(since.getTime() + lead + 1),
    to: new Date(now.getTime() + lead + 1),
  };
  const due = pages((p) => ctx.storage.subscriptions.listDue({ ...query, statuses: [...query.statuses] }, p));
  await forEachAtOnce(due, ctx.policy.sweepConcurrency, async (sub) => {
    if (sub.autoRenew && (await renew(scope, sub, lead)) === 'renewed') count++;
  });
  return count;
}

/** Warnings before expiry, each once per subscription, lead time and period. */
export async function warnExpiry(scope: TickScope): Promise<number> {
  const { ctx, now, since } = scope;
  let count = 0;
  for (const lead of ctx.policy.expiryWarningsMs) {
    const notice = `expiry:${Math.round(lead / 60_000)}m`;
    const query = {
      kind: 'expiring' as const,
      statuses: ['active' as const, 'limited' as const],
      from: new Date(since.getTime() + lead + 1),
      to: new Date(now.getTime() + lead + 1),
    };
    await forEachAtOnce(
      pages((p) => ctx.storage.subscriptions.listDue(query, p)),
      ctx.policy.sweepConcurrency,
      async (sub) => {
        if (sub.notices.includes(notice)) return;
        // Already renewed for this period: no need to warn.
        if (sub.autoRenew && (await changeRecorded(ctx.storage, renewalKey(sub)))) return;
        try {
          if (await noteOnce(scope, sub, notice)) count++;
        } catch (error) {
          if (!ConflictError.is(error)) throw error;
        }
      },
    );
  }
  return count;
}
