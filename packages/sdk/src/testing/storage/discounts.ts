import { describe, expect, it } from 'vitest';
import type { NewDiscountCode } from '../../domain/discount.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, settle } from './support.js';
import type { SuiteEnv } from './support.js';

const USD = (amount: number) => ({ amount, currency: 'USD' });

function seedCode(repos: StorageRepositories, overrides: Partial<NewDiscountCode> = {}) {
  return repos.discounts.create({ code: `C${uniqueToken().toUpperCase()}`, value: { type: 'percent', percent: 10 }, ...overrides });
}

function use(codeId: string, customerId: string, key = `purchase:order:${uniqueToken()}`) {
  return { codeId, customerId, key, use: 'purchase' as const, discount: USD(100) };
}

export function discountsSuite(env: SuiteEnv): void {
  describe('discounts', () => {
    it('creates a code with defaults, finds it by id and by its text typed in any case, and lists newest first', async () => {
      const { storage, clock } = env;
      const first = await seedCode(storage, { code: 'first-one' });
      clock.advance(1000);
      const second = await seedCode(storage);
      expect(first).toMatchObject({
        code: 'FIRST-ONE',
        planIds: [],
        locations: [],
        minAmount: null,
        maxUses: null,
        appliesTo: ['purchase'],
        disabled: false,
        uses: 0,
      });
      expect(await storage.discounts.get(first.id)).toEqual(first);
      expect(await storage.discounts.getByCode(' first-one ')).toEqual(first);
      expect(await storage.discounts.getByCode('no such code')).toBeNull();
      expect(await storage.discounts.getByCode('NOPE-NOPE')).toBeNull();
      const pages = await collectPages((cursor) => storage.discounts.list({ limit: 1, cursor }));
      expect(pages.items.map((c) => c.id).slice(0, 2)).toEqual([second.id, first.id]);
    });

    it('refuses a duplicate code text with ConflictError and bad input with ValidationError', async () => {
      const { storage } = env;
      const code = await seedCode(storage);
      await expectRejects(seedCode(storage, { code: code.code.toLowerCase() }), 'ConflictError');
      await expectRejects(seedCode(storage, { value: { type: 'percent', percent: 101 } }), 'ValidationError');
      await expectRejects(seedCode(storage, { appliesTo: [] }), 'ValidationError');
      await expectRejects(storage.discounts.update(code.id, { code: 'X' } as never), 'ValidationError');
    });

    it('updates what an admin may change', async () => {
      const { storage } = env;
      const code = await seedCode(storage);
      const updated = await storage.discounts.update(code.id, { disabled: true, maxUses: 3, note: 'spring' });
      expect(updated).toMatchObject({ disabled: true, maxUses: 3, note: 'spring', code: code.code });
      await expectRejects(storage.discounts.update('dc_missing', { disabled: true }), 'NotFoundError');
    });

    it('redeem takes one use per key; the same key again returns it and takes none', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const code = await seedCode(storage, { maxUses: 5 });
      const request = use(code.id, customer.id);
      const first = await storage.discounts.redeem(request);
      expect(first).toMatchObject({
        ok: true,
        created: true,
        redemption: { codeId: code.id, customerId: customer.id, key: request.key, releasedAt: null },
      });
      expect(await storage.discounts.redeem(request)).toMatchObject({ ok: true, created: false });
      expect((await storage.discounts.get(code.id))!.uses).toBe(1);
      expect(await storage.discounts.customerUses(code.id, customer.id)).toBe(1);
      expect(await storage.discounts.getRedemption(request.key)).toMatchObject({ key: request.key });
    });

    it('refuses past the total, per customer, and when disabled, changing nothing', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      const total = await seedCode(storage, { maxUses: 1 });
      expect((await storage.discounts.redeem(use(total.id, a.id))).ok).toBe(true);
      expect(await storage.discounts.redeem(use(total.id, b.id))).toEqual({ ok: false, reason: 'exhausted' });
      expect((await storage.discounts.get(total.id))!.uses).toBe(1);

      const perCustomer = await seedCode(storage, { maxUsesPerCustomer: 1 });
      expect((await storage.discounts.redeem(use(perCustomer.id, a.id))).ok).toBe(true);
      expect(await storage.discounts.redeem(use(perCustomer.id, a.id))).toEqual({ ok: false, reason: 'customer_exhausted' });
      expect((await storage.discounts.redeem(use(perCustomer.id, b.id))).ok).toBe(true);
      expect((await storage.discounts.get(perCustomer.id))!.uses).toBe(2);

      const off = await seedCode(storage, { disabled: true });
      expect(await storage.discounts.redeem(use(off.id, a.id))).toEqual({ ok: false, reason: 'disabled' });
      expect((await storage.discounts.get(off.id))!.uses).toBe(0);
      await expectRejects(storage.discounts.redeem(use('dc_missing', a.id)), 'NotFoundError');
      await expectRejects(storage.discounts.redeem(use(total.id, 'cus_missing')), 'NotFoundError');
    });

    it('a code made for one customer stores its owner and refuses anyone else, changing nothing (port 19)', async () => {
      const { storage } = env;
      const [owner, other] = [await seedCustomer(storage), await seedCustomer(storage)];
      const code = await seedCode(storage, { customerId: owner.id, maxUses: 1 });
      expect(code.customerId).toBe(owner.id);
      expect(await storage.discounts.getByCode(code.code)).toEqual(code);
      expect((await seedCode(storage)).customerId).toBeNull();
      expect(await storage.discounts.redeem(use(code.id, other.id))).toEqual({ ok: false, reason: 'wrong_customer' });
      expect(await storage.discounts.get(code.id)).toEqual(code);
      expect(await storage.discounts.customerUses(code.id, other.id)).toBe(0);
      expect(await storage.discounts.redeem(use(code.id, owner.id))).toMatchObject({ ok: true, created: true });
      expect((await storage.discounts.get(code.id))!.uses).toBe(1);
      await expectRejects(seedCode(storage, { customerId: 'cus_missing' }), 'NotFoundError');
    });

    it('release gives the use back once, and the limits count it no more', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const code = await seedCode(storage, { maxUses: 1, maxUsesPerCustomer: 1 });
      const first = use(code.id, customer.id);
      expect((await storage.discounts.redeem(first)).ok).toBe(true);
      const released = await storage.discounts.release(first.key);
      expect(released).toMatchObject({ key: first.key });
      expect(released!.releasedAt).not.toBeNull();
      expect(await storage.discounts.release(first.key)).toBeNull();
      expect(await storage.discounts.release('no-such-key')).toBeNull();
      expect((await storage.discounts.get(code.id))!.uses).toBe(0);
      expect(await storage.discounts.customerUses(code.id, customer.id)).toBe(0);
      expect((await storage.discounts.redeem(use(code.id, customer.id))).ok).toBe(true);
    });

    it('a redeem in a transaction that rolls back takes no use', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const code = await seedCode(storage, { maxUses: 1 });
      await expect(
        storage.transaction(async (tx) => {
          expect((await tx.discounts.redeem(use(code.id, customer.id))).ok).toBe(true);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await storage.discounts.get(code.id))!.uses).toBe(0);
    });

    it('concurrent redemptions of the last uses never take more than the code has, in all and per customer', async () => {
      const { storage } = env;
      const customers = [await seedCustomer(storage), await seedCustomer(storage)];
      const code = await seedCode(storage, { maxUses: 3, maxUsesPerCustomer: 2 });
      const replicas = await env.replicas(4);
      const attempts = Array.from({ length: 8 }, (_, i) =>
        replicas[i % replicas.length]!.transaction((tx) => tx.discounts.redeem(use(code.id, customers[i % 2]!.id))),
      );
      const { values, errors } = await settle(attempts);
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.ok)).toHaveLength(3);
      expect((await storage.discounts.get(code.id))!.uses).toBe(3);
      for (const c of customers) expect(await storage.discounts.customerUses(code.id, c.id)).toBeLessThanOrEqual(2);
    });
  });
}

export function referralsSuite(env: SuiteEnv): void {
  describe('referrals', () => {
    it('records one referral per referred customer, never a self-referral', async () => {
      const { storage } = env;
      const [a, b, c] = [await seedCustomer(storage), await seedCustomer(storage), await seedCustomer(storage)];
      const referral = await storage.referrals.create({ referrerId: a.id, referredId: b.id });
      expect(referral).toMatchObject({
        referrerId: a.id,
        referredId: b.id,
        status: 'pending',
        orderId: null,
        reward: null,
        ledgerEntryId: null,
      });
      expect(await storage.referrals.get(b.id)).toEqual(referral);
      expect(await storage.referrals.get(c.id)).toBeNull();
      await expectRejects(storage.referrals.create({ referrerId: c.id, referredId: b.id }), 'ConflictError');
      await expectRejects(storage.referrals.create({ referrerId: c.id, referredId: c.id }), 'ValidationError');
      await expectRejects(storage.referrals.create({ referrerId: 'cus_missing', referredId: c.id }), 'NotFoundError');
    });

    it('moves pending → qualified → rewarded once each, and counts what was earned', async () => {
      const { storage } = env;
      const [a, b, c, d] = [
        await seedCustomer(storage),
        await seedCustomer(storage),
        await seedCustomer(storage),
        await seedCustomer(storage),
      ];
      await storage.referrals.create({ referrerId: a.id, referredId: b.id });
      await storage.referrals.create({ referrerId: a.id, referredId: c.id });
      await storage.referrals.create({ referrerId: a.id, referredId: d.id });
      expect(await storage.referrals.qualify(b.id, { orderId: 'ord_1', reward: USD(250) })).toMatchObject({
        status: 'qualified',
        orderId: 'ord_1',
        reward: USD(250),
      });
      expect(await storage.referrals.qualify(b.id, { orderId: 'ord_2', reward: USD(999) })).toBeNull();
      expect(await storage.referrals.qualify(c.id, { orderId: 'ord_3', reward: USD(0) })).toMatchObject({ status: 'void' });
      expect((await storage.referrals.listQualified(10)).map((r) => r.referredId)).toEqual([b.id]);
      expect(await storage.referrals.markRewarded(c.id, 'led_x')).toBeNull();
      expect(await storage.referrals.markRewarded(b.id, 'led_1')).toMatchObject({ status: 'rewarded', ledgerEntryId: 'led_1' });
      expect(await storage.referrals.markRewarded(b.id, 'led_2')).toBeNull();
      expect(await storage.referrals.listQualified(10)).toEqual([]);
      expect(await storage.referrals.stats(a.id)).toEqual({ referred: 3, rewarded: 1, earned: [USD(250)] });
      expect(await storage.referrals.stats(b.id)).toEqual({ referred: 0, rewarded: 0, earned: [] });
      const page = await collectPages((cursor) => storage.referrals.listByReferrer(a.id, { limit: 2, cursor }));
      expect(page.items).toHaveLength(3);
    });

    it('keeps one program, replaced by each set', async () => {
      const { storage } = env;
      expect(await storage.referrals.getProgram()).toBeNull();
      await storage.referrals.setProgram({ enabled: true, reward: { type: 'fixed', amount: USD(500) } });
      const second = await storage.referrals.setProgram({ enabled: false, reward: { type: 'share', percent: 10 } });
      expect(second).toEqual({ enabled: false, reward: { type: 'share', percent: 10, maxAmount: null }, refundWindowDays: 30 });
      expect(await storage.referrals.getProgram()).toEqual(second);
      await expectRejects(storage.referrals.setProgram({ enabled: true, reward: { type: 'share', percent: 0 } }), 'ValidationError');
    });

    it('concurrent qualifications and rewards of one referral each happen once', async () => {
      const { storage } = env;
      const [a, b] = [await seedCustomer(storage), await seedCustomer(storage)];
      await storage.referrals.create({ referrerId: a.id, referredId: b.id });
      const replicas = await env.replicas(3);
      const qualified = await settle(replicas.map((r, i) => r.referrals.qualify(b.id, { orderId: `ord_${i}`, reward: USD(100) })));
      expect(qualified.values.filter((v) => v !== null)).toHaveLength(1);
      const rewarded = await settle(replicas.map((r, i) => r.referrals.markRewarded(b.id, `led_${i}`)));
      expect(rewarded.values.filter((v) => v !== null)).toHaveLength(1);
    });
  });
}
