import { expect } from 'vitest';
import type { FigureCell, FiguresCalendar } from '../../src/rules/index.js';
import { figuresFromRows, heldFigureCells } from '../../src/testing/index.js';
import type { Harness } from './harness.js';
import { seeded } from '../seeded.js';

/** The months' zone and calendar of the harness's kit (its default). */
export const UTC: FiguresCalendar = { timeZone: 'UTC', calendar: 'gregorian' };

/** Starts the figures (meta, rebuild job) and folds everything: what an owner's first start does. */
export async function foldAll(h: Harness): Promise<void> {
  await h.kit.figures.foldNow();
  await h.worker().drain();
  await h.kit.figures.foldNow({ budgetMs: 3_600_000 });
}

/** Every rollup the storage holds equals `figuresFromRows`, which has more than `atLeast` cells; returns the oracle's scopes. */
export async function expectRollupsExact(h: Harness, cal: FiguresCalendar = UTC, atLeast = 50): Promise<Set<string>> {
  const expected = await figuresFromRows(h.storage, cal);
  expect(expected.size).toBeGreaterThan(atLeast);
  const scopes = scopesOf(expected.values());
  const stored = await heldFigureCells(h.storage, scopes);
  expect(new Map([...stored].sort())).toEqual(new Map([...expected].sort()));
  return scopes;
}

/** The scopes cells name (plus `*`). */
export function scopesOf(cells: Iterable<FigureCell>): Set<string> {
  const scopes = new Set<string>(['*', 'src:organic', 'src:campaign', 'src:referral', 'src:gift', 'src:storefront']);
  for (const c of cells) if ('scope' in c) scopes.add(c.scope);
  return scopes;
}

/**
 * A random sequence of what buyers and staff do, through the kit; refusals are part of the game. Every fourth new
 * customer (the second, the sixth, …) is a reseller's storefront's buyer, with money: their checkouts of the harness's
 * plan are storefront sales (retail 1200, the reseller's wholesale 700), the other plan is off its menu and a gift is
 * not sold to them. A gift is mostly claimed by a customer who has not ordered yet (who, paying later, comes from `gift`).
 */
export async function randomShop(h: Harness, seed: number, steps: number, foldEvery: number): Promise<void> {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const plan2 = await h.addPlan({ price: { amount: 2500, currency: 'USD' }, durationDays: 60 });
  const trialPlan = await h.addPlan({ family: 'trial-fam', trial: { days: 3, trafficBytes: null } });
  const resellerId = await h.customer(1_000_000);
  await h.kit.resellers.setPrice({ customerId: resellerId, planId: h.plan.id, price: { amount: 700, currency: 'USD' } });
  const storefront = await h.kit.storefronts.create({ resellerId, name: 'Reseller' });
  await h.kit.storefronts.setMenuItem({ storefrontId: storefront.id, planId: h.plan.id, retailPrice: { amount: 1200, currency: 'USD' } });
  const customers: string[] = [];
  const orders: { customerId: string; orderId: string; total: number }[] = [];
  const subs: string[] = [];
  const gifts: string[] = [];
  let key = 0;
  for (let step = 0; step < steps; step++) {
    const roll = random();
    const customerId = pick(customers);
    try {
      if (roll < 0.12 || customerId === undefined) {
        const storefrontBuyer = customers.length % 4 === 1;
        const id = await h.customer(storefrontBuyer || random() < 0.7 ? 20_000 : 0);
        if (storefrontBuyer) await h.kit.storefronts.moveBuyer({ customerId: id, storefrontId: storefront.id });
        customers.push(id);
      } else if (roll < 0.35) {
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
        const claimer = pick(customers.filter((c) => !orders.some((o) => o.customerId === c))) ?? customerId;
        if (code !== undefined) subs.push(...(await h.kit.gifts.claim({ code, customerId: claimer })).subscriptions.map((s) => s.id));
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
