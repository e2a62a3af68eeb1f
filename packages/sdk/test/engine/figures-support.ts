import { figureCellKey, type FigureCell } from '../../src/rules/index.js';
import type { StoragePort } from '../../src/storage.js';
import type { Harness } from './harness.js';

const ALL_MONTHS = { from: 100_001, to: 999_912 };

/** Every non-zero rollup cell the storage holds, by key, for the scopes given. */
export async function storedCells(storage: StoragePort, scopes: Iterable<string>): Promise<Map<string, FigureCell>> {
  const f = storage.figures;
  const cells: FigureCell[] = [
    ...(await f.cells({ table: 'cash', fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
    ...(await f.cells({ table: 'buckets', fromBucket: 0, toBucket: 281_558_111 })),
  ];
  for (const scope of new Set(scopes)) {
    cells.push(
      ...(await f.cells({ table: 'cohorts', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'cohort_revenue', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'months', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'lapses', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
    );
  }
  return new Map(cells.map((c) => [figureCellKey(c), c]));
}

/** The scopes cells name (plus `*`). */
export function scopesOf(cells: Iterable<FigureCell>): Set<string> {
  const scopes = new Set<string>(['*', 'src:organic', 'src:campaign', 'src:referral', 'src:gift', 'src:storefront']);
  for (const c of cells) if ('scope' in c) scopes.add(c.scope);
  return scopes;
}

/** A seeded pseudo-random source (mulberry32), so a failing sequence can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random sequence of what buyers and staff do, through the kit; refusals are part of the game. */
export async function randomShop(h: Harness, seed: number, steps: number, foldEvery: number): Promise<void> {
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
