import { describe, expect, it } from 'vitest';
import { decidePlanChange, decidePlanChangeDiscount, planChangeDiscountTerms } from '../../src/rules/index.js';
import type { DiscountInput, PlanChangeDiscountInput, PlanChangeQuote } from '../../src/rules/index.js';

const DAY = 86_400_000;
const now = new Date('2026-03-10T12:00:00.000Z');
const code: DiscountInput['code'] = {
  id: 'dc_1',
  code: 'MOVEUP',
  value: { type: 'percent', percent: 20 },
  planIds: [],
  locations: [],
  minAmount: null,
  startsAt: null,
  endsAt: null,
  maxUses: null,
  maxUsesPerCustomer: null,
  firstPurchaseOnly: false,
  customerId: null,
  appliesTo: ['plan_change'],
  disabled: false,
  uses: 0,
};

/** A 1000, 30-day subscription half used (credit 500), moving to a plan of `newPrice`: the rule's quote. */
function change(newPrice: number): PlanChangeQuote {
  const decision = decidePlanChange({
    subscription: { status: 'active', expiresAt: new Date(now.getTime() + 15 * DAY), trafficLimitBytes: null, usedBytes: 0, trial: false },
    currentPlan: { id: 'plan_small', price: { amount: 1000, currency: 'USD' }, durationDays: 30 },
    newPlan: { id: 'plan_big', price: { amount: newPrice, currency: 'USD' }, durationDays: 30, trafficBytes: null, onSale: true },
    now,
  });
  if (!decision.allowed) throw new Error(decision.reason);
  return decision.quote;
}

const base = (newPrice: number): PlanChangeDiscountInput => ({
  code,
  customerId: 'cus_1',
  change: change(newPrice),
  moves: false,
  panelLocations: ['de'],
  planLocations: ['de'],
  customerUses: 0,
  hasPaidOrder: true,
  now,
});
const decide = (newPrice: number, codeOver: Partial<DiscountInput['code']> = {}, over: Partial<PlanChangeDiscountInput> = {}) => {
  const d = decidePlanChangeDiscount({ ...base(newPrice), ...over, code: { ...code, ...codeOver } });
  return d.allowed ? d.quote.discount.amount : d.reason;
};

describe('decidePlanChangeDiscount', () => {
  it('takes the code off the prorated amount due, not the new plan’s price', () => {
    expect(change(2000)).toMatchObject({ credit: { amount: 500 }, charge: { amount: 1500 }, refund: { amount: 0 } });
    expect(decidePlanChangeDiscount(base(2000))).toEqual({
      allowed: true,
      quote: {
        codeId: 'dc_1',
        code: 'MOVEUP',
        original: { amount: 1500, currency: 'USD' },
        discount: { amount: 300, currency: 'USD' },
        price: { amount: 1200, currency: 'USD' },
      },
    });
  });

  it.each([
    ['amount due exactly the minimum', 2000, 1500, 300],
    ['amount due one below the minimum', 2000, 1501, 'below_minimum'],
    ['the new price reaches the minimum but the amount due does not', 2000, 1600, 'below_minimum'],
  ] as const)('minimum: %s', (_n, newPrice, minimum, expected) =>
    expect(decide(newPrice, { minAmount: { amount: minimum, currency: 'USD' } })).toBe(expected),
  );

  it.each([
    ['a downgrade (credit beyond the new price) gets nothing', 400, 'nothing_to_discount'],
    ['credit exactly the new price: nothing due', 500, 'nothing_to_discount'],
    ['one minor unit due', 501, 'nothing_to_discount'], // 20% of 1 rounds down to 0
    ['five minor units due', 505, 1],
  ] as const)('credit: %s', (_n, newPrice, expected) => expect(decide(newPrice)).toBe(expected));

  it('leaves a downgrade’s refund to the plan-change rule', () => {
    expect(change(400)).toMatchObject({ charge: { amount: 0 }, refund: { amount: 100 } });
    expect(decide(400, { value: { type: 'fixed', amount: { amount: 50, currency: 'USD' } } })).toBe('nothing_to_discount');
  });

  it.each([
    ['33% of an odd amount due rounds down', { type: 'percent', percent: 33 }, 1501, 330], // due 1001: 330.33
    ['100% makes the change free', { type: 'percent', percent: 100 }, 2000, 1500],
    ['fixed below the amount due', { type: 'fixed', amount: { amount: 300, currency: 'USD' } }, 2000, 300],
    ['fixed above the amount due: down to zero, never below', { type: 'fixed', amount: { amount: 5000, currency: 'USD' } }, 2000, 1500],
    ['fixed in another currency', { type: 'fixed', amount: { amount: 300, currency: 'EUR' } }, 2000, 'wrong_currency'],
  ] as const)('value: %s', (_n, value, newPrice, expected) => expect(decide(newPrice, { value })).toBe(expected));

  it.each([
    ['one use left in all', { maxUses: 3, uses: 2 }, 0, 300],
    ['no use left in all', { maxUses: 3, uses: 3 }, 0, 'exhausted'],
    ['the customer has one left', { maxUsesPerCustomer: 2 }, 1, 300],
    ['the customer has none left', { maxUsesPerCustomer: 2 }, 2, 'customer_exhausted'],
  ] as const)('uses: %s', (_n, codeOver, customerUses, expected) => expect(decide(2000, codeOver, { customerUses })).toBe(expected));

  it.each([
    ['a code for purchases only', ['purchase'], 'wrong_use'],
    ['a code for extensions and plan changes', ['extension', 'plan_change'], 300],
  ] as const)('applies to: %s', (_n, appliesTo, expected) => expect(decide(2000, { appliesTo: [...appliesTo] })).toBe(expected));

  it('is never a first purchase', () => {
    expect(decide(2000, { firstPurchaseOnly: true }, { hasPaidOrder: false })).toBe('not_first_purchase');
  });

  it.each([
    ['the new plan', ['plan_big'], 300],
    ['only the current plan', ['plan_small'], 'wrong_plan'],
  ] as const)('plan: a code for %s', (_n, planIds, expected) => expect(decide(2000, { planIds: [...planIds] })).toBe(expected));

  it.each([
    ['in place, on a panel with one of its tags', false, ['de', 'eu'], [], 300],
    ['in place, on a panel elsewhere', false, ['nl'], ['de'], 'wrong_location'],
    ['a move, every place the new plan may land is one of its', true, ['nl'], ['de'], 300],
    ['a move, the new plan may land elsewhere', true, ['de'], ['de', 'nl'], 'wrong_location'],
    ['a move to a plan placed anywhere', true, ['de'], [], 'wrong_location'],
  ] as const)('location (code for de, eu): %s', (_n, moves, panelLocations, planLocations, expected) =>
    expect(
      decide(2000, { locations: ['de', 'eu'] }, { moves, panelLocations: [...panelLocations], planLocations: [...planLocations] }),
    ).toBe(expected),
  );

  it('judges on the new plan, the amount due and where the change lands', () => {
    const terms = planChangeDiscountTerms(change(2000), { moves: true, panelLocations: ['nl'], planLocations: ['de'] });
    expect(terms).toEqual({
      use: 'plan_change',
      planId: 'plan_big',
      price: { amount: 1500, currency: 'USD' },
      locations: ['de'],
      on: 'plan',
    });
  });
});
