import { LTV_AGES } from '@panelkit/sdk/figures';
import type { OwnerFiguresRead } from '../../app/stats/owner-figures.js';
import { figureTable, type FigureSection } from '../../app/stats/figure-sections.js';
import type { RequestContext } from '../../http/context.js';
import { minorDigits } from '../../i18n/format.js';
import type { SafeHtml } from '../html.js';
import { figureText } from './figure-tables.js';
import { chart } from './sales-figures.js';

/** The currencies a list of rows is in, in first-seen order. */
const currenciesOf = (rows: readonly { currency: string }[]) => [...new Set(rows.map((r) => r.currency))];

/** Revenue per cohort: one line per cohort, its cumulative net sales by age; a chart per currency. */
function cohortRevenueCharts(ctx: RequestContext, read: OwnerFiguresRead): SafeHtml[] {
  const { t } = ctx;
  return currenciesOf(read.overview.cohortRevenue).map((currency) => {
    const rows = read.overview.cohortRevenue.filter((r) => r.currency === currency);
    const ages = Math.max(0, ...rows.map((r) => r.ages.length));
    return chart(
      `chart-cohort-revenue-${currency}`,
      t('figures.charts.cohortRevenue', { currency }),
      t('figures.charts.cohortRevenueHint'),
      {
        kind: 'line',
        labels: Array.from({ length: ages }, (_, age) => t('figures.columns.age', { age })),
        series: rows.map((r) => ({
          label: figureText({ kind: 'month', month: r.cohort }, ctx, read.calendar),
          values: Array.from({ length: ages }, (_, age) => r.ages[age]?.cumulative ?? null),
        })),
        minorDigits: minorDigits(currency),
      },
    );
  });
}

/** Lifetime value by source: a line per source through its value per buyer at each of `LTV_AGES`; a chart per currency. */
function ltvCharts(ctx: RequestContext, read: OwnerFiguresRead): SafeHtml[] {
  const { t } = ctx;
  return currenciesOf(read.overview.ltvBySource).map((currency) =>
    chart(`chart-ltv-${currency}`, t('figures.charts.ltv', { currency }), t('figures.charts.ltvHint'), {
      kind: 'line',
      labels: LTV_AGES.map((age) => t('figures.columns.age', { age })),
      series: read.overview.ltvBySource
        .filter((s) => s.currency === currency)
        .map((s) => ({
          label: t(`figures.sources.${s.source}`),
          values: LTV_AGES.map((age) => s.atAge.find((a) => a.age === age)?.perBuyer ?? null),
        })),
      minorDigits: minorDigits(currency),
    }),
  );
}

/** The months of the read as labels. */
const monthLabels = (ctx: RequestContext, read: OwnerFiguresRead) =>
  read.overview.months.map((m) => figureText({ kind: 'month', month: m.month }, ctx, read.calendar));

/** Churn of a split: bars of lapsed units per key over the whole range. */
function churnByChart(ctx: RequestContext, read: OwnerFiguresRead, section: FigureSection): SafeHtml[] {
  const table = figureTable(read, section);
  if (table === null || table.rows.length === 0) return [];
  const totals = new Map<string, number>();
  for (const [, key, lapsed] of table.rows) {
    const label = figureText(key!, ctx, read.calendar);
    totals.set(label, (totals.get(label) ?? 0) + (lapsed?.kind === 'count' ? lapsed.value : 0));
  }
  return [
    chart(`chart-${section}`, ctx.t(`figures.sections.${section}`), ctx.t('figures.charts.churnByHint'), {
      kind: 'bars',
      labels: [...totals.keys()],
      series: [{ label: ctx.t('figures.columns.lapsed'), values: [...totals.values()] }],
    }),
  ];
}

/** The charts a section draws above its table (the cohort grid, trials and cash are tables alone). */
export function figureCharts(ctx: RequestContext, read: OwnerFiguresRead, section: FigureSection): SafeHtml[] {
  const { t } = ctx;
  const months = read.overview.months;
  switch (section) {
    case 'cohort_revenue':
      return cohortRevenueCharts(ctx, read);
    case 'ltv':
      return ltvCharts(ctx, read);
    case 'churn':
      return [
        chart('chart-churn', t('figures.columns.lapsed'), t('figures.charts.churnHint'), {
          kind: 'bars',
          labels: monthLabels(ctx, read),
          series: [{ label: t('figures.columns.lapsed'), values: months.map((m) => m.lapsed) }],
        }),
      ];
    case 'renewals':
      return [
        chart('chart-renewals', t('figures.sections.renewals'), null, {
          kind: 'line',
          labels: monthLabels(ctx, read),
          series: [
            { label: t('figures.columns.renewalsAuto'), values: months.map((m) => m.renewalsAuto) },
            { label: t('figures.columns.renewalsManual'), values: months.map((m) => m.renewalsManual) },
            { label: t('figures.columns.lapsed'), values: months.map((m) => m.lapsed) },
          ],
        }),
      ];
    case 'churn_plan':
    case 'churn_location':
    case 'churn_storefront':
    case 'churn_source':
      return churnByChart(ctx, read, section);
    default:
      return [];
  }
}
