import { describe, expect, it } from 'vitest';
import { ValidationError, addMoney, money, sumMoney } from '../../src/index.js';
import { NewLedgerEntrySchema, NewPlanSchema } from '../../src/schemas.js';
import { parseInput } from '../../src/storage.js';

describe('money', () => {
  it('adds and sums in one currency', () => {
    expect(addMoney(money(150, 'USD'), money(50, 'USD'))).toEqual({ amount: 200, currency: 'USD' });
    expect(sumMoney([money(1, 'IRR'), money(2, 'IRR')], 'IRR')).toEqual({ amount: 3, currency: 'IRR' });
    expect(sumMoney([], 'EUR')).toEqual({ amount: 0, currency: 'EUR' });
  });
  it('refuses to mix currencies, floats and bad codes', () => {
    expect(() => addMoney(money(1, 'USD'), money(1, 'EUR'))).toThrow(ValidationError);
    expect(() => money(1.5, 'USD')).toThrow();
    expect(() => money(1, 'usd')).toThrow();
  });
});

describe('parseInput', () => {
  it('returns parsed data with defaults applied', () => {
    const plan = parseInput(
      NewPlanSchema,
      {
        name: 'Basic',
        family: 'basic',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
      },
      'plan',
    );
    expect(plan.extension).toEqual({ windowDays: 3, trafficOnExtend: 'replace', daysOnExtend: 'stack', price: null });
    expect(plan.placement).toEqual({ preferredTargetIds: [], allowedLocations: [], requiredTargetTags: [] });
  });

  it('throws a ValidationError listing every issue, never a ZodError', () => {
    let error: unknown;
    try {
      parseInput(NewPlanSchema, { name: '', price: { amount: -1, currency: 'usd' }, durationDays: 0 }, 'plan');
    } catch (e) {
      error = e;
    }
    expect(ValidationError.is(error)).toBe(true);
    const issues = (error as ValidationError).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['name', 'price.amount', 'price.currency', 'durationDays', 'family']));
  });

  it.each([
    ['top-up debit', 'top_up', -100],
    ['purchase credit', 'purchase', 100],
    ['extension credit', 'extension', 5],
    ['refund debit', 'refund', -5],
    ['zero adjustment', 'adjustment', 0],
  ])('ledger sign rule: %s is refused', (_name, kind, amount) => {
    const result = NewLedgerEntrySchema.safeParse({
      customerId: 'cus_1',
      kind,
      amount,
      currency: 'USD',
      idempotencyKey: 'k',
      actor: { type: 'system' },
    });
    expect(result.success).toBe(false);
  });
});
