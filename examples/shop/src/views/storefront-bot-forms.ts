import type { StorefrontBrand } from '../db/storefront-brands.js';
import type { RequestContext } from '../http/context.js';
import { LOCALES } from '../i18n/locales.js';
import { field } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

/**
 * The forms connecting a storefront's own bot (its token) and setting its brand (shop name, support, a welcome per
 * language), posting to `<base>/bot` and `<base>/brand`: the reseller's back office and the owner's storefront page.
 * The brand form shows the brand as saved (a save sets it whole).
 */
export function storefrontBotForms(ctx: RequestContext, base: string, brand: StorefrontBrand | null = null): SafeHtml {
  const { t } = ctx;
  return html`<form method="post" action="${base}/bot" class="stack" data-testid="storefront-bot-form" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'token', label: t('storefronts.botForm.token'), autocomplete: 'off', hint: t('storefronts.botForm.tokenHint'), id: 'f-bot-token' })}
  <button type="submit">${t('storefronts.botForm.connect')}</button>
</form>
<h2>${t('storefronts.botForm.brand')}</h2>
<form method="post" action="${base}/brand" class="stack" data-testid="storefront-brand-form" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'shopName', label: t('storefronts.botForm.shopName'), value: brand?.shopName ?? '', required: true, id: 'f-brand-name' })}
  ${field({ name: 'support', label: t('storefronts.botForm.support'), value: brand?.support ?? '', id: 'f-brand-support' })}
  ${LOCALES.map((locale) => field({ name: `welcome_${locale}`, label: t('storefronts.botForm.welcome', { language: locale }), value: brand?.welcome[locale] ?? '', id: `f-brand-welcome-${locale}` }))}
  <button type="submit">${t('storefronts.botForm.save')}</button>
</form>`;
}
