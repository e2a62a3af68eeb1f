import type { RequestContext } from '../../http/context.js';
import { providerIds } from '../../app/payments/registry.js';
import { dayField } from '../../app/stats/period.js';
import { html, type SafeHtml } from '../html.js';
import type { ReceiptsView } from './receipts-page.js';
import { usesJalali } from '../../i18n/locales.js';

const STATUSES = ['pending', 'approved', 'rejected', 'all'] as const;

function shown(view: ReceiptsView, name: string): string {
  const value = view.raw[name];
  return typeof value === 'string' ? value.slice(0, 200) : '';
}

/** A day read is shown back in the reader's calendar (Jalali in Farsi, as the overview does); a refused one as typed. */
function shownDay(ctx: RequestContext, view: ReceiptsView, name: 'from' | 'to'): string {
  const read = view.queryErrors[name] === undefined ? view.query[name] : null;
  if (read === null) return shown(view, name);
  const [year, month, day] = read.split('-').map(Number) as [number, number, number];
  return dayField({ year, month, day }, ctx.locale);
}

function fieldError(view: ReceiptsView, name: string): SafeHtml {
  const error = view.queryErrors[name];
  return error === undefined ? html`` : html`<p class="field-error" id="rq-${name}-error">${error}</p>`;
}

function invalid(view: ReceiptsView, name: string): SafeHtml {
  return view.queryErrors[name] === undefined ? html`` : html`aria-invalid="true" aria-describedby="rq-${name}-error"`;
}

/** The receipts queue's search and filters (a GET form: the URL is the filter, shareable and bookmarkable). */
export function receiptFiltersForm(ctx: RequestContext, view: ReceiptsView): SafeHtml {
  const { t } = ctx;
  const status = view.queryErrors['status'] === undefined ? view.query.status : shown(view, 'status');
  const provider = shown(view, 'provider');
  // A browser's date picker writes Gregorian days; in a Jalali locale (Farsi) the field takes a typed Jalali day, as the overview's does.
  const dateType = usesJalali(ctx.locale) ? 'text' : 'date';
  return html`<form method="get" action="/admin/receipts" class="filters" data-testid="receipts-filter">
  <label for="rq-q">${t('receiptsQueue.search')}<input id="rq-q" name="q" value="${shown(view, 'q')}" maxlength="200" ${invalid(view, 'q')}
    placeholder="${t('receiptsQueue.searchHint')}">${fieldError(view, 'q')}</label>
  <label for="rq-status">${t('receiptsQueue.status')}
    <select id="rq-status" name="status" ${invalid(view, 'status')}>${STATUSES.map((s) => html`<option value="${s}" ${s === status ? html`selected` : ''}>${t(`receiptsQueue.statuses.${s}`)}</option>`)}</select>
    ${fieldError(view, 'status')}</label>
  <label for="rq-provider">${t('receiptsQueue.provider')}
    <select id="rq-provider" name="provider" ${invalid(view, 'provider')}><option value="">${t('receiptsQueue.anyProvider')}</option>${providerIds().map((p) => html`<option value="${p}" ${p === provider ? html`selected` : ''}>${t(`wallet.providers.${p}`)}</option>`)}</select>
    ${fieldError(view, 'provider')}</label>
  <label for="rq-from">${t('receiptsQueue.from')}<input id="rq-from" name="from" type="${dateType}" value="${shownDay(ctx, view, 'from')}" dir="ltr" inputmode="numeric" ${invalid(view, 'from')}>${fieldError(view, 'from')}</label>
  <label for="rq-to">${t('receiptsQueue.to')}<input id="rq-to" name="to" type="${dateType}" value="${shownDay(ctx, view, 'to')}" dir="ltr" inputmode="numeric" ${invalid(view, 'to')}>${fieldError(view, 'to')}</label>
  <button type="submit" class="small">${t('receiptsQueue.apply')}</button>
  <a href="/admin/receipts">${t('receiptsQueue.clear')}</a>
</form>`;
}
