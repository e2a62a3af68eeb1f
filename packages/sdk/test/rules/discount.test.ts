import { describe, expect, it } from 'vitest';
import { normalizeDiscountCode } from '../../src/index.js';
import { decideDiscount, percentOf, splitDiscount } from '../../src/rules/index.js';
import type { DiscountInput } from '../../src/rules/index.js';

const now = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const code: DiscountInput['code'] = {
  id: 'dc_1',
  code: 'SPRING',
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
  appliesTo: ['purchase', 'extension'],
  disabled: false,
  uses: 0,
};
const base: DiscountInput = {
  code,
  use: 'purchase',
  customerId: 'cus_owner',
  planId: 'plan_a',
  locations: ['de'],
  price: { amount: 1000, currency: 'USD' },
  customerUses: 0,
  hasPaidOrder: false,
  now,
};
const decide = (over: Partial<DiscountInput> = {}, codeOver: Partial<DiscountInput['code']> = {}) => {
  const d = decideDiscount({ ...base, ...over, code: { ...code, ...codeOver } });
  return d.allowed ? d.quote.discount.amount : d.reason;
};

describe('decideDiscount', () => {
  it('quotes the original, the discount and the price paid', () => {
    expect(decideDiscount(base)).toEqual({
      allowed: true,
      quote: {
        codeId: 'dc_1',
        code: 'SPRING',
        original: { amount: 1000, currency: 'USD' },
        discount: { amount: 200, currency: 'USD' },
        price: { amount: 800, currency: 'USD' },
      },
    });
  });

  it.each([
    ['starts exactly now', { startsAt: now }, 200],
    ['starts 1 ms from now', { startsAt: at(1) }, 'not_started'],
    ['ended 1 ms ago', { endsAt: at(-1) }, 'expired'],
    ['ends exactly now (end is exclusive)', { endsAt: now }, 'expired'],
    ['ends 1 ms from now', { endsAt: at(1) }, 200],
    ['disabled', { disabled: true }, 'disabled'],
    ['disabled wins over expired', { disabled: true, endsAt: at(-1) }, 'disabled'],
  ] as const)('validity: %s', (_n, over, expected) => expect(decide({}, over)).toBe(expected));

  it.each([
    ['anyone’s code', null, 'cus_other', 200],
    ['its owner', 'cus_owner', 'cus_owner', 200],
    ['another customer', 'cus_owner', 'cus_other', 'wrong_customer'],
  ] as const)('owner: %s', (_n, owner, customerId, expected) => expect(decide({ customerId }, { customerId: owner })).toBe(expected));

  it('refuses another customer before saying anything else about the code', () => {
    expect(decide({ customerId: 'cus_other' }, { customerId: 'cus_owner', disabled: true, endsAt: at(-1) })).toBe('wrong_customer');
  });

  it.each([
    ['one use left', { maxUses: 5, uses: 4 }, 0, 200],
    ['no use left', { maxUses: 5, uses: 5 }, 0, 'exhausted'],
    ['customer has one left', { maxUsesPerCustomer: 2 }, 1, 200],
    ['customer has none left', { maxUsesPerCustomer: 2 }, 2, 'customer_exhausted'],
    ['unlimited', {}, 1000, 200],
  ] as const)('uses: %s', (_n, over, customerUses, expected) => expect(decide({ customerUses }, over)).toBe(expected));

  it.each([
    ['purchase, allowed', 'purchase', 200],
    ['extension, allowed', 'extension', 200],
    ['renewal, not listed', 'renewal', 'wrong_use'],
    ['traffic top-up, not listed', 'traffic_top_up', 'wrong_use'],
    ['plan change, not listed', 'plan_change', 'wrong_use'],
  ] as const)('use: %s', (_n, use, expected) => expect(decide({ use })).toBe(expected));

  it.each([
    ['any plan', [], 'plan_a', 200],
    ['its plan', ['plan_a', 'plan_b'], 'plan_a', 200],
    ['another plan', ['plan_b'], 'plan_a', 'wrong_plan'],
  ] as const)('plan: %s', (_n, planIds, planId, expected) => expect(decide({ planId }, { planIds: [...planIds] })).toBe(expected));

  it.each([
    ['anywhere', [], ['de'], 200],
    ['in its location', ['de', 'nl'], ['de'], 200],
    ['every possible location is one of its', ['de', 'nl'], ['de', 'nl'], 200],
    ['one possible location is not', ['de'], ['de', 'nl'], 'wrong_location'],
    ['a plan placed anywhere', ['de'], [], 'wrong_location'],
    ['elsewhere', ['nl'], ['de'], 'wrong_location'],
  ] as const)('location: %s', (_n, locations, where, expected) =>
    expect(decide({ locations: where }, { locations: [...locations] })).toBe(expected),
  );

  it.each([
    ['a panel with one of its tags', ['de'], ['de', 'eu'], 200],
    ['a panel with none of its tags', ['nl'], ['de', 'eu'], 'wrong_location'],
    ['a panel with no tags', ['de'], [], 'wrong_location'],
    ['any panel for a code without locations', [], [], 200],
  ] as const)('location of a live subscription: %s', (_n, locations, tags, expected) =>
    expect(decide({ locations: tags, on: 'panel', use: 'extension' }, { locations: [...locations] })).toBe(expected),
  );

  it.each([
    ['exactly the minimum', 1000, 200],
    ['one below the minimum', 999, 'below_minimum'],
  ] as const)('minimum: %s', (_n, amount, expected) =>
    expect(decide({ price: { amount, currency: 'USD' } }, { minAmount: { amount: 1000, currency: 'USD' } })).toBe(expected),
  );

  it.each([
    ['first paid order', 'purchase', false, 200],
    ['has a paid order', 'purchase', true, 'not_first_purchase'],
    ['an extension is never a first purchase', 'extension', false, 'not_first_purchase'],
  ] as const)('first purchase only: %s', (_n, use, hasPaidOrder, expected) =>
    expect(decide({ use, hasPaidOrder }, { firstPurchaseOnly: true })).toBe(expected),
  );

  it.each([
    ['fixed below the price', 300, 1000, 300],
    ['fixed equal to the price: free', 1000, 1000, 1000],
    ['fixed above the price: down to zero, never below', 5000, 1000, 1000],
    ['a free item has nothing to discount', 300, 0, 'nothing_to_discount'],
  ] as const)('fixed: %s', (_n, off, amount, expected) =>
    expect(decide({ price: { amount, currency: 'USD' } }, { value: { type: 'fixed', amount: { amount: off, currency: 'USD' } } })).toBe(
      expected,
    ),
  );

  it('refuses a fixed amount or minimum in another currency', () => {
    expect(decide({}, { value: { type: 'fixed', amount: { amount: 1, currency: 'EUR' } } })).toBe('wrong_currency');
    expect(decide({}, { minAmount: { amount: 1, currency: 'EUR' } })).toBe('wrong_currency');
  });

  it.each([
    ['100%: free', 100, 1000, 1000],
    ['1% of 99 rounds down to nothing', 1, 99, 'nothing_to_discount'],
    ['1% of 100', 1, 100, 1],
    ['33% of 1000 rounds down', 33, 1000, 330],
    ['33% of 1001 rounds down', 33, 1001, 330],
  ] as const)('percent: %s', (_n, percent, amount, expected) =>
    expect(decide({ price: { amount, currency: 'USD' } }, { value: { type: 'percent', percent } })).toBe(expected),
  );
});

describe('percentOf', () => {
  it.each([
    [0, 50, 0],
    [199, 50, 99],
    [Number.MAX_SAFE_INTEGER, 100, Number.MAX_SAFE_INTEGER],
    [Number.MAX_SAFE_INTEGER, 1, 90071992547409],
  ])('%i × %i%% = %i', (amount, percent, expected) => expect(percentOf(amount, percent)).toBe(expected));
});

describe('splitDiscount', () => {
  it.each([
    ['no discount', [500, 500], 0, [500, 500]],
    ['even', [500, 500], 200, [400, 400]],
    ['a remainder goes to the first', [500, 500, 500], 100, [466, 467, 467]],
    ['in proportion to the prices', [300, 100], 100, [225, 75]],
    ['a free unit stays free', [0, 1000], 500, [0, 500]],
    ['everything', [300, 700], 1000, [0, 0]],
    ['more than everything: capped', [300, 700], 5000, [0, 0]],
  ] as const)('%s', (_n, prices, discount, expected) => {
    const paid = splitDiscount(prices, discount);
    expect(paid).toEqual(expected);
    const total = (prices as readonly number[]).reduce((a, b) => a + b, 0);
    expect(total - paid.reduce((a, b) => a + b, 0)).toBe(Math.min(discount, total));
  });
});

describe('normalizeDiscountCode', () => {
  it.each([
    [' spring-20 ', 'SPRING-20'],
    ['ab', null],
    ['A'.repeat(40), 'A'.repeat(40)],
    ['A'.repeat(41), null],
    ['no spaces', null],
    ['-LEAD', null],
  ])('%j → %j', (text, expected) => expect(normalizeDiscountCode(text)).toBe(expected));
});
