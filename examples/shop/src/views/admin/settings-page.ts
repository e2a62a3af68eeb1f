import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { checkField } from './widgets.js';

/** The settings form's plain values (secrets are never shown back). */
export interface SettingsValues {
  gatewayEnabled: boolean;
  gatewayBaseUrl: string;
  cardEnabled: boolean;
  cardNumber: string;
  cardHolder: string;
}

/** The owner's settings page: the crypto gateway, the payout card and the Telegram bot token; stored secrets are only said to exist. */
export function settingsBody(
  ctx: RequestContext,
  view: {
    values: SettingsValues;
    stored: { gatewayKeys: boolean; botToken: boolean; botTokenFromEnv: boolean };
    errors?: FieldErrors | undefined;
  },
): SafeHtml {
  const { t } = ctx;
  const { values: v, errors } = view;
  const keepHint = (stored: boolean) => (stored ? t('settings.storedKeep') : t('settings.notStored'));
  return html`<h1>${t('settings.title')}</h1>
<form method="post" action="/admin/settings" class="stack" novalidate data-testid="settings-form">
  ${csrfField(ctx)}${formError(errors)}
  <fieldset>
    <legend>${t('settings.gateway')}</legend>
    <small class="muted">${t('settings.gatewayHint')}</small>
    ${checkField({ name: 'gatewayEnabled', label: t('settings.gatewayEnabled'), checked: v.gatewayEnabled })}
    ${field({ name: 'gatewayBaseUrl', label: t('settings.gatewayBaseUrl'), value: v.gatewayBaseUrl, errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'gatewayApiKey', label: t('settings.gatewayApiKey'), type: 'password', errors, autocomplete: 'off', hint: keepHint(view.stored.gatewayKeys), attrs: html`dir="ltr"` })}
    ${field({ name: 'gatewayIpnSecret', label: t('settings.gatewayIpnSecret'), type: 'password', errors, autocomplete: 'off', hint: keepHint(view.stored.gatewayKeys), attrs: html`dir="ltr"` })}
  </fieldset>
  <fieldset>
    <legend>${t('settings.card')}</legend>
    <small class="muted">${t('settings.cardHint')}</small>
    ${checkField({ name: 'cardEnabled', label: t('settings.cardEnabled'), checked: v.cardEnabled })}
    ${field({ name: 'cardNumber', label: t('settings.cardNumber'), value: v.cardNumber, errors, autocomplete: 'off', attrs: html`dir="ltr" inputmode="numeric"` })}
    ${field({ name: 'cardHolder', label: t('settings.cardHolder'), value: v.cardHolder, errors, autocomplete: 'off' })}
  </fieldset>
  <fieldset>
    <legend>${t('settings.bot')}</legend>
    ${field({ name: 'botToken', label: t('settings.botToken'), type: 'password', errors, autocomplete: 'off', hint: view.stored.botTokenFromEnv ? t('settings.botTokenEnv') : keepHint(view.stored.botToken), attrs: html`dir="ltr"` })}
  </fieldset>
  <div class="actions"><button type="submit" data-testid="save-settings">${t('settings.save')}</button></div>
</form>
<p><a href="/admin/settings/link" data-testid="link-notice-link">${t('linkPage.admin.link')}</a></p>
<p><a href="/admin/settings/growth" data-testid="growth-link">${t('growth.admin.link')}</a></p>
<p><a href="/admin/settings/gifts" data-testid="gift-settings-link">${t('gifts.admin.link')}</a></p>
<p><a href="/admin/settings/payments" data-testid="payment-rails-link">${t('payRails.settings.title')}</a></p>
<p><a href="/admin/settings/sign-in" data-testid="sign-in-providers-link">${t('signin.providers.title')}</a></p>`;
}
