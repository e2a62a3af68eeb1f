import type { RequestContext } from '../../http/context.js';
import { formatMoney, formatNumber, minorDigits } from '../../i18n/format.js';
import { zoneName } from '../../app/payments/paid-at.js';
import type { SalesFigures } from '../../app/stats/figures.js';
import { dayField, type Period, type PeriodProblem } from '../../app/stats/period.js';
import { field } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { dateTimeFormat } from '../../i18n/intl-cache.js';
import { intlDateLocale, usesJalali } from '../../i18n/locales.js';

/** What the overview's sales section shows: the period asked for (or the default one, with why), and its figures. */
export interface SalesView {
  period: Period;
  problem: PeriodProblem | null;
  /** The form's values as typed (kept when refused). */
  typed: { from: string; to: string };
  figures: SalesFigures;
  timeZone: string;
  now: Date;
}

/**
 * A chart's data for public/sales-charts.js: bar labels, one or more series (`null`: no point there; several series
 * get a colour each and a legend), and how to write a value.
 */
export interface ChartData {
  kind: 'bars' | 'line';
  labels: string[];
  series: { label: string; values: (number | null)[] }[];
  /** Values are minor units of this currency: the axis shows major units. */
  minorDigits?: number;
}

function dayLabel(period: Period, index: number, ctx: RequestContext): string {
  const day = period.buckets[index]!.day;
  const at = new Date(Date.UTC(day.year, day.month - 1, day.day, 12));
  return dateTimeFormat(intlDateLocale(ctx.locale), { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(at);
}

/** A chart's figure: its title, an optional hint, and the plot public/sales-charts.js draws from `data`. */
export function chart(id: string, title: string, hint: string | null, data: ChartData): SafeHtml {
  return html`<figure class="card chart" data-testid="${id}">
  <figcaption><h3>${title}</h3>${hint === null ? '' : html`<small class="muted">${hint}</small>`}</figcaption>
  <div class="chart-plot" dir="ltr" data-chart="${JSON.stringify(data)}"></div>
</figure>`;
}

/** The owner's sales section of the overview: a period form, totals, three charts and the same figures as a table. */
export function salesSection(ctx: RequestContext, view: SalesView): SafeHtml {
  const { t, locale } = ctx;
  const { period, figures } = view;
  const labels = period.buckets.map((_, i) => dayLabel(period, i, ctx));
  const errors = view.problem === null ? undefined : { [view.problem === 'badTo' ? 'to' : 'from']: t(`adminStats.errors.${view.problem}`) };
  // A period read is shown back in the reader's calendar; a refused one as it was typed, beside its error.
  const shown = view.problem === null ? { from: dayField(period.from, locale), to: dayField(period.to, locale) } : view.typed;
  const dateType = usesJalali(locale) ? 'text' : 'date';
  const revenueCharts = figures.revenue.map((r) =>
    chart(`chart-revenue-${r.currency}`, t('adminStats.revenue', { currency: r.currency }), t('adminStats.revenueHint'), {
      kind: 'bars',
      labels,
      series: [{ label: r.currency, values: r.values }],
      minorDigits: minorDigits(r.currency),
    }),
  );
  return html`<section class="sales" data-testid="overview-sales" aria-labelledby="sales-title">
<h2 id="sales-title">${t('adminStats.title')}</h2>
<form method="get" action="/admin" class="period-form" data-testid="period-form">
  ${field({ name: 'from', label: t('adminStats.from'), type: dateType, value: shown.from, errors, attrs: html`inputmode="numeric"` })}
  ${field({ name: 'to', label: t('adminStats.to'), type: dateType, value: shown.to, errors, attrs: html`inputmode="numeric"` })}
  <button type="submit">${t('adminStats.show')}</button>
  <small class="muted">${t('adminStats.dayHint', { zone: zoneName(view.timeZone, locale, view.now) })} ${t(period.bucketDays === 1 ? 'adminStats.perDay' : 'adminStats.perWeek')}</small>
</form>
<dl class="facts totals" data-testid="sales-totals">
  <dt>${t('adminStats.revenueNone')}</dt><dd data-testid="total-revenue">${figures.totals.revenue.length === 0 ? t('adminStats.noRevenue') : figures.totals.revenue.map((m, i) => html`${i > 0 ? ', ' : ''}<bdi>${formatMoney(m, locale)}</bdi>`)}</dd>
  <dt>${t('adminStats.sales')}</dt><dd data-testid="total-sales">${formatNumber(figures.totals.sales, locale)}</dd>
  <dt>${t('adminStats.inService')}</dt><dd data-testid="total-in-service">${formatNumber(figures.totals.inService, locale)}</dd>
</dl>
<div class="charts">
  ${revenueCharts}
  ${chart('chart-sales', t('adminStats.sales'), null, { kind: 'bars', labels, series: [{ label: t('adminStats.sales'), values: figures.sales }] })}
  ${chart('chart-in-service', t('adminStats.inService'), t('adminStats.inServiceHint'), { kind: 'line', labels, series: [{ label: t('adminStats.inService'), values: figures.inService }] })}
</div>
<details><summary>${t('adminStats.table')}</summary>
<div class="table-wrap"><table data-testid="sales-table">
  <thead><tr><th>${t('adminStats.bucket')}</th>${figures.revenue.map((r) => html`<th>${t('adminStats.revenue', { currency: r.currency })}</th>`)}<th>${t('adminStats.sales')}</th><th>${t('adminStats.inService')}</th></tr></thead>
  <tbody>${labels.map(
    (label, i) =>
      html`<tr><td>${label}</td>${figures.revenue.map((r) => html`<td><bdi>${formatMoney({ currency: r.currency, amount: r.values[i] ?? 0 }, locale)}</bdi></td>`)}<td>${formatNumber(figures.sales[i] ?? 0, locale)}</td><td>${formatNumber(figures.inService[i] ?? 0, locale)}</td></tr>`,
  )}</tbody>
</table></div>
</details>
<script src="/assets/vendor/uplot/uPlot.iife.min.js" defer></script>
<script src="/assets/sales-charts.js" defer></script>
<link rel="stylesheet" href="/assets/vendor/uplot/uPlot.min.css">
</section>`;
}
