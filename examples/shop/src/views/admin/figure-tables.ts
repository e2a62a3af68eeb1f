import type { FiguresCalendar } from '@panelkit/sdk/rules';
import { monthLabel } from '../../app/stats/figure-months.js';
import type { FigureTable, FigureValue } from '../../app/stats/figure-sections.js';
import { providerIds } from '../../app/payments/registry.js';
import type { RequestContext } from '../../http/context.js';
import { formatMoney, formatNumber } from '../../i18n/format.js';
import { numberFormat } from '../../i18n/intl-cache.js';
import { localeInfo } from '../../i18n/locales.js';
import { locationName } from '../../i18n/plan-text.js';
import { html, type SafeHtml } from '../html.js';

/** A share (0–1) as a percentage in the reader's digits ("42.5%", "۴۲٫۵٪"). */
export function formatShare(share: number, ctx: RequestContext): string {
  return numberFormat(localeInfo(ctx.locale).intl, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** A figure's value as the reader reads it, as text (a chart's label, a table cell). */
export function figureText(value: FigureValue, ctx: RequestContext, cal: FiguresCalendar): string {
  const { t, locale } = ctx;
  switch (value.kind) {
    case 'month':
      return monthLabel(value.month, cal, locale);
    case 'count':
      return formatNumber(value.value, locale);
    case 'money':
      return formatMoney({ currency: value.currency, amount: value.amount }, locale);
    case 'rate':
      return value.value === null ? '—' : formatShare(value.value, ctx);
    case 'text':
      return value.text;
    case 'source':
      return t(`figures.sources.${value.source}`);
    case 'location':
      return value.tag === '' ? t('figures.noLocation') : locationName(value.tag, locale);
    case 'gateway':
      return providerIds().includes(value.providerId) ? t(`wallet.providers.${value.providerId}`) : value.providerId;
    case 'empty':
      return '';
  }
}

/** A cohort cell: shaded by the share of the cohort still paying (ten steps, classes in shop.css), marked "so far". */
function cell(value: FigureValue, ctx: RequestContext, cal: FiguresCalendar): SafeHtml {
  const text = figureText(value, ctx, cal);
  if (value.kind === 'count' && value.share !== undefined) {
    const shade = Math.min(10, Math.max(0, Math.round(value.share * 10)));
    const soFar = value.final === false;
    return html`<td class="shade shade-${shade}${soFar ? ' so-far' : ''}" title="${formatShare(value.share, ctx)}">${text}${soFar ? '*' : ''}</td>`;
  }
  return value.kind === 'money' || value.kind === 'text' ? html`<td><bdi>${text}</bdi></td>` : html`<td>${text}</td>`;
}

/** A section's table as the page shows it (the CSV holds the same rows), or a line saying there is nothing yet. */
export function figureTableHtml(table: FigureTable, ctx: RequestContext, cal: FiguresCalendar): SafeHtml {
  if (table.rows.length === 0)
    return html`<p class="muted" data-testid="figures-${table.section}-empty">${ctx.t('figures.nothingYet')}</p>`;
  return html`<div class="table-wrap"><table class="figures-table" data-testid="figures-${table.section}-table">
  <thead><tr>${table.columns.map((c) => html`<th scope="col">${ctx.t(c.key, c.params)}</th>`)}</tr></thead>
  <tbody>${table.rows.map((row) => html`<tr>${row.map((v) => cell(v, ctx, cal))}</tr>`)}</tbody>
</table></div>`;
}
