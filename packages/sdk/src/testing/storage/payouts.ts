import { describe, expect, it } from 'vitest';
import type { NewPayoutEntry } from '../../domain/payout.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { seedCustomer, uniqueToken } from './fixtures.js';
import { collectPages, expectRejects, isErrorKind, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const ADMIN = { type: 'admin' as const, id: 'admin-1' };

function margin(partnerId: string, amount: number, key = `m-${uniqueToken()}`): NewPayoutEntry {
  return { partnerId, kind: 'margin', amount, currency: 'USD', idempotencyKey: key, actor: { type: 'system' } };
}

async function earner(repos: StorageRepositories, amount: number) {
  const partner = await seedCustomer(repos);
  if (amount !== 0) await repos.payouts.append(margin(partner.id, amount));
  return partner;
}

/** Payouts (port 21): a payout ledger per partner, withdrawals held at once, each decided once, under races too. */
export function payoutsSuite(env: SuiteEnv): void {
  describe('payouts', () => {
    it('appends entries with running balances, once per key; lists them newest first; balances per currency', async () => {
      const { storage, clock } = env;
      const partner = await seedCustomer(storage);
      const first = await storage.payouts.append(margin(partner.id, 500, 'k1'));
      expect(first.created).toBe(true);
      expect(first.entry).toMatchObject({
        partnerId: partner.id,
        kind: 'margin',
        amount: 500,
        balanceAfter: 500,
        storefrontId: null,
        createdAt: clock.now(),
      });
      expect(await storage.payouts.append(margin(partner.id, 500, 'k1'))).toEqual({ entry: first.entry, created: false });
      await expectRejects(storage.payouts.append(margin(partner.id, 400, 'k1')), 'IdempotencyConflictError');
      clock.advance(MINUTE);
      // A refund's reversal may take the balance below zero: the partner owes it back.
      const back = await storage.payouts.append(margin(partner.id, -700));
      expect(back.entry.balanceAfter).toBe(-200);
      await storage.payouts.append({ ...margin(partner.id, 50), currency: 'EUR' });
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(-200);
      expect(await storage.payouts.balances(partner.id)).toEqual([{ amount: 50, currency: 'EUR' }, usd(-200)]);
      const pages = await collectPages((cursor) => storage.payouts.list(partner.id, { limit: 2, cursor }));
      // The EUR entry and the reversal share an instant: ordered by id between them, before the first entry.
      expect(pages.items.map((e) => e.amount).sort((a, b) => a - b)).toEqual([-700, 50, 500]);
      expect(pages.items.at(-1)!.id).toBe(first.entry.id);
      expect(pages.pageSizes).toEqual([2, 1]);
      expect(await storage.payouts.balances((await seedCustomer(storage)).id)).toEqual([]);
      await expectRejects(storage.payouts.append(margin('cus_missing', 1)), 'NotFoundError');
      await expectRejects(storage.payouts.append({ ...margin(partner.id, 1), kind: 'withdrawal_hold' }), 'ValidationError');
      await expectRejects(storage.payouts.append(margin(partner.id, 0)), 'ValidationError');
    });

    it('creates a withdrawal with its hold, replays its key, refuses one past the balance and writes nothing', async () => {
      const { storage, clock } = env;
      const partner = await earner(storage, 1000);
      clock.advance(MINUTE);
      const asked = await storage.payouts.createWithdrawal({
        partnerId: partner.id,
        amount: usd(600),
        destination: 'card 1',
        idempotencyKey: 'w1',
      });
      expect(asked.created).toBe(true);
      expect(asked.withdrawal).toMatchObject({
        status: 'requested',
        amount: usd(600),
        reason: null,
        decidedAt: null,
        requestedAt: clock.now(),
      });
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(400);
      const hold = (await storage.payouts.list(partner.id, { limit: 1 })).items[0]!;
      expect(hold).toMatchObject({
        kind: 'withdrawal_hold',
        amount: -600,
        withdrawalId: asked.withdrawal.id,
        idempotencyKey: `withdrawal.hold:${asked.withdrawal.id}`,
      });
      expect(
        await storage.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(600), destination: 'card 1', idempotencyKey: 'w1' }),
      ).toEqual({
        withdrawal: asked.withdrawal,
        created: false,
      });
      await expectRejects(
        storage.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(100), destination: 'card 1', idempotencyKey: 'w1' }),
        'IdempotencyConflictError',
      );
      await expectRejects(
        storage.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(401), destination: 'card 1', idempotencyKey: 'w2' }),
        'InsufficientFundsError',
      );
      await expectRejects(
        storage.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(0), destination: 'card 1', idempotencyKey: 'w3' }),
        'ValidationError',
      );
      expect((await storage.payouts.listWithdrawals({ partnerId: partner.id }, { limit: 10 })).items).toHaveLength(1);
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(400);
      expect(await storage.payouts.held(partner.id)).toEqual([usd(600)]);
    });

    it('moves a withdrawal only from the states named, stamping who decided and when it was paid', async () => {
      const { storage, clock } = env;
      const partner = await earner(storage, 1000);
      const { withdrawal } = await storage.payouts.createWithdrawal({
        partnerId: partner.id,
        amount: usd(300),
        destination: 'd',
        idempotencyKey: 'w',
      });
      expect(await storage.payouts.transitionWithdrawal(withdrawal.id, ['approved'], { to: 'paid', actor: ADMIN })).toBeNull();
      clock.advance(MINUTE);
      const approved = await storage.payouts.transitionWithdrawal(withdrawal.id, ['requested'], { to: 'approved', actor: ADMIN });
      expect(approved).toMatchObject({ status: 'approved', decidedBy: ADMIN, decidedAt: clock.now(), paidAt: null });
      expect(await storage.payouts.transitionWithdrawal(withdrawal.id, ['requested'], { to: 'approved', actor: ADMIN })).toBeNull();
      clock.advance(MINUTE);
      const paid = await storage.payouts.transitionWithdrawal(withdrawal.id, ['approved'], { to: 'paid', actor: ADMIN, reference: 'tx-1' });
      expect(paid).toMatchObject({ status: 'paid', reference: 'tx-1', paidAt: clock.now(), decidedAt: approved!.decidedAt });
      expect(await storage.payouts.getWithdrawal(withdrawal.id)).toEqual(paid);
      expect(await storage.payouts.transitionWithdrawal('wdr_missing', ['requested'], { to: 'approved', actor: ADMIN })).toBeNull();
      expect(await storage.payouts.held(partner.id)).toEqual([]);
      const from = new Date(clock.now().getTime() - 1);
      const to = new Date(clock.now().getTime() + 1);
      expect(await storage.payouts.paid({ from, to, partnerId: partner.id })).toEqual([usd(300)]);
      expect(await storage.payouts.paid({ from: to, to: new Date(to.getTime() + 1) })).toEqual([]);
      const refused = await storage.payouts.createWithdrawal({
        partnerId: partner.id,
        amount: usd(100),
        destination: 'd',
        idempotencyKey: 'w2',
      });
      const r = await storage.payouts.transitionWithdrawal(refused.withdrawal.id, ['requested', 'approved'], {
        to: 'refused',
        actor: ADMIN,
        reason: 'no',
      });
      expect(r).toMatchObject({ status: 'refused', reason: 'no' });
      const byStatus = await storage.payouts.listWithdrawals({ status: 'refused', partnerId: partner.id }, { limit: 10 });
      expect(byStatus.items.map((w) => w.id)).toEqual([refused.withdrawal.id]);
      await expectRejects(storage.payouts.listWithdrawals({ status: 'lost' as never }, { limit: 10 }), 'ValidationError');
    });

    it('of replicas deciding one withdrawal at once, exactly one moves it', async () => {
      const { storage } = env;
      const partner = await earner(storage, 1000);
      const { withdrawal } = await storage.payouts.createWithdrawal({
        partnerId: partner.id,
        amount: usd(300),
        destination: 'd',
        idempotencyKey: 'w',
      });
      const replicas = await env.replicas(4);
      const moved = await Promise.all(
        replicas.map((r, i) =>
          r.payouts.transitionWithdrawal(withdrawal.id, ['requested'], {
            to: i % 2 === 0 ? 'approved' : 'refused',
            actor: ADMIN,
            reason: 'r',
          }),
        ),
      );
      expect(moved.filter((w) => w !== null)).toHaveLength(1);
    });

    it('of replicas asking for more than the balance at once, only what it covers is held', async () => {
      const { storage } = env;
      const partner = await earner(storage, 1000);
      const replicas = await env.replicas(4);
      const { values, errors } = await settle(
        replicas.map((r, i) =>
          r.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(400), destination: 'd', idempotencyKey: `w${i}` }),
        ),
      );
      expect(values).toHaveLength(2);
      expect(errors.every((e) => isErrorKind(e, 'InsufficientFundsError'))).toBe(true);
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(200);
      const twice = await Promise.all(
        replicas.map((r) =>
          r.payouts.createWithdrawal({ partnerId: partner.id, amount: usd(100), destination: 'd', idempotencyKey: 'once' }),
        ),
      );
      expect(twice.filter((t) => t.created)).toHaveLength(1);
      expect(new Set(twice.map((t) => t.withdrawal.id)).size).toBe(1);
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(100);
      const same = await settle(replicas.map((r) => r.payouts.append(margin(partner.id, 110, 'one-key'))));
      expect(same.values.filter((v) => v.created)).toHaveLength(1);
      expect(await storage.payouts.balance(partner.id, 'USD')).toBe(210);
    });
  });
}
