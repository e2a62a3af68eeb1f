import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { LOCALES, localeInfo, type Locale } from '../../i18n/locales.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** The form's values as typed or stored. */
export interface LinkNoticeValues {
  banner: Record<Locale, string>;
  supportUrl: string;
}

/** The owner's message to client apps: a banner per language and the support address, shown beside the buyer's link. */
export function linkNoticeBody(ctx: RequestContext, values: LinkNoticeValues, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('linkPage.admin.title')}</h1>
<p class="muted">${t('linkPage.admin.help')}</p>
<form method="post" action="/admin/settings/link" class="stack" novalidate data-testid="link-notice-form">
  ${csrfField(ctx)}${formError(errors)}
  ${LOCALES.map((locale) =>
    field({
      name: `banner_${locale}`,
      label: t('linkPage.admin.banner', { language: localeInfo(locale).name }),
      value: values.banner[locale],
      errors,
      attrs: html`lang="${locale}" dir="auto" maxlength="200"`,
    }),
  )}
  ${field({ name: 'supportUrl', label: t('linkPage.admin.supportUrl'), value: values.supportUrl, errors, hint: t('linkPage.admin.supportHint'), attrs: html`dir="ltr" inputmode="url"` })}
  <button type="submit">${t('linkPage.admin.save')}</button>
</form>`;
}
