import { describe, expect, it } from 'vitest';
import { DAY_MS, GIB_BYTES, decideTrafficTopUp } from '../../src/rules/index.js';

const now = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const offer = { pricePerGiB: { amount: 50, currency: 'USD' }, maxGiBPerPurchase: 100 };
const plan = { trafficTopUp: offer };
const sub = {
  status: 'active' as const,
  expiresAt: at(10 * DAY_MS),
  trafficLimitBytes: 10 * GIB_BYTES,
  usedBytes: 4 * GIB_BYTES,
  trial: false,
};
const decide = (over: Partial<typeof sub> | Record<string, unknown> = {}, gib = 5, p: typeof plan | { trafficTopUp: null } = plan) =>
  decideTrafficTopUp({ subscription: { ...sub, ...over } as typeof sub, plan: p, gib, now });

describe('decideTrafficTopUp', () => {
  it('adds whole GiB to the current limit at the plan price per GiB, keeping usage', () => {
    expect(decide()).toEqual({
      allowed: true,
      quote: {
        gib: 5,
        bytes: 5 * GIB_BYTES,
        price: { amount: 250, currency: 'USD' },
        newTrafficLimitBytes: 15 * GIB_BYTES,
        reactivates: false,
      },
    });
  });
  it.each([
    ['1 GiB, the smallest purchase', 1, true],
    ['the plan maximum exactly', 100, true],
    ['one above the plan maximum', 101, 'above_maximum'],
    ['zero', 0, 'invalid_amount'],
    ['negative', -1, 'invalid_amount'],
    ['a fraction', 1.5, 'invalid_amount'],
    ['not a number', Number.NaN, 'invalid_amount'],
  ] as const)('amount: %s', (_name, gib, expected) => {
    const d = decide({}, gib);
    expect(d.allowed ? true : d.reason).toBe(expected);
  });
  it.each([
    ['limited and the new limit covers the usage: reactivates', { status: 'limited', usedBytes: 10 * GIB_BYTES }, 1, true],
    ['limited with usage past the new limit: stays limited', { status: 'limited', usedBytes: 12 * GIB_BYTES }, 1, false],
    ['limited with usage exactly at the new limit: stays limited', { status: 'limited', usedBytes: 11 * GIB_BYTES }, 1, false],
    ['active', {}, 1, false],
  ] as const)('%s', (_name, over, gib, reactivates) => {
    const d = decide(over, gib);
    expect(d.allowed && d.quote.reactivates).toBe(reactivates);
  });
  it.each([
    ['a plan that does not offer it', {}, { trafficTopUp: null }, 'not_offered'],
    ['a trial', { trial: true }, plan, 'trial'],
    ['an unlimited subscription', { trafficLimitBytes: null }, plan, 'unlimited'],
    ['expired', { status: 'expired' }, plan, 'not_top_upable_status'],
    ['suspended', { status: 'suspended' }, plan, 'not_top_upable_status'],
    ['on hold', { status: 'on_hold', expiresAt: null }, plan, 'not_top_upable_status'],
    ['pending', { status: 'pending' }, plan, 'not_top_upable_status'],
    ['the period ends exactly now', { expiresAt: now }, plan, 'period_over'],
    ['no expiry yet', { expiresAt: null }, plan, 'period_over'],
  ] as const)('refuses %s', (_name, over, p, reason) => {
    expect(decide(over, 5, p)).toEqual({ allowed: false, reason });
  });
  it('is allowed one millisecond before the period ends', () => {
    expect(decide({ expiresAt: at(1) }).allowed).toBe(true);
  });
  it('refuses a limit or price past the safe-integer range', () => {
    expect(decide({ trafficLimitBytes: Number.MAX_SAFE_INTEGER - GIB_BYTES }, 1).allowed).toBe(true);
    expect(decide({ trafficLimitBytes: Number.MAX_SAFE_INTEGER - GIB_BYTES + 1 }, 1)).toEqual({ allowed: false, reason: 'too_large' });
    expect(decide({}, 1, { trafficTopUp: { ...offer, pricePerGiB: { amount: Number.MAX_SAFE_INTEGER, currency: 'USD' } } })).toEqual({
      allowed: true,
      quote: expect.anything(),
    });
    expect(decide({}, 2, { trafficTopUp: { ...offer, pricePerGiB: { amount: Number.MAX_SAFE_INTEGER, currency: 'USD' } } })).toEqual({
      allowed: false,
      reason: 'too_large',
    });
  });
});
