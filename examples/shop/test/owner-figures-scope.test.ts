/**
 * The owner figures' use case decides who reads which buyers (issue 94): the owner any scope, a reseller only its
 * own storefront's, and no one else anything; checked here on the use case alone, with a kit that records its calls.
 */
import type { ChurnQuery, OwnerFiguresQuery } from '@panelkit/sdk/figures';
import { describe, expect, it } from 'vitest';
import { ShopError } from '../src/app/shop-error.js';
import type { Shop } from '../src/app/shop.js';
import { monthLabel, monthRangeOf, parseFigureMonth } from '../src/app/stats/figure-months.js';
import { figuresReaderOf, readChurn, readOwnerFigures, scopeFor } from '../src/app/stats/owner-figures.js';
import type { Viewer } from '../src/app/viewer.js';

const STOREFRONT = { id: 'sf_own', name: 'Own shop' };

/** A shop whose kit answers empty figures and records every scope it was asked for. */
function recordingShop() {
  const asked: { overview: OwnerFiguresQuery[]; churn: ChurnQuery[] } = { overview: [], churn: [] };
  const fresh = { foldedAt: null, pending: 0, rebuilding: false };
  const kit = {
    storefronts: {
      byReseller: async (customerId: string) => (customerId === 'cus_reseller' ? STOREFRONT : null),
      list: async () => [STOREFRONT, { id: 'sf_other', name: 'Other' }],
    },
    figures: {
      overview: async (q: OwnerFiguresQuery) => {
        asked.overview.push(q);
        return { ...q, cohorts: [], cohortRevenue: [], months: [], ltvBySource: [], cash: q.scope === '*' ? [] : null, ...fresh };
      },
      churnBy: async (q: ChurnQuery) => {
        asked.churn.push(q);
        return { dimension: q.dimension, from: q.from, to: q.to, rows: [], ...fresh };
      },
    },
  };
  const shop = {
    kit,
    storage: { plans: { list: async () => [{ id: 'pln_1', name: 'Monthly' }] } },
    config: { timeZone: 'UTC', figuresCalendar: 'gregorian' },
  } as unknown as Shop;
  return { shop, asked };
}

const viewer = (role: 'admin' | 'support' | 'buyer', customerId: string) =>
  ({ account: { role }, customer: { id: customerId }, via: 'session' }) as unknown as Viewer;
const OWNER = viewer('admin', 'cus_owner');
const RESELLER = viewer('buyer', 'cus_reseller');
const BUYER = viewer('buyer', 'cus_buyer');
const SUPPORT = viewer('support', 'cus_support');
const RANGE = { from: 202601, to: 202603 };

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof ShopError) return error.code;
    throw error;
  }
}

describe('who reads the owner figures', () => {
  it('an owner reads as the owner, a storefront’s reseller as that reseller; buyers and support staff are refused', async () => {
    const { shop } = recordingShop();
    expect(await figuresReaderOf(shop, OWNER)).toEqual({ kind: 'owner' });
    expect(await figuresReaderOf(shop, RESELLER)).toEqual({ kind: 'reseller', storefrontId: 'sf_own', storefrontName: 'Own shop' });
    expect(await codeOf(() => figuresReaderOf(shop, BUYER))).toBe('forbidden');
    expect(await codeOf(() => figuresReaderOf(shop, SUPPORT))).toBe('forbidden');
  });

  it('the owner reads any scope, the whole shop by default; a scope that is not one is invalid input', () => {
    const owner = { kind: 'owner' } as const;
    expect(scopeFor(owner, undefined)).toBe('*');
    expect(scopeFor(owner, 'sf:sf_other')).toBe('sf:sf_other');
    expect(scopeFor(owner, 'src:gift')).toBe('src:gift');
    for (const bad of ['everything', 'src:ads', 'sf:', 'sf:a b'])
      expect(() => scopeFor(owner, bad), bad).toThrowError(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('a reseller reads its own storefront’s buyers, and neither the whole shop, another storefront nor a source', () => {
    const reseller = { kind: 'reseller', storefrontId: 'sf_own', storefrontName: 'Own shop' } as const;
    expect(scopeFor(reseller, undefined)).toBe('sf:sf_own');
    expect(scopeFor(reseller, 'sf:sf_own')).toBe('sf:sf_own');
    for (const other of ['*', 'sf:sf_other', 'src:organic', 'src:storefront'])
      expect(() => scopeFor(reseller, other), other).toThrowError(expect.objectContaining({ code: 'forbidden' }));
  });

  it('a reseller’s overview asks the SDK for its own scope only, with churn by plan and location, and no storefront names', async () => {
    const { shop, asked } = recordingShop();
    const read = await readOwnerFigures(shop, RESELLER, { range: RANGE });
    expect(asked.overview.map((q) => q.scope)).toEqual(['sf:sf_own']);
    expect(asked.churn.map((q) => [q.scope, q.dimension])).toEqual([
      ['sf:sf_own', 'plan'],
      ['sf:sf_own', 'location'],
    ]);
    expect(read.names).toEqual({ plans: { pln_1: 'Monthly' }, storefronts: {} });
    expect(await codeOf(() => readOwnerFigures(shop, RESELLER, { scope: '*', range: RANGE }))).toBe('forbidden');
    expect(await codeOf(() => readOwnerFigures(shop, RESELLER, { scope: 'sf:sf_other', range: RANGE }))).toBe('forbidden');
    expect(asked.overview).toHaveLength(1);
  });

  it('churn by storefront or source is the owner’s: a reseller is refused before the SDK is asked', async () => {
    const { shop, asked } = recordingShop();
    for (const dimension of ['storefront', 'source'] as const)
      expect(await codeOf(() => readChurn(shop, RESELLER, { dimension, range: RANGE }))).toBe('forbidden');
    expect(asked.churn).toEqual([]);
    await readChurn(shop, RESELLER, { dimension: 'location', range: RANGE });
    await readChurn(shop, OWNER, { dimension: 'storefront', range: RANGE });
    expect(asked.churn.map((q) => [q.scope, q.dimension])).toEqual([
      ['sf:sf_own', 'location'],
      ['*', 'storefront'],
    ]);
    expect(await codeOf(() => readChurn(shop, BUYER, { dimension: 'plan', range: RANGE }))).toBe('forbidden');
    expect(await codeOf(() => readChurn(shop, OWNER, { scope: 'sf:sf_own', dimension: 'source', range: RANGE }))).toBe('invalid_input');
  });

  it('the owner’s overview reads the whole shop, with every churn split and the storefronts’ names', async () => {
    const { shop, asked } = recordingShop();
    const read = await readOwnerFigures(shop, OWNER, { range: RANGE });
    expect(asked.overview.map((q) => q.scope)).toEqual(['*']);
    expect(asked.churn.map((q) => q.dimension)).toEqual(['plan', 'location', 'storefront', 'source']);
    expect(read.names.storefronts).toEqual({ sf_own: 'Own shop', sf_other: 'Other' });
    // One storefront's: split by plan and location only.
    await readOwnerFigures(shop, OWNER, { scope: 'sf:sf_other', range: RANGE });
    expect(asked.churn.slice(4).map((q) => [q.scope, q.dimension])).toEqual([
      ['sf:sf_other', 'plan'],
      ['sf:sf_other', 'location'],
    ]);
  });
});

describe('the months a page asks for', () => {
  const now = new Date('2026-03-20T12:00:00Z'); // 29 Esfand 1404 in Tehran
  const gregorian = { timeZone: 'Asia/Tehran', calendar: 'gregorian' } as const;
  const jalali = { timeZone: 'Asia/Tehran', calendar: 'jalali' } as const;

  it('defaults to the last twelve months of the figures’ calendar, the current one included', () => {
    expect(monthRangeOf({}, now, gregorian)).toEqual({ ok: true, range: { from: 202504, to: 202603 } });
    expect(monthRangeOf({}, now, jalali)).toEqual({ ok: true, range: { from: 140401, to: 140412 } });
  });

  it('reads typed months (Persian digits too) and refuses bad, reversed and too long ranges', () => {
    expect(monthRangeOf({ from: '1404/01', to: '۱۴۰۴/۰۳' }, now, jalali)).toEqual({ ok: true, range: { from: 140401, to: 140403 } });
    expect(monthRangeOf({ from: '2026-02', to: '2026-01' }, now, gregorian)).toMatchObject({ ok: false, problem: 'reversed' });
    expect(monthRangeOf({ from: '2020-01', to: '2026-01' }, now, gregorian)).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(monthRangeOf({ to: '2026-13' }, now, gregorian)).toMatchObject({ ok: false, problem: 'badTo' });
    expect(parseFigureMonth('2026-03', 'jalali')).toBeNull();
    expect(parseFigureMonth('1404/03', 'gregorian')).toBeNull();
  });

  it('labels a month in the reader’s language and the figures’ calendar', () => {
    expect(monthLabel(140401, jalali, 'en')).toMatch(/Farvardin/);
    expect(monthLabel(140401, jalali, 'fa')).toMatch(/فروردین/);
    expect(monthLabel(202603, gregorian, 'en')).toBe('Mar 2026');
  });
});
