import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { buyerContribution, diffFigureCells, FIGURES_DEFINITIONS_VERSION, type FigureCell } from '../../../src/rules/index.js';
import { agesIn, at, entry, monthly, order, payment, plusDays, purchase, rowsOf, sub, UTC, cellValue } from './rows.js';

/** The cells under scope `*` other than the daily buckets and days, as `table month/age: value` lines, sorted. */
function table(cells: readonly FigureCell[]): string[] {
  return cells
    .filter((c) => c.table !== 'buckets' && c.table !== 'days' && c.table !== 'cash' && c.scope === '*')
    .map((c) => {
      const { table: t, value, scope: _s, ...key } = c as FigureCell & { scope: string };
      return `${t} ${Object.values(key).join(' ')}: ${value}`;
    })
    .sort();
}

describe('a refund in a later month', () => {
  const t = at('2024-01-10');
  const bought = purchase('a', 1000, t);
  const s = sub('a', t, { orderId: bought.order.id, expiresAt: plusDays(t, 90), durationDays: 90 });
  const before = rowsOf('a', { orders: [bought.order], ledger: [bought.debit], subscriptions: [s] });
  const refund = entry('a', 'refund', 1000, at('2024-03-05'), { orderId: bought.order.id });
  const after = rowsOf('a', {
    orders: [bought.order],
    ledger: [bought.debit, refund],
    subscriptions: [{ ...s, status: 'terminated', statusChangedAt: at('2024-03-05') }],
  });

  it('counts in its own month: revenue falls then, coverage ends, the unit is refunded (not churned)', () => {
    const c = buyerContribution(after, UTC);
    expect(c).toMatchObject({ cohort: 202401, firstPaidAt: t, source: { kind: 'organic' }, scopes: ['*', 'src:organic'] });
    expect(c.definitionsVersion).toBe(FIGURES_DEFINITIONS_VERSION);
    expect(table(c.cells)).toEqual([
      'cohort_revenue 202401 202401 USD: 1000',
      'cohort_revenue 202401 202403 USD: -1000',
      'cohorts 202401 0: 1',
      'cohorts 202401 1: 1',
      'cohorts 202401 2: 1',
      'months 202401 first_buyers  : 1',
      'months 202401 net_sales  USD: 1000',
      'months 202403 net_sales  USD: -1000',
      'months 202403 refunded_units  : 1',
    ]);
  });

  it('moves every figure it touches exactly once: the diff of the two contributions', () => {
    const diff = diffFigureCells(buyerContribution(before, UTC).cells, buyerContribution(after, UTC).cells);
    expect(table(diff)).toEqual([
      'cohort_revenue 202401 202403 USD: -1000',
      'cohorts 202401 3: -1',
      'months 202403 net_sales  USD: -1000',
      'months 202403 refunded_units  : 1',
    ]);
    expect(diff.filter((c) => c.table === 'buckets').map((c) => [c.metric, c.value])).toEqual(
      expect.arrayContaining([
        ['net_sales', -1000],
        ['in_service_delta', -1],
      ]),
    );
    expect(diffFigureCells(buyerContribution(after, UTC).cells, buyerContribution(after, UTC).cells)).toEqual([]);
  });
});

describe('gateway money', () => {
  const topUp = entry('r', 'top_up', 2000, at('2024-01-05'));
  const reversal = entry('r', 'payment_reversal', -2000, at('2024-02-03'));
  const cardTopUp = entry('r', 'top_up', 500, at('2024-01-06'));
  const cardRefund = entry('r', 'payment_reversal', -500, at('2024-02-10'));
  const refundRecord = {
    id: 'rf1',
    amount: 500,
    status: 'succeeded',
    refundRef: null,
    reason: null,
    requestedBy: { type: 'admin', id: 'x' },
    requestedAt: '2024-02-10T00:00:00.000Z',
    entryId: cardRefund.id,
    taken: 500,
    failure: null,
  };
  const bought = purchase('r', 1000, at('2024-01-10'));
  const rows = rowsOf('r', {
    orders: [bought.order],
    ledger: [topUp, reversal, cardTopUp, cardRefund, bought.debit],
    payments: [
      payment('r', 'zarinpal', { ledgerEntryId: topUp.id, reversalEntryId: reversal.id }),
      // Refunded in full at the provider: its reversal names the refund's entry too, and counts once.
      payment('r', 'card', { ledgerEntryId: cardTopUp.id, reversalEntryId: cardRefund.id, details: { refunds: { rf1: refundRecord } } }),
    ],
  });
  const c = buyerContribution(rows, UTC);

  it('is cash by gateway: credited, reversed and refunded in the month of their entries', () => {
    expect(
      c.cells
        .filter((x) => x.table === 'cash')
        .map((x) => x.table === 'cash' && `${x.month} ${x.providerId} ${x.flow} ${x.value}`)
        .sort(),
    ).toEqual(['202401 card credited 500', '202401 zarinpal credited 2000', '202402 card refunded 500', '202402 zarinpal reversed 2000']);
  });

  it('is not sales: a reversal moves no net sales', () => {
    expect(monthly(c.cells, 'net_sales', '*', '', 'USD')).toEqual({ 202401: 1000 });
  });
});

describe('a plan change', () => {
  const t = at('2024-01-10');
  const bought = purchase('p', 1000, t);
  const s = sub('p', t, { id: 'sp', orderId: bought.order.id, planId: 'p2', status: 'expired', statusChangedAt: at('2024-02-09') });
  const change = entry('p', 'plan_change', -250, at('2024-01-20'), { subscriptionId: 'sp' });
  const c = buyerContribution(rowsOf('p', { orders: [bought.order], ledger: [bought.debit, change], subscriptions: [s] }), UTC);

  it('is net sales, not a renewal; the lapse counts on the plan the unit is on', () => {
    expect(monthly(c.cells, 'net_sales', '*', '', 'USD')).toEqual({ 202401: 1250 });
    expect(monthly(c.cells, 'renewals_auto')).toEqual({});
    expect(monthly(c.cells, 'renewals_manual')).toEqual({});
    expect(monthly(c.cells, 'lapsed')).toEqual({ 202402: 1 });
    expect(cellValue(c.cells, { table: 'lapses', scope: '*', month: 202402, planId: 'p2', panelId: 'n1' })).toBe(1);
    expect(cellValue(c.cells, { table: 'lapses', scope: '*', month: 202402, planId: 'p1', panelId: 'n1' })).toBe(0);
  });
});

describe('a gift', () => {
  const giftPurchase = entry('g', 'purchase', -700, at('2024-01-03'));
  const expiryRefund = entry('g', 'refund', 700, at('2024-02-03'));

  it('is net sales of its giver, and an expiry refunds the giver; the giver has no coverage', () => {
    const c = buyerContribution(rowsOf('g', { ledger: [giftPurchase, expiryRefund] }), UTC);
    expect(c.cohort).toBe(202401);
    expect(agesIn(c.cells)).toEqual([0]);
    expect(monthly(c.cells, 'net_sales', '*', '', 'USD')).toEqual({ 202401: 700, 202402: -700 });
  });

  const claimed = order('k', 0, at('2024-01-05'));
  const gifted = sub('k', at('2024-01-05'), { id: 'sk', orderId: claimed.id });
  const claim = { claimedBy: 'k', claimedAt: at('2024-01-05') };

  it('makes its claimer no buyer until they pay', () => {
    const c = buyerContribution(rowsOf('k', { orders: [claimed], subscriptions: [gifted], giftClaims: [claim] }), UTC);
    expect(c).toMatchObject({ cohort: null, firstPaidAt: null, source: { kind: 'gift' }, payingAges: [] });
    expect(table(c.cells)).toEqual([]);
  });

  it('once the claimer pays, they are a buyer of source gift, covered from the payment', () => {
    const extension = entry('k', 'extension', -500, at('2024-02-01'), { subscriptionId: 'sk' });
    const c = buyerContribution(
      rowsOf('k', {
        orders: [claimed],
        ledger: [extension],
        subscriptions: [{ ...gifted, expiresAt: at('2024-03-05') }],
        giftClaims: [claim],
      }),
      UTC,
    );
    expect(c).toMatchObject({ cohort: 202402, source: { kind: 'gift' }, scopes: ['*', 'src:gift'], payingAges: [0, 1] });
    expect(monthly(c.cells, 'renewals_manual', 'src:gift')).toEqual({ 202402: 1 });
  });
});

describe('a storefront sale', () => {
  it('counts in the shop and in the storefront’s scope; the source is storefront even with a campaign', () => {
    const bought = purchase('b', 900, at('2024-01-10'));
    const c = buyerContribution(
      rowsOf('b', {
        customer: { id: 'b', storefrontId: 'sf9' },
        orders: [bought.order],
        ledger: [bought.debit],
        attribution: { campaign: 'spring', attributedAt: at('2024-01-01') },
      }),
      UTC,
    );
    expect(c.scopes).toEqual(['*', 'sf:sf9', 'src:storefront']);
    for (const scope of c.scopes) expect(monthly(c.cells, 'net_sales', scope, '', 'USD')).toEqual({ 202401: 900 });
  });

  it('the reseller’s wholesale debit is not sales', () => {
    const c = buyerContribution(rowsOf('rs', { ledger: [entry('rs', 'wholesale', -600, at('2024-01-10'))] }), UTC);
    expect(c.cohort).toBeNull();
    expect(c.cells).toEqual([]);
  });

  it('a campaign buyer’s monthly counters carry the campaign under src:campaign', () => {
    const bought = purchase('cb', 400, at('2024-01-10'));
    const c = buyerContribution(
      rowsOf('cb', { orders: [bought.order], ledger: [bought.debit], attribution: { campaign: 'spring', attributedAt: at('2024-01-01') } }),
      UTC,
    );
    expect(monthly(c.cells, 'first_buyers', 'src:campaign', 'spring')).toEqual({ 202401: 1 });
    expect(monthly(c.cells, 'first_buyers', '*')).toEqual({ 202401: 1 });
  });
});

describe('trial → paid', () => {
  const trialAt = at('2024-01-10');
  const trial = sub('t', trialAt, { planId: 'pt', trial: true, expiresAt: plusDays(trialAt, 3) });
  const paidAt = (days: number) => {
    const bought = purchase('t', 500, plusDays(trialAt, days));
    return { orders: [bought.order], ledger: [bought.debit] };
  };
  const paidTrial = order('t', 100, trialAt, { id: 'o-trial' });
  it.each([
    ['paid on day 29: converted within 30 days', paidAt(29), 'trials_converted_30d'],
    ['paid on day 30 exactly: still within', paidAt(30), 'trials_converted_30d'],
    ['paid on day 31: converted later', paidAt(31), 'trials_converted_later'],
    ['paid before the trial: already paying', paidAt(-40), 'trials_already_paying'],
    ['never paid', {}, null],
    [
      'paid only the trial’s own price: a buyer, but not converted',
      {
        orders: [paidTrial],
        ledger: [entry('t', 'purchase', -100, trialAt, { orderId: 'o-trial' })],
        subscriptions: [{ ...trial, orderId: 'o-trial' }],
      },
      null,
    ],
  ] as const)('%s', (_name, over, outcome) => {
    const c = buyerContribution(rowsOf('t', { subscriptions: [trial], planFamilies: { pt: 'basic' }, ...over }), UTC);
    expect(monthly(c.cells, 'trials_started', '*', 'basic')).toEqual({ 202401: 1 });
    for (const metric of ['trials_converted_30d', 'trials_converted_later', 'trials_already_paying']) {
      expect(monthly(c.cells, metric, '*', 'basic')).toEqual(metric === outcome ? { 202401: 1 } : {});
    }
  });

  it('counts trial refusals per month', () => {
    const c = buyerContribution(rowsOf('t', { trialRefusals: [at('2024-01-02'), at('2024-01-20'), at('2024-02-01')] }), UTC);
    expect(monthly(c.cells, 'trial_refusals')).toEqual({ 202401: 2, 202402: 1 });
  });
});

describe('a bundle (one order, parts of several kinds sharing a bundleId)', () => {
  const t = at('2024-01-10');
  const bought = purchase('u', 1500, t);
  const part = (id: string, panelId: string) =>
    sub('u', t, {
      id,
      orderId: bought.order.id,
      bundleId: 'b1',
      panelId,
      status: 'expired',
      statusChangedAt: at('2024-04-09'),
      expiresAt: at('2024-04-09'),
    });
  const renew = (subscriptionId: string, amount: number, when: string, type: 'scheduler' | 'customer') =>
    entry('u', 'extension', -amount, at(when), { subscriptionId, actor: { type } });
  const c = buyerContribution(
    rowsOf('u', {
      orders: [bought.order],
      subscriptions: [part('xray', 'n1'), part('wg', 'n2')],
      // kit.extendBundle and the renewal sweep write one debit per part.
      ledger: [
        bought.debit,
        renew('xray', 1000, '2024-02-09', 'scheduler'),
        renew('wg', 500, '2024-02-09', 'scheduler'),
        renew('xray', 1000, '2024-03-10', 'customer'),
        renew('wg', 500, '2024-03-10', 'customer'),
      ],
    }),
    UTC,
  );

  it('is one buyer and one unit: renewed once a period, lapsing once', () => {
    expect(cellValue(c.cells, { table: 'cohorts', scope: '*', cohort: 202401, age: 0 })).toBe(1);
    expect(c.payingAges).toEqual([0, 1, 2, 3]);
    expect(monthly(c.cells, 'renewals_auto')).toEqual({ 202402: 1 });
    expect(monthly(c.cells, 'renewals_manual')).toEqual({ 202403: 1 });
    expect(monthly(c.cells, 'lapsed')).toEqual({ 202404: 1 });
    expect(monthly(c.cells, 'net_sales', '*', '', 'USD')).toEqual({ 202401: 1500, 202402: 1500, 202403: 1500 });
  });

  it('lapses in each part’s place', () => {
    expect(cellValue(c.cells, { table: 'lapses', scope: '*', month: 202404, planId: 'p1', panelId: 'n1' })).toBe(1);
    expect(cellValue(c.cells, { table: 'lapses', scope: '*', month: 202404, planId: 'p1', panelId: 'n2' })).toBe(1);
  });
});

describe('months in the figures’ zone and calendar', () => {
  it('a first payment at 23:30 UTC on Dey’s last day is a Bahman cohort in Tehran', () => {
    const bought = purchase('j', 100, new Date('2024-01-20T23:30:00Z'));
    const rows = rowsOf('j', { orders: [bought.order], ledger: [bought.debit] });
    expect(buyerContribution(rows, { timeZone: 'Asia/Tehran', calendar: 'jalali' }).cohort).toBe(140211);
    expect(buyerContribution(rows, { timeZone: 'UTC', calendar: 'jalali' }).cohort).toBe(140210);
    expect(buyerContribution(rows, { timeZone: 'Asia/Tehran', calendar: 'gregorian' }).cohort).toBe(202401);
  });
});

describe('bad input', () => {
  it('a row of another customer is a ValidationError', () => {
    expect(() => buyerContribution(rowsOf('a', { ledger: [entry('b', 'purchase', -1, at('2024-01-01'))] }), UTC)).toThrow(ValidationError);
  });

  it('an unknown zone is a ValidationError', () => {
    expect(() => buyerContribution(rowsOf('a'), { timeZone: 'Nowhere/City', calendar: 'gregorian' })).toThrow(ValidationError);
  });
});
