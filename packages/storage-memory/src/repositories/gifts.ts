import { ValidationError } from '@panelkit/sdk';
import type { Customer, Plan } from '@panelkit/sdk';
import { GiftClaimSchema, NewGiftSchema } from '@panelkit/sdk/gifts';
import type { Gift, GiftClaim, NewGift } from '@panelkit/sdk/gifts';
import { inputKey, MAX_GIFTS_PER_LIST, parseInput } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';
import { UniqueIndex } from '../internal/unique-index.js';

/** Gifts, unique by code and by giver and idempotency key. */
export interface GiftTables {
  readonly gifts: Table<Gift>;
  readonly byCode: UniqueIndex<Gift>;
  readonly byKey: UniqueIndex<Gift>;
}

const keyOf = (g: Pick<Gift, 'giverId' | 'idempotencyKey'>): string => `${g.giverId}\u0000${g.idempotencyKey}`;

/** Empty gift tables for a new memory storage. */
export function createGiftTables(): GiftTables {
  const byCode = new UniqueIndex<Gift>('a gift with this code', (g) => g.code);
  const byKey = new UniqueIndex<Gift>('a gift under this idempotency key', keyOf);
  return { gifts: new Table<Gift>('gift', [byCode, byKey]), byCode, byKey };
}

function listLimit(limit: number | undefined): number {
  const n = limit ?? MAX_GIFTS_PER_LIST;
  if (!Number.isInteger(n) || n < 1 || n > MAX_GIFTS_PER_LIST)
    throw new ValidationError('invalid limit', [{ path: 'limit', message: `must be an integer from 1 to ${MAX_GIFTS_PER_LIST}` }]);
  return n;
}

/** Gifts; each call is one check and write under the storage's lock, so a claim and an expiry cannot both win. */
export function giftOperations(tables: GiftTables, parents: { customers: Table<Customer>; plans: Table<Plan> }) {
  const { gifts, byCode, byKey } = tables;
  const unclaimed = (id: string): Gift | undefined => {
    const row = gifts.get(id);
    return row?.status === 'unclaimed' ? row : undefined;
  };
  return {
    create(op: Op, input: NewGift): Gift {
      const parsed = parseInput(NewGiftSchema, input, 'gift');
      parents.customers.require(parsed.giverId);
      parents.plans.require(parsed.planId);
      const row: Gift = {
        ...parsed,
        status: 'unclaimed',
        createdAt: op.now,
        claimedBy: null,
        claimedAt: null,
        orderId: null,
        expiredAt: null,
      };
      gifts.insert(op.undo, row);
      return copy(row);
    },

    get(_op: Op, id: string): Gift | null {
      const row = gifts.get(inputKey(id, 'gift id'));
      return row === undefined ? null : copy(row);
    },

    getByCode(_op: Op, code: string): Gift | null {
      const id = byCode.lookup(inputKey(code, 'gift code'));
      return id === undefined ? null : copy(gifts.load(id));
    },

    getByIdempotencyKey(_op: Op, giverId: string, idempotencyKey: string): Gift | null {
      const id = byKey.lookup(
        keyOf({ giverId: inputKey(giverId, 'giver id'), idempotencyKey: inputKey(idempotencyKey, 'idempotency key') }),
      );
      return id === undefined ? null : copy(gifts.load(id));
    },

    listByGiver(_op: Op, giverId: string, limit?: number): Gift[] {
      const key = inputKey(giverId, 'giver id');
      const n = listLimit(limit);
      return [...gifts.values()]
        .filter((g) => g.giverId === key)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .slice(0, n)
        .map(copy);
    },

    claim(op: Op, input: GiftClaim): Gift | null {
      const parsed = parseInput(GiftClaimSchema, input, 'gift claim');
      const before = unclaimed(parsed.giftId);
      if (before === undefined || before.expiresAt.getTime() <= op.now.getTime()) return null;
      parents.customers.require(parsed.claimedBy);
      const after: Gift = { ...before, status: 'claimed', claimedBy: parsed.claimedBy, claimedAt: op.now, orderId: parsed.orderId };
      gifts.replace(op.undo, after);
      return copy(after);
    },

    expire(op: Op, giftId: string): Gift | null {
      const before = unclaimed(inputKey(giftId, 'gift id'));
      if (before === undefined || before.expiresAt.getTime() > op.now.getTime()) return null;
      const after: Gift = { ...before, status: 'expired', expiredAt: op.now };
      gifts.replace(op.undo, after);
      return copy(after);
    },

    listExpiring(_op: Op, at: Date, limit: number): Gift[] {
      if (!(at instanceof Date) || Number.isNaN(at.getTime()))
        throw new ValidationError('invalid instant', [{ path: 'at', message: 'must be a valid Date' }]);
      const n = listLimit(limit);
      return [...gifts.values()]
        .filter((g) => g.status === 'unclaimed' && g.expiresAt.getTime() <= at.getTime())
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, n)
        .map(copy);
    },
  };
}
