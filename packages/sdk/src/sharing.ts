/**
 * `@panelkit/sdk/sharing`: several subscriptions per buyer and family or team plans. A buyer names each of their
 * subscriptions and may hand out a link that opens only one of them (`kit.sharing.linkFor`); a plan with
 * `Plan.sharing` lets its payer invite up to `maxMembers` other customers by a single-use link, each of whom gets
 * their own subscription (own client, link and device limit) that follows the payer's expiry, and lets the payer
 * remove a member (their subscription terminated and their link refused at once). The records, their schemas, the
 * requests and the refusal reasons.
 *
 * @module
 */
export {
  NewSharingInviteSchema,
  SharingInviteSchema,
  SharingJoinSchema,
  SharingMemberSchema,
} from './domain/sharing.js';
export type { NewSharingInvite, SharingInvite, SharingJoin, SharingJoinRefusal, SharingMember } from './domain/sharing.js';
export { PlanSharingSchema, type PlanSharing } from './domain/plan.js';
export { SubscriptionLabelSchema } from './domain/subscription.js';
export {
  AcceptInviteRequestSchema,
  INVITE_TOKEN_PATTERN,
  InviteRequestSchema,
  MAX_INVITE_VALID_HOURS,
  NameSubscriptionRequestSchema,
  RemoveMemberRequestSchema,
} from './engine/sharing.js';
export type {
  AcceptInviteRequest,
  AcceptInviteResult,
  InviteRequest,
  InviteResult,
  NameSubscriptionRequest,
  RemoveMemberRequest,
  SharingRefusal,
} from './engine/sharing.js';
export type { PanelkitSharing } from './engine/sharing-kit.js';
export type { LinkScope, LinkScopeOptions } from './engine/link-scope.js';
export { SHARING_FOLLOW_JOB } from './engine/sharing-follow-queue.js';
