import type { Order } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatMoney } from '../../i18n/format.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** The refund form as last shown: its nonce (the refund's key), what was typed, and the errors. */
export interface RefundFormState {
  nonce: string;
  values: Record<string, string>;
  errors?: FieldErrors;
}

/** An order's money for the refund section: paid, refunded so far, left to refund (minor units). */
export interface RefundState {
  paid: number;
  refunded: number;
  refundable: number;
}

/** The owner's "refund this order" section: what was paid and refunded, and a form while anything is left. */
export function refundSection(ctx: RequestContext, order: Order, state: RefundState, form: RefundFormState): SafeHtml {
  const { t, locale } = ctx;
  const money = (amount: number) => formatMoney({ amount, currency: order.total.currency }, locale);
  const { values, errors, nonce } = form;
  return html`<section class="card" data-testid="order-refund">
  <h2>${t('adminOps.orders.refund.title')}</h2>
  <dl class="facts">
    <dt>${t('adminOps.orders.refund.paid')}</dt><dd data-testid="order-paid">${money(state.paid)}</dd>
    <dt>${t('adminOps.orders.refund.refunded')}</dt><dd data-testid="order-refunded">${money(state.refunded)}</dd>
    <dt>${t('adminOps.orders.refund.refundable')}</dt><dd data-testid="order-refundable">${money(state.refundable)}</dd>
  </dl>
  ${
    state.refundable <= 0
      ? html`<p class="muted">${t('adminOps.orders.refund.nothingLeft')}</p>`
      : html`<form method="post" action="/admin/orders/${encodeURIComponent(order.id)}/refund" class="stack" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="nonce" value="${nonce}">
  ${formError(errors)}
  <p class="muted">${t('adminOps.orders.refund.explain')}</p>
  ${field({ name: 'amount', label: t('adminOps.orders.refund.amount', { currency: order.total.currency }), value: values['amount'], errors, required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  ${field({ name: 'note', label: t('adminOps.orders.refund.note'), value: values['note'], errors, required: true, hint: t('adminOps.orders.refund.noteHint'), attrs: html`maxlength="500" autocomplete="off"` })}
  <button type="submit">${t('adminOps.orders.refund.submit')}</button>
</form>`
  }
</section>`;
}
