import { z } from 'zod';
import { IdSchema } from './common.js';

/**
 * One member of a family or team group (`Plan.sharing`): another customer's subscription that belongs to the
 * payer's subscription (the group, named by its id). Removed members keep their row with `removedAt` set.
 */
export const SharingMemberSchema = z.object({
  /** The payer's subscription: the group. */
  groupId: IdSchema,
  /** The member's own subscription (a new one per membership). */
  subscriptionId: IdSchema,
  customerId: IdSchema,
  /** The invite the member accepted. */
  inviteId: IdSchema,
  joinedAt: z.date(),
  /** When the payer removed them; `null` while they are a member. */
  removedAt: z.date().nullable(),
});
/** A group member as stored (see `SharingMemberSchema`). */
export type SharingMember = z.infer<typeof SharingMemberSchema>;

/**
 * An invitation into a group: a single-use token the payer hands over (only its SHA-256 is stored), valid until
 * `expiresAt` by the storage's clock.
 */
export const SharingInviteSchema = z.object({
  id: IdSchema,
  groupId: IdSchema,
  /** The SHA-256 (hex) of the invite token. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.date(),
  expiresAt: z.date(),
  /** Who accepted it and when; `null` while unused. */
  acceptedBy: IdSchema.nullable(),
  acceptedAt: z.date().nullable(),
});
/** An invite as stored (see `SharingInviteSchema`). */
export type SharingInvite = z.infer<typeof SharingInviteSchema>;

/** Validates an invite to store (`sharing.createInvite`): its id, group, token hash and expiry. */
export const NewSharingInviteSchema = SharingInviteSchema.pick({ id: true, groupId: true, tokenHash: true, expiresAt: true }).strict();
/** Input of `sharing.createInvite`. */
export type NewSharingInvite = z.input<typeof NewSharingInviteSchema>;

/**
 * Validates a seat taken with an invite (`sharing.join`): the invite, who accepts it, the member subscription the
 * same transaction writes, and how many members the group may hold.
 */
export const SharingJoinSchema = z.strictObject({
  inviteId: IdSchema,
  customerId: IdSchema,
  subscriptionId: IdSchema,
  maxMembers: z.number().int().min(1).max(1000),
});
/** Input of `sharing.join`. */
export type SharingJoin = z.input<typeof SharingJoinSchema>;

/** Why `sharing.join` took no seat: the invite was used, is past its time, or the group is full. */
export type SharingJoinRefusal = 'invite_used' | 'invite_expired' | 'group_full';
