import type { Payment } from '../app/payments/records.js';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney } from '../i18n/format.js';
import { shortCode } from '../app/payments/ledger-descriptions.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/** What a printable invoice shows: the payment, whose it is, and the shop's name and zone. */
export interface InvoiceView {
  payment: Payment;
  email: string;
  shopName: string;
  timeZone: string;
}

/** A payment as a printable invoice (the print stylesheet hides the navigation): every provider, both languages. */
export function invoicePage(ctx: RequestContext, view: InvoiceView): SafeHtml {
  const { t, locale } = ctx;
  const { payment } = view;
  return page(ctx, {
    title: t('wallet.invoice.title', { code: shortCode(payment.id) }),
    body: html`<article class="invoice" data-testid="invoice">
<header><h1>${t('wallet.invoice.title', { code: shortCode(payment.id) })}</h1><p>${view.shopName}</p></header>
<dl class="facts">
  <dt>${t('wallet.invoice.number')}</dt><dd class="ltr" data-testid="invoice-number">${payment.id}</dd>
  <dt>${t('wallet.invoice.date')}</dt><dd>${formatDateTime(payment.createdAt, locale, view.timeZone)}</dd>
  <dt>${t('wallet.invoice.customer')}</dt><dd class="ltr">${view.email}</dd>
  <dt>${t('wallet.payments.provider')}</dt><dd>${t(`wallet.providers.${payment.provider}`)}</dd>
  <dt>${t('wallet.payments.reference')}</dt><dd class="ltr">${payment.reference ?? '—'}</dd>
  <dt>${t('wallet.payments.status')}</dt><dd data-testid="invoice-status">${t(`wallet.invoice.status.${payment.status}`)}</dd>
  <dt>${t('wallet.payments.amount')}</dt><dd data-testid="invoice-amount"><strong><bdi>${formatMoney(payment.amount, locale)}</bdi></strong></dd>
</dl>
<p class="muted">${t('wallet.invoice.note')}</p>
<p class="no-print"><a href="/wallet">${t('wallet.invoice.back')}</a></p>
</article>`,
  });
}
