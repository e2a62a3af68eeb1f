import { monthField, type MonthRangeProblem } from '../../app/stats/figure-months.js';
import { FIGURE_SECTIONS, figureTable, type FigureSection } from '../../app/stats/figure-sections.js';
import type { OwnerFiguresRead } from '../../app/stats/owner-figures.js';
import type { RequestContext } from '../../http/context.js';
import { formatDateTime, formatNumber } from '../../i18n/format.js';
import { field } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { figureCharts } from './figure-charts.js';
import { figureTableHtml } from './figure-tables.js';

/** What the owner figures' sections show, and where their forms and exports go (the owner's overview or a reseller's office). */
export interface OwnerFiguresView {
  read: OwnerFiguresRead;
  /** Why the months typed were refused (the default months are shown instead), or `null`. */
  problem: MonthRangeProblem | null;
  /** The month form's values as typed (kept when refused). */
  typed: { from: string; to: string };
  /** The page the month form reloads (`/admin`, `/account/storefront/figures`). */
  action: string;
  /** Where a section's CSV is (`/admin/figures.csv`). */
  csvPath: string;
  /** Other fields of the page's address the month form carries along (the sales section's period). */
  keep: Record<string, string>;
  timeZone: string;
}

/** A section's address as a CSV file: its name and the months shown. */
function csvHref(view: OwnerFiguresView, section: FigureSection): string {
  const cal = view.read.calendar.calendar;
  const query = new URLSearchParams({
    section,
    fromMonth: monthField(view.read.range.from, cal),
    toMonth: monthField(view.read.range.to, cal),
  });
  return `${view.csvPath}?${query.toString()}`;
}

function monthForm(ctx: RequestContext, view: OwnerFiguresView): SafeHtml {
  const { t } = ctx;
  const cal = view.read.calendar.calendar;
  const errors =
    view.problem === null ? undefined : { [view.problem === 'badTo' ? 'toMonth' : 'fromMonth']: t(`figures.errors.${view.problem}`) };
  const shown =
    view.problem === null ? { from: monthField(view.read.range.from, cal), to: monthField(view.read.range.to, cal) } : view.typed;
  // The month picker writes `2026-03`; a Jalali shop's months are typed (`1404/12`).
  const type = cal === 'gregorian' ? 'month' : 'text';
  const attrs = html`inputmode="numeric" dir="ltr"`;
  return html`<form method="get" action="${view.action}" class="period-form" data-testid="figures-month-form">
  ${Object.entries(view.keep).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  ${field({ name: 'fromMonth', label: t('figures.fromMonth'), type, value: shown.from, errors, attrs })}
  ${field({ name: 'toMonth', label: t('figures.toMonth'), type, value: shown.to, errors, attrs })}
  <button type="submit">${t('adminStats.show')}</button>
  <small class="muted">${t(cal === 'jalali' ? 'figures.monthHintJalali' : 'figures.monthHint', { zone: view.timeZone })}</small>
</form>`;
}

/** When the figures were last folded, and how many changes wait to be counted. */
function asOf(ctx: RequestContext, view: OwnerFiguresView): SafeHtml {
  const { t, locale } = ctx;
  const { foldedAt, pending } = view.read.overview;
  return html`<p class="muted" data-testid="figures-as-of">${
    foldedAt === null ? t('figures.notFoldedYet') : t('figures.asOf', { at: formatDateTime(foldedAt, locale, view.timeZone) })
  }${pending > 0 ? html` ${t('figures.pending', { count: formatNumber(pending, locale) })}` : ''}</p>`;
}

function part(ctx: RequestContext, view: OwnerFiguresView, section: FigureSection): SafeHtml | '' {
  const table = figureTable(view.read, section);
  if (table === null) return '';
  const charts = figureCharts(ctx, view.read, section);
  return html`<section class="figures-part" data-testid="figures-${section}" aria-labelledby="figures-${section}-title">
  <h3 id="figures-${section}-title">${ctx.t(`figures.sections.${section}`)}</h3>
  <p class="muted">${ctx.t(`figures.hints.${section}`)} <a href="${csvHref(view, section)}" download data-testid="figures-${section}-csv">${ctx.t('figures.csv')}</a></p>
  ${charts.length === 0 ? '' : html`<div class="charts">${charts}</div>`}
  ${figureTableHtml(table, ctx, view.read.calendar)}
</section>`;
}

/**
 * The owner figures under the overview's sales section (and, scoped, in a reseller's office): a month range, when
 * they were folded, then cohorts, revenue per cohort, LTV by source, churn (by month and by each split), renewals,
 * trials and cash by gateway, each a table with its CSV and, where it helps, a chart. While the SDK rebuilds the
 * figures the page says so and shows no partial numbers.
 */
export function ownerFiguresSection(ctx: RequestContext, view: OwnerFiguresView): SafeHtml {
  const { t } = ctx;
  const { overview, reader } = view.read;
  const title = reader.kind === 'owner' ? t('figures.title') : t('figures.titleStorefront', { name: reader.storefrontName });
  return html`<section class="owner-figures" data-testid="owner-figures" aria-labelledby="owner-figures-title">
<h2 id="owner-figures-title">${title}</h2>
${monthForm(ctx, view)}
${asOf(ctx, view)}
${
  overview.rebuilding
    ? html`<p class="notice" role="status" data-testid="figures-rebuilding">${t('figures.rebuilding')}</p>`
    : FIGURE_SECTIONS.map((section) => part(ctx, view, section))
}
<script src="/assets/vendor/uplot/uPlot.iife.min.js" defer></script>
<script src="/assets/sales-charts.js" defer></script>
<link rel="stylesheet" href="/assets/vendor/uplot/uPlot.min.css">
</section>`;
}
