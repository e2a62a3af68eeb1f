import type { Payment } from '../app/payments/records.js';
import type { RequestContext } from '../http/context.js';
import { formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/** A crypto top-up waiting for the buyer: its amount and the link to the gateway's pay page. */
export function cryptoInvoicePage(ctx: RequestContext, payment: Payment): SafeHtml {
  const { t, locale } = ctx;
  const url = payment.details.invoiceUrl;
  return page(ctx, {
    title: t('wallet.crypto.title'),
    body: html`<h1>${t('wallet.crypto.title')}</h1>
<section class="card" data-testid="crypto-invoice">
  <p>${t('wallet.crypto.ready', { amount: formatMoney(payment.amount, locale) })}</p>
  ${
    payment.status === 'pending' && url !== undefined
      ? html`<p><a class="button" href="${url}" rel="noopener noreferrer" data-testid="pay-on-gateway" data-gateway-link>${t('wallet.crypto.payNow')}</a></p>
  <p class="muted">${t('wallet.crypto.afterPaying')}</p>`
      : html`<p>${t(`wallet.invoice.status.${payment.status}`)}</p>`
  }
  <p><a href="/wallet">${t('wallet.invoice.back')}</a></p>
</section>`,
  });
}

/**
 * Where the gateway sends a buyer who started paying in the Telegram bot: what became of the payment,
 * and the way back to the bot (a bot-only buyer has no web account to sign in with).
 */
export function cryptoBackToBotPage(ctx: RequestContext, outcomeKey: string): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('wallet.crypto.title'),
    body: html`<h1>${t('wallet.crypto.title')}</h1>
<section class="card" data-testid="crypto-back-to-bot">
  <p data-testid="crypto-outcome">${t(outcomeKey)}</p>
  <p class="muted">${t('wallet.crypto.backToBot')}</p>
</section>`,
  });
}
