import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor, ActorInput, Page, PageRequest } from '../domain/common.js';
import type { Customer } from '../domain/customer.js';
import type { Plan } from '../domain/plan.js';
import { NewMenuItemSchema, NewStorefrontSchema, StorefrontPatchSchema } from '../domain/storefront.js';
import type {
  MenuItem,
  NewMenuItem,
  NewStorefront,
  Storefront,
  StorefrontPatch,
  StorefrontStatus,
  StorefrontUsage,
} from '../domain/storefront.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { buyerPlan } from './buyer-price.js';
import type { EngineContext } from './context.js';
import { refuseBuiltPlanPrice } from './built-plan.js';
import { plansOnMenu } from './storefront-sale.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

function actorOf(actor: ActorInput | undefined): Actor {
  return actor === undefined ? ADMIN : parseInput(ActorSchema, actor, 'actor');
}

function audit(
  tx: StorageRepositories,
  actor: Actor,
  action: string,
  storefrontId: string,
  data: Record<string, string | number | boolean | null>,
) {
  return tx.audit.append({ actor, action, subjectType: 'storefront', subjectId: storefrontId, data });
}

async function required(repos: StorageRepositories, id: string): Promise<Storefront> {
  const storefront = await repos.storefronts.get(parseInput(IdSchema, id, 'storefront id'));
  if (storefront === null) throw new NotFoundError('storefront', id);
  return storefront;
}

/**
 * Opens a storefront for a reseller (audited `storefront.created`). The reseller must be a customer with a price
 * book (at least one line: what they pay wholesale), who is nobody's buyer and has no storefront yet: otherwise a
 * `ValidationError`, `NotFoundError` or `ConflictError`, and nothing is written.
 */
export async function createStorefront(ctx: EngineContext, input: NewStorefront, actor?: ActorInput): Promise<Storefront> {
  const parsed = parseInput(NewStorefrontSchema, input, 'storefront');
  const who = actorOf(actor);
  return ctx.storage.transaction(async (tx) => {
    const reseller = await tx.customers.get(parsed.resellerId);
    if (reseller === null) throw new NotFoundError('customer', parsed.resellerId);
    if ((await tx.priceBooks.list(reseller.id)).length === 0)
      throw new ValidationError(`customer ${reseller.id} has no price book`, [
        { path: 'resellerId', message: 'must be a reseller: a customer with a price book' },
      ]);
    const storefront = await tx.storefronts.create(parsed);
    await audit(tx, who, 'storefront.created', storefront.id, { resellerId: storefront.resellerId, name: storefront.name });
    return storefront;
  });
}

/** Changes a storefront's name, quotas or commission tiers (and status), audited `storefront.updated`. */
export async function updateStorefront(ctx: EngineContext, id: string, patch: StorefrontPatch, actor?: ActorInput): Promise<Storefront> {
  const parsed = parseInput(StorefrontPatchSchema, patch, 'storefront patch');
  const who = actorOf(actor);
  return ctx.storage.transaction(async (tx) => {
    await required(tx, id);
    const after = await tx.storefronts.update(id, parsed);
    await audit(tx, who, 'storefront.updated', id, { fields: Object.keys(parsed).sort().join(',') });
    return after;
  });
}

/**
 * Suspends (`suspended`) or resumes (`active`) a storefront, audited `storefront.suspended` / `storefront.resumed`
 * with the reason; the same status again writes nothing. A suspended storefront sells nothing; its buyers'
 * subscriptions keep running.
 */
export async function setStorefrontStatus(
  ctx: EngineContext,
  id: string,
  status: StorefrontStatus,
  actor?: ActorInput,
  reason: string | null = null,
): Promise<Storefront> {
  const who = actorOf(actor);
  const why = parseInput(z.string().trim().max(1000).nullable(), reason, 'reason');
  return ctx.storage.transaction(async (tx) => {
    const before = await required(tx, id);
    if (before.status === status) return before;
    const after = await tx.storefronts.update(id, { status });
    await audit(tx, who, status === 'suspended' ? 'storefront.suspended' : 'storefront.resumed', id, { reason: why });
    return after;
  });
}

/**
 * Puts a plan on a storefront's menu at a retail price (or changes the price), audited `storefront.menu_set`. The
 * price must be in the plan's currency (`ValidationError`); a missing storefront or plan is a `NotFoundError`.
 */
export async function setMenuItem(ctx: EngineContext, input: NewMenuItem, actor?: ActorInput): Promise<MenuItem> {
  const line = parseInput(NewMenuItemSchema, input, 'menu item');
  const who = actorOf(actor);
  return ctx.storage.transaction(async (tx) => {
    await required(tx, line.storefrontId);
    const plan = await tx.plans.get(line.planId);
    if (plan === null) throw new NotFoundError('plan', line.planId);
    refuseBuiltPlanPrice(plan, 'a storefront sells', 'retail price');
    if (plan.price.currency !== line.retailPrice.currency)
      throw new ValidationError(`plan ${plan.id} is priced in ${plan.price.currency}`, [
        { path: 'retailPrice.currency', message: `must be ${plan.price.currency}` },
      ]);
    const stored = await tx.storefronts.setMenuItem(line);
    await audit(tx, who, 'storefront.menu_set', line.storefrontId, {
      planId: plan.id,
      retailPrice: stored.retailPrice.amount,
      currency: stored.retailPrice.currency,
    });
    return stored;
  });
}

/** Takes a plan off a storefront's menu (audited `storefront.menu_removed`); whether it was on it. */
export async function removeMenuItem(ctx: EngineContext, storefrontId: string, planId: string, actor?: ActorInput): Promise<boolean> {
  const who = actorOf(actor);
  return ctx.storage.transaction(async (tx) => {
    await required(tx, storefrontId);
    const removed = await tx.storefronts.removeMenuItem(storefrontId, parseInput(IdSchema, planId, 'plan id'));
    if (removed) await audit(tx, who, 'storefront.menu_removed', storefrontId, { planId });
    return removed;
  });
}

/** One plan a storefront sells: the plan at its retail prices, and what the reseller pays for it. */
export interface StorefrontCatalogItem {
  /** The plan as the storefront's buyers buy it (`price` the retail price). */
  plan: Plan;
  /** The reseller's wholesale price of a period (their price book, or the list price). */
  wholesale: Plan['price'];
}

/**
 * What a storefront's buyers can buy now (`plansOnMenu`: the plans on its menu and on sale, of one price), at its retail
 * prices, ordered by plan id, each with the reseller's wholesale price. Reads only.
 */
export async function storefrontCatalog(ctx: EngineContext, storefrontId: string): Promise<StorefrontCatalogItem[]> {
  const storefront = await required(ctx.storage, storefrontId);
  const menu = await ctx.storage.storefronts.menu(storefront.id);
  const listed = new Map<string, Plan>();
  for (const plan of await Promise.all(menu.map((line) => ctx.storage.plans.get(line.planId))))
    if (plan !== null) listed.set(plan.id, plan);
  const sold = plansOnMenu(storefront.id, menu, [...listed.values()]);
  const wholesale = await buyerPlan(
    ctx.storage,
    storefront.resellerId,
    sold.map((plan) => listed.get(plan.id)!),
  );
  return sold.map((plan, i) => ({ plan, wholesale: wholesale[i]!.price }));
}

/** Validates `moveBuyer`'s request. */
export const MoveBuyerRequestSchema = z.strictObject({
  customerId: IdSchema,
  /** The storefront to move to; `null`: the owner's own shop. */
  storefrontId: IdSchema.nullable(),
  reason: z.string().trim().max(1000).nullable().default(null),
  actor: ActorSchema.optional(),
});
/** Input of `kit.storefronts.moveBuyer`. */
export type MoveBuyerRequest = z.input<typeof MoveBuyerRequestSchema>;

/**
 * Moves a buyer to a storefront (or to the owner's own shop), audited `customer.storefront_moved` with where from and
 * to; the same place again writes nothing. What they bought stays theirs; what they buy next is the new storefront's.
 * A reseller cannot be a buyer (`ValidationError`); a missing customer or storefront is a `NotFoundError`.
 */
export async function moveBuyer(ctx: EngineContext, input: MoveBuyerRequest): Promise<Customer> {
  const request = parseInput(MoveBuyerRequestSchema, input, 'move buyer request');
  const who = request.actor ?? ADMIN;
  return ctx.storage.transaction(async (tx) => {
    const before = await tx.customers.get(request.customerId);
    if (before === null) throw new NotFoundError('customer', request.customerId);
    if (before.storefrontId === request.storefrontId) return before;
    const after = await tx.storefronts.assignBuyer(before.id, request.storefrontId);
    await tx.audit.append({
      actor: who,
      action: 'customer.storefront_moved',
      subjectType: 'customer',
      subjectId: before.id,
      data: { from: before.storefrontId, to: request.storefrontId, reason: request.reason },
    });
    return after;
  });
}

/** What `kit.storefronts.usage` answers: what a storefront's buyers hold now, its quotas, and its buyers. */
export interface StorefrontUsageReport extends StorefrontUsage {
  buyers: number;
  quotas: Storefront['quotas'];
}

/** A storefront's usage against its quotas, and how many buyers it has. Reads only. */
export async function storefrontUsage(ctx: EngineContext, storefrontId: string): Promise<StorefrontUsageReport> {
  const storefront = await required(ctx.storage, storefrontId);
  const [usage, buyers] = await Promise.all([
    ctx.storage.storefronts.usage(storefront.id),
    ctx.storage.storefronts.countBuyers(storefront.id),
  ]);
  return { ...usage, buyers, quotas: storefront.quotas };
}

/** The storefront's buyers, newest first; `NotFoundError` for a missing storefront. */
export async function storefrontBuyers(ctx: EngineContext, storefrontId: string, page: PageRequest): Promise<Page<Customer>> {
  const storefront = await required(ctx.storage, storefrontId);
  return ctx.storage.storefronts.listBuyers(storefront.id, page);
}

/** The storefront; `NotFoundError` when there is none. */
export async function getStorefront(ctx: EngineContext, id: string): Promise<Storefront> {
  return required(ctx.storage, id);
}
