import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { createHarness } from './harness.js';

/**
 * March 2026 (the harness starts on 1 March, UTC): A buys and lets it lapse; B buys and is refunded in full an hour
 * later; C takes a trial, buys five days later (converted within 30 days) and lapses in April. Read on 10 April.
 */
async function march() {
  const h = await createHarness();
  const trialPlan = await h.addPlan({ family: 'trial-fam', trial: { days: 3, trafficBytes: null } });
  const [a, b, c] = [await h.customer(5000), await h.customer(5000), await h.customer(5000)] as [string, string, string];
  await h.kit.checkout({ customerId: a, items: [{ planId: h.plan.id }], idempotencyKey: 'a' });
  const bought = await h.kit.checkout({ customerId: b, items: [{ planId: h.plan.id }], idempotencyKey: 'b' });
  await h.kit.checkout({ customerId: c, items: [{ planId: trialPlan.id, trial: true }], idempotencyKey: 'c-trial' });
  await h.worker().drain();
  h.clock.advance(3_600_000);
  await h.kit.refund({ customerId: b, orderId: bought.order.id, amount: { amount: 1000, currency: 'USD' }, idempotencyKey: 'b-r' });
  h.clock.advanceDays(5);
  await h.kit.checkout({ customerId: c, items: [{ planId: h.plan.id }], idempotencyKey: 'c' });
  await h.worker().drain();
  h.clock.set('2026-04-10T00:00:00.000Z');
  await h.kit.createScheduler({ usageSync: false }).tick();
  await h.worker().drain();
  await h.kit.figures.foldNow();
  await h.worker().drain();
  await h.kit.figures.foldNow();
  return h;
}

describe('kit.figures.overview and churnBy', () => {
  it('gives the hand-computed cohort, counters, LTV and churn of a small March', async () => {
    const h = await march();
    const o = await h.kit.figures.overview({ scope: '*', from: 202603, to: 202604 });
    expect(o).toMatchObject({ scope: '*', pending: 0, rebuilding: false, foldedAt: h.clock.now(), cash: [] });
    expect(o.cohorts).toEqual([
      {
        cohort: 202603,
        size: 3,
        ages: [
          { age: 0, month: 202603, buyers: 3, final: true },
          { age: 1, month: 202604, buyers: 1, final: false },
        ],
      },
    ]);
    expect(o.cohortRevenue).toEqual([
      {
        cohort: 202603,
        currency: 'USD',
        ages: [
          { age: 0, month: 202603, amount: 2000, cumulative: 2000 },
          { age: 1, month: 202604, amount: 0, cumulative: 2000 },
        ],
      },
    ]);
    const [m3, m4] = o.months as [(typeof o.months)[0], (typeof o.months)[0]];
    expect(m3).toMatchObject({ month: 202603, firstBuyers: 3, netSales: [{ currency: 'USD', amount: 2000 }], refundedUnits: 1 });
    expect(m3.trials).toEqual({ started: 1, converted30d: 1, convertedLater: 0, alreadyPaying: 0, conversionRate: 1 });
    expect(m3.trialsByFamily).toEqual([
      { family: 'trial-fam', started: 1, converted30d: 1, convertedLater: 0, alreadyPaying: 0, conversionRate: 1 },
    ]);
    expect(m4).toMatchObject({ month: 202604, firstBuyers: 0, netSales: [], refundedUnits: 0, renewalsAuto: 0, renewalsManual: 0 });
    // A's coverage ends on 31 March, C's on 5 April.
    expect([m3.lapsed, m4.lapsed]).toEqual([1, 1]);
    for (const m of [m3, m4]) expect(m.renewalRate).toBe(m.lapsed > 0 ? 0 : null);
    expect(o.ltvBySource.map((r) => [r.source, r.currency, r.buyers, r.netSales, r.perBuyer])).toEqual([['organic', 'USD', 3, 2000, 666]]);
    expect(o.ltvBySource[0]!.atAge.slice(0, 2)).toEqual([
      { age: 0, buyers: 3, netSales: 2000, perBuyer: 666 },
      { age: 1, buyers: 0, netSales: 0, perBuyer: null },
    ]);

    const byPlan = await h.kit.figures.churnBy({ scope: '*', dimension: 'plan', from: 202603, to: 202604 });
    expect(byPlan.rows.reduce((n, r) => n + r.lapsed, 0)).toBe(2);
    expect(new Set(byPlan.rows.map((r) => r.key))).toEqual(new Set([h.plan.id]));
    const bySource = await h.kit.figures.churnBy({ scope: '*', dimension: 'source', from: 202603, to: 202604 });
    expect(new Set(bySource.rows.map((r) => r.key))).toEqual(new Set(['organic']));
    const storefront = await h.kit.figures.overview({ scope: 'sf:nobody', from: 202603, to: 202604 });
    expect(storefront).toMatchObject({ cohorts: [], cash: null, ltvBySource: [] });
  });

  it('refuses a bad scope, month or range with a ValidationError', async () => {
    const h = await createHarness();
    const bad = [
      { scope: 'all', from: 202601, to: 202602 },
      { scope: '*', from: 202613, to: 202614 },
      { scope: '*', from: 202605, to: 202601 },
      { scope: 'src:tiktok', from: 202601, to: 202601 },
      { scope: '*', from: 201001, to: 202601 },
    ];
    for (const query of bad) await expect(h.kit.figures.overview(query as never)).rejects.toSatisfy((e) => ValidationError.is(e));
    await expect(h.kit.figures.churnBy({ scope: 'sf:x', dimension: 'source', from: 202601, to: 202601 })).rejects.toSatisfy((e) =>
      ValidationError.is(e),
    );
  });
});
