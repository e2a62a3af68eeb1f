import { ValidationError } from '@panelkit/sdk';
import { GiftClaimSchema, NewGiftSchema } from '@panelkit/sdk/gifts';
import type { Gift, GiftClaim, NewGift } from '@panelkit/sdk/gifts';
import { inputKey, MAX_GIFTS_PER_LIST, parseInput } from '@panelkit/sdk/storage';
import type { GiftRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

function giftFromRow(r: Row): Gift {
  return {
    id: dec.text(r['id']),
    code: dec.text(r['code']),
    giverId: dec.text(r['giver_id']),
    planId: dec.text(r['plan_id']),
    price: { amount: dec.int(r['price_amount']), currency: dec.text(r['price_currency']) },
    idempotencyKey: dec.text(r['idempotency_key']),
    status: dec.text(r['status']) as Gift['status'],
    createdAt: dec.time(r['created_at']),
    expiresAt: dec.time(r['expires_at']),
    claimedBy: dec.textOrNull(r['claimed_by']),
    claimedAt: dec.timeOrNull(r['claimed_at']),
    orderId: dec.textOrNull(r['order_id']),
    expiredAt: dec.timeOrNull(r['expired_at']),
  };
}

function listLimit(limit: number | undefined): number {
  const n = limit ?? MAX_GIFTS_PER_LIST;
  if (!Number.isInteger(n) || n < 1 || n > MAX_GIFTS_PER_LIST)
    throw new ValidationError('invalid limit', [{ path: 'limit', message: `must be an integer from 1 to ${MAX_GIFTS_PER_LIST}` }]);
  return n;
}

/**
 * Gifts; `claim` and `expire` are each one `UPDATE … WHERE status = 'unclaimed'` with the time condition, so
 * the row lock serialises racing calls and the ones after the winner match nothing.
 */
export function giftRepository({ runner, schema }: RepositoryContext): GiftRepository {
  const table = `${schema}.gifts`;
  const read = { read: true } as const;
  const one = (rows: Row[]): Gift | null => (rows[0] === undefined ? null : giftFromRow(rows[0]));
  return {
    create: (input: NewGift) =>
      runner.run('gifts.create', async ({ db, now }) => {
        const g = parseInput(NewGiftSchema, input, 'gift');
        const { rows } = await db.query(
          `INSERT INTO ${table} (id, code, giver_id, plan_id, price_amount, price_currency, idempotency_key, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz)
           RETURNING *`,
          [g.id, g.code, g.giverId, g.planId, g.price.amount, g.price.currency, g.idempotencyKey, enc.time(now), enc.time(g.expiresAt)],
        );
        return giftFromRow(rows[0]!);
      }),

    get: (id: string) =>
      runner.run(
        'gifts.get',
        async ({ db }) => one((await db.query(`SELECT * FROM ${table} WHERE id = $1`, [inputKey(id, 'gift id')])).rows),
        read,
      ),

    getByCode: (code: string) =>
      runner.run(
        'gifts.getByCode',
        async ({ db }) => one((await db.query(`SELECT * FROM ${table} WHERE code = $1`, [inputKey(code, 'gift code')])).rows),
        read,
      ),

    getByIdempotencyKey: (giverId: string, idempotencyKey: string) =>
      runner.run(
        'gifts.getByIdempotencyKey',
        async ({ db }) =>
          one(
            (
              await db.query(`SELECT * FROM ${table} WHERE giver_id = $1 AND idempotency_key = $2`, [
                inputKey(giverId, 'giver id'),
                inputKey(idempotencyKey, 'idempotency key'),
              ])
            ).rows,
          ),
        read,
      ),

    listByGiver: (giverId: string, limit?: number) =>
      runner.run(
        'gifts.listByGiver',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE giver_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [
            inputKey(giverId, 'giver id'),
            listLimit(limit),
          ]);
          return rows.map(giftFromRow);
        },
        read,
      ),

    claim: (input: GiftClaim) =>
      runner.run('gifts.claim', async ({ db, now }) => {
        const c = parseInput(GiftClaimSchema, input, 'gift claim');
        const { rows } = await db.query(
          `UPDATE ${table} SET status = 'claimed', claimed_by = $2, claimed_at = $4::timestamptz, order_id = $3
           WHERE id = $1 AND status = 'unclaimed' AND expires_at > $4::timestamptz
           RETURNING *`,
          [c.giftId, c.claimedBy, c.orderId, enc.time(now)],
        );
        return one(rows);
      }),

    expire: (giftId: string) =>
      runner.run('gifts.expire', async ({ db, now }) => {
        const { rows } = await db.query(
          `UPDATE ${table} SET status = 'expired', expired_at = $2::timestamptz
           WHERE id = $1 AND status = 'unclaimed' AND expires_at <= $2::timestamptz
           RETURNING *`,
          [inputKey(giftId, 'gift id'), enc.time(now)],
        );
        return one(rows);
      }),

    listExpiring: (at: Date, limit: number) =>
      runner.run(
        'gifts.listExpiring',
        async ({ db }) => {
          if (!(at instanceof Date) || Number.isNaN(at.getTime()))
            throw new ValidationError('invalid instant', [{ path: 'at', message: 'must be a valid Date' }]);
          const { rows } = await db.query(
            `SELECT * FROM ${table} WHERE status = 'unclaimed' AND expires_at <= $1::timestamptz ORDER BY expires_at, id LIMIT $2`,
            [enc.time(at), listLimit(limit)],
          );
          return rows.map(giftFromRow);
        },
        read,
      ),
  };
}
