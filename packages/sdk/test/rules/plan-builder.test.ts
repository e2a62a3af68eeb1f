import { describe, expect, it } from 'vitest';
import {
  BuiltChoiceSchema,
  builtFromPrice,
  GIB,
  PlanBuilderSchema,
  quoteBuiltPlan,
  splitBuiltPrice,
  type BuiltChoice,
  type BuiltPlanDenyReason,
  type PlanBuilderInput,
} from '../../src/plan-builder.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** Base 100; locations 150 each (1–3 of de, nl, fi, us), devices 50 each (1–5), traffic 2/GiB (50–500 by 50), 5/day (30–90 by 30). */
const BUILDER: PlanBuilderInput = {
  basePrice: usd(100),
  locations: { options: ['de', 'nl', 'fi', 'us'], unitPrice: usd(150), min: 1, max: 3 },
  devices: { unitPrice: usd(50), min: 1, max: 5 },
  trafficGiB: { unitPrice: usd(2), min: 50, max: 500, step: 50 },
  durationDays: { unitPrice: usd(5), min: 30, max: 90, step: 30 },
};
const plan = (builder: PlanBuilderInput | null = BUILDER) => ({
  builder: builder === null ? null : PlanBuilderSchema.parse(builder),
  durationDays: 30,
  trafficBytes: 10 * GIB,
  deviceLimit: 2,
});

describe('quoteBuiltPlan', () => {
  it('prices 2 locations + 3 devices + 100 GiB + 30 days as the base plus each part, with the terms it sells', () => {
    const decision = quoteBuiltPlan(plan(), { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 });
    expect(decision).toEqual({
      allowed: true,
      quote: {
        price: usd(100 + 2 * 150 + 3 * 50 + 100 * 2 + 30 * 5),
        lines: [
          { part: 'base', quantity: 1, unitPrice: usd(100), amount: usd(100) },
          { part: 'locations', quantity: 2, unitPrice: usd(150), amount: usd(300) },
          { part: 'devices', quantity: 3, unitPrice: usd(50), amount: usd(150) },
          { part: 'trafficGiB', quantity: 100, unitPrice: usd(2), amount: usd(200) },
          { part: 'days', quantity: 30, unitPrice: usd(5), amount: usd(150) },
        ],
        terms: { durationDays: 30, trafficBytes: 100 * GIB, deviceLimit: 3, locations: ['de', 'nl'] },
        choice: { locations: ['de', 'nl'], devices: 3, trafficGiB: 100, days: 30 },
      },
    });
  });

  it('fills a count left out with its minimum, and keeps the plan’s value for a part not offered', () => {
    const decision = quoteBuiltPlan(plan({ basePrice: usd(500), devices: { unitPrice: usd(50), min: 2, max: 5 } }), {});
    expect(decision.allowed && decision.quote).toMatchObject({
      price: usd(600),
      terms: { durationDays: 30, trafficBytes: 10 * GIB, deviceLimit: 2, locations: [] },
      choice: { devices: 2 },
    });
  });

  const refusals: [string, BuiltChoice, BuiltPlanDenyReason, string | null][] = [
    ['no locations', { devices: 1 }, 'locations_required', 'locations'],
    ['an unknown location', { locations: ['de', 'jp'] }, 'unknown_location', 'locations'],
    ['a location twice', { locations: ['de', 'de'] }, 'duplicate_location', 'locations'],
    ['too many locations', { locations: ['de', 'nl', 'fi', 'us'] }, 'above_maximum', 'locations'],
    ['devices above max', { locations: ['de'], devices: 6 }, 'above_maximum', 'devices'],
    ['traffic below min', { locations: ['de'], trafficGiB: 49 }, 'below_minimum', 'trafficGiB'],
    ['traffic off step', { locations: ['de'], trafficGiB: 120 }, 'off_step', 'trafficGiB'],
    ['days off step', { locations: ['de'], days: 45 }, 'off_step', 'days'],
    ['a fraction of a device', { locations: ['de'], devices: 1.5 }, 'invalid_amount', 'devices'],
    ['zero days', { locations: ['de'], days: 0 }, 'invalid_amount', 'days'],
  ];
  it.each(refusals)('refuses %s', (_name, choice, reason, part) => {
    expect(quoteBuiltPlan(plan(), choice)).toEqual({ allowed: false, reason, part });
  });

  it('refuses a part the plan does not offer, and any choice on a fixed plan', () => {
    expect(quoteBuiltPlan(plan({ basePrice: usd(1) }), { devices: 2 })).toEqual({
      allowed: false,
      reason: 'part_not_offered',
      part: 'devices',
    });
    expect(quoteBuiltPlan(plan({ basePrice: usd(1) }), { locations: ['de'] })).toEqual({
      allowed: false,
      reason: 'part_not_offered',
      part: 'locations',
    });
    expect(quoteBuiltPlan(plan(null), {})).toEqual({ allowed: false, reason: 'not_buildable', part: null });
  });

  it('refuses a price past the safe-integer range', () => {
    const huge = plan({ basePrice: usd(1), trafficGiB: { unitPrice: usd(Number.MAX_SAFE_INTEGER), min: 1, max: 10 } });
    expect(quoteBuiltPlan(huge, { trafficGiB: 2 })).toEqual({ allowed: false, reason: 'too_large', part: null });
  });

  it('gives the same answer for the same plan and choice', () => {
    const choice = { locations: ['fi'], devices: 2 };
    expect(quoteBuiltPlan(plan(), choice)).toEqual(quoteBuiltPlan(plan(), choice));
  });
});

describe('the builder and choice schemas', () => {
  it('refuses a part priced in another currency, min above max, and a location min above its options', () => {
    const bad = [
      { ...BUILDER, devices: { unitPrice: { amount: 1, currency: 'EUR' }, min: 1, max: 2 } },
      { ...BUILDER, devices: { unitPrice: usd(1), min: 3, max: 2 } },
      { ...BUILDER, locations: { options: ['de'], unitPrice: usd(1), min: 2, max: 2 } },
      { ...BUILDER, locations: { options: ['de', 'de'], unitPrice: usd(1), min: 1, max: 1 } },
    ];
    for (const builder of bad) expect(PlanBuilderSchema.safeParse(builder).success).toBe(false);
    expect(PlanBuilderSchema.safeParse(BUILDER).success).toBe(true);
  });

  it('refuses an unknown field and a bad tag in a choice', () => {
    expect(BuiltChoiceSchema.safeParse({ devices: 2, servers: 3 }).success).toBe(false);
    expect(BuiltChoiceSchema.safeParse({ locations: ['DE!'] }).success).toBe(false);
  });
});

describe('splitBuiltPrice', () => {
  it.each([
    [1000, 2, [500, 500]],
    [1001, 2, [501, 500]],
    [1000, 3, [334, 333, 333]],
    [0, 2, [0, 0]],
  ])('splits %i over %i subscriptions as %j', (price, count, shares) => {
    expect(splitBuiltPrice(price, count)).toEqual(shares);
    expect(splitBuiltPrice(price, count).reduce((a, b) => a + b, 0)).toBe(price);
  });
});

describe('builtFromPrice', () => {
  it('is the quote of the builder’s defaults: the base, the first minimum of locations and every count at its minimum', () => {
    expect(builtFromPrice(plan())).toEqual(usd(100 + 150 + 50 + 50 * 2 + 30 * 5));
  });

  it('is null for a fixed plan and for a builder whose defaults the quote refuses', () => {
    expect(builtFromPrice(plan(null))).toBeNull();
    const tooLarge = { ...BUILDER, trafficGiB: { unitPrice: usd(Number.MAX_SAFE_INTEGER), min: 50, max: 500, step: 50 } };
    expect(builtFromPrice(plan(tooLarge))).toBeNull();
  });
});
