import { describe, expect, it } from 'vitest';
import type { NewGift } from '../../domain/gift.js';
import { createId } from '../../domain/ids.js';
import { newGiftCode } from '../../engine/gifts.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, seedPlan, uniqueToken } from './fixtures.js';
import { DAY, expectRejects, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

async function newGift(repos: StorageRepositories, expiresAt: Date, extra: Partial<NewGift> = {}): Promise<NewGift> {
  const giverId = extra.giverId ?? (await seedCustomer(repos)).id;
  const planId = extra.planId ?? (await seedPlan(repos)).id;
  return {
    id: createId('gift'),
    code: newGiftCode(),
    giverId,
    planId,
    price: { amount: 1000, currency: 'USD' },
    idempotencyKey: `key-${uniqueToken()}`,
    expiresAt,
    ...extra,
  };
}

/** Gifts: stored and read back, unique codes and keys, claimed or expired once each, under races across connections too. */
export function giftsSuite(env: SuiteEnv): void {
  describe('gifts', () => {
    it('stores an unclaimed gift and reads it by id, code and key as a copy; lists a giver’s newest first', async () => {
      const { storage, clock } = env;
      const giver = await seedCustomer(storage);
      const expiresAt = new Date(clock.now().getTime() + 7 * DAY);
      const first = await storage.gifts.create(await newGift(storage, expiresAt, { giverId: giver.id }));
      expect(first).toMatchObject({
        giverId: giver.id,
        status: 'unclaimed',
        claimedBy: null,
        claimedAt: null,
        orderId: null,
        expiredAt: null,
      });
      expect(first.createdAt).toEqual(clock.now());
      expect(first.expiresAt).toEqual(expiresAt);
      clock.advance(MINUTE);
      const second = await storage.gifts.create(await newGift(storage, expiresAt, { giverId: giver.id }));
      await storage.gifts.create(await newGift(storage, expiresAt));
      expect((await storage.gifts.listByGiver(giver.id)).map((g) => g.id)).toEqual([second.id, first.id]);
      expect((await storage.gifts.listByGiver(giver.id, 1)).map((g) => g.id)).toEqual([second.id]);
      expect(await storage.gifts.getByCode(first.code)).toEqual(first);
      expect(await storage.gifts.getByIdempotencyKey(giver.id, first.idempotencyKey)).toEqual(first);
      const read = await storage.gifts.get(first.id);
      expect(read).toEqual(first);
      read!.status = 'claimed';
      expect((await storage.gifts.get(first.id))!.status).toBe('unclaimed');
      expect(await storage.gifts.get('gift_missing')).toBeNull();
      expect(await storage.gifts.getByCode(newGiftCode())).toBeNull();
    });

    it('refuses a taken code or key as ConflictError, missing parents as NotFoundError, bad input as ValidationError', async () => {
      const { storage, clock } = env;
      const expiresAt = new Date(clock.now().getTime() + DAY);
      const gift = await storage.gifts.create(await newGift(storage, expiresAt));
      await expectRejects(storage.gifts.create(await newGift(storage, expiresAt, { code: gift.code })), 'ConflictError');
      await expectRejects(
        storage.gifts.create(await newGift(storage, expiresAt, { giverId: gift.giverId, idempotencyKey: gift.idempotencyKey })),
        'ConflictError',
      );
      await expectRejects(storage.gifts.create(await newGift(storage, expiresAt, { giverId: 'cus_missing' })), 'NotFoundError');
      await expectRejects(storage.gifts.create(await newGift(storage, expiresAt, { planId: 'plan_missing' })), 'NotFoundError');
      await expectRejects(storage.gifts.create(await newGift(storage, expiresAt, { code: 'lower-case' })), 'ValidationError');
      await expectRejects(
        storage.gifts.create(await newGift(storage, expiresAt, { price: { amount: 0, currency: 'USD' } })),
        'ValidationError',
      );
      await expectRejects(storage.gifts.listByGiver(gift.giverId, 0), 'ValidationError');
      expect(await storage.gifts.listByGiver(gift.giverId)).toHaveLength(1);
    });

    it('claims an unclaimed gift once; a claimed gift neither claims nor expires again', async () => {
      const { storage, clock } = env;
      const gift = await storage.gifts.create(await newGift(storage, new Date(clock.now().getTime() + DAY)));
      const claimer = await seedCustomer(storage);
      const other = await seedCustomer(storage);
      clock.advance(MINUTE);
      const claimed = await storage.gifts.claim({ giftId: gift.id, claimedBy: claimer.id, orderId: 'ord_gift_1' });
      expect(claimed).toMatchObject({ id: gift.id, status: 'claimed', claimedBy: claimer.id, orderId: 'ord_gift_1' });
      expect(claimed!.claimedAt).toEqual(clock.now());
      expect(await storage.gifts.claim({ giftId: gift.id, claimedBy: other.id, orderId: 'ord_gift_2' })).toBeNull();
      clock.advance(2 * DAY);
      expect(await storage.gifts.expire(gift.id)).toBeNull();
      expect(await storage.gifts.get(gift.id)).toEqual(claimed);
      expect(await storage.gifts.claim({ giftId: 'gift_missing', claimedBy: claimer.id, orderId: 'ord_x' })).toBeNull();
      await expectRejects(storage.gifts.claim({ giftId: gift.id, claimedBy: '', orderId: 'ord_x' }), 'ValidationError');
    });

    it('expires a gift only once it is due, lists the due ones soonest first, and a due gift cannot be claimed', async () => {
      const { storage, clock } = env;
      const start = clock.now().getTime();
      const later = await storage.gifts.create(await newGift(storage, new Date(start + 2 * DAY)));
      const sooner = await storage.gifts.create(await newGift(storage, new Date(start + DAY)));
      const claimer = await seedCustomer(storage);
      expect(await storage.gifts.expire(sooner.id)).toBeNull();
      const dueIds = (g: { id: string }[]) => g.map((x) => x.id).filter((id) => id === later.id || id === sooner.id);
      expect(dueIds(await storage.gifts.listExpiring(clock.now(), 1000))).toEqual([]);
      clock.advance(3 * DAY);
      expect(dueIds(await storage.gifts.listExpiring(clock.now(), 1000))).toEqual([sooner.id, later.id]);
      expect(await storage.gifts.claim({ giftId: sooner.id, claimedBy: claimer.id, orderId: 'ord_late' })).toBeNull();
      const expired = await storage.gifts.expire(sooner.id);
      expect(expired).toMatchObject({ status: 'expired', claimedBy: null });
      expect(expired!.expiredAt).toEqual(clock.now());
      expect(await storage.gifts.expire(sooner.id)).toBeNull();
      expect(dueIds(await storage.gifts.listExpiring(clock.now(), 1000))).toEqual([later.id]);
    });

    it('of claims racing on one gift from several connections exactly one wins; so does one of racing expiries', async () => {
      const { storage, clock } = env;
      const gift = await storage.gifts.create(await newGift(storage, new Date(clock.now().getTime() + DAY)));
      const claimers = await Promise.all([1, 2, 3, 4].map(() => seedCustomer(storage)));
      const replicas = await env.replicas(4);
      const claims = await settle(
        replicas.map((r, i) => r.gifts.claim({ giftId: gift.id, claimedBy: claimers[i]!.id, orderId: `ord_race_${i}` })),
      );
      expect(claims.errors).toEqual([]);
      const winners = claims.values.filter((g) => g !== null);
      expect(winners).toHaveLength(1);
      expect((await storage.gifts.get(gift.id))!.claimedBy).toBe(winners[0]!.claimedBy);

      const due = await storage.gifts.create(await newGift(storage, new Date(clock.now().getTime() + MINUTE)));
      clock.advance(2 * MINUTE);
      const expiries = await settle(replicas.map((r) => r.gifts.expire(due.id)));
      expect(expiries.errors).toEqual([]);
      expect(expiries.values.filter((g) => g !== null)).toHaveLength(1);
    });

    it('a claim rolled back with its transaction leaves the gift unclaimed', async () => {
      const { storage, clock } = env;
      const gift = await storage.gifts.create(await newGift(storage, new Date(clock.now().getTime() + DAY)));
      const claimer = await seedCustomer(storage);
      await storage
        .transaction(async (tx) => {
          await tx.gifts.claim({ giftId: gift.id, claimedBy: claimer.id, orderId: 'ord_rolled_back' });
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect((await storage.gifts.get(gift.id))!.status).toBe('unclaimed');
    });
  });
}
