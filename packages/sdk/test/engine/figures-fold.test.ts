import { describe, expect, it } from 'vitest';
import type { FiguresCalendar } from '../../src/rules/index.js';
import { figuresFromRows } from '../../src/testing/index.js';
import { scopesOf, seeded, storedCells } from './figures-support.js';
import { createHarness, type Harness } from './harness.js';

const UTC: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };

/** Starts the figures (meta, rebuild job) and folds everything: what an owner's first start does. */
async function foldAll(h: Harness): Promise<void> {
  await h.kit.figures.foldNow();
  await h.worker().drain();
  await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
}

async function expectRollupsExact(h: Harness, cal: FiguresCalendar = UTC): Promise<void> {
  const expected = await figuresFromRows(h.storage, cal);
  expect(expected.size).toBeGreaterThan(50);
  const stored = await storedCells(h.storage, scopesOf(expected.values()));
  expect(new Map([...stored].sort())).toEqual(new Map([...expected].sort()));
}

/** A random sequence of what buyers and staff do, through the kit; refusals are part of the game. */
async function randomShop(h: Harness, seed: number, steps: number, foldEvery: number): Promise<void> {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const plan2 = await h.addPlan({ price: { amount: 2500, currency: 'USD' }, durationDays: 60 });
  const trialPlan = await h.addPlan({ family: 'trial-fam', trial: { days: 3, trafficBytes: null } });
  const customers: string[] = [];
  const orders: { customerId: string; orderId: string; total: number }[] = [];
  const subs: string[] = [];
  const gifts: string[] = [];
  let key = 0;
  for (let step = 0; step < steps; step++) {
    const roll = random();
    const customerId = pick(customers);
    try {
      if (roll < 0.12 || customerId === undefined) customers.push(await h.customer(random() < 0.7 ? 20_000 : 0));
      else if (roll < 0.35) {
        const planId = random() < 0.6 ? h.plan.id : plan2.id;
        const r = await h.kit.checkout({ customerId, items: [{ planId, autoRenew: random() < 0.5 }], idempotencyKey: `k${++key}` });
        orders.push({ customerId, orderId: r.order.id, total: r.order.total.amount });
        subs.push(...r.subscriptions.map((s) => s.id));
      } else if (roll < 0.42) {
        const r = await h.kit.checkout({ customerId, items: [{ planId: trialPlan.id, trial: true }], idempotencyKey: `k${++key}` });
        subs.push(...r.subscriptions.map((s) => s.id));
      } else if (roll < 0.52) {
        const id = pick(subs);
        if (id !== undefined) await h.kit.extend({ subscriptionId: id, idempotencyKey: `k${++key}` });
      } else if (roll < 0.6) {
        const o = pick(orders);
        if (o !== undefined && o.total > 0) {
          const amount = random() < 0.5 ? o.total : Math.max(1, Math.floor(o.total / 3));
          await h.kit.refund({
            customerId: o.customerId,
            orderId: o.orderId,
            amount: { amount, currency: 'USD' },
            idempotencyKey: `k${++key}`,
          });
        }
      } else if (roll < 0.66) {
        const id = pick(subs);
        if (id !== undefined) await h.kit.changePlan({ subscriptionId: id, planId: plan2.id, idempotencyKey: `k${++key}` });
      } else if (roll < 0.72) {
        gifts.push((await h.kit.gifts.buy({ customerId, planId: h.plan.id, validDays: 10, idempotencyKey: `k${++key}` })).gift.code);
      } else if (roll < 0.78) {
        const code = gifts.pop();
        if (code !== undefined) subs.push(...(await h.kit.gifts.claim({ code, customerId })).subscriptions.map((s) => s.id));
      } else if (roll < 0.9) {
        h.clock.advanceDays(1 + Math.floor(random() * 20));
        await h.kit.createScheduler().tick();
      } else {
        await h.worker().drain();
      }
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error)) throw error;
    }
    if (foldEvery > 0 && step % foldEvery === foldEvery - 1) await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
  }
  await h.worker().drain();
}

describe('the figures fold (memory storage)', () => {
  it('keeps every rollup equal to a recomputation from the rows through random sales, folding as it goes', async () => {
    for (const seed of [1, 2, 3]) {
      const h = await createHarness();
      await foldAll(h);
      await randomShop(h, seed, 160, 7);
      await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
      expect((await h.kit.figures.status()).pending).toBe(0);
      await expectRollupsExact(h);
    }
  });

  it('a second fold of every customer changes nothing, and a rebuild gives the same rollups', async () => {
    const h = await createHarness();
    await randomShop(h, 7, 120, 0);
    await foldAll(h);
    const scopes = scopesOf((await figuresFromRows(h.storage, UTC)).values());
    const first = await storedCells(h.storage, scopes);
    expect(first.size).toBeGreaterThan(0);
    await h.storage.figures.markAll('', 1000);
    const again = await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
    expect(again.buyers).toBeGreaterThan(0);
    expect(await storedCells(h.storage, scopes)).toEqual(first);
    const status = await h.kit.figures.rebuild();
    expect(status.rebuilding).toBe(true);
    await h.worker().drain();
    await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
    expect(await h.kit.figures.status()).toMatchObject({ rebuilding: false, pending: 0 });
    expect(await storedCells(h.storage, scopes)).toEqual(first);
    await expectRollupsExact(h);
  });

  it('folds nothing before its meta is set: the first foldNow starts a rebuild, whose job pages everyone in', async () => {
    const h = await createHarness();
    await h.customer(1000);
    expect(await h.storage.figures.meta()).toBeNull();
    expect(await h.kit.figures.foldNow()).toMatchObject({ batches: 0, buyers: 0 });
    expect(await h.storage.figures.meta()).toMatchObject({ timeZone: 'UTC', calendar: 'gregorian', rebuildCursor: '' });
    expect((await h.kit.figures.status()).rebuilding).toBe(true);
    await h.worker().drain();
    expect(await h.storage.figures.meta()).toMatchObject({ rebuildCursor: null });
    await h.kit.figures.foldNow();
    expect(await h.kit.figures.status()).toMatchObject({ rebuilding: false, pending: 0, foldedAt: h.clock.now() });
  });

  it('rebuilds in another calendar when the kit’s settings change', async () => {
    const h = await createHarness();
    await randomShop(h, 11, 80, 0);
    await foldAll(h);
    const jalali: FiguresCalendar = { timeZone: 'Asia/Tehran', calendar: 'jalali' };
    const { createPanelkit } = await import('../../src/index.js');
    const other = createPanelkit({
      storage: h.storage,
      panels: () => {
        throw new Error('no panel calls here');
      },
      policy: { identity: { secret: 'engine-test-secret-0123456789', prefix: 'pk' } },
      clock: h.clock,
      figures: jalali,
    });
    expect((await other.figures.status()).rebuilding).toBe(true);
    await other.createScheduler({ usageSync: false }).tick();
    expect(await h.storage.figures.meta()).toMatchObject({ timeZone: 'Asia/Tehran', calendar: 'jalali' });
    await other.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
    await other.figures.foldNow({ budgetMs: 3_600_000 });
    const expected = await figuresFromRows(h.storage, jalali);
    expect(new Map([...(await storedCells(h.storage, scopesOf(expected.values())))].sort())).toEqual(new Map([...expected].sort()));
  });
});
