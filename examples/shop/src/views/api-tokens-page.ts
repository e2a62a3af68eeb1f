import type { ApiTokenInfo } from '../db/api-tokens.js';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatDateTime } from '../i18n/format.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface ApiTokensView {
  tokens: ApiTokenInfo[];
  /** A token just made: shown this once, never again. */
  created?: { name: string; token: string } | null;
  values?: { name?: string };
  errors?: FieldErrors;
  timeZone: string;
  notice: string | null;
}

export function apiTokensPage(ctx: RequestContext, view: ApiTokensView): SafeHtml {
  const { t, locale } = ctx;
  const when = (date: Date | null) => (date === null ? t('account.tokens.never') : formatDateTime(date, locale, view.timeZone));
  return page(ctx, {
    title: t('account.tokens.title'),
    notice: view.notice,
    body: html`<h1>${t('account.tokens.title')}</h1>
<p class="muted">${t('account.tokens.intro')}</p>
${
  view.created
    ? html`<section class="card" data-testid="new-token-card">
  <h2>${t('account.tokens.createdTitle', { name: view.created.name })}</h2>
  <p class="error">${t('account.tokens.shownOnce')}</p>
  <div class="copy-row">
    <input id="new-token" type="text" readonly value="${view.created.token}" data-testid="new-token" aria-label="${t('account.tokens.token')}" dir="ltr" spellcheck="false">
    <button type="button" class="small" data-copy="#new-token" data-copied="${t('subscription.copied')}">${t('subscription.copy')}</button>
  </div>
  <p class="muted">${t('account.tokens.usage')}</p>
</section>`
    : ''
}
<section class="card">
  <h2>${t('account.tokens.create')}</h2>
  <form method="post" action="/account/api-tokens" class="stack" data-testid="api-token-form" novalidate>
    ${csrfField(ctx)}${formError(view.errors)}
    ${field({ name: 'name', label: t('account.tokens.name'), value: view.values?.name, errors: view.errors, required: true, hint: t('account.tokens.nameHint'), attrs: html`maxlength="60"` })}
    <label for="token-access">${t('account.tokens.access')}</label>
    <select id="token-access" name="access" data-testid="api-token-access">
      <option value="write" selected>${t('account.tokens.scopes.write')}</option>
      <option value="read">${t('account.tokens.scopes.read')}</option>
    </select>
    <button type="submit">${t('account.tokens.createButton')}</button>
  </form>
</section>
<section class="card">
  <h2>${t('account.tokens.list')}</h2>
  ${
    view.tokens.length === 0
      ? html`<p class="muted">${t('account.tokens.none')}</p>`
      : html`<div class="table-wrap"><table>
    <thead><tr><th>${t('account.tokens.name')}</th><th>${t('account.tokens.access')}</th><th>${t('account.tokens.createdAt')}</th><th>${t('account.tokens.lastUsed')}</th><th></th></tr></thead>
    <tbody>${view.tokens.map(
      (token) => html`<tr data-testid="api-token" data-token-id="${token.id}">
      <td>${token.name}</td><td>${t(`account.tokens.scopes.${token.scopes.includes('write') ? 'write' : 'read'}`)}</td><td>${when(token.createdAt)}</td><td>${when(token.lastUsedAt)}</td>
      <td><form method="post" action="/account/api-tokens/${token.id}/revoke" class="inline">${csrfField(ctx)}<button type="submit" class="small danger">${t('account.tokens.revoke')}</button></form></td>
    </tr>`,
    )}</tbody>
  </table></div>`
  }
</section>`,
  });
}
