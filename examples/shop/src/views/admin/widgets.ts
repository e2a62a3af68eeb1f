import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatDateTime } from '../../i18n/format.js';
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** A status word as a coloured badge, translated from `adminOps.<group>.<value>`. */
export function badge(ctx: RequestContext, group: string, value: string): SafeHtml {
  return html`<span class="badge ${value}" data-status="${value}">${ctx.t(`adminOps.${group}.${value}`)}</span>`;
}

/** A date and time in the shop's zone and the admin's calendar, or a dash. */
export function when(ctx: RequestContext, timeZone: string, date: Date | null): SafeHtml {
  if (date === null) return html`<span class="muted">—</span>`;
  return html`<time datetime="${date.toISOString()}">${formatDateTime(date, ctx.locale, timeZone)}</time>`;
}

function errorOf(name: string, errors: FieldErrors | undefined): { attrs: SafeHtml | ''; message: SafeHtml | '' } {
  const error = errors?.[name];
  if (!error) return { attrs: '', message: '' };
  return {
    attrs: html`aria-invalid="true" aria-describedby="f-${name}-error"`,
    message: html`<p class="field-error" id="f-${name}-error">${error}</p>`,
  };
}

export function selectField(options: {
  name: string;
  label: string;
  value: string;
  choices: ReadonlyArray<readonly [string, string]>;
  errors?: FieldErrors;
  hint?: string;
}): SafeHtml {
  const { attrs, message } = errorOf(options.name, options.errors);
  return html`<label for="f-${options.name}">${options.label}
  <select id="f-${options.name}" name="${options.name}" ${attrs}>${options.choices.map(
    ([value, label]) => html`<option value="${value}" ${value === options.value ? html`selected` : ''}>${label}</option>`,
  )}</select>
  ${options.hint ? html`<small class="muted">${options.hint}</small>` : ''}
  ${message}
</label>`;
}

export function checkField(options: { name: string; label: string; checked: boolean; hint?: string }): SafeHtml {
  return html`<label class="check" for="f-${options.name}"><input id="f-${options.name}" type="checkbox" name="${options.name}" value="on" ${options.checked ? html`checked` : ''}> ${options.label}</label>
${options.hint ? html`<small class="muted">${options.hint}</small>` : ''}`;
}

export function textareaField(options: { name: string; label: string; value: string; errors?: FieldErrors; rows?: number }): SafeHtml {
  const { attrs, message } = errorOf(options.name, options.errors);
  return html`<label for="f-${options.name}">${options.label}
  <textarea id="f-${options.name}" name="${options.name}" rows="${options.rows ?? 3}" ${attrs}>${options.value}</textarea>
  ${message}
</label>`;
}

/**
 * A one-button form that POSTs an action, with the CSRF field; `confirm` asks first (shop.js,
 * since the CSP forbids inline scripts).
 */
export function actionButton(
  ctx: RequestContext,
  options: {
    action: string;
    label: string;
    testid: string;
    confirm?: string;
    danger?: boolean;
    hidden?: Record<string, string>;
    extra?: HtmlValue;
  },
): SafeHtml {
  return html`<form method="post" action="${options.action}" class="inline-action" ${options.confirm ? html`data-confirm="${options.confirm}"` : ''}>
  ${csrfField(ctx)}${Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  ${options.extra ?? ''}
  <button type="submit" class="small ${options.danger ? 'danger' : ''}" data-testid="${options.testid}">${options.label}</button>
</form>`;
}

/** "Next page" for keyset-paged lists (and back to the first page when not on it). */
export function pager(
  ctx: RequestContext,
  base: string,
  params: Record<string, string>,
  nextCursor: string | null,
  onFirstPage: boolean,
): SafeHtml {
  const query = (extra: Record<string, string>) => {
    const search = new URLSearchParams(Object.entries({ ...params, ...extra }).filter(([, v]) => v !== ''));
    const text = search.toString();
    return text === '' ? base : `${base}?${text}`;
  };
  return html`<nav class="pager" aria-label="${ctx.t('adminOps.pager.label')}">
  ${onFirstPage ? '' : html`<a href="${query({})}">${ctx.t('adminOps.pager.first')}</a>`}
  ${nextCursor === null ? '' : html`<a href="${query({ cursor: nextCursor })}" rel="next" data-testid="next-page">${ctx.t('adminOps.pager.next')}</a>`}
</nav>`;
}

/** A table inside a horizontally scrolling box (narrow screens). */
export function table(head: readonly string[], rows: readonly SafeHtml[], testid: string): SafeHtml {
  return html`<div class="table-wrap"><table data-testid="${testid}"><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}
