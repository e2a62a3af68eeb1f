import type { Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { isTelegramAccountEmail } from '../app/auth/telegram-buyers.js';
import { isPlaceholderEmail } from '../app/auth/passwordless-accounts.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { expiryText, statusBadge, usageView } from './subscription-bits.js';
import { renameForm, subscriptionTitle } from './subscription-name.js';
import { subscriptionLinkCard, type SubscriptionLinkView } from './subscription-link-card.js';
import { groupByBundle, type PartGroup } from '../app/kinds/bundle-groups.js';
import { kindBadge, partDeliveryBlock, type PartDeliveryView } from './part-delivery-card.js';

export interface DashboardView {
  subscriptions: Subscription[];
  planNames: ReadonlyMap<string, string>;
  /** The next page's cursor, when there are more. */
  nextCursor: string | null;
  /** The buyer's shop-owned link, once they have any subscription. */
  shopLink: SubscriptionLinkView | null;
  timeZone: string;
  notice: string | null;
  /**
   * The shop's Telegram bot as this buyer sees it: `off` (no bot), `linked` (their Telegram is linked already: a Mini
   * App or bot buyer, or one who linked it; nothing to offer), or `offer` (the page offers to link it).
   */
  telegram: 'off' | 'linked' | 'offer';
  /** Whether the page offers to add an e-mail (an account Telegram made, with mail set up). */
  addEmail: boolean;
  /** How each WireGuard/AmneziaWG or Telegram part is taken (by id), under the account's link; Xray parts are absent. */
  deliveries?: ReadonlyMap<string, PartDeliveryView>;
}

function subscriptionCard(ctx: RequestContext, sub: Subscription, view: DashboardView, showKind: boolean): SafeHtml {
  const { t } = ctx;
  const planName = view.planNames.get(sub.planId) ?? sub.planId;
  const delivery = view.deliveries?.get(sub.id);
  return html`<article class="card subscription" data-testid="subscription-card" data-subscription-id="${sub.id}">
  <h2><a href="/subscriptions/${sub.id}" data-testid="subscription-name">${subscriptionTitle(sub, planName)}</a> ${showKind ? kindBadge(ctx, sub) : ''}</h2>
  ${sub.label !== null ? html`<p class="muted">${planName}</p>` : ''}
  <p>${statusBadge(ctx, sub.status)} ${sub.trial ? html`<span class="badge">${t('dashboard.trial')}</span>` : ''} ${sub.autoRenew ? html`<span class="badge">${t('dashboard.autoRenew')}</span>` : ''}</p>
  <p>${t('dashboard.expires')}: <span data-testid="expires-at">${expiryText(ctx, sub, view.timeZone)}</span></p>
  ${usageView(ctx, sub)}
  ${delivery !== undefined ? partDeliveryBlock(ctx, delivery, { compact: true }) : ''}
  ${renameForm(ctx, sub, 'dashboard')}
  <a class="button small" href="/subscriptions/${sub.id}">${t('dashboard.open')}</a>
  <a class="button small secondary" href="/subscriptions/${sub.id}/link" data-testid="own-link-link">${t('ownSubscriptions.link.open')}</a>
</article>`;
}

/**
 * One card per subscription; the parts of one bundle together under their plan's name, each with its kind. A part
 * sold alone shows its kind only when it is not Xray, so an Xray subscription's card is as it always was.
 */
function groupCards(ctx: RequestContext, group: PartGroup<Subscription>, view: DashboardView): SafeHtml {
  const [first] = group.parts;
  if (group.bundleId === null || group.parts.length < 2 || first === undefined)
    return html`${group.parts.map((sub) => subscriptionCard(ctx, sub, view, sub.kind !== 'xray'))}`;
  const mixed = new Set(group.parts.map((sub) => sub.kind)).size > 1;
  return html`<section class="bundle" data-testid="bundle" data-bundle-id="${group.bundleId}">
  <h2 data-testid="bundle-name">${view.planNames.get(first.planId) ?? first.planId}</h2>
  ${group.parts.map((sub) => subscriptionCard(ctx, sub, view, mixed || sub.kind !== 'xray'))}
</section>`;
}

/** Who is signed in: the account's email, or that Telegram signed them in (a Mini App account has no real email). */
function signedInAs(ctx: RequestContext): string {
  const email = ctx.viewer?.account.email ?? '';
  if (isTelegramAccountEmail(email)) return ctx.t('miniapp.signedInThroughTelegram');
  return isPlaceholderEmail(email) ? ctx.t('signin.signedInWithoutEmail') : ctx.t('dashboard.signedInAs', { email });
}

export function dashboardPage(ctx: RequestContext, view: DashboardView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('dashboard.title'),
    notice: view.notice,
    body: html`<h1>${t('dashboard.title')}</h1>
<p class="muted">${signedInAs(ctx)} · <a href="/account/api-tokens" data-testid="api-tokens-link">${t('dashboard.apiTokens')}</a> · <a href="/account/notifications" data-testid="notifications-link">${t('notifications.page.link')}</a> · <a href="/account/credentials" data-testid="credentials-link">${t('credentials.title')}</a> · <a href="/account/security" data-testid="security-link">${t('security.title')}</a></p>
${view.shopLink !== null ? subscriptionLinkCard(ctx, view.shopLink) : ''}
${
  view.subscriptions.length === 0
    ? html`<section class="card" data-testid="no-subscriptions"><p>${t('dashboard.empty')}</p><a class="button" href="/">${t('dashboard.browse')}</a></section>`
    : html`<div class="grid">${groupByBundle(view.subscriptions).map((group) => groupCards(ctx, group, view))}</div>`
}
${view.nextCursor !== null ? html`<p><a href="/dashboard?cursor=${encodeURIComponent(view.nextCursor)}">${t('dashboard.more')}</a></p>` : ''}
${
  view.addEmail
    ? html`<section class="card" data-testid="add-email-offer"><h2>${t('signin.addEmail.title')}</h2><p>${t('signin.addEmail.offer')}</p>
<a class="button" href="/account/email">${t('signin.addEmail.link')}</a></section>`
    : ''
}
${
  view.telegram === 'offer'
    ? html`<section class="card" data-testid="telegram-link"><h2>${t('telegram.web.title')}</h2><p>${t('telegram.web.intro')}</p>
<form method="post" action="/account/telegram">${csrfField(ctx)}<button type="submit">${t('telegram.web.link')}</button></form></section>`
    : view.telegram === 'linked'
      ? html`<p class="muted" data-testid="telegram-linked">${t('telegram.web.linked')}</p>`
      : ''
}`,
  });
}
