import type { Money, Plan } from '@panelkit/sdk';
import type { GiftView } from '../app/gifts/gift-views.js';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney } from '../i18n/format.js';
import { planListPrice } from '../i18n/plan-text.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** The status of a gift in words, with when it changed: claimed on …, expired (refunded) on …, waiting until …. */
function statusText(ctx: RequestContext, gift: GiftView, timeZone: string): string {
  const { t, locale } = ctx;
  if (gift.status === 'claimed') return t('gifts.status.claimed', { at: formatDateTime(gift.claimedAt!, locale, timeZone) });
  if (gift.status === 'expired') return t('gifts.status.expired', { at: formatDateTime(gift.expiredAt!, locale, timeZone) });
  return t('gifts.status.unclaimed', { until: formatDateTime(gift.expiresAt, locale, timeZone) });
}

/**
 * The buyer's gifts page: a form to buy a plan on sale as a gift from the wallet (the owner's period said), and the
 * gifts they gave with each one's code, link and whether it was claimed. `plans`: the giftable ones
 * (`giftablePlans`), each at its listed price.
 */
export function giftsPage(
  ctx: RequestContext,
  view: {
    plans: readonly Plan[];
    gifts: readonly GiftView[];
    /** The buyer's wallet in the shop's currency: a gift is paid from it (a provider tops it up first, as for a plan). */
    balance: Money;
    validDays: number;
    idempotencyKey: string;
    timeZone: string;
    notice?: string | null;
  },
): SafeHtml {
  const { t, locale } = ctx;
  return page(ctx, {
    title: t('gifts.title'),
    notice: view.notice ?? null,
    body: html`<h1>${t('gifts.title')}</h1>
<section class="card">
  <h2>${t('gifts.buy.title')}</h2>
  <p>${t('gifts.buy.intro', { days: t('plans.days', { count: view.validDays }) })}</p>
  <p>${t('gifts.buy.balance', { balance: formatMoney(view.balance, locale) })} <a href="/wallet" data-testid="gift-top-up">${t('gifts.buy.topUp')}</a></p>
  ${
    view.plans.length === 0
      ? html`<p class="muted">${t('gifts.buy.none')}</p>`
      : html`<form method="post" action="/gifts" class="stack" data-testid="gift-buy-form">
    ${csrfField(ctx)}
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    <label for="gift-plan">${t('gifts.buy.plan')}</label>
    <select id="gift-plan" name="planId" data-testid="gift-plan">${view.plans.map(
      (p) => html`<option value="${p.id}">${p.name} · ${planListPrice(p, t, locale)}</option>`,
    )}</select>
    <button type="submit" data-testid="gift-buy">${t('gifts.buy.submit')}</button>
  </form>`
  }
  <p><a href="/gift" data-testid="gift-claim-link">${t('gifts.claim.enter')}</a></p>
</section>
<section class="card">
  <h2>${t('gifts.given.title')}</h2>
  ${
    view.gifts.length === 0
      ? html`<p class="muted" data-testid="gifts-none">${t('gifts.given.none')}</p>`
      : html`<ul class="plain" data-testid="gifts-given">${view.gifts.map(
          (g) => html`<li data-testid="gift-row" data-status="${g.status}">
      <strong>${g.planName}</strong> · ${formatMoney(g.price, locale)}<br>
      <span data-testid="gift-status">${statusText(ctx, g, view.timeZone)}</span>
      ${
        g.status === 'unclaimed'
          ? html`<br><label>${t('gifts.given.code')} <input type="text" readonly dir="ltr" value="${g.code}" data-testid="gift-code"></label>
      <label>${t('gifts.given.link')} <input type="text" readonly dir="ltr" value="${g.link}" data-testid="gift-link"></label>`
          : ''
      }
    </li>`,
        )}</ul>`
  }
</section>`,
  });
}

/** The form where a buyer types a gift's code (the bot's "claim a gift" on the web). */
export function giftCodePage(ctx: RequestContext, error?: string): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('gifts.claim.title'),
    body: html`<h1>${t('gifts.claim.title')}</h1>
<form method="get" action="/gift" class="stack card" data-testid="gift-code-form">
  ${error ? html`<p class="error" role="alert">${t(error)}</p>` : ''}
  <label for="gift-code">${t('gifts.claim.code')}</label>
  <input id="gift-code" name="code" dir="ltr" autocomplete="off" maxlength="40" required data-testid="gift-code-input">
  <button type="submit">${t('gifts.claim.open')}</button>
</form>`,
  });
}

/**
 * A gift's claim page: the plan it gives and, when the viewer may claim it, the button; otherwise why not (their own
 * gift, claimed, expired).
 */
export function giftClaimPage(
  ctx: RequestContext,
  view: { gift: GiftView; own: boolean; claimedByViewer: boolean; timeZone: string },
): SafeHtml {
  const { t, locale } = ctx;
  const { gift } = view;
  const open = gift.status === 'unclaimed' && !view.own;
  let why = '';
  if (view.claimedByViewer) why = t('gifts.claim.yours');
  else if (gift.status === 'claimed') why = t('gifts.refused.gift_claimed');
  else if (gift.status === 'expired') why = t('gifts.refused.gift_expired');
  else if (view.own) why = t('gifts.refused.own_gift');
  return page(ctx, {
    title: t('gifts.claim.title'),
    body: html`<h1>${t('gifts.claim.title')}</h1>
<section class="card" data-testid="gift-offer">
  <p>${t('gifts.claim.intro')}</p>
  <p><strong data-testid="gift-plan-name">${gift.planName}</strong></p>
  ${gift.status === 'unclaimed' ? html`<p class="muted">${t('gifts.claim.until', { until: formatDateTime(gift.expiresAt, locale, view.timeZone) })}</p>` : ''}
  ${
    open
      ? html`<form method="post" action="/gift/${gift.code}" data-testid="gift-claim-form">
    ${csrfField(ctx)}
    <button type="submit" data-testid="gift-claim">${t('gifts.claim.submit')}</button>
  </form>`
      : html`<p data-testid="gift-claim-closed">${why}</p>`
  }
</section>`,
  });
}
