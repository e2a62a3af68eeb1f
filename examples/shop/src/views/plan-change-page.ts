import type { Plan, PlanChangeQuoteResult, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatBytes, formatDateTime, formatMoney } from '../i18n/format.js';
import { codeRefusedWithoutField, discountLines, offersDiscountCode } from './checkout-page.js';
import { field } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface PlanChangeView {
  sub: Subscription;
  currentPlan: Plan | null;
  /** Every other plan on sale, each with its quote for this subscription now. */
  options: { plan: Plan; quote: PlanChangeQuoteResult }[];
  /** Wallet balance in the shop's currency (minor units). */
  balance: number;
  /** A reseller's credit limit (0 or absent: none): what it may spend beyond the balance. */
  creditLimit?: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  timeZone: string;
  /** Why the last change was refused, translated. */
  problem?: string | null;
  /** The discount code as typed (empty for none); each option's `quote.discount` says what it does there. */
  discountCode: string;
  /** Why the code applies to no option (or is not a code), translated; shown on the code's field. */
  codeError?: string | null;
}

/** The code's line on an option: what it takes off, or why it does not apply to this plan. */
function codeLine(ctx: RequestContext, quote: PlanChangeQuoteResult): SafeHtml | '' {
  if (quote.discount === null || !quote.allowed) return '';
  if (quote.discount.allowed) return discountLines(ctx, quote.discount.quote);
  const { reason } = quote.discount;
  const text =
    reason === 'nothing_to_discount' && quote.quote.charge.amount === 0
      ? ctx.t('planChange.codeNothingDue')
      : ctx.t(`discounts.reasons.${reason}`);
  return html`<p class="muted" data-testid="plan-change-code-refused" data-reason="${reason}">${text}</p>`;
}

/**
 * The code's form: a `GET` of this page with the code, so every option is quoted with it; nothing is charged. None for
 * a storefront's buyer (`offersDiscountCode`).
 */
function codeForm(ctx: RequestContext, view: PlanChangeView): SafeHtml {
  const { t } = ctx;
  if (!offersDiscountCode(ctx)) return html`${codeRefusedWithoutField(view.codeError)}`;
  const errors = view.codeError ? { discountCode: view.codeError } : undefined;
  return html`<form method="get" action="/subscriptions/${view.sub.id}/plan" class="stack card" data-testid="discount-form" novalidate>
  ${field({ name: 'discountCode', label: t('discounts.code.label'), value: view.discountCode, errors, hint: t('planChange.codeHint'), attrs: html`autocomplete="off" maxlength="60" data-testid="discount-code"` })}
  <button type="submit" class="secondary">${t('discounts.code.apply')}</button>
</form>`;
}

function option(ctx: RequestContext, view: PlanChangeView, plan: Plan, quote: PlanChangeQuoteResult): SafeHtml {
  const { t, locale } = ctx;
  const head = html`<h2>${plan.name}</h2>`;
  if (!quote.allowed) {
    return html`<section class="card" data-testid="plan-option" data-plan-id="${plan.id}">${head}
  <p class="muted" data-testid="plan-change-refused" data-reason="${quote.reason}">${t(`planChange.reasons.${quote.reason}`)}</p></section>`;
  }
  const q = quote.quote;
  const applied = quote.discount?.allowed ? quote.discount.quote : null;
  const toPay = applied?.price ?? q.charge;
  return html`<section class="card" data-testid="plan-option" data-plan-id="${plan.id}">${head}
  <dl class="facts">
    <dt>${t('planChange.newExpiry')}</dt><dd>${formatDateTime(q.newExpiresAt, locale, view.timeZone)}</dd>
    <dt>${t('planChange.newLimit')}</dt><dd>${q.newTrafficLimitBytes === null ? t('plans.unlimitedTraffic') : formatBytes(q.newTrafficLimitBytes, locale)}</dd>
    <dt>${t('planChange.credit')}</dt><dd>${formatMoney(q.credit, locale)}</dd>
    ${
      q.refund.amount > 0
        ? html`<dt>${t('planChange.refund')}</dt><dd class="price" data-testid="plan-change-refund">${formatMoney(q.refund, locale)}</dd>`
        : html`<dt>${t('planChange.charge')}</dt><dd class="price" data-testid="plan-change-charge">${formatMoney(q.charge, locale)}</dd>`
    }
  </dl>
  ${codeLine(ctx, quote)}
  <p class="muted">${t('planChange.usageResets')}</p>
  ${quote.moves ? html`<p class="notice" data-testid="plan-change-moves">${t('planChange.moves')}</p>` : ''}
  ${quote.linkChanges ? html`<p class="error" data-testid="link-changes">${t('planChange.linkChanges')}</p>` : ''}
  ${view.balance + (view.creditLimit ?? 0) < toPay.amount ? html`<p class="error">${t('planChange.balanceShort')} <a class="button small secondary" href="/wallet">${t('planChange.topUp')}</a></p>` : ''}
  <form method="post" action="/subscriptions/${view.sub.id}/plan" data-testid="plan-change-form">
    ${csrfField(ctx)}
    <input type="hidden" name="planId" value="${plan.id}">
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    ${applied ? html`<input type="hidden" name="discountCode" value="${applied.code}">` : ''}
    <button type="submit">${toPay.amount > 0 ? t('planChange.pay', { price: formatMoney(toPay, locale) }) : t('planChange.switch')}</button>
  </form>
</section>`;
}

/** Changing plan: every plan on sale with its prorated quote, and a form to switch to each allowed one. */
export function planChangePage(ctx: RequestContext, view: PlanChangeView): SafeHtml {
  const { t } = ctx;
  const body = view.changeInFlight
    ? html`<p class="notice" role="status" data-testid="change-in-flight">${t('planChange.inFlight')}</p>`
    : view.options.length === 0
      ? html`<p class="muted">${t('planChange.none')}</p>`
      : html`${codeForm(ctx, view)}${view.options.map((o) => option(ctx, view, o.plan, o.quote))}`;
  return page(ctx, {
    title: t('planChange.title'),
    body: html`<h1>${t('planChange.title')}</h1>
<p class="muted">${t('planChange.current')} <a href="/subscriptions/${view.sub.id}">${view.currentPlan?.name ?? view.sub.planId}</a></p>
<p>${t('planChange.explain')}</p>
${view.problem ? html`<p class="error" role="alert" data-testid="plan-change-problem">${view.problem}</p>` : ''}
${body}`,
  });
}
