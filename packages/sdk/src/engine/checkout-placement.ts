import type { Actor } from '../domain/common.js';
import type { NewAuditEvent } from '../domain/audit.js';
import { createId } from '../domain/ids.js';
import type { NewJob } from '../domain/job.js';
import type { Money } from '../domain/money.js';
import type { OrderItem } from '../domain/order.js';
import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import { deriveRemoteIdentity } from '../domain/remote-identity.js';
import type { NewSubscription } from '../domain/subscription.js';
import { type SubscriptionTerms, termsOf } from '../domain/subscription-terms.js';
import type { Target } from '../domain/target.js';
import type { OrderPlacement } from '../ports/storage-order-placement.js';
import type { DiscountQuote } from '../rules/discount.js';
import type { EngineContext } from './context.js';
import { orderPurchaseKey } from './discount.js';
import { jobAttempts, provisionJob } from './job-types.js';
import { type BuiltUnit, chooseIn, placeBuiltLine } from './built-plan.js';
import { type EntitlementKind, KIND_TRAITS } from '../domain/entitlement.js';
import { splitBuiltPrice } from '../rules/plan-builder.js';
import { serialTargetWrites, targetSerialKey } from './serial-keys.js';

/** What a checkout has read and priced before it writes: everything `checkoutPlacement` turns into rows. */
export interface CheckoutBasis {
  readonly ctx: EngineContext;
  readonly actor: Actor;
  /** The order's id, chosen before its rows (they point at it). */
  readonly orderId: string;
  readonly customerId: string;
  readonly request: {
    readonly idempotencyKey: string;
    readonly items: readonly { planId: string; quantity: number; trial: boolean; autoRenew: boolean; location?: string | undefined }[];
  };
  /** The request's hash, stored with the order for replays. */
  readonly hash: string;
  /** The plans at the customer's prices, by id. */
  readonly plans: ReadonlyMap<string, Plan>;
  readonly orderItems: readonly OrderItem[];
  /** What is paid, after a discount. */
  readonly total: Money;
  /** What each unit paid (`unitsPaid[item][unit]`), after a discount. */
  readonly unitsPaid: readonly (readonly number[])[];
  readonly discount: DiscountQuote | null;
  readonly targets: readonly Target[];
  readonly panels: readonly Panel[];
  /** The subscriptions' ids, chosen before (one per unit, in order) when other rows point at them; fresh ones otherwise. */
  readonly subscriptionIds?: readonly string[];
}

/**
 * The rows of a checkout for `orders.place`: the order, its purchase debit (none when it costs nothing),
 * a pending subscription per unit on a target chosen as `reserveSlot` would (skipping `full`), a provisioning
 * job for each one the plan provisions at once (or a trial), and the audit events. `planned` counts the
 * subscriptions put on each target. `CapacityExhaustedError` (`no_target`) when a unit finds no target.
 */
export function checkoutPlacement(
  basis: CheckoutBasis,
  full: ReadonlySet<string>,
): { placement: OrderPlacement; planned: Map<string, number> } {
  const { ctx, actor, orderId, customerId, total, discount } = basis;
  const planned = new Map<string, number>();
  const subscriptions: (NewSubscription & { id: string })[] = [];
  const jobs: NewJob[] = [];
  const discountData = discount === null ? {} : { discountCode: discount.code, discount: discount.discount.amount };
  const audit: NewAuditEvent[] = [
    {
      actor,
      action: 'order.placed',
      subjectType: 'order',
      subjectId: orderId,
      data: { total: total.amount, currency: total.currency, ...discountData },
    },
  ];
  for (const [index, item] of basis.request.items.entries()) {
    const plan = basis.plans.get(item.planId)!;
    const line = basis.orderItems[index]!;
    const unitPrice = line.unitPrice;
    // A built line is one subscription per chosen location, each with the built terms, sharing one bundle; a fixed
    // line `quantity` units of the plan's, each one subscription per kind the plan sells (a bundle when several).
    const parts: Part[] =
      line.built !== undefined
        ? bundled(placeBuiltLine(plan, line, basis.targets, basis.panels, planned, full), plan.kinds[0]!, basis.unitsPaid[index]!)
        : fixedParts(basis, index, planned, full);
    for (const { target, terms, kind, bundleId, paid } of parts) {
      const id = basis.subscriptionIds?.[subscriptions.length] ?? createId('sub');
      subscriptions.push({
        id,
        customerId,
        orderId,
        planId: plan.id,
        panelId: target.panelId,
        targetId: target.id,
        remote: deriveRemoteIdentity(id, 0, ctx.policy.identity, kind),
        trafficLimitBytes: item.trial ? plan.trial!.trafficBytes : terms.trafficBytes,
        expiresAt: null,
        durationDays: item.trial ? plan.trial!.days : terms.durationDays,
        startOnFirstUse: plan.startOnFirstUse,
        deviceLimit: KIND_TRAITS[kind].devicesCountable ? terms.deviceLimit : null,
        autoRenew: item.autoRenew && !item.trial,
        trial: item.trial,
        terms,
        bundleId,
        kind,
      });
      audit.push({
        actor,
        action: 'subscription.ordered',
        subjectType: 'subscription',
        subjectId: id,
        data: {
          orderId,
          targetId: target.id,
          ...(terms.built === null ? {} : { location: terms.built.location }),
          ...(kind === 'xray' ? {} : { kind }),
        },
      });
      if (plan.autoProvision || item.trial) {
        const panel = basis.panels.find((p) => p.id === target.panelId)!;
        const serialKey = serialTargetWrites(ctx, panel) ? targetSerialKey(panel.id, target.remoteRef) : null;
        const payload = { subscriptionId: id, price: { amount: paid, currency: unitPrice.currency }, round: 0 };
        jobs.push(provisionJob(id, target.id, payload, jobAttempts(ctx.policy), serialKey));
      }
    }
  }
  const debit =
    total.amount > 0
      ? {
          customerId,
          kind: 'purchase' as const,
          amount: -total.amount,
          currency: total.currency,
          idempotencyKey: orderPurchaseKey(orderId),
          orderId,
          actor,
        }
      : null;
  const order = {
    id: orderId,
    customerId,
    items: [...basis.orderItems],
    total,
    idempotencyKey: basis.request.idempotencyKey,
    requestHash: basis.hash,
  };
  return { placement: { order, debit, subscriptions, jobs, audit }, planned };
}

/** One subscription a checkout line makes: where it goes, its terms and kind, its bundle, and what it paid. */
interface Part extends BuiltUnit {
  readonly kind: EntitlementKind;
  /** Shared by the parts sold as one unit (a built plan's locations, a plan's kinds); `null` for a part sold alone. */
  readonly bundleId: string | null;
  /** What this part paid after a discount: a failed part refunds exactly this. */
  readonly paid: number;
}

/** A built line's units as parts of one bundle of `kind` (a built plan sells one kind), each paying its share. */
function bundled(units: readonly BuiltUnit[], kind: EntitlementKind, paid: readonly number[]): Part[] {
  const bundleId = createId('bnd');
  return units.map((unit, n) => ({ ...unit, kind, bundleId, paid: paid[n]! }));
}

/**
 * A fixed line's parts: for each of its `quantity` units, one subscription per kind the plan sells, each kind's
 * targets chosen as `reserveSlot` would; a unit of several kinds is a bundle whose parts split what the unit paid
 * (`splitBuiltPrice`, so the shares add up to it exactly). Units in order, each unit's parts in the plan's kind order.
 */
function fixedParts(basis: CheckoutBasis, index: number, planned: Map<string, number>, full: ReadonlySet<string>): Part[] {
  const item = basis.request.items[index]!;
  const plan = basis.plans.get(item.planId)!;
  const chosen = plan.kinds.map((kind) =>
    chooseIn(plan, item.quantity, item.location ?? null, basis.targets, basis.panels, planned, full, kind),
  );
  const parts: Part[] = [];
  for (let unit = 0; unit < item.quantity; unit++) {
    const bundleId = plan.kinds.length > 1 ? createId('bnd') : null;
    const shares = splitBuiltPrice(basis.unitsPaid[index]![unit]!, plan.kinds.length);
    for (const [k, kind] of plan.kinds.entries()) {
      parts.push({ target: chosen[k]![unit]!, terms: partTerms(plan, k), kind, bundleId, paid: shares[k]! });
    }
  }
  return parts;
}

/**
 * The terms of the `k`-th kind of a plan sold as a bundle: the plan's, with its price and extension price split over
 * its kinds as `splitBuiltPrice` splits them (each part is extended and renewed at its share, so a bundle's parts
 * together cost the plan's price); a plan of one kind keeps its terms whole.
 */
export function partTerms(plan: Plan, k: number): SubscriptionTerms {
  const terms = termsOf(plan);
  const n = plan.kinds.length;
  if (n === 1) return terms;
  const share = (money: Money): Money => ({ amount: splitBuiltPrice(money.amount, n)[k]!, currency: money.currency });
  const extensionPrice = terms.extension.price === null ? null : share(terms.extension.price);
  return { ...terms, price: share(terms.price), extension: { ...terms.extension, price: extensionPrice } };
}
