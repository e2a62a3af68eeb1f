import type { Payment } from '../app/payments/records.js';
import type { RequestContext } from '../http/context.js';
import { formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { field } from './forms.js';

/** The wallet's Stars form: the amount here; the price in Stars and Telegram's invoice on the next page. */
export function starsForm(ctx: RequestContext, currency: string, key: string): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-provider="stars">
<h2>${t('payRails.stars.title')}</h2>
<p class="muted">${t('payRails.stars.intro')}</p>
<form method="post" action="/wallet/stars" class="stack" data-testid="topup-stars" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${key}">
  ${field({ id: 'stars-amount', name: 'amount', label: t('wallet.amount', { currency }), required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  <button type="submit">${t('payRails.stars.submit')}</button>
</form></section>`;
}

/** A Stars top-up waiting for the buyer: its price in Stars and the invoice link that opens Telegram's payment sheet. */
export function starsInvoicePage(ctx: RequestContext, payment: Payment): SafeHtml {
  const { t, locale } = ctx;
  const details = payment.details as Record<string, unknown>;
  const link = typeof details['invoiceLink'] === 'string' ? details['invoiceLink'] : null;
  const stars = typeof details['stars'] === 'number' ? details['stars'] : 0;
  return page(ctx, {
    title: t('payRails.stars.title'),
    body: html`<h1>${t('payRails.stars.title')}</h1>
<section class="card" data-testid="stars-invoice">
  <p>${t('payRails.stars.invoice', { amount: formatMoney(payment.amount, locale), stars })}</p>
  ${
    payment.status === 'pending' && link !== null
      ? html`<p><a class="button" href="${link}" rel="noopener noreferrer" data-testid="pay-in-telegram">${t('payRails.stars.payInTelegram')}</a></p>`
      : html`<p>${t(`wallet.invoice.status.${payment.status}`)}</p>`
  }
  <p><a href="/wallet">${t('wallet.invoice.back')}</a></p>
</section>`,
  });
}
