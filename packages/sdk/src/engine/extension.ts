import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { Job } from '../domain/job.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { keyedId } from '../domain/ids.js';
import type { Money } from '../domain/money.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { CapacityExhaustedError, ConflictError, EligibilityError, NotFoundError } from '../errors.js';
import type { PanelCapabilities } from '../ports/panel.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideExtension } from '../rules/extension.js';
import type { ExtensionDecision, ExtensionQuote } from '../rules/extension.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';
import { JOB_TYPES, subscriptionJob, jobAttempts } from './job-types.js';
import type { PlanChangePayload, UpdatePayload } from './job-types.js';
import type { DiscountUse } from '../domain/discount.js';
import type { DiscountDecision, DiscountQuote } from '../rules/discount.js';
import { applyDiscount, quoteDiscount, redeemDiscount } from './discount.js';
import { writeSerialKey } from './serial-keys.js';
import type { WritePlace } from './serial-keys.js';
import { soldPlan } from './sold-plan.js';
import type { Plan } from '../domain/plan.js';
import { devicePackRenewalPrice, extraDevicesOf } from '../rules/device-pack.js';
import { renewalDeviceLimit } from './device-pack-lapse.js';
import { changeSize, openStorefrontCharge, settleStorefrontCharge, wholesaleTerms } from './storefront-charge.js';
import type { StorefrontCharge } from './storefront-charge.js';

/** In place when the panel can change a client and reset its usage; otherwise a new client. */
export function changesLink(capabilities: PanelCapabilities): boolean {
  return !(capabilities.inPlaceUpdate && capabilities.resetUsage);
}

/** What `kit.quoteExtension` answers: the rule's decision, whether the link changes, and the discount code's decision. */
export type ExtensionQuoteResult = ExtensionDecision & {
  /** True when applying it gives the client new credentials, so the customer must re-import the link. */
  linkChanges: boolean;
  /**
   * The code's decision when one was given (`null` otherwise): its quote (the price paid is
   * `discount.quote.price`, the extension's `quote.price` being the price before it) or why it is refused.
   */
  discount: DiscountDecision | null;
  /**
   * The extra devices of a device pack the subscription holds, and what keeping them for the new period costs
   * (`keepExtraDevices`); `null` when it holds none or its plan sells none. Without them the limit falls back to the
   * plan's at the end of the period they were paid for (kept until then by an early renewal).
   */
  extraDevices: KeptDevices | null;
};

/** Extra devices a renewal may keep, and their price for the new period. */
export interface KeptDevices {
  devices: number;
  price: Money;
}

/** The extra devices `sub` holds and their price over `durationDays`, or `null` (none, or its plan sells no packs). */
export function keptDevicesOf(sub: Subscription, plan: Plan, durationDays: number): KeptDevices | null {
  const devices = extraDevicesOf(sub, plan);
  if (devices === 0 || plan.devicePack === null) return null;
  return { devices, price: devicePackRenewalPrice(plan.devicePack, devices, durationDays) };
}

/** A change to a live subscription that is paid from the wallet and applied on its panel by an update job. */
export interface PaidChange {
  action: UpdatePayload['action'];
  newExpiresAt: Date;
  newTrafficLimitBytes: number | null;
  price: Money;
  ledgerKey: string;
  ledgerKind: 'extension' | 'traffic_top_up' | 'plan_change';
  actor: Actor;
  /** The remote identity generation afterwards; default: bumped when the panel cannot change the client in place. */
  generation?: number;
  /**
   * Runs after the debit and before the job is queued (the lock order: customer, subscription,
   * capacity, jobs), e.g. to reserve a slot; it may name a plan change's destination and the place
   * the job writes (default the subscription's own target). Throwing rolls everything back.
   */
  reserve?: (tx: StorageRepositories) => Promise<{ planChange: PlanChangePayload; writesTo: WritePlace }>;
  /** Audit action; default `subscription.extension_charged` (`renewal_charged` for a renewal). */
  auditAction?: string;
  /** A discount code's quote whose use is taken (keyed by `ledgerKey`) after the debit and `reserve`, before the job. */
  discount?: DiscountQuote | null;
  /** What the discount is spent on (default `extension`). */
  discountUse?: DiscountUse;
  /** A move off an evacuated panel (see `UpdatePayload.evacuation`). */
  evacuation?: boolean;
  /**
   * For an extension or renewal: the device limit afterwards, with a device pack's extra devices kept (priced for the
   * new period). Default: they fall back to the plan's own limit (as sold) at the end of the period they were paid
   * for, by a lapse job when that is later than now (see `renewalDeviceLimit`). Ignored for other actions.
   */
  newDeviceLimit?: number | null;
  /**
   * A storefront buyer's change, opened (`openStorefrontCharge`) before this call: its split is written after the
   * job, keyed by `ledgerKey` (`settleStorefrontCharge`); the reseller's wallet failing it rolls everything back.
   */
  storefront?: StorefrontCharge | null;
}

export interface PaidChangeResult {
  entry: LedgerEntry | null;
  job: Job;
  /** False when the ledger key had been used already: nothing new was charged or queued. */
  created: boolean;
}

/** Whether an extension or renewal of the subscription is queued or running. */
export async function updateInFlight(repos: StorageRepositories, subscriptionId: string): Promise<boolean> {
  const dedupeKey = `${JOB_TYPES.update}:${subscriptionId}`;
  for (const state of ['queued', 'running'] as const) {
    if ((await repos.jobs.list({ dedupeKey, state }, { limit: 1 })).items.length > 0) return true;
  }
  return false;
}

/**
 * The id of the update job a change's ledger key queues. Derived from the key, so a key gets at
 * most one job ever (the primary key holds it across processes) and that job, in any state,
 * records the change even when it was free and wrote no ledger entry.
 */
export function updateJobId(ledgerKey: string): string {
  return keyedId('job', `${JOB_TYPES.update}:${ledgerKey}`);
}

/** Whether the change keyed `ledgerKey` was made already: charged (its ledger entry) or queued (its update job). */
export async function changeRecorded(repos: StorageRepositories, ledgerKey: string): Promise<boolean> {
  if ((await repos.ledger.getByIdempotencyKey(ledgerKey)) !== null) return true;
  return (await repos.jobs.get(updateJobId(ledgerKey))) !== null;
}

/**
 * Whether a change keyed `ledgerKey` that threw `error` is its key's replay instead: the key's first submission
 * committed (on another replica) after this one's read of the key found nothing, and what it wrote refused this one's
 * reads made before a lock rechecks the key: its debit or its job (`ConflictError`), a code's last use or the buyer's
 * one use it took, its storefront's quota it filled (`EligibilityError`), the new plan's last slot it took on a free
 * plan change (`CapacityExhaustedError`). Reads the key (`changeRecorded`) only when refused so; the caller then
 * answers a replay, never the refusal.
 */
export async function refusedByFirstSubmission(repos: StorageRepositories, ledgerKey: string, error: unknown): Promise<boolean> {
  if (!ConflictError.is(error) && !EligibilityError.is(error) && !CapacityExhaustedError.is(error)) return false;
  return changeRecorded(repos, ledgerKey);
}

function changeInProgress(subscriptionId: string): ConflictError {
  return new ConflictError(`subscription ${subscriptionId} already has a change being applied`, {
    details: { reason: 'change_in_progress' },
  });
}

/**
 * Charges for a change and queues the job that applies it, in the caller's transaction. The
 * ledger key makes it happen once: a key already used (charged, or queued when free) returns
 * `null`. A concurrent transaction that charged or queued a change for the subscription since
 * the checks makes it throw `ConflictError` (roll back; `changeRecorded` then tells a replay).
 */
export async function chargeAndQueueUpdate(
  ctx: EngineContext,
  tx: StorageRepositories,
  sub: Subscription,
  capabilities: PanelCapabilities,
  change: PaidChange,
): Promise<PaidChangeResult | null> {
  if (await changeRecorded(tx, change.ledgerKey)) return null;
  if (await updateInFlight(tx, sub.id)) throw changeInProgress(sub.id);
  let entry: LedgerEntry | null = null;
  if (change.price.amount > 0) {
    const appended = await tx.ledger.append({
      customerId: sub.customerId,
      kind: change.ledgerKind,
      amount: -change.price.amount,
      currency: change.price.currency,
      idempotencyKey: change.ledgerKey,
      subscriptionId: sub.id,
      orderId: null,
      actor: change.actor,
    });
    if (!appended.created) throw changeInProgress(sub.id);
    entry = appended.entry;
  }
  // Reviving an expired subscription writes its row (after the customer, in the lock order), so the
  // termination of its grace period, racing this, loses (`ConflictError`) instead of ending what was paid.
  const renews = change.action === 'extend' || change.action === 'reset' || change.action === 'renew';
  if (renews && sub.status === 'expired') await tx.subscriptions.update(sub.id, {}, { expectedRevision: sub.revision });
  const reserved = await change.reserve?.(tx);
  if (change.discount)
    await redeemDiscount(tx, change.discount, {
      customerId: sub.customerId,
      key: change.ledgerKey,
      use: change.discountUse ?? 'extension',
      subscriptionId: sub.id,
    });
  const newDeviceLimit = renews ? await renewalDeviceLimit(ctx, tx, sub, change.newDeviceLimit) : undefined;
  const devices = newDeviceLimit === undefined ? {} : { newDeviceLimit };
  const payload: UpdatePayload = {
    ...devices,
    subscriptionId: sub.id,
    ledgerKey: change.ledgerKey,
    price: change.price,
    action: change.action,
    newExpiresAt: change.newExpiresAt.toISOString(),
    newTrafficLimitBytes: change.newTrafficLimitBytes,
    generation: change.generation ?? (changesLink(capabilities) ? sub.remote.generation + 1 : sub.remote.generation),
    planChange: reserved?.planChange ?? null,
    evacuation: change.evacuation === true,
  };
  const serialKey = await writeSerialKey(ctx, tx, reserved?.writesTo ?? sub);
  const queued = await tx.jobs.enqueue({
    ...subscriptionJob(JOB_TYPES.update, sub.id, { ...payload }, jobAttempts(ctx.policy), serialKey),
    id: updateJobId(change.ledgerKey),
  });
  // Not created: a job queued meanwhile took this payload; throwing rolls that back too.
  if (!queued.created) throw changeInProgress(sub.id);
  // The split last: a payout account comes last of all in the lock order.
  if (change.storefront)
    await settleStorefrontCharge(tx, change.storefront, {
      buyerId: sub.customerId,
      chargeKey: change.ledgerKey,
      retail: change.price,
      subscriptionId: sub.id,
      now: ctx.clock.now(),
      actor: change.actor,
    });
  const auditAction = change.auditAction ?? `subscription.${change.action === 'renew' ? 'renewal_charged' : 'extension_charged'}`;
  await auditSubscription(tx, change.actor, auditAction, sub, {
    amount: change.price.amount,
    expiresAt: payload.newExpiresAt,
    ...(change.discount ? { discountCode: change.discount.code, discount: change.discount.discount.amount } : {}),
  });
  return { entry, job: queued.job, created: true };
}

/** Validates an extension request: the subscription, the client's idempotency key, an optional discount code. */
export const ExtendRequestSchema = z.object({
  subscriptionId: IdSchema,
  /** The client's key for this extension: a second submission with it charges nothing. */
  idempotencyKey: z.string().min(1).max(140),
  /** A discount code as the buyer typed it; refused with `EligibilityError` (the rule's reason) when it does not apply. */
  discountCode: z.string().trim().max(60).optional(),
  /**
   * Keep the extra devices of a device pack for the new period, at the pack's price prorated to it (added to the
   * debit after any code's discount). Without it they fall back to the plan's limit at the end of the period they
   * were paid for: at once when it is over, else at that end (an early extension keeps them until then).
   */
  keepExtraDevices: z.boolean().default(false),
  actor: ActorSchema.optional(),
});
/** Input of `kit.extend`. */
export type ExtendRequest = z.input<typeof ExtendRequestSchema>;

/** What `kit.extend` did: the debit, the quote and the subscription (its panel update runs as a queued job). */
export interface ExtendResult {
  subscription: Subscription;
  /** The extension's terms; `quote.price` is before any discount. */
  quote: ExtensionQuote | null;
  /** What the code took off (the debit is `quote.price` less it); `null` without a code and on a replay. */
  discount: DiscountQuote | null;
  /** The debit; `null` for a free extension or a replay. */
  entry: LedgerEntry | null;
  linkChanges: boolean;
  /** The extra devices kept for the new period (their price is in the debit); `null` when none were kept, and on a replay. */
  keptDevices: KeptDevices | null;
  /** True when the key had been used: nothing new was charged or queued. */
  replayed: boolean;
}

/** The location tags of a subscription's panel (what a code limited to locations is checked against). */
export async function panelLocations(repos: StorageRepositories, panelId: string): Promise<string[]> {
  return (await repos.panels.get(panelId))?.locationTags ?? [];
}

/** Quotes an extension of the subscription now, with whether its link would change, and a code's discount on it when one is given. */
export async function quoteExtension(
  ctx: EngineContext,
  subscriptionId: string,
  options: { discountCode?: string | undefined } = {},
): Promise<ExtensionQuoteResult> {
  const sub = await ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null) throw new NotFoundError('subscription', subscriptionId);
  const plan = await soldPlan(ctx.storage, sub);
  const handle = await ctx.panels.get(sub.panelId);
  const now = ctx.clock.now();
  const decision = decideExtension({ subscription: sub, plan, now });
  let discount: DiscountDecision | null = null;
  const code = options.discountCode?.trim();
  if (decision.allowed && code !== undefined && code !== '') {
    const locations = await panelLocations(ctx.storage, sub.panelId);
    discount = await quoteDiscount(ctx.storage, {
      code,
      customerId: sub.customerId,
      use: 'extension',
      planId: plan.id,
      locations,
      on: 'panel',
      price: decision.quote.price,
      now,
    });
  }
  const extraDevices = decision.allowed ? keptDevicesOf(sub, plan, decision.quote.durationDays) : null;
  return { ...decision, linkChanges: changesLink(handle.adapter.capabilities), discount, extraDevices };
}

/**
 * Debits the wallet for an extension and queues the update that applies it. Happens once per
 * key, free extensions included: a replay (even one racing the first) charges and queues nothing.
 */
export async function extend(ctx: EngineContext, input: ExtendRequest): Promise<ExtendResult> {
  const request = parseInput(ExtendRequestSchema, input, 'extend request');
  const now = ctx.clock.now();
  const ledgerKey = extensionKey(request.subscriptionId, request.idempotencyKey);
  let result: ExtendResult;
  try {
    result = await ctx.storage.transaction((tx) => extendWithin(ctx, tx, request, now));
  } catch (error) {
    // Lost a race to another submission of this key: that one stands, this is its replay.
    if (!(await refusedByFirstSubmission(ctx.storage, ledgerKey, error))) throw error;
    const sub = await ctx.storage.subscriptions.get(request.subscriptionId);
    if (sub === null) throw error;
    return replayOf(sub, (await ctx.panels.get(sub.panelId)).adapter.capabilities);
  }
  if (result.entry !== null) ctx.events.emit('ledger:appended', { entry: result.entry, at: now });
  return result;
}

/** What an extension answers when its key was used before: nothing new was charged or queued. */
export function replayOf(sub: Subscription, capabilities: PanelCapabilities): ExtendResult {
  return {
    subscription: sub,
    quote: null,
    discount: null,
    entry: null,
    linkChanges: changesLink(capabilities),
    keptDevices: null,
    replayed: true,
  };
}

/** The ledger key of an extension of one subscription under the client's key. */
export function extensionKey(subscriptionId: string, idempotencyKey: string): string {
  return `extension:${subscriptionId}:${idempotencyKey}`;
}

/** `extend`'s work inside the caller's transaction: the decision, the debit and the queued update, or a replay. */
export async function extendWithin(
  ctx: EngineContext,
  tx: StorageRepositories,
  request: z.output<typeof ExtendRequestSchema>,
  now: Date,
): Promise<ExtendResult> {
  const ledgerKey = extensionKey(request.subscriptionId, request.idempotencyKey);
  const sub = await tx.subscriptions.get(request.subscriptionId);
  if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
  const actor: Actor = request.actor ?? { type: 'customer', id: sub.customerId };
  const panel = await tx.panels.get(sub.panelId);
  if (panel === null) throw new NotFoundError('panel', sub.panelId);
  const capabilities = ctx.panels.handleFor(panel).adapter.capabilities;
  if (await changeRecorded(tx, ledgerKey)) return replayOf(sub, capabilities);
  const plan = await soldPlan(tx, sub);
  const decision = decideExtension({ subscription: sub, plan, now });
  if (!decision.allowed) {
    throw new EligibilityError(`subscription ${sub.id} cannot be extended now: ${decision.reason}`, [decision.reason], {
      details: { subscriptionId: sub.id, ...decision.details, opensAt: decision.details.opensAt?.toISOString() },
    });
  }
  const { quote } = decision;
  const kept = request.keepExtraDevices ? keptDevicesOf(sub, plan, quote.durationDays) : null;
  if (kept !== null && kept.price.currency !== quote.price.currency)
    throw new EligibilityError(`subscription ${sub.id}: its device pack is priced in another currency`, ['currency_mismatch'], {
      details: { subscriptionId: sub.id },
    });
  // A storefront's buyer: its storefront locked and checked before the debit; the reseller pays their extension price.
  // Before the code, which is judged on this read of the buyer (`storefront_buyer`).
  const storefront = await openStorefrontCharge(tx, sub.customerId, {
    source: 'extension',
    size: changeSize(sub, quote.newTrafficLimitBytes),
    wholesale: async (sale) => {
      const at = decideExtension({ subscription: sub, plan: await wholesaleTerms(tx, sale, plan), now });
      const base = at.allowed ? at.quote.price : quote.price;
      // A device pack has one price for everyone: the reseller pays it as the buyer does.
      return kept === null ? base : { ...base, amount: base.amount + kept.price.amount };
    },
  });
  const priced = await applyDiscount(tx, {
    code: request.discountCode,
    customerId: sub.customerId,
    storefrontId: storefront?.sale.storefront.id ?? null,
    use: 'extension',
    planId: plan.id,
    locations: panel.locationTags,
    on: 'panel',
    price: quote.price,
    now,
  });
  const price = kept === null ? priced.price : { ...priced.price, amount: priced.price.amount + kept.price.amount };
  const charged = await chargeAndQueueUpdate(ctx, tx, sub, capabilities, {
    storefront,
    action: quote.action,
    newExpiresAt: quote.newExpiresAt,
    newTrafficLimitBytes: quote.newTrafficLimitBytes,
    ...(kept === null ? {} : { newDeviceLimit: sub.deviceLimit }),
    price,
    ledgerKey,
    ledgerKind: 'extension',
    actor,
    discount: priced.discount,
  });
  if (charged === null) return replayOf(sub, capabilities);
  return {
    subscription: sub,
    quote,
    discount: priced.discount,
    entry: charged.entry,
    linkChanges: changesLink(capabilities),
    keptDevices: kept,
    replayed: false,
  };
}
