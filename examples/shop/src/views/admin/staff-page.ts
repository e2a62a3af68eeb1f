import type { Account } from '../../db/accounts.js';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatDateTime } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

/** What the staff page shows: owners and support staff, and the add form's state. */
export interface StaffView {
  staff: Account[];
  timeZone: string;
  notice?: string | null;
  errors?: FieldErrors;
  email?: string;
}

/** The owner's staff page: who may use the back office, adding support staff, demoting them, and resetting a lost second factor. */
export function staffPage(ctx: RequestContext, view: StaffView): SafeHtml {
  const { t, locale } = ctx;
  const row = (a: Account) => html`<tr data-testid="staff-row"><td>${a.email}</td><td>${t(`staff.roles.${a.role}`)}</td>
<td>${formatDateTime(a.createdAt, locale, view.timeZone)}</td>
<td>${
    a.role === 'support'
      ? html`<form method="post" action="/admin/staff/${encodeURIComponent(a.id)}/demote"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<button type="submit" class="secondary">${t('staff.demote')}</button></form>
<form method="post" action="/admin/staff/${encodeURIComponent(a.id)}/reset-2fa"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<button type="submit" class="secondary" data-testid="reset-2fa">${t('staff.resetTotp')}</button></form>`
      : ''
  }</td></tr>`;
  return adminPage(ctx, {
    title: t('staff.title'),
    notice: view.notice ?? null,
    body: html`<h1>${t('staff.title')}</h1>
<p class="muted">${t('staff.intro')}</p>
<div class="table-wrap"><table>
<thead><tr><th>${t('staff.email')}</th><th>${t('staff.role')}</th><th>${t('staff.since')}</th><th></th></tr></thead>
<tbody>${view.staff.map(row)}</tbody></table></div>
<h2>${t('staff.addTitle')}</h2>
<form method="post" action="/admin/staff" class="stack" novalidate>
  <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
  ${formError(view.errors)}
  ${field({ name: 'email', label: t('staff.email'), type: 'email', value: view.email ?? '', errors: view.errors, required: true, autocomplete: 'off' })}
  ${field({ name: 'password', label: t('staff.password'), type: 'password', errors: view.errors, autocomplete: 'new-password', hint: t('staff.passwordHint') })}
  <button type="submit">${t('staff.add')}</button>
</form>`,
  });
}
