import type { FieldErrors } from '../../app/input/forms.js';
import type { StorefrontAddress } from '../../db/storefront-addresses.js';
import type { RequestContext } from '../../http/context.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** The address form as typed after a refusal (with its errors), else absent (the saved address is shown). */
export interface AddressFormState {
  values: { slug: string; hosts: string };
  errors: FieldErrors;
}

/**
 * The owner's form of a storefront's web address, posting to `<base>/address`: its path slug (the page links the
 * address it gives, `/store/<slug>`) and host names, one per line. Blank both to remove the address.
 */
export function storefrontAddressForm(
  ctx: RequestContext,
  base: string,
  saved: StorefrontAddress | null,
  typed: AddressFormState | undefined,
): SafeHtml {
  const { t } = ctx;
  const values = typed?.values ?? { slug: saved?.slug ?? '', hosts: (saved?.hosts ?? []).join('\n') };
  const errors = typed?.errors;
  return html`<h2>${t('storefrontWeb.admin.title')}</h2>
${
  saved === null
    ? html`<p class="muted" data-testid="storefront-address">${t('storefrontWeb.admin.none')}</p>`
    : html`<p data-testid="storefront-address">${t('storefrontWeb.admin.servedAt')} <a href="/store/${saved.slug}" dir="ltr">/store/${saved.slug}</a>${saved.hosts.map((host) => html` · <span dir="ltr">${host}</span>`)}</p>`
}
<form method="post" action="${base}/address" class="stack" data-testid="storefront-address-form" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'slug', label: t('storefrontWeb.admin.slug'), value: values.slug, errors, hint: t('storefrontWeb.admin.slugHint'), autocomplete: 'off', id: 'f-address-slug' })}
  <label for="f-address-hosts">${t('storefrontWeb.admin.hosts')}
  <textarea id="f-address-hosts" name="hosts" rows="3" dir="ltr"${errors?.['hosts'] ? html` aria-invalid="true" aria-describedby="f-address-hosts-error"` : ''}>${values.hosts}</textarea></label>
  ${errors?.['hosts'] ? html`<p class="field-error" id="f-address-hosts-error">${errors['hosts']}</p>` : ''}
  <p class="muted">${t('storefrontWeb.admin.hostsHint')}</p>
  <button type="submit">${t('storefrontWeb.admin.save')}</button>
</form>`;
}
