import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** The owner's gift period: days a gift can be claimed before its price goes back to the giver's wallet. */
export function giftSettingsBody(ctx: RequestContext, validDays: string, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('gifts.admin.title')}</h1>
<p class="muted">${t('gifts.admin.help')}</p>
<form method="post" action="/admin/settings/gifts" class="stack" novalidate data-testid="gift-settings-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'validDays', label: t('gifts.admin.days'), value: validDays, errors, hint: t('gifts.admin.daysHint'), attrs: html`dir="ltr" inputmode="numeric" maxlength="5"` })}
  <button type="submit">${t('gifts.admin.save')}</button>
</form>`;
}
