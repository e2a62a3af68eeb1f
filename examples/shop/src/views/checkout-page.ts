import type { Money, Plan } from '@panelkit/sdk';
import type { DiscountQuote } from '@panelkit/sdk/rules';
import { takesDiscountCodes } from '@panelkit/sdk/storefronts';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatBytes, formatMoney, minorDigits } from '../i18n/format.js';
import { buyerLocationNames, planListPrice, planSummary } from '../i18n/plan-text.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { localeInfo } from '../i18n/locales.js';
import type { PlanLocation } from '@panelkit/sdk/plan-builder';
import { planChoiceFields, type ChoiceValues } from './plan-choice.js';
import { planKindBadges, planReceives } from './plan-offer.js';

export interface CheckoutValues extends ChoiceValues {
  quantity: string;
  autoRenew: boolean;
  trial: boolean;
  idempotencyKey: string;
  /** As typed; empty for none. */
  discountCode: string;
}

export interface CheckoutView {
  plan: Plan;
  /** The wallet balance in the plan's currency, minor units (below zero for a reseller using its credit). */
  balance: number;
  /** A reseller's credit limit in that currency (0 or absent: none): the balance may go down to minus it. */
  creditLimit?: number;
  values: CheckoutValues;
  errors?: FieldErrors;
  /** Why the last submission was refused (already translated); `topUp` adds the wallet link. */
  problem?: { message: string; topUp: boolean } | null;
  /** The code's quote after "Apply code", shown as a line and the price to pay. */
  discount?: DiscountQuote | null;
  /** The locations the plan offers (`kit.planLocations`): a picker when there are several. */
  locations?: readonly PlanLocation[];
  /** A built plan's quoted price for the values shown; `null` when not known or refused. */
  builtPrice?: Money | null;
}

/** What the order costs for the values shown (a trial is free). */
export function checkoutTotal(plan: Plan, values: Pick<CheckoutValues, 'quantity' | 'trial'>): Money {
  const quantity = /^\d{1,2}$/.test(values.quantity) ? Number(values.quantity) : 1;
  return { amount: values.trial ? 0 : plan.price.amount * Math.max(1, quantity), currency: plan.price.currency };
}

/**
 * Whether a purchase page offers a discount code field: not to a storefront's buyer, who may spend none of the
 * owner's codes (`takesDiscountCodes`; the engine refuses one with `storefront_buyer`).
 */
export function offersDiscountCode(ctx: RequestContext): boolean {
  return ctx.viewer === null || takesDiscountCodes(ctx.viewer.customer);
}

/** Where a page offers no code field: why a code sent anyway (an old page, a crafted post) was refused, if it was. */
export function codeRefusedWithoutField(message: string | null | undefined): SafeHtml | '' {
  return message ? html`<p class="error" role="alert" data-testid="discount-code-refused">${message}</p>` : '';
}

/**
 * The code's own small form: "Apply code" posts the code with the order's current values and
 * `intent=apply`, and the page comes back with the quote (nothing is charged); the payment form then
 * carries the applied code. Shared with the extension page; none for a storefront's buyer (`offersDiscountCode`).
 */
export function discountForm(
  ctx: RequestContext,
  action: string,
  values: { idempotencyKey: string; discountCode: string; quantity?: string; trial?: boolean; autoRenew?: boolean },
  errors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  if (!offersDiscountCode(ctx)) return html`${codeRefusedWithoutField(errors?.['discountCode'])}`;
  return html`<form method="post" action="${action}" class="stack" data-testid="discount-form" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="intent" value="apply">
  <input type="hidden" name="idempotencyKey" value="${values.idempotencyKey}">
  ${values.quantity === undefined ? '' : html`<input type="hidden" name="quantity" value="${values.quantity}">`}
  ${values.trial ? html`<input type="hidden" name="trial" value="on">` : ''}
  ${values.autoRenew ? html`<input type="hidden" name="autoRenew" value="on">` : ''}
  ${field({ name: 'discountCode', label: t('discounts.code.label'), value: values.discountCode, errors, hint: t('discounts.code.hint'), attrs: html`autocomplete="off" maxlength="60" data-testid="discount-code"` })}
  <button type="submit" class="secondary">${t('discounts.code.apply')}</button>
</form>`;
}

/** The code's line and what is left to pay (shared with the extension page). */
export function discountLines(ctx: RequestContext, discount: DiscountQuote): SafeHtml {
  const { t, locale } = ctx;
  return html`<dl class="facts" data-testid="discount-quote">
  <dt>${t('discounts.code.line', { code: discount.code })}</dt><dd class="price" data-testid="discount-amount">−${formatMoney(discount.discount, locale)}</dd>
  <dt>${t('discounts.code.toPay')}</dt><dd class="price"><strong data-testid="discounted-total">${formatMoney(discount.price, locale)}</strong></dd>
</dl>`;
}

function topUpLink(ctx: RequestContext): SafeHtml {
  return html`<a class="button small secondary" href="/wallet">${ctx.t('checkout.topUp')}</a>`;
}

export function checkoutPage(ctx: RequestContext, view: CheckoutView): SafeHtml {
  const { t, locale } = ctx;
  const { plan, values, errors } = view;
  const total = plan.builder !== null ? (view.builtPrice ?? { amount: 0, currency: plan.price.currency }) : checkoutTotal(plan, values);
  const creditLimit = view.creditLimit ?? 0;
  const short = view.balance + creditLimit < total.amount;
  const balance: Money = { amount: view.balance, currency: plan.price.currency };
  const locations = buyerLocationNames(plan.placement.allowedLocations, view.locations ?? [], locale).join(
    localeInfo(locale).listSeparator,
  );
  return page(ctx, {
    title: t('checkout.title'),
    body: html`<h1>${t('checkout.title')}</h1>
<section class="card" data-testid="checkout-plan">
  <h2>${plan.name}</h2>
  <p>${planSummary(plan, t, locale)}</p>
  ${planKindBadges(ctx, plan)}
  ${plan.description ? html`<p class="muted">${plan.description}</p>` : ''}
  ${planReceives(ctx, plan)}
  <dl class="facts">
    <dt>${t('checkout.unitPrice')}</dt><dd class="price" data-testid="plan-price">${planListPrice(plan, t, locale)}</dd>
    <dt>${t('checkout.locations')}</dt><dd>${locations || t('checkout.anyLocation')}</dd>
    <dt>${t('checkout.balance')}</dt><dd data-testid="wallet-balance">${formatMoney(balance, locale)}</dd>
    ${creditLimit > 0 ? html`<dt>${t('resellers.buyer.creditLimit')}</dt><dd data-testid="credit-limit">${formatMoney({ amount: creditLimit, currency: plan.price.currency }, locale)} <a href="/account/reseller">${t('resellers.buyer.link')}</a></dd>` : ''}
  </dl>
</section>
${view.problem ? html`<p class="error" role="alert" data-testid="checkout-problem">${view.problem.message} ${view.problem.topUp ? topUpLink(ctx) : ''}</p>` : ''}
${
  !plan.onSale
    ? html`<p class="error" data-testid="checkout-problem">${t('checkout.notOnSale')}</p>`
    : html`<section class="card">
${discountForm(ctx, `/checkout/${plan.id}`, values, errors)}
${short && !view.problem ? html`<p class="error" data-testid="balance-short">${t('checkout.balanceShort')} ${topUpLink(ctx)}</p>` : ''}
<form method="post" action="/checkout/${plan.id}" class="stack" data-testid="checkout-form" novalidate>
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="idempotencyKey" value="${values.idempotencyKey}">
  ${planChoiceFields(ctx, plan, view.locations ?? [], values, errors, plan.builder === null ? null : (view.builtPrice ?? null))}
  ${plan.builder !== null ? html`<input type="hidden" name="quantity" value="1">` : field({ name: 'quantity', type: 'number', label: t('checkout.quantity'), value: values.quantity, errors, required: true, hint: t('checkout.quantityHint'), attrs: html`min="1" max="10" step="1" inputmode="numeric" data-checkout-quantity` })}
  <label class="check"><input type="checkbox" name="autoRenew" value="on" ${values.autoRenew ? html`checked` : ''}> ${t('checkout.autoRenew')}</label>
  ${
    plan.trial !== null
      ? html`<label class="check"><input type="checkbox" name="trial" value="on" data-checkout-trial ${values.trial ? html`checked` : ''}> ${t(
          plan.trial.price ? 'checkout.trialPaid' : 'checkout.trial',
          {
            days: t('plans.days', { count: plan.trial.days }),
            traffic: plan.trial.trafficBytes === null ? t('plans.unlimitedTraffic') : formatBytes(plan.trial.trafficBytes, locale),
            price: plan.trial.price ? formatMoney(plan.trial.price, locale) : '',
          },
        )}</label>`
      : ''
  }
  <input type="hidden" name="discountCode" value="${view.discount?.code ?? ''}">
  <p>${t('checkout.total')}: <strong class="price" data-testid="checkout-total" data-unit="${plan.price.amount}" data-currency="${plan.price.currency}" data-digits="${minorDigits(plan.price.currency)}" data-intl="${localeInfo(locale).intl}">${formatMoney(total, locale)}</strong></p>
  ${view.discount ? discountLines(ctx, view.discount) : ''}
  <button type="submit">${t('checkout.pay')}</button>
</form>
</section>
<script src="/assets/checkout.js" defer></script>`
}`,
  });
}
