import { describe, expect, it } from 'vitest';
import { commissionBonusBps, decideStorefrontSale, reverseStorefrontSplit, splitStorefrontSale } from '../../src/rules/storefront.js';

const NO_QUOTAS = { maxActiveSubscriptions: null, maxTrafficBytes: null, panelIds: null };

describe('decideStorefrontSale', () => {
  it.each([
    [
      'active, no quotas',
      'active',
      NO_QUOTAS,
      { activeSubscriptions: 1_000, trafficBytes: 1e12 },
      { subscriptions: 5, trafficBytes: 10 },
      null,
    ],
    [
      'suspended',
      'suspended',
      NO_QUOTAS,
      { activeSubscriptions: 0, trafficBytes: 0 },
      { subscriptions: 1, trafficBytes: 0 },
      'storefront_suspended',
    ],
    [
      'exactly at the subscriptions quota',
      'active',
      { ...NO_QUOTAS, maxActiveSubscriptions: 3 },
      { activeSubscriptions: 2, trafficBytes: 0 },
      { subscriptions: 1, trafficBytes: 0 },
      null,
    ],
    [
      'one past it',
      'active',
      { ...NO_QUOTAS, maxActiveSubscriptions: 3 },
      { activeSubscriptions: 2, trafficBytes: 0 },
      { subscriptions: 2, trafficBytes: 0 },
      'quota_subscriptions',
    ],
    [
      'already past a lowered quota',
      'active',
      { ...NO_QUOTAS, maxActiveSubscriptions: 1 },
      { activeSubscriptions: 5, trafficBytes: 0 },
      { subscriptions: 1, trafficBytes: 0 },
      'quota_subscriptions',
    ],
    [
      'exactly at the traffic quota',
      'active',
      { ...NO_QUOTAS, maxTrafficBytes: 100 },
      { activeSubscriptions: 0, trafficBytes: 60 },
      { subscriptions: 1, trafficBytes: 40 },
      null,
    ],
    [
      'past the traffic quota',
      'active',
      { ...NO_QUOTAS, maxTrafficBytes: 100 },
      { activeSubscriptions: 0, trafficBytes: 60 },
      { subscriptions: 1, trafficBytes: 41 },
      'quota_traffic',
    ],
  ] as const)('%s', (_name, status, quotas, usage, sale, expected) => {
    expect(decideStorefrontSale({ status, quotas: { ...quotas, panelIds: null } }, usage, sale)).toBe(expected);
  });
});

describe('commissionBonusBps', () => {
  const tiers = [
    { minMonthlySales: 50, bonusBps: 2000 },
    { minMonthlySales: 10, bonusBps: 500 },
  ];
  it.each([
    [0, 0],
    [9, 0],
    [10, 500],
    [49, 500],
    [50, 2000],
    [10_000, 2000],
  ])('%i sales this month earn %i bps', (sales, bps) => {
    expect(commissionBonusBps(tiers, sales)).toBe(bps);
  });
  it('without tiers earns nothing', () => expect(commissionBonusBps([], 1_000)).toBe(0));
});

describe('splitStorefrontSale', () => {
  it('credits the payout balance the retail and the bonus; the reseller earns retail less wholesale and the bonus', () => {
    expect(splitStorefrontSale({ retail: 1200, wholesale: 700, bonusBps: 0 })).toEqual({
      retail: 1200,
      wholesale: 700,
      margin: 500,
      bonus: 0,
      payout: 1200,
    });
    expect(splitStorefrontSale({ retail: 1200, wholesale: 700, bonusBps: 333 })).toEqual({
      retail: 1200,
      wholesale: 700,
      margin: 516,
      bonus: 16,
      payout: 1216,
    });
  });
  it('adds up: wallet −200, payout +300, the reseller earns 100, the owner keeps 200', () => {
    const split = splitStorefrontSale({ retail: 300, wholesale: 200, bonusBps: 0 });
    expect(split.payout).toBe(300);
    const resellerNets = split.payout - split.wholesale;
    expect(resellerNets).toBe(100);
    expect(resellerNets).toBe(split.margin);
    expect(split.retail - resellerNets).toBe(200);
  });
  it('the owner pays the bonus out of the wholesale it keeps', () => {
    const split = splitStorefrontSale({ retail: 1200, wholesale: 700, bonusBps: 1000 });
    expect(split.retail - (split.payout - split.wholesale)).toBe(700 - split.bonus);
  });
  it('never credits a negative margin (a discount below wholesale costs the owner, not the reseller)', () => {
    expect(splitStorefrontSale({ retail: 500, wholesale: 700, bonusBps: 1000 })).toEqual({
      retail: 500,
      wholesale: 700,
      margin: 0,
      bonus: 0,
      payout: 700,
    });
  });
});

describe('reverseStorefrontSplit', () => {
  const sale = { retail: 1200, wholesale: 700, margin: 550, bonus: 50, payout: 1250 };
  const none = { retail: 0, wholesale: 0, margin: 0, bonus: 0, payout: 0 };
  it('reverses a part in proportion, rounded half up', () => {
    expect(reverseStorefrontSplit(sale, none, 400, 1200, 0)).toEqual({
      retail: 400,
      wholesale: 233,
      margin: 183,
      bonus: 17,
      payout: 416,
    });
  });
  it('a refund of the rest reverses exactly what earlier refunds left, so parts add up to the split', () => {
    const first = reverseStorefrontSplit(sale, none, 400, 1200, 0);
    const rest = reverseStorefrontSplit(sale, first, 800, 1200, 400);
    expect(first.wholesale + rest.wholesale).toBe(700);
    expect(first.margin + rest.margin).toBe(550);
    expect(first.bonus + rest.bonus).toBe(50);
    expect(first.payout + rest.payout).toBe(1250);
  });
  it('a free order reverses nothing but what is left', () => {
    expect(reverseStorefrontSplit(none, none, 0, 0, 0)).toEqual(none);
  });
});
