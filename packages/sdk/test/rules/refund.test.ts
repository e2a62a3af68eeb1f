import { describe, expect, it } from 'vitest';
import {
  decideOrderRefund,
  referralRewardAfterRefund,
  startOfZonedDay,
  withinRefundWindow,
  zonedDayOf,
  zonedDays,
} from '../../src/rules/index.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const base = { orderCustomerId: 'c1', customerId: 'c1', currency: 'USD', paid: 1000, refunded: 0, amount: usd(100), provisioning: false };

describe('decideOrderRefund', () => {
  it.each([
    ["another customer's order", { customerId: 'c2' }, 'not_customers_order'],
    ['another currency', { amount: { amount: 100, currency: 'EUR' } }, 'wrong_currency'],
    ['a free order', { paid: 0 }, 'nothing_to_refund'],
    ['all of it back already', { refunded: 1000 }, 'nothing_to_refund'],
    ['more than is left', { refunded: 950 }, 'exceeds_paid'],
    ['a unit still pending', { provisioning: true }, 'order_provisioning'],
  ] as const)('refuses %s', (_n, over, reason) => {
    expect(decideOrderRefund({ ...base, ...over })).toMatchObject({ allowed: false, reason });
  });

  it('a part refund keeps what the order took; the one that returns the rest is full', () => {
    expect(decideOrderRefund({ ...base, amount: usd(1) })).toEqual({
      allowed: true,
      outcome: { keptBefore: 1000, keptAfter: 999, full: false },
    });
    expect(decideOrderRefund({ ...base, refunded: 999, amount: usd(1) })).toEqual({
      allowed: true,
      outcome: { keptBefore: 1, keptAfter: 0, full: true },
    });
  });
});

describe('referralRewardAfterRefund', () => {
  it('scales the reward by the share kept, rounded down; nothing once all is refunded', () => {
    expect(referralRewardAfterRefund(usd(100), 1000, 750)).toEqual(usd(75));
    expect(referralRewardAfterRefund(usd(100), 1000, 999)).toEqual(usd(99));
    expect(referralRewardAfterRefund(usd(100), 1000, 0)).toEqual(usd(0));
    expect(referralRewardAfterRefund(usd(Number.MAX_SAFE_INTEGER), 3, 2)).toEqual(usd(6004799503160660));
  });

  it('a refund in the window is one strictly before its end', () => {
    const at = new Date('2026-03-01T00:00:00Z');
    expect(withinRefundWindow(at, new Date('2026-03-30T23:59:59Z'), 30)).toBe(true);
    expect(withinRefundWindow(at, new Date('2026-03-31T00:00:00Z'), 30)).toBe(false);
  });
});

describe('zoned days', () => {
  it('starts a day at the zone midnight, DST changes included', () => {
    expect(startOfZonedDay('2026-03-10', 'Asia/Tehran').toISOString()).toBe('2026-03-09T20:30:00.000Z');
    expect(startOfZonedDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfZonedDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // Midnight skipped: the day starts at 01:00 local.
    expect(startOfZonedDay('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(zonedDayOf(new Date('2026-03-09T20:29:59.999Z'), 'Asia/Tehran')).toBe('2026-03-09');
    expect(zonedDayOf(new Date('2026-03-09T20:30:00.000Z'), 'Asia/Tehran')).toBe('2026-03-10');
  });

  it('lists consecutive days, each ending where the next starts', () => {
    const days = zonedDays('2026-03-28', '2026-03-30', 'Europe/Berlin');
    expect(days.map((d) => [d.day, (d.end.getTime() - d.start.getTime()) / 3_600_000])).toEqual([
      ['2026-03-28', 24],
      ['2026-03-29', 23],
      ['2026-03-30', 24],
    ]);
  });
});
