import type { Subscription } from '@panelkit/sdk';
import { NewSharingInviteSchema, SharingJoinSchema } from '@panelkit/sdk/sharing';
import type { NewSharingInvite, SharingInvite, SharingJoin, SharingMember } from '@panelkit/sdk/sharing';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { SharingJoinResult } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

/** A member row, stored under its subscription's id. */
type MemberRow = SharingMember & { readonly id: string };

/** Group invites (unique by token hash) and members (one per member subscription). */
export interface SharingTables {
  readonly invites: Table<SharingInvite>;
  readonly inviteByHash: UniqueIndex<SharingInvite>;
  readonly members: Table<MemberRow>;
}

/** Empty sharing tables for a new memory storage. */
export function createSharingTables(): SharingTables {
  const inviteByHash = new UniqueIndex<SharingInvite>('an invite with this token hash', (i) => i.tokenHash);
  return { invites: new Table<SharingInvite>('invite', [inviteByHash]), inviteByHash, members: new Table<MemberRow>('member', []) };
}

const memberOf = ({ id: _id, ...member }: MemberRow): SharingMember => copy(member);

/** Groups; `join` checks and writes under the storage's lock, so two acceptances of the last seat cannot both win. */
export function sharingOperations({ invites, inviteByHash, members }: SharingTables, subscriptions: Table<Subscription>) {
  const active = (groupId: string): MemberRow[] =>
    [...members.values()]
      .filter((m) => m.groupId === groupId && m.removedAt === null)
      .sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    createInvite(op: Op, input: NewSharingInvite): SharingInvite {
      const parsed = parseInput(NewSharingInviteSchema, input, 'sharing invite');
      subscriptions.require(parsed.groupId);
      const row: SharingInvite = { ...parsed, createdAt: op.now, acceptedBy: null, acceptedAt: null };
      invites.insert(op.undo, row);
      return copy(row);
    },

    inviteByHash(_op: Op, tokenHash: string): SharingInvite | null {
      const id = inviteByHash.lookup(inputKey(tokenHash, 'token hash'));
      return id === undefined ? null : copy(invites.load(id));
    },

    join(op: Op, input: SharingJoin): SharingJoinResult {
      const parsed = parseInput(SharingJoinSchema, input, 'sharing join');
      const invite = invites.require(parsed.inviteId);
      if (invite.acceptedAt !== null) return { ok: false, reason: 'invite_used' };
      if (invite.expiresAt.getTime() <= op.now.getTime()) return { ok: false, reason: 'invite_expired' };
      if (active(invite.groupId).length >= parsed.maxMembers) return { ok: false, reason: 'group_full' };
      const member: MemberRow = {
        id: parsed.subscriptionId,
        groupId: invite.groupId,
        subscriptionId: parsed.subscriptionId,
        customerId: parsed.customerId,
        inviteId: invite.id,
        joinedAt: op.now,
        removedAt: null,
      };
      invites.replace(op.undo, { ...invite, acceptedBy: parsed.customerId, acceptedAt: op.now });
      members.insert(op.undo, member);
      return { ok: true, member: memberOf(member) };
    },

    remove(op: Op, subscriptionId: string): SharingMember | null {
      const row = members.get(inputKey(subscriptionId, 'subscription id'));
      if (row === undefined || row.removedAt !== null) return null;
      const after: MemberRow = { ...row, removedAt: op.now };
      members.replace(op.undo, after);
      return memberOf(after);
    },

    memberOf(_op: Op, subscriptionId: string): SharingMember | null {
      const row = members.get(inputKey(subscriptionId, 'subscription id'));
      return row === undefined ? null : memberOf(row);
    },

    members(_op: Op, groupId: string): SharingMember[] {
      return active(inputKey(groupId, 'group id')).map(memberOf);
    },
  };
}
