import { LTV_AGES, type ChurnDimension } from '@panelkit/sdk/figures';
import type { OwnerFiguresRead } from './owner-figures.js';

/** The owner figures' sections, in page order; each is a table on the page and a CSV file (`?section=`). */
export const FIGURE_SECTIONS = [
  'cohorts',
  'cohort_revenue',
  'ltv',
  'churn',
  'churn_plan',
  'churn_location',
  'churn_storefront',
  'churn_source',
  'renewals',
  'trials',
  'cash',
] as const;
/** One of {@link FIGURE_SECTIONS}. */
export type FigureSection = (typeof FIGURE_SECTIONS)[number];

/** Whether `value` names a section. */
export function isFigureSection(value: unknown): value is FigureSection {
  return typeof value === 'string' && (FIGURE_SECTIONS as readonly string[]).includes(value);
}

/** One cell of a figures table, typed so the page formats it for its reader and the CSV writes it plainly. */
export type FigureValue =
  | { kind: 'month'; month: number }
  /** A count; `share` (0–1) shades a cohort cell, `final` false marks the current month ("so far"). */
  | { kind: 'count'; value: number; share?: number; final?: boolean }
  | { kind: 'money'; currency: string; amount: number }
  | { kind: 'rate'; value: number | null }
  | { kind: 'text'; text: string }
  | { kind: 'source'; source: string }
  | { kind: 'location'; tag: string }
  | { kind: 'gateway'; providerId: string }
  | { kind: 'empty' };

/** A column's heading: a message key under `figures.columns`, with its parameters. */
export interface FigureColumn {
  key: string;
  params?: Record<string, number>;
}

/** One section as rows: the same rows the page's table shows and its CSV holds. */
export interface FigureTable {
  section: FigureSection;
  columns: FigureColumn[];
  rows: FigureValue[][];
}

const col = (name: string, params?: Record<string, number>): FigureColumn => ({
  key: `figures.columns.${name}`,
  ...(params ? { params } : {}),
});
const month = (m: number): FigureValue => ({ kind: 'month', month: m });
const count = (value: number): FigureValue => ({ kind: 'count', value });
const money = (currency: string, amount: number): FigureValue => ({ kind: 'money', currency, amount });
const EMPTY: FigureValue = { kind: 'empty' };

function cohorts(read: OwnerFiguresRead): FigureTable {
  const ages = Math.max(0, ...read.overview.cohorts.map((c) => c.ages.length));
  const columns = [col('cohort'), col('size'), ...Array.from({ length: ages }, (_, age) => col('age', { age }))];
  const rows = read.overview.cohorts.map((c) => [
    month(c.cohort),
    count(c.size),
    ...Array.from({ length: ages }, (_, age): FigureValue => {
      const cell = c.ages[age];
      if (cell === undefined) return EMPTY;
      return { kind: 'count', value: cell.buyers, share: c.size === 0 ? 0 : cell.buyers / c.size, final: cell.final };
    }),
  ]);
  return { section: 'cohorts', columns, rows };
}

function cohortRevenue(read: OwnerFiguresRead): FigureTable {
  const ages = Math.max(0, ...read.overview.cohortRevenue.map((c) => c.ages.length));
  const columns = [col('cohort'), col('currency'), ...Array.from({ length: ages }, (_, age) => col('byAge', { age }))];
  const rows = read.overview.cohortRevenue.map((c) => [
    month(c.cohort),
    { kind: 'text', text: c.currency } as FigureValue,
    ...Array.from({ length: ages }, (_, age): FigureValue => {
      const cell = c.ages[age];
      return cell === undefined ? EMPTY : money(c.currency, cell.cumulative);
    }),
  ]);
  return { section: 'cohort_revenue', columns, rows };
}

function ltv(read: OwnerFiguresRead): FigureTable {
  const columns = [
    col('source'),
    col('currency'),
    col('buyers'),
    col('netSales'),
    col('perBuyer'),
    ...LTV_AGES.map((age) => col('ltvAt', { age })),
  ];
  const rows = read.overview.ltvBySource.map((s) => [
    { kind: 'source', source: s.source } as FigureValue,
    { kind: 'text', text: s.currency } as FigureValue,
    count(s.buyers),
    money(s.currency, s.netSales),
    s.perBuyer === null ? EMPTY : money(s.currency, s.perBuyer),
    ...LTV_AGES.map((age) => {
      const at = s.atAge.find((a) => a.age === age);
      return at === undefined || at.perBuyer === null ? EMPTY : money(s.currency, at.perBuyer);
    }),
  ]);
  return { section: 'ltv', columns, rows };
}

function monthly(read: OwnerFiguresRead, section: 'churn' | 'renewals' | 'trials'): FigureTable {
  const months = read.overview.months;
  if (section === 'churn')
    return {
      section,
      columns: [col('month'), col('firstBuyers'), col('lapsed'), col('refundedUnits')],
      rows: months.map((m) => [month(m.month), count(m.firstBuyers), count(m.lapsed), count(m.refundedUnits)]),
    };
  if (section === 'renewals')
    return {
      section,
      columns: [col('month'), col('renewalsAuto'), col('renewalsManual'), col('lapsed'), col('renewalRate')],
      rows: months.map((m) => [
        month(m.month),
        count(m.renewalsAuto),
        count(m.renewalsManual),
        count(m.lapsed),
        { kind: 'rate', value: m.renewalRate },
      ]),
    };
  return {
    section,
    columns: [
      col('month'),
      col('trialsStarted'),
      col('converted30d'),
      col('convertedLater'),
      col('alreadyPaying'),
      col('conversionRate'),
      col('trialRefusals'),
    ],
    rows: months.map((m) => [
      month(m.month),
      count(m.trials.started),
      count(m.trials.converted30d),
      count(m.trials.convertedLater),
      count(m.trials.alreadyPaying),
      { kind: 'rate', value: m.trials.conversionRate },
      count(m.trialRefusals),
    ]),
  };
}

function churnBy(read: OwnerFiguresRead, dimension: ChurnDimension): FigureTable | null {
  const figures = read.churn.find((c) => c.dimension === dimension);
  if (figures === undefined) return null;
  const keyOf = (key: string): FigureValue => {
    if (dimension === 'location') return { kind: 'location', tag: key };
    if (dimension === 'source') return { kind: 'source', source: key };
    const names = dimension === 'plan' ? read.names.plans : read.names.storefronts;
    return { kind: 'text', text: names[key] ?? key };
  };
  return {
    section: `churn_${dimension}`,
    columns: [col('month'), col(dimension), col('lapsed')],
    rows: figures.rows.map((r) => [month(r.month), keyOf(r.key), count(r.lapsed)]),
  };
}

function cash(read: OwnerFiguresRead): FigureTable | null {
  if (read.overview.cash === null) return null;
  return {
    section: 'cash',
    columns: [col('month'), col('gateway'), col('currency'), col('credited'), col('reversed'), col('refunded'), col('net')],
    rows: read.overview.cash.map((c) => [
      month(c.month),
      { kind: 'gateway', providerId: c.providerId } as FigureValue,
      { kind: 'text', text: c.currency } as FigureValue,
      money(c.currency, c.credited),
      money(c.currency, c.reversed),
      money(c.currency, c.refunded),
      money(c.currency, c.net),
    ]),
  };
}

/** A section of a read as its table, or `null` when the reader does not see it (a reseller: cash, churn by storefront or source). */
export function figureTable(read: OwnerFiguresRead, section: FigureSection): FigureTable | null {
  switch (section) {
    case 'cohorts':
      return cohorts(read);
    case 'cohort_revenue':
      return cohortRevenue(read);
    case 'ltv':
      return ltv(read);
    case 'churn':
    case 'renewals':
    case 'trials':
      return monthly(read, section);
    case 'churn_plan':
      return churnBy(read, 'plan');
    case 'churn_location':
      return churnBy(read, 'location');
    case 'churn_storefront':
      return churnBy(read, 'storefront');
    case 'churn_source':
      return churnBy(read, 'source');
    case 'cash':
      return cash(read);
  }
}
