import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import { createId } from '../domain/ids.js';
import type { Order } from '../domain/order.js';
import type { Plan } from '../domain/plan.js';
import type { SharingInvite, SharingMember } from '../domain/sharing.js';
import { SubscriptionLabelSchema } from '../domain/subscription.js';
import type { Subscription } from '../domain/subscription.js';
import { HOLDS_CAPACITY } from '../domain/subscription-status.js';
import { planAsSold } from '../domain/subscription-terms.js';
import { parseInput } from '../domain/validate.js';
import { CapacityExhaustedError, EligibilityError, NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { PlaceResult } from '../ports/storage-order-placement.js';
import { checkoutPlacement } from './checkout-placement.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';
import { linkTokenHash } from './link-scope.js';
import { queueRemoval } from './operations.js';
import { auditPlacedNearlyFull } from './placement.js';

/**
 * Why a group action was refused: `not_shared` (the plan has no `sharing`), `group_inactive` (the payer's
 * subscription is not live), `is_member` (a member's subscription is no group of its own), `own_group` (the payer
 * accepting their own invite), `already_member` (the customer holds a seat in this group), and the storage's
 * `invite_used`, `invite_expired`, `group_full`.
 */
export type SharingRefusal =
  | 'not_shared'
  | 'group_inactive'
  | 'is_member'
  | 'own_group'
  | 'already_member'
  | 'invite_used'
  | 'invite_expired'
  | 'group_full';

/** The longest an invite may wait to be accepted. */
export const MAX_INVITE_VALID_HOURS = 24 * 30;

/** What an invite token looks like: 32 characters of base64url (anything else is refused without a query). */
export const INVITE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

const LIVE = new Set(['active', 'on_hold', 'limited', 'expired', 'suspended', 'pending']);

/** Validates `kit.sharing.name`: the owner, their subscription, and its new name (`null` clears it). */
export const NameSubscriptionRequestSchema = z.strictObject({
  customerId: IdSchema,
  subscriptionId: IdSchema,
  label: SubscriptionLabelSchema.nullable(),
  actor: ActorSchema.optional(),
});
/** Input of `kit.sharing.name`. */
export type NameSubscriptionRequest = z.input<typeof NameSubscriptionRequestSchema>;

/** Validates `kit.sharing.invite`: the payer, their group subscription, and how long the invite is valid. */
export const InviteRequestSchema = z.strictObject({
  customerId: IdSchema,
  groupId: IdSchema,
  validHours: z.number().int().min(1).max(MAX_INVITE_VALID_HOURS).default(72),
  actor: ActorSchema.optional(),
});
/** Input of `kit.sharing.invite`. */
export type InviteRequest = z.input<typeof InviteRequestSchema>;

/** What `kit.sharing.invite` made: the stored invite and its token (shown once: only its hash is kept). */
export interface InviteResult {
  invite: SharingInvite;
  token: string;
}

/** Validates `kit.sharing.accept`: the invite token as received and the customer taking the seat. */
export const AcceptInviteRequestSchema = z.strictObject({
  token: z.string().max(200),
  customerId: IdSchema,
  actor: ActorSchema.optional(),
});
/** Input of `kit.sharing.accept`. */
export type AcceptInviteRequest = z.input<typeof AcceptInviteRequestSchema>;

/** What `kit.sharing.accept` did: the seat, and the member's order with their `pending` subscription. */
export interface AcceptInviteResult {
  member: SharingMember;
  order: Order;
  subscription: Subscription;
}

/** Validates `kit.sharing.remove`: the payer and the member's subscription. */
export const RemoveMemberRequestSchema = z.strictObject({
  customerId: IdSchema,
  subscriptionId: IdSchema,
  reason: z.string().max(500).default('removed_by_payer'),
  actor: ActorSchema.optional(),
});
/** Input of `kit.sharing.remove`. */
export type RemoveMemberRequest = z.input<typeof RemoveMemberRequestSchema>;

function refused(reason: SharingRefusal, details: Record<string, string> = {}): EligibilityError {
  return new EligibilityError(`sharing refused: ${reason}`, [reason], { details });
}

/** The subscription if it is `customerId`'s; `NotFoundError` otherwise (never saying whose it is). */
async function ownSubscription(repos: StorageRepositories, customerId: string, subscriptionId: string): Promise<Subscription> {
  const sub = await repos.subscriptions.get(subscriptionId);
  if (sub === null || sub.customerId !== customerId) throw new NotFoundError('subscription', subscriptionId);
  return sub;
}

/** The group's plan with its sharing, or the refusal that says why this subscription is no group. */
async function groupPlan(repos: StorageRepositories, group: Subscription): Promise<Plan & { sharing: { maxMembers: number } }> {
  if ((await repos.sharing.memberOf(group.id)) !== null) throw refused('is_member', { groupId: group.id });
  const current = await repos.plans.get(group.planId);
  // The seats are the group's as sold (its frozen terms), not the plan's as edited since.
  const plan = current === null ? null : planAsSold(current, group);
  if (plan === null || plan.sharing === null) throw refused('not_shared', { groupId: group.id });
  if (!LIVE.has(group.status) || group.status === 'pending') throw refused('group_inactive', { groupId: group.id });
  return plan as Plan & { sharing: { maxMembers: number } };
}

/** Names (or, with `null`, unnames) one of the customer's subscriptions; audited `subscription.labelled`. */
export async function nameSubscription(ctx: EngineContext, input: NameSubscriptionRequest): Promise<Subscription> {
  const request = parseInput(NameSubscriptionRequestSchema, input, 'subscription name');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  return ctx.storage.transaction(async (tx) => {
    const sub = await ownSubscription(tx, request.customerId, request.subscriptionId);
    if (sub.label === request.label) return sub;
    const next = await tx.subscriptions.update(sub.id, { label: request.label }, { expectedRevision: sub.revision });
    await auditSubscription(tx, actor, 'subscription.labelled', next, { label: request.label });
    return next;
  });
}

/**
 * The payer invites someone into their group: a single-use token valid for `validHours`, stored as its hash.
 * `NotFoundError` unless the group subscription is the customer's; `EligibilityError` (`not_shared`,
 * `group_inactive`, `is_member`).
 */
export async function inviteMember(ctx: EngineContext, input: InviteRequest): Promise<InviteResult> {
  const request = parseInput(InviteRequestSchema, input, 'sharing invite');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  const token = randomBytes(24).toString('base64url');
  const invite = await ctx.storage.transaction(async (tx) => {
    const group = await ownSubscription(tx, request.customerId, request.groupId);
    await groupPlan(tx, group);
    const made = await tx.sharing.createInvite({
      id: createId('inv'),
      groupId: group.id,
      tokenHash: linkTokenHash(token),
      expiresAt: new Date(ctx.clock.now().getTime() + request.validHours * 3_600_000),
    });
    await auditSubscription(tx, actor, 'sharing.invited', group, { inviteId: made.id, expiresAt: made.expiresAt.toISOString() });
    return made;
  });
  return { invite, token };
}

/**
 * A customer accepts an invite: in one transaction the seat is taken (`sharing.join`: of acceptances racing for the
 * last seat, in any process, one wins), an order of the group's plan that costs the member nothing is placed with the
 * member's own `pending` subscription and its provisioning job, as a checkout would, its expiry the payer's (later
 * extensions of the payer's reach it through `sharing.follow` jobs). `NotFoundError` for an unknown token; `EligibilityError` (`SharingRefusal`);
 * `CapacityExhaustedError` when the plan has no room; each writes nothing.
 */
export async function acceptInvite(ctx: EngineContext, input: AcceptInviteRequest): Promise<AcceptInviteResult> {
  const request = parseInput(AcceptInviteRequestSchema, input, 'sharing acceptance');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  if (!INVITE_TOKEN_PATTERN.test(request.token)) throw new NotFoundError('invite', 'token');
  const result = await ctx.storage.transaction(async (tx) => {
    const invite = await tx.sharing.inviteByHash(linkTokenHash(request.token));
    if (invite === null) throw new NotFoundError('invite', 'token');
    const group = await tx.subscriptions.get(invite.groupId);
    if (group === null) throw new NotFoundError('invite', 'token');
    if (group.customerId === request.customerId) throw refused('own_group');
    if ((await tx.customers.get(request.customerId)) === null) throw new NotFoundError('customer', request.customerId);
    const plan = await groupPlan(tx, group);
    const seated = await tx.sharing.members(group.id);
    if (seated.some((m) => m.customerId === request.customerId)) throw refused('already_member');
    const subscriptionId = createId('sub');
    // The invite's row, then the group's: a racing acceptance waits here and then counts this seat.
    const joined = await tx.sharing.join({
      inviteId: invite.id,
      customerId: request.customerId,
      subscriptionId,
      maxMembers: plan.sharing.maxMembers,
    });
    if (!joined.ok) throw refused(joined.reason);
    const orderId = createId('ord');
    const free = { amount: 0, currency: plan.price.currency };
    const [targets, panels] = await Promise.all([tx.targets.list(), tx.panels.list()]);
    const basis = {
      ctx,
      actor,
      orderId,
      customerId: request.customerId,
      request: { idempotencyKey: `sharing:${invite.id}`, items: [{ planId: plan.id, quantity: 1, trial: false, autoRenew: false }] },
      hash: `sharing:${invite.id}`,
      // Nothing is charged to a member, and a member is provisioned whatever the plan says of paid orders.
      plans: new Map([[plan.id, { ...plan, price: free, autoProvision: true }]]),
      orderItems: [{ planId: plan.id, quantity: 1, unitPrice: free, trial: false }],
      total: free,
      unitsPaid: [[0]],
      discount: null,
      targets,
      panels,
      subscriptionIds: [subscriptionId],
    };
    const full = new Set<string>();
    let placed: PlaceResult;
    let planned: Map<string, number>;
    do {
      const next = checkoutPlacement(basis, full);
      // The member's period is the payer's from the start: provisioning gives the client this expiry.
      if (group.expiresAt !== null)
        for (const sub of next.placement.subscriptions) Object.assign(sub, { expiresAt: group.expiresAt, startOnFirstUse: false });
      planned = next.planned;
      placed = await tx.orders.place(next.placement);
      if (!placed.ok && placed.reason === 'plan_full')
        throw new CapacityExhaustedError(`plan ${placed.planId} has no free slots`, {
          details: { planId: placed.planId, reason: 'plan_full' },
        });
      if (!placed.ok) full.add(placed.targetId);
    } while (!placed.ok);
    await auditPlacedNearlyFull(tx, placed.targets, planned, targets);
    const subscription = placed.subscriptions[0]!;
    await auditSubscription(tx, actor, 'sharing.joined', subscription, { groupId: group.id, inviteId: invite.id });
    return { member: joined.member, order: placed.order, subscription };
  });
  ctx.events.emit('order:placed', { order: result.order, at: ctx.clock.now() });
  return result;
}

/**
 * The payer removes a member: in one transaction the seat is given back, the member's subscription terminated (its
 * slot released, its client's removal queued as a job) and its own link revoked, so the member's links serve it no
 * more from the moment this returns. `NotFoundError` unless the subscription is a current member of a group the
 * customer pays for.
 */
export async function removeMember(ctx: EngineContext, input: RemoveMemberRequest): Promise<SharingMember> {
  const request = parseInput(RemoveMemberRequestSchema, input, 'sharing removal');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  const { member, after } = await ctx.storage.transaction(async (tx) => {
    const seat = await tx.sharing.memberOf(request.subscriptionId);
    if (seat === null || seat.removedAt !== null) throw new NotFoundError('member', request.subscriptionId);
    await ownSubscription(tx, request.customerId, seat.groupId);
    const removed = await tx.sharing.remove(seat.subscriptionId);
    if (removed === null) throw new NotFoundError('member', request.subscriptionId);
    const sub = await tx.subscriptions.get(seat.subscriptionId);
    let terminated: Subscription | null = null;
    if (sub !== null && sub.status !== 'terminated') {
      terminated = await tx.subscriptions.update(sub.id, { status: 'terminated' }, { expectedRevision: sub.revision });
      if (HOLDS_CAPACITY.has(sub.status)) await tx.capacity.release({ targetId: sub.targetId, planId: sub.planId, count: 1 });
      await queueRemoval(ctx, tx, sub);
    }
    await tx.linkTokens.revokeForSubscription(seat.subscriptionId);
    await auditSubscription(tx, actor, 'sharing.removed', { id: seat.subscriptionId }, { groupId: seat.groupId, reason: request.reason });
    return { member: removed, after: terminated };
  });
  if (after !== null) ctx.events.emit('subscription:terminated', { subscription: after, actor, at: ctx.clock.now() });
  return member;
}

/** The current members of a group the customer pays for, in the order they joined; `NotFoundError` for another's. */
export async function groupMembers(ctx: EngineContext, customerId: string, groupId: string): Promise<SharingMember[]> {
  await ownSubscription(ctx.storage, customerId, groupId);
  return ctx.storage.sharing.members(groupId);
}
