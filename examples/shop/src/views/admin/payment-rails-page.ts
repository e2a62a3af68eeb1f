import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { PaymentRailsForm } from '../../app/ops/payment-rails-settings.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { checkField } from './widgets.js';
import { EPAY_MODES } from '@panelkit/payment-providers/epay';
import { newIdempotencyKey } from '../../app/subscriptions/idempotency.js';

/** The payment gateways' settings page: Stars, CryptoBot, Zarinpal, EPay, YooKassa, Stripe; stored keys are only said to exist. */
export function paymentRailsBody(
  ctx: RequestContext,
  view: {
    values: Omit<
      PaymentRailsForm,
      'cryptobotToken' | 'zarinpalMerchantId' | 'epayKey' | 'yookassaSecretKey' | 'stripeSecretKey' | 'stripeWebhookSecret'
    >;
    stored: {
      cryptobotToken: boolean;
      zarinpalMerchantId: boolean;
      epayKey: boolean;
      yookassaSecretKey: boolean;
      stripeSecretKey: boolean;
    };
    currency: string;
    webhookUrl: string;
    epayNotifyUrl: string;
    yookassaNotifyUrl: string;
    stripeWebhookUrl: string;
    errors?: FieldErrors | undefined;
  },
): SafeHtml {
  const { t } = ctx;
  const { values: v, errors } = view;
  const keyHint = (stored: boolean) => (stored ? t('payRails.settings.keyStored') : t('settings.notStored'));
  return html`<h1>${t('payRails.settings.title')}</h1>
<p class="muted">${t('payRails.settings.intro')}</p>
<form method="post" action="/admin/settings/payments" class="stack" novalidate data-testid="payment-rails-form">
  ${csrfField(ctx)}${formError(errors)}
  <fieldset>
    <legend>${t('payRails.settings.stars')}</legend>
    <small class="muted">${t('payRails.settings.starsHint')}</small>
    ${checkField({ name: 'starsEnabled', label: t('payRails.settings.starsEnabled'), checked: v.starsEnabled })}
    ${field({ name: 'starsRate', label: t('payRails.settings.starsRate', { currency: view.currency }), value: v.starsRate, errors, hint: t('payRails.settings.starsRateHint'), attrs: html`dir="ltr" inputmode="decimal"` })}
  </fieldset>
  <fieldset>
    <legend>${t('payRails.settings.cryptobot')}</legend>
    <small class="muted">${t('payRails.settings.cryptobotHint', { webhook: view.webhookUrl })}</small>
    ${checkField({ name: 'cryptobotEnabled', label: t('payRails.settings.cryptobotEnabled'), checked: v.cryptobotEnabled })}
    ${field({ name: 'cryptobotBaseUrl', label: t('payRails.settings.cryptobotBaseUrl'), value: v.cryptobotBaseUrl, errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'cryptobotToken', label: t('payRails.settings.cryptobotToken'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.cryptobotToken), attrs: html`dir="ltr"` })}
  </fieldset>
  <fieldset>
    <legend>${t('payRails.settings.zarinpal')}</legend>
    <small class="muted">${t('payRails.settings.zarinpalHint')}</small>
    ${checkField({ name: 'zarinpalEnabled', label: t('payRails.settings.zarinpalEnabled'), checked: v.zarinpalEnabled })}
    ${field({ name: 'zarinpalBaseUrl', label: t('payRails.settings.zarinpalBaseUrl'), value: v.zarinpalBaseUrl, errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'zarinpalMerchantId', label: t('payRails.settings.zarinpalMerchantId'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.zarinpalMerchantId), attrs: html`dir="ltr"` })}
  </fieldset>
  <fieldset>
    <legend>${t('payRails.settings.epay')}</legend>
    <small class="muted">${t('payRails.settings.epayHint', { notify: view.epayNotifyUrl })}</small>
    ${checkField({ name: 'epayEnabled', label: t('payRails.settings.epayEnabled'), checked: v.epayEnabled })}
    ${field({ name: 'epayBaseUrl', label: t('payRails.settings.epayBaseUrl'), value: v.epayBaseUrl, errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'epayPid', label: t('payRails.settings.epayPid'), value: v.epayPid, errors, attrs: html`dir="ltr"` })}
    ${field({ name: 'epayKey', label: t('payRails.settings.epayKey'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.epayKey), attrs: html`dir="ltr"` })}
    <label for="epayMode">${t('payRails.settings.epayMode')}</label>
    <select id="epayMode" name="epayMode">${EPAY_MODES.map((mode) => html`<option value="${mode}" ${v.epayMode === mode ? html`selected` : ''}>${t(`payRails.settings.epayModes.${mode}`)}</option>`)}</select>
  </fieldset>
  <fieldset>
    <legend>${t('payRails.settings.yookassa')}</legend>
    <small class="muted">${t('payRails.settings.yookassaHint', { notify: view.yookassaNotifyUrl })}</small>
    ${checkField({ name: 'yookassaEnabled', label: t('payRails.settings.yookassaEnabled'), checked: v.yookassaEnabled })}
    ${field({ name: 'yookassaBaseUrl', label: t('payRails.settings.yookassaBaseUrl'), value: v.yookassaBaseUrl, errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'yookassaShopId', label: t('payRails.settings.yookassaShopId'), value: v.yookassaShopId, errors, attrs: html`dir="ltr" inputmode="numeric"` })}
    ${field({ name: 'yookassaSecretKey', label: t('payRails.settings.yookassaSecretKey'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.yookassaSecretKey), attrs: html`dir="ltr"` })}
    ${checkField({ name: 'yookassaReceipts', label: t('payRails.settings.yookassaReceipts'), checked: v.yookassaReceipts })}
    ${field({ name: 'yookassaVatCode', label: t('payRails.settings.yookassaVatCode'), value: v.yookassaVatCode, errors, hint: t('payRails.settings.yookassaVatCodeHint'), attrs: html`dir="ltr" inputmode="numeric"` })}
    ${field({ name: 'yookassaReceiptEmail', label: t('payRails.settings.yookassaReceiptEmail'), type: 'email', value: v.yookassaReceiptEmail ?? '', errors, hint: t('payRails.settings.yookassaReceiptEmailHint'), attrs: html`dir="ltr"` })}
  </fieldset>
  <fieldset>
    <legend>${t('payRails.settings.stripe')}</legend>
    <small class="muted">${t('payRails.settings.stripeHint', { notify: view.stripeWebhookUrl })}</small>
    ${checkField({ name: 'stripeEnabled', label: t('payRails.settings.stripeEnabled'), checked: v.stripeEnabled ?? false })}
    ${field({ name: 'stripeBaseUrl', label: t('payRails.settings.stripeBaseUrl'), value: v.stripeBaseUrl ?? '', errors, attrs: html`dir="ltr" inputmode="url"` })}
    ${field({ name: 'stripeSecretKey', label: t('payRails.settings.stripeSecretKey'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.stripeSecretKey), attrs: html`dir="ltr"` })}
    ${field({ name: 'stripeWebhookSecret', label: t('payRails.settings.stripeWebhookSecret'), type: 'password', errors, autocomplete: 'off', hint: keyHint(view.stored.stripeSecretKey), attrs: html`dir="ltr"` })}
  </fieldset>
  <div class="actions"><button type="submit" data-testid="save-payment-rails">${t('payRails.settings.save')}</button></div>
</form>`;
}

/**
 * The owner's "refund at the gateway" form on a credited payment of a gateway that refunds (YooKassa, Stripe): an
 * amount in the payment's currency (empty: all that is left of it) and the form's own key, so sending this form again
 * is the same refund and a second form is a second (partial) refund.
 */
export function gatewayRefundForm(ctx: RequestContext, paymentId: string, currency: string): SafeHtml {
  const { t } = ctx;
  return html`<form method="post" action="/admin/payments/${encodeURIComponent(paymentId)}/refund-gateway" data-testid="refund-gateway">${csrfField(ctx)}
  <input type="hidden" name="nonce" value="${newIdempotencyKey()}">
  ${field({ name: 'amount', id: `f-refund-amount-${paymentId}`, label: t('payRails.refund.gatewayAmount', { currency }), hint: t('payRails.refund.gatewayAmountHint'), attrs: html`inputmode="decimal" autocomplete="off" dir="ltr"` })}
  <label class="inline"><input type="checkbox" name="confirm" value="yes" required> ${t('payRails.refund.gatewayConfirm')}</label>
  <button type="submit" class="danger small">${t('payRails.refund.gatewayButton')}</button></form>`;
}

/** The owner's "refund in Stars" form on a credited Stars payment (the receipts queue's decided rows). */
export function starsRefundForm(ctx: RequestContext, paymentId: string): SafeHtml {
  const { t } = ctx;
  return html`<form method="post" action="/admin/payments/${encodeURIComponent(paymentId)}/refund-stars" data-testid="refund-stars">${csrfField(ctx)}
  <label class="inline"><input type="checkbox" name="confirm" value="yes" required> ${t('payRails.refund.confirm')}</label>
  <button type="submit" class="danger small">${t('payRails.refund.button')}</button></form>`;
}
