import { describe, expect, it } from 'vitest';
import { acquisitionSource, coverageOf, paidStartOf, paidUnitsOf, unionOfIntervals, unitEnding } from '../../../src/rules/index.js';
import { at, entry, order, plusDays, purchase, rowsOf, sub } from './rows.js';

describe('acquisitionSource: the first rule that matches', () => {
  const paid = at('2024-03-10');
  const campaign = { campaign: 'spring', attributedAt: at('2024-03-01') };
  const gift = { claimedBy: 'c', claimedAt: at('2024-03-05') };
  it.each([
    [
      'a storefront’s buyer, whatever else',
      { customer: { id: 'c', storefrontId: 'sf1' }, attribution: campaign },
      paid,
      { kind: 'storefront' },
    ],
    [
      'attributed before the first payment',
      { attribution: campaign, referral: { referredId: 'c' } },
      paid,
      { kind: 'campaign', campaign: 'spring' },
    ],
    [
      'attributed at the first payment',
      { attribution: { ...campaign, attributedAt: paid } },
      paid,
      { kind: 'campaign', campaign: 'spring' },
    ],
    [
      'attributed after the first payment: falls through',
      { attribution: { ...campaign, attributedAt: at('2024-03-11') } },
      paid,
      { kind: 'organic' },
    ],
    ['referred', { referral: { referredId: 'c' }, giftClaims: [gift] }, paid, { kind: 'referral' }],
    ['claimed a gift before paying', { giftClaims: [gift] }, paid, { kind: 'gift' }],
    ['claimed a gift after paying', { giftClaims: [{ ...gift, claimedAt: at('2024-04-01') }] }, paid, { kind: 'organic' }],
    ['a trial taker with a claimed gift (not a buyer)', { giftClaims: [gift] }, null, { kind: 'gift' }],
    ['a trial taker attributed to a campaign', { attribution: campaign }, null, { kind: 'campaign', campaign: 'spring' }],
    ['none of these', {}, paid, { kind: 'organic' }],
  ] as const)('%s', (_name, over, firstPaidAt, expected) => {
    expect(acquisitionSource(rowsOf('c', over as never), firstPaidAt)).toEqual(expected);
  });
});

describe('paid start and coverage', () => {
  const t = at('2024-01-10');
  it.each([
    ['a trial is not paid', sub('c', t, { trial: true }), [order('c', 500, t)], [], null],
    ['a paid order starts it', sub('c', t, { orderId: 'o-paid' }), [order('c', 500, t, { id: 'o-paid' })], [], t],
    ['a free (gifted) order does not', sub('c', t, { orderId: 'o-free' }), [order('c', 0, t, { id: 'o-free' })], [], null],
    [
      'a gifted one starts at the first debit naming it',
      sub('c', t, { id: 's-gift', orderId: 'o-free' }),
      [order('c', 0, t, { id: 'o-free' })],
      [entry('c', 'extension', -300, at('2024-02-01'), { subscriptionId: 's-gift' })],
      at('2024-02-01'),
    ],
  ] as const)('%s', (_name, s, orders, ledger, expected) => {
    expect(paidStartOf(s, orders, ledger)).toEqual(expected);
  });

  it.each([
    ['live: to its expiry', { status: 'active' }, at('2024-02-09')],
    [
      'not started (no expiry): its duration after the paid start',
      { status: 'on_hold', expiresAt: null, activatedAt: null },
      at('2024-02-09'),
    ],
    ['terminated early: at the termination', { status: 'terminated', statusChangedAt: at('2024-01-20') }, at('2024-01-20')],
    ['terminated after its expiry: at the expiry', { status: 'terminated', statusChangedAt: at('2024-03-01') }, at('2024-02-09')],
    ['failed: none', { status: 'failed' }, null],
  ] as const)('%s', (_name, over, end) => {
    const span = coverageOf(sub('c', t, over as never), t);
    expect(span?.end ?? null).toEqual(end);
  });

  it('merges overlapping and touching spans', () => {
    const s = (a: string, b: string) => ({ start: at(a), end: at(b) });
    expect(unionOfIntervals([s('2024-03-01', '2024-04-01'), s('2024-01-01', '2024-02-01'), s('2024-02-01', '2024-02-15')])).toEqual([
      s('2024-01-01', '2024-02-15'),
      s('2024-03-01', '2024-04-01'),
    ]);
  });
});

describe('unitEnding', () => {
  const t = at('2024-01-10');
  const bought = purchase('c', 1000, t);
  const bundle = (status: 'active' | 'expired' | 'terminated', other: 'active' | 'expired' | 'terminated' | 'failed') => [
    sub('c', t, { orderId: bought.order.id, bundleId: 'b1', status, statusChangedAt: plusDays(t, 30) }),
    sub('c', t, { orderId: bought.order.id, bundleId: 'b1', status: other, panelId: 'n2', statusChangedAt: plusDays(t, 30) }),
  ];
  it.each([
    ['a bundle with a live part has not ended', bundle('expired', 'active'), [bought.debit], null],
    ['a bundle whose parts expired lapsed', bundle('expired', 'expired'), [bought.debit], 'lapsed'],
    ['a failed part does not keep a bundle from lapsing', bundle('expired', 'failed'), [bought.debit], 'lapsed'],
    ['terminated by an admin: lapsed', bundle('terminated', 'terminated'), [bought.debit], 'lapsed'],
    [
      'terminated with its order refunded in full: refunded',
      bundle('terminated', 'terminated'),
      [bought.debit, entry('c', 'refund', 1000, plusDays(t, 5), { orderId: bought.order.id })],
      'refunded',
    ],
    [
      'terminated after a part refund: lapsed',
      bundle('terminated', 'terminated'),
      [bought.debit, entry('c', 'refund', 400, plusDays(t, 5), { orderId: bought.order.id })],
      'lapsed',
    ],
  ] as const)('%s', (_name, subs, ledger, outcome) => {
    const units = paidUnitsOf(subs, [bought.order], ledger);
    expect(units).toHaveLength(1);
    expect(unitEnding(units[0]!, ledger)?.outcome ?? null).toBe(outcome);
  });
});
