import type { Plan, PlanChangeQuoteResult, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatBytes, formatDateTime, formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface PlanChangeView {
  sub: Subscription;
  currentPlan: Plan | null;
  /** Every other plan on sale, each with its quote for this subscription now. */
  options: { plan: Plan; quote: PlanChangeQuoteResult }[];
  /** Wallet balance in the shop's currency (minor units). */
  balance: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  timeZone: string;
  /** Why the last change was refused, translated. */
  problem?: string | null;
}

function option(ctx: RequestContext, view: PlanChangeView, plan: Plan, quote: PlanChangeQuoteResult): SafeHtml {
  const { t, locale } = ctx;
  const head = html`<h2>${plan.name}</h2>`;
  if (!quote.allowed) {
    return html`<section class="card" data-testid="plan-option" data-plan-id="${plan.id}">${head}
  <p class="muted" data-testid="plan-change-refused" data-reason="${quote.reason}">${t(`planChange.reasons.${quote.reason}`)}</p></section>`;
  }
  const q = quote.quote;
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
  <p class="muted">${t('planChange.usageResets')}</p>
  ${quote.moves ? html`<p class="notice" data-testid="plan-change-moves">${t('planChange.moves')}</p>` : ''}
  ${quote.linkChanges ? html`<p class="error" data-testid="link-changes">${t('planChange.linkChanges')}</p>` : ''}
  ${view.balance < q.charge.amount ? html`<p class="error">${t('planChange.balanceShort')} <a class="button small secondary" href="/wallet">${t('planChange.topUp')}</a></p>` : ''}
  <form method="post" action="/subscriptions/${view.sub.id}/plan" data-testid="plan-change-form">
    ${csrfField(ctx)}
    <input type="hidden" name="planId" value="${plan.id}">
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    <button type="submit">${q.charge.amount > 0 ? t('planChange.pay', { price: formatMoney(q.charge, locale) }) : t('planChange.switch')}</button>
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
      : html`${view.options.map((o) => option(ctx, view, o.plan, o.quote))}`;
  return page(ctx, {
    title: t('planChange.title'),
    body: html`<h1>${t('planChange.title')}</h1>
<p class="muted">${t('planChange.current')} <a href="/subscriptions/${view.sub.id}">${view.currentPlan?.name ?? view.sub.planId}</a></p>
<p>${t('planChange.explain')}</p>
${view.problem ? html`<p class="error" role="alert" data-testid="plan-change-problem">${view.problem}</p>` : ''}
${body}`,
  });
}
