import type { Payment } from '../app/payments/records.js';
import type { GatewayRail } from '../app/payments/rails/gateway-rails.js';
import type { RequestContext } from '../http/context.js';
import { formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { field } from './forms.js';

/** The wallet's form for one gateway rail: the amount (and the way to pay, where the rail offers a choice) here, then the gateway's own page. */
export function gatewayRailForm(
  ctx: RequestContext,
  rail: GatewayRail,
  currency: string,
  key: string,
  methods: readonly string[] = [],
  savesMethods = false,
): SafeHtml {
  const { t } = ctx;
  const choice =
    methods.length === 0
      ? ''
      : html`<fieldset class="inline" data-testid="${rail}-methods"><legend>${t('payRails.gateway.method')}</legend>${methods.map(
          (method, i) =>
            html`<label class="inline"><input type="radio" name="method" value="${method}" ${i === 0 ? html`checked` : ''}> ${t(`payRails.methods.${method}`)}</label> `,
        )}</fieldset>`;
  return html`<section class="card" data-provider="${rail}">
<h2>${t(`payRails.rails.${rail}.title`)}</h2>
<p class="muted">${t(`payRails.rails.${rail}.intro`)}</p>
<form method="post" action="/wallet/pay/${rail}" class="stack" data-testid="topup-${rail}" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${key}">
  ${field({ id: `${rail}-amount`, name: 'amount', label: t('wallet.amount', { currency }), required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  ${choice}
  ${savesMethods ? html`<label class="inline"><input type="checkbox" name="saveMethod" value="on"> ${t('payRails.gateway.saveMethod')}</label>` : ''}
  <button type="submit">${t(`payRails.rails.${rail}.submit`)}</button>
</form></section>`;
}

/**
 * A gateway top-up waiting for the buyer: its amount and the link to the gateway's page, or the QR code to scan in
 * the payment app when the gateway gave one (`qr`: EPay's WeChat Pay, as a data URL drawn here).
 */
export function gatewayPayPage(
  ctx: RequestContext,
  rail: GatewayRail,
  payment: Payment,
  payUrl: string | null,
  qr: string | null = null,
): SafeHtml {
  const { t, locale } = ctx;
  return page(ctx, {
    title: t(`payRails.rails.${rail}.title`),
    body: html`<h1>${t(`payRails.rails.${rail}.title`)}</h1>
<section class="card" data-testid="gateway-invoice">
  <p>${t('payRails.gateway.ready', { amount: formatMoney(payment.amount, locale) })}</p>
  ${
    payment.status === 'pending' && payUrl !== null
      ? html`${qr === null ? '' : html`<p><img src="${qr}" alt="${t('payRails.gateway.scan')}" width="220" height="220" data-testid="gateway-qr"></p><p class="muted">${t('payRails.gateway.scan')}</p>`}<p><a class="button" href="${payUrl}" rel="noopener noreferrer" data-testid="pay-on-gateway" data-gateway-link>${t(`payRails.rails.${rail}.payNow`)}</a></p>
  <p class="muted">${t('payRails.gateway.afterPaying')}</p>`
      : html`<p>${t(`wallet.invoice.status.${payment.status}`)}</p>`
  }
  <p><a href="/wallet">${t('wallet.invoice.back')}</a></p>
</section>`,
  });
}

/** Where a gateway sends a buyer who started paying in the bot: what became of it, and the way back to the bot. */
export function gatewayBackToBotPage(ctx: RequestContext, rail: GatewayRail, outcome: 'credited' | 'failed' | 'waiting'): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t(`payRails.rails.${rail}.title`),
    body: html`<h1>${t(`payRails.rails.${rail}.title`)}</h1>
<section class="card" data-testid="gateway-back-to-bot">
  <p data-testid="gateway-outcome">${t(`payRails.notices.${outcome}`)}</p>
  <p class="muted">${t('wallet.crypto.backToBot')}</p>
</section>`,
  });
}
