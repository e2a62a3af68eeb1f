import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { OidcProviderForm } from '../../app/auth/oidc-providers.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { selectField } from './widgets.js';

/** A provider as the owner's page lists it: never its secret. */
export interface ListedProvider {
  id: string;
  label: string;
  preset: string;
  clientId: string;
  /** The callback address to register at the provider for each address a sign-in may start on, the shown one first. */
  callbackUrls: readonly string[];
}

/** The owner's sign-in providers: those set up (with the callback address to register at each), and the form to add one. */
export function signInProvidersBody(
  ctx: RequestContext,
  view: {
    providers: readonly ListedProvider[];
    values: Partial<OidcProviderForm>;
    callbackPattern: string;
    errors?: FieldErrors | undefined;
  },
): SafeHtml {
  const { t } = ctx;
  const { values: v, errors } = view;
  const presets = (['google', 'yandex', 'vk', 'custom'] as const).map((p) => [p, t(`signin.providers.presets.${p}`)] as const);
  return html`<h1>${t('signin.providers.title')}</h1>
<p class="muted">${t('signin.providers.intro')}</p>
${
  view.providers.length === 0
    ? html`<p>${t('signin.providers.none')}</p>`
    : html`<table data-testid="sign-in-providers"><thead><tr><th>${t('signin.providers.label')}</th><th>${t('signin.providers.clientId')}</th><th>${t('signin.providers.callback')}</th><th></th></tr></thead><tbody>
${view.providers.map(
  (
    p,
  ) => html`<tr><td>${p.label}</td><td dir="ltr"><code>${p.clientId}</code></td><td dir="ltr">${p.callbackUrls.map((url, i) => html`${i > 0 ? html`<br>` : ''}<code>${url}</code>`)}</td>
<td><form method="post" action="/admin/settings/sign-in/${encodeURIComponent(p.id)}/remove">${csrfField(ctx)}<button type="submit" class="danger small">${t('signin.providers.remove')}</button></form></td></tr>`,
)}</tbody></table>`
}
<h2>${t('signin.providers.add')}</h2>
<p class="muted">${t('signin.providers.callbackHint', { url: view.callbackPattern })}</p>
<form method="post" action="/admin/settings/sign-in" class="stack" novalidate data-testid="sign-in-provider-form">
  ${csrfField(ctx)}${formError(errors)}
  ${selectField({ name: 'preset', label: t('signin.providers.preset'), value: v.preset ?? 'google', choices: presets, errors })}
  ${field({ name: 'id', label: t('signin.providers.id'), value: v.id, errors, hint: t('signin.providers.idHint'), attrs: html`dir="ltr"` })}
  ${field({ name: 'label', label: t('signin.providers.label'), value: v.label, errors })}
  ${field({ name: 'issuer', label: t('signin.providers.issuer'), value: v.issuer, errors, hint: t('signin.providers.issuerHint'), attrs: html`dir="ltr" inputmode="url"` })}
  ${field({ name: 'clientId', label: t('signin.providers.clientId'), value: v.clientId, errors, autocomplete: 'off', attrs: html`dir="ltr"` })}
  ${field({ name: 'clientSecret', label: t('signin.providers.clientSecret'), type: 'password', errors, autocomplete: 'off', hint: t('signin.providers.secretHint'), attrs: html`dir="ltr"` })}
  <div class="actions"><button type="submit" data-testid="save-sign-in-provider">${t('signin.providers.save')}</button></div>
</form>`;
}
