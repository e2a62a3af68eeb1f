import type { SharingMember } from '../domain/sharing.js';
import type { Subscription } from '../domain/subscription.js';
import type { EngineContext } from './context.js';
import {
  type AcceptInviteRequest,
  type AcceptInviteResult,
  acceptInvite,
  groupMembers,
  type InviteRequest,
  type InviteResult,
  inviteMember,
  type NameSubscriptionRequest,
  nameSubscription,
  type RemoveMemberRequest,
  removeMember,
} from './sharing.js';

/**
 * `kit.sharing`: a buyer's several subscriptions named apart, and family or team groups (see `@panelkit/sdk/sharing`).
 * Each subscription's own link is `kit.links.tokenForSubscription`; what any link serves is `kit.links.scope`.
 */
export interface PanelkitSharing {
  /** Names (or unnames, with `null`) one of the customer's subscriptions (see `nameSubscription`). */
  name(request: NameSubscriptionRequest): Promise<Subscription>;
  /** The payer's single-use invite into their group, and its token (see `inviteMember`). */
  invite(request: InviteRequest): Promise<InviteResult>;
  /** Takes a seat with an invite token: the member's own subscription, free, provisioned by a job (see `acceptInvite`). */
  accept(request: AcceptInviteRequest): Promise<AcceptInviteResult>;
  /** The payer removes a member: their subscription terminated and links refused at once (see `removeMember`). */
  remove(request: RemoveMemberRequest): Promise<SharingMember>;
  /** The current members of a group the customer pays for; `NotFoundError` for a subscription that is not theirs. */
  members(customerId: string, groupId: string): Promise<SharingMember[]>;
  /** The membership of a subscription (removed or not), or `null` when it belongs to no group. */
  membership(subscriptionId: string): Promise<SharingMember | null>;
}

/** `kit.sharing` over the engine. */
export function createSharing(ctx: EngineContext): PanelkitSharing {
  return {
    name: (request) => nameSubscription(ctx, request),
    invite: (request) => inviteMember(ctx, request),
    accept: (request) => acceptInvite(ctx, request),
    remove: (request) => removeMember(ctx, request),
    members: (customerId, groupId) => groupMembers(ctx, customerId, groupId),
    membership: (subscriptionId) => ctx.storage.sharing.memberOf(subscriptionId),
  };
}
