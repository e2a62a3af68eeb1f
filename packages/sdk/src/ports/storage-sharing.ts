import type { NewSharingInvite, SharingInvite, SharingJoin, SharingJoinRefusal, SharingMember } from '../domain/sharing.js';

/* The storage port's repository for family and team groups (see `StoragePort`, port 21). */

/** What `sharing.join` did: the new member, or why no seat was taken (then nothing changed). */
export type SharingJoinResult = { ok: true; member: SharingMember } | { ok: false; reason: SharingJoinRefusal };

/**
 * Family and team groups: the members of a payer's subscription and the invites into it. The seat count rests on
 * `join`: it locks the invite, then the group (the payer's subscription row: a subscription in the port's lock
 * order), counts the members and takes a seat in one step, so of any number of acceptances racing for the last seat
 * (across processes too) exactly one joins.
 */
export interface SharingRepository {
  /** Stores an unused invite. A missing group subscription is a `NotFoundError`, a hash in use a `ConflictError`. */
  createInvite(input: NewSharingInvite): Promise<SharingInvite>;
  /** The invite whose token has this SHA-256 (hex), or `null`. */
  inviteByHash(tokenHash: string): Promise<SharingInvite | null>;
  /**
   * Takes a seat: marks the invite accepted by `customerId` and stores the member, when the invite is unused, not
   * past its `expiresAt` by the storage's clock, and the group holds fewer than `maxMembers` members (removed ones
   * do not count). Otherwise `{ ok: false }` with the reason and nothing changed. The member's subscription is not
   * checked here: the caller writes it in the same transaction. A missing invite is a `NotFoundError`.
   */
  join(input: SharingJoin): Promise<SharingJoinResult>;
  /** Marks the member of this subscription removed now; `null`, with nothing changed, when it is none or was removed. */
  remove(subscriptionId: string): Promise<SharingMember | null>;
  /** The membership of this (member) subscription, removed or not, or `null`. */
  memberOf(subscriptionId: string): Promise<SharingMember | null>;
  /** The group's members that were not removed, in the order they joined (then by subscription id). */
  members(groupId: string): Promise<SharingMember[]>;
}
