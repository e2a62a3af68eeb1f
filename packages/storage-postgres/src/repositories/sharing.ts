import { NewSharingInviteSchema, SharingJoinSchema } from '@panelkit/sdk/sharing';
import type { NewSharingInvite, SharingInvite, SharingJoin, SharingMember } from '@panelkit/sdk/sharing';
import { NotFoundError } from '@panelkit/sdk';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { SharingJoinResult, SharingRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function inviteFromRow(r: Row): SharingInvite {
  return {
    id: dec.text(r['id']),
    groupId: dec.text(r['group_id']),
    tokenHash: dec.text(r['token_hash']),
    createdAt: dec.time(r['created_at']),
    expiresAt: dec.time(r['expires_at']),
    acceptedBy: dec.textOrNull(r['accepted_by']),
    acceptedAt: dec.timeOrNull(r['accepted_at']),
  };
}

function memberFromRow(r: Row): SharingMember {
  return {
    groupId: dec.text(r['group_id']),
    subscriptionId: dec.text(r['subscription_id']),
    customerId: dec.text(r['customer_id']),
    inviteId: dec.text(r['invite_id']),
    joinedAt: dec.time(r['joined_at']),
    removedAt: dec.timeOrNull(r['removed_at']),
  };
}

/**
 * Groups in `{schema}.sharing_invites` and `{schema}.sharing_members`. `join` locks the invite row, then the group's
 * subscription row (`FOR UPDATE`), so racing acceptances of one group count its members one after another.
 */
export function sharingRepository({ runner, schema }: RepositoryContext): SharingRepository {
  const invites = `${schema}.sharing_invites`;
  const members = `${schema}.sharing_members`;
  const subscriptions = `${schema}.subscriptions`;
  const read = { read: true } as const;
  return {
    createInvite: (input: NewSharingInvite) =>
      runner.run('sharing.createInvite', async ({ db, now }) => {
        const i = parseInput(NewSharingInviteSchema, input, 'sharing invite');
        const { rows } = await db.query(
          `INSERT INTO ${invites} (id, group_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)
           RETURNING *`,
          [i.id, i.groupId, i.tokenHash, enc.time(now), enc.time(i.expiresAt)],
        );
        return inviteFromRow(rows[0]!);
      }),

    inviteByHash: (tokenHash: string) =>
      runner.run(
        'sharing.inviteByHash',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${invites} WHERE token_hash = $1`, [inputKey(tokenHash, 'token hash')]);
          return rows[0] === undefined ? null : inviteFromRow(rows[0]);
        },
        read,
      ),

    join: (input: SharingJoin) =>
      runner.run('sharing.join', async ({ db, now }): Promise<SharingJoinResult> => {
        const j = parseInput(SharingJoinSchema, input, 'sharing join');
        const found = await db.query(`SELECT * FROM ${invites} WHERE id = $1 FOR UPDATE`, [j.inviteId]);
        if (found.rows[0] === undefined) throw new NotFoundError('invite', j.inviteId);
        const invite = inviteFromRow(found.rows[0]);
        if (invite.acceptedAt !== null) return { ok: false, reason: 'invite_used' };
        if (invite.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'invite_expired' };
        await db.query(`SELECT 1 FROM ${subscriptions} WHERE id = $1 FOR UPDATE`, [invite.groupId]);
        const counted = await db.query(`SELECT count(*)::int AS n FROM ${members} WHERE group_id = $1 AND removed_at IS NULL`, [
          invite.groupId,
        ]);
        if (dec.int(counted.rows[0]!['n']) >= j.maxMembers) return { ok: false, reason: 'group_full' };
        await db.query(`UPDATE ${invites} SET accepted_by = $2, accepted_at = $3::timestamptz WHERE id = $1`, [
          invite.id,
          j.customerId,
          enc.time(now),
        ]);
        const { rows } = await db.query(
          `INSERT INTO ${members} (subscription_id, group_id, customer_id, invite_id, joined_at) VALUES ($1, $2, $3, $4, $5::timestamptz)
           RETURNING *`,
          [j.subscriptionId, invite.groupId, j.customerId, invite.id, enc.time(now)],
        );
        return { ok: true, member: memberFromRow(rows[0]!) };
      }),

    remove: (subscriptionId: string) =>
      runner.run(
        'sharing.remove',
        async ({ db, now }) => {
          const { rows } = await db.query(
            `UPDATE ${members} SET removed_at = $2::timestamptz WHERE subscription_id = $1 AND removed_at IS NULL RETURNING *`,
            [inputKey(subscriptionId, 'subscription id'), enc.time(now)],
          );
          return rows[0] === undefined ? null : memberFromRow(rows[0]);
        },
        { autocommit: true },
      ),

    memberOf: (subscriptionId: string) =>
      runner.run(
        'sharing.memberOf',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${members} WHERE subscription_id = $1`, [
            inputKey(subscriptionId, 'subscription id'),
          ]);
          return rows[0] === undefined ? null : memberFromRow(rows[0]);
        },
        read,
      ),

    members: (groupId: string) =>
      runner.run(
        'sharing.members',
        async ({ db }) => {
          const { rows } = await db.query(
            `SELECT * FROM ${members} WHERE group_id = $1 AND removed_at IS NULL ORDER BY joined_at, subscription_id`,
            [inputKey(groupId, 'group id')],
          );
          return rows.map(memberFromRow);
        },
        read,
      ),
  };
}
