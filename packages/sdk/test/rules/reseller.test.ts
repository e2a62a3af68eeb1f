import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  decideExtension,
  decideLedgerMove,
  decideRenewal,
  decideTrafficTopUp,
  plansPricedByBook,
  priceForBuyer,
  spendable,
} from '../../src/rules/index.js';
import type { PriceBookEntry } from '../../src/index.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const plan = {
  id: 'pln_a',
  price: usd(1000),
  durationDays: 30,
  trafficBytes: null,
  renewable: true,
  extension: { windowDays: 3, trafficOnExtend: 'replace' as const, daysOnExtend: 'stack' as const, price: usd(900) },
  trafficTopUp: { pricePerGiB: usd(50), maxGiBPerPurchase: 100 },
};
const line = (over: Partial<PriceBookEntry> = {}): PriceBookEntry => ({
  customerId: 'cus_r',
  planId: 'pln_a',
  price: usd(700),
  extensionPrice: null,
  trafficPricePerGiB: null,
  updatedAt: new Date(0),
  ...over,
});

describe('priceForBuyer', () => {
  it('without a line the buyer pays list prices', () => {
    expect(priceForBuyer(plan, null)).toEqual({ plan, source: 'list' });
  });

  it('a line sets the period price and scales what it leaves unset by line / list (70%)', () => {
    const { plan: priced, source } = priceForBuyer(plan, line());
    expect(source).toBe('price_book');
    expect(priced.price).toEqual(usd(700));
    expect(priced.extension.price).toEqual(usd(630));
    expect(priced.trafficTopUp?.pricePerGiB).toEqual(usd(35));
    expect(priced.trafficTopUp?.maxGiBPerPurchase).toBe(100);
    // The plan itself is not changed.
    expect(plan.price).toEqual(usd(1000));
  });

  it('explicit extension and per-GiB prices win over scaling', () => {
    const { plan: priced } = priceForBuyer(plan, line({ extensionPrice: usd(1), trafficPricePerGiB: usd(2) }));
    expect(priced.extension.price).toEqual(usd(1));
    expect(priced.trafficTopUp?.pricePerGiB).toEqual(usd(2));
  });

  it.each([
    // [name, line price, list extension, list per GiB, extension, per GiB]
    ['the same as list', 1000, 900, 50, 900, 50],
    ['above list (a line may cost more)', 1500, 900, 50, 1350, 75],
    ['rounding half up: 0.5 goes up', 1010, 50, 50, 51, 51],
    ['rounding: just under half goes down', 1009, 50, 50, 50, 50],
    ['free for the reseller: extension 0, per GiB never below 1', 0, 900, 50, 0, 1],
    ['one minor unit: per GiB rounds to 0, kept at 1', 1, 900, 50, 1, 1],
  ] as const)('scaling at %s', (_name, price, listExtension, listPerGiB, extension, perGiB) => {
    const p = {
      ...plan,
      extension: { ...plan.extension, price: usd(listExtension) },
      trafficTopUp: { ...plan.trafficTopUp, pricePerGiB: usd(listPerGiB) },
    };
    const { plan: priced } = priceForBuyer(p, line({ price: usd(price) }));
    expect(priced.extension.price).toEqual(usd(extension));
    expect(priced.trafficTopUp?.pricePerGiB).toEqual(usd(perGiB));
  });

  it('scales exactly at amounts past 2^53 / 1000 (no float drift)', () => {
    const big = 9_000_000_000_000;
    const p = { ...plan, price: usd(big), extension: { ...plan.extension, price: usd(big - 1) } };
    const { plan: priced } = priceForBuyer(p, line({ price: usd(big - 3) }));
    // (big-1)(big-3)/big = big - 4 + 3/big → rounds to big - 4.
    expect(priced.extension.price).toEqual(usd(big - 4));
  });

  it('a plan whose extension has no price of its own charges the line’s period price for extensions', () => {
    const p = { ...plan, extension: { ...plan.extension, price: null } };
    expect(priceForBuyer(p, line()).plan.extension.price).toBeNull();
  });

  it('a plan without a top-up offer gets none from a line', () => {
    const p = { ...plan, trafficTopUp: null };
    expect(priceForBuyer(p, line({ trafficPricePerGiB: usd(3) })).plan.trafficTopUp).toBeNull();
  });

  it('a free plan has no ratio: unset prices stay the list ones', () => {
    const p = { ...plan, price: usd(0) };
    const { plan: priced } = priceForBuyer(p, line({ price: usd(5) }));
    expect(priced.price).toEqual(usd(5));
    expect(priced.extension.price).toEqual(usd(900));
    expect(priced.trafficTopUp?.pricePerGiB).toEqual(usd(50));
  });

  it.each([
    ['another plan', line({ planId: 'pln_b' }), 'other_plan'],
    ['another currency', line({ price: { amount: 700, currency: 'EUR' } }), 'currency_mismatch'],
  ] as const)('a line for %s is ignored', (_name, entry, reason) => {
    expect(priceForBuyer(plan, entry)).toEqual({ plan, source: 'list', ignored: reason });
  });

  it('feeds the same rules every path uses: extension, renewal and top-up quote the reseller’s prices', () => {
    const { plan: priced } = priceForBuyer(plan, line());
    const now = new Date('2026-03-10T00:00:00.000Z');
    const sub = {
      status: 'active' as const,
      expiresAt: new Date(now.getTime() + DAY_MS),
      trafficLimitBytes: 10,
      usedBytes: 0,
      activatedAt: now,
      trial: false,
      autoRenew: true,
    };
    const extension = decideExtension({ subscription: sub, plan: { ...priced, trafficBytes: null }, now });
    expect(extension.allowed && extension.quote.price).toEqual(usd(630));
    const renewal = decideRenewal({ subscription: sub, plan: { ...priced, trafficBytes: null }, now, balance: 630, leadMs: 2 * DAY_MS });
    expect(renewal.renew && renewal.quote.price).toEqual(usd(630));
    const topUp = decideTrafficTopUp({ subscription: sub, plan: priced, gib: 3, now });
    expect(topUp.allowed && topUp.quote.price).toEqual(usd(105));
  });
});

describe('plansPricedByBook', () => {
  it('prices each plan by its own line, in the order given; one without a line (or none at all) at list prices', () => {
    const other = { ...plan, id: 'pln_b', price: usd(2000) };
    const book = [line({ planId: 'pln_b', price: usd(1500) }), line({ planId: 'pln_zzz', price: usd(1) })];
    const [a, b] = plansPricedByBook([plan, other], book);
    expect(a).toBe(plan);
    expect(b).toEqual(priceForBuyer(other, book[0]!).plan);
    expect(b?.price).toEqual(usd(1500));
    expect(plansPricedByBook([other, plan], [])).toEqual([other, plan]);
  });
});

describe('decideLedgerMove', () => {
  it.each([
    // [name, balance, limit, amount, expected]
    ['no credit: down to exactly zero', 100, 0, -100, 0],
    ['no credit: one below zero', 100, 0, -101, { shortBy: 1 }],
    ['credit: down to exactly minus the limit', 100, 500, -600, -500],
    ['credit: one past minus the limit', 100, 500, -601, { shortBy: 1 }],
    ['credit: already at the floor, a debit of 1', -500, 500, -1, { shortBy: 1 }],
    ['credit: at the floor, a credit pays back', -500, 500, 200, -300],
    ['below the floor (a limit lowered): a credit still lands', -500, 100, 1, -499],
    ['below the floor: a debit does not', -500, 100, -1, { shortBy: 401 }],
    ['a credit with no balance', 0, 0, 1, 1],
  ] as const)('%s', (_name, balance, creditLimit, amount, expected) => {
    const d = decideLedgerMove({ balance, creditLimit, amount });
    if (typeof expected === 'number') expect(d).toEqual({ allowed: true, balanceAfter: expected });
    else expect(d).toEqual({ allowed: false, reason: 'insufficient_funds', shortBy: expected.shortBy });
  });

  it('a balance that would leave the safe-integer range is refused as out of range, not funds', () => {
    expect(decideLedgerMove({ balance: Number.MAX_SAFE_INTEGER, creditLimit: 0, amount: 1 })).toEqual({
      allowed: false,
      reason: 'out_of_range',
      shortBy: 0,
    });
  });

  it.each([
    [0, 0, 0],
    [100, 0, 100],
    [-100, 500, 400],
    [-500, 500, 0],
    [-600, 500, 0],
    [50, 500, 550],
  ] as const)('spendable(%i, limit %i) = %i', (balance, limit, expected) => {
    expect(spendable(balance, limit)).toBe(expected);
  });
});

describe('priceForBuyer on a built plan', () => {
  it('ignores the line: a built plan sells at its quote, its extension and top-up prices the plan’s own', () => {
    const built = { ...plan, builder: { basePrice: usd(100) } } as unknown as Parameters<typeof priceForBuyer>[0];
    expect(priceForBuyer(built, line({ extensionPrice: usd(1), trafficPricePerGiB: usd(2) }))).toEqual({
      plan: built,
      source: 'list',
      ignored: 'built_plan',
    });
    expect(plansPricedByBook([built], [line()])).toEqual([built]);
  });
});
