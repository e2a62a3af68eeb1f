import { HAS_REMOTE_CLIENT, type PendingReason, type Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatDuration } from '../i18n/duration.js';
import { formatNumber } from '../i18n/format.js';
import { clientGuides } from './client-guides.js';
import type { SubscriptionDevices } from '../app/devices/subscription-devices.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { devicesSection, type DevicePackSlot } from './subscription-devices.js';
import { expiryText, statusBadge, usageView } from './subscription-bits.js';
import { renameForm, subscriptionTitle } from './subscription-name.js';
import { kindBadge, partDeliveryBlock, type PartDeliveryView } from './part-delivery-card.js';
import { deliveredByLink } from '../app/kinds/part-delivery.js';

export interface SubscriptionView {
  sub: Subscription;
  planName: string;
  /**
   * This subscription's own link (`ownLinkOf`: the shop's `/s/<token>` serving it alone, never the panel's subscription
   * URL) and a `data:` QR of it; the account's link, with every subscription, is the dashboard's.
   */
  link: { url: string; qr: string };
  changeInFlight: boolean;
  /** Why it is still pending (`kit.pendingReason`): a server known to be down gets its own note. */
  pendingReason: PendingReason | null;
  now: Date;
  timeZone: string;
  notice: string | null;
  /** The subscription's devices and limit ("my devices"); `null` hides the section (no client on a panel yet). */
  devices: SubscriptionDevices | null;
  /** Extra devices for sale beside them; `null` (or absent) shows none. */
  devicePack?: DevicePackSlot | null;
  /** Its place in a family plan: `payer` (the group's page is offered), `member` (a seat in someone's), or none. */
  family?: 'payer' | 'member' | null;
  /** Whether its plan offers another location to move to. */
  movable?: boolean;
  /**
   * How the buyer takes a part the link does not deliver (WireGuard, AmneziaWG, Telegram proxy), shown instead of the
   * link and its app guides; `null` or absent for an Xray subscription and for a part that is not usable now.
   */
  delivery?: PartDeliveryView | null;
  /** The sharing guard's step in force (`guardStepShown`): a line says the subscription is limited or suspended. */
  guardStep?: 'limit' | 'suspend' | null;
}

/** A read-only field holding a link, with a Copy button (the page script copies it). */
export function copyRow(ctx: RequestContext, id: string, value: string, testId: string, label: string): SafeHtml {
  return html`<div class="copy-row">
  <input id="${id}" type="text" readonly value="${value}" data-testid="${testId}" aria-label="${label}" dir="ltr" spellcheck="false">
  <button type="button" class="small" data-copy="#${id}" data-copied="${ctx.t('subscription.copied')}">${ctx.t('subscription.copy')}</button>
</div>`;
}

function timeLeft(ctx: RequestContext, sub: Subscription, now: Date): SafeHtml | '' {
  if (sub.expiresAt === null) return '';
  const ms = sub.expiresAt.getTime() - now.getTime();
  return html`<dt>${ctx.t('subscription.timeLeft')}</dt><dd data-testid="time-left">${ms > 0 ? formatDuration(ms, ctx.t) : ctx.t('subscription.timeUp')}</dd>`;
}

function connection(ctx: RequestContext, view: SubscriptionView): SafeHtml {
  const { t } = ctx;
  const { sub } = view;
  if (!HAS_REMOTE_CLIENT.has(sub.status)) return html``;
  return html`<section class="card" data-testid="connection">
  <h2>${t('subscription.connect')}</h2>
  <p>${t('subscription.urlHelp')}</p>${copyRow(ctx, 'subscription-url', view.link.url, 'subscription-url', t('subscription.url'))}
  <p><img class="qr" src="${view.link.qr}" alt="${t('subscription.qrAlt')}" data-testid="qr" width="220" height="220"></p><p class="muted">${t('subscription.qrHelp')}</p>
  <p class="muted" data-testid="main-link-note">${t('subscription.mainLinkNote')}</p>
  ${
    sub.shareLinks.length > 0
      ? html`<details><summary>${t('subscription.shareLinks', { count: formatNumber(sub.shareLinks.length, ctx.locale) })}</summary>
    <p class="muted">${t('subscription.shareLinksHelp')}</p>
    ${sub.shareLinks.map((link, i) => copyRow(ctx, `share-link-${i + 1}`, link, 'share-link', t('subscription.shareLink', { n: formatNumber(i + 1, ctx.locale) })))}
  </details>`
      : ''
  }
</section>
${clientGuides(ctx)}`;
}

/** A WireGuard/AmneziaWG or Telegram part's delivery, where an Xray subscription shows its link. */
function partConnection(ctx: RequestContext, sub: Subscription, delivery: PartDeliveryView): SafeHtml | '' {
  if (!HAS_REMOTE_CLIENT.has(sub.status)) return '';
  return html`<section class="card" data-testid="connection">
  <h2>${ctx.t('subscription.connect')} ${kindBadge(ctx, sub)}</h2>
  ${partDeliveryBlock(ctx, delivery)}
</section>`;
}

function stateNote(ctx: RequestContext, sub: Subscription, reason: PendingReason | null): SafeHtml | '' {
  const { t } = ctx;
  switch (sub.status) {
    case 'pending':
      return reason === 'panel_unavailable'
        ? html`<p class="notice" role="status" data-testid="panel-unavailable">${t('subscription.notes.panelUnavailable')}</p>`
        : html`<p class="notice" role="status">${t('subscription.notes.pending')}</p>`;
    case 'on_hold':
      return html`<p class="notice" data-testid="first-use">${t('subscription.notes.onHold', { days: t('plans.days', { count: sub.durationDays }) })}</p>`;
    case 'failed':
      return html`<p class="error">${t('subscription.notes.failed')}</p>`;
    case 'limited':
    case 'expired':
    case 'suspended':
    case 'terminated':
      return html`<p class="error">${t(`subscription.notes.${sub.status}`)}</p>`;
    default:
      return '';
  }
}

const EXTENDED = 'subscription.notices.extended';

/**
 * One note about a paid change: while it is applied (the page reloads itself until it is done), then that it
 * is done with the new expiry, which the facts below already show.
 */
function changeNote(ctx: RequestContext, view: SubscriptionView): SafeHtml | '' {
  const { t } = ctx;
  if (view.changeInFlight) {
    return html`<p class="notice" role="status" data-testid="change-in-flight">${t(view.notice === EXTENDED ? EXTENDED : 'subscription.notes.changeInFlight')}</p>`;
  }
  if (view.notice !== EXTENDED) return '';
  const until = expiryText(ctx, view.sub, view.timeZone);
  return html`<p class="notice" role="status" data-testid="extension-applied">${t('subscription.notes.extendedDone', { expiry: until })}</p>`;
}

/** Its own link, moving it, and its family plan: the links to the pages that manage one of several subscriptions. */
function manageLinks(ctx: RequestContext, view: SubscriptionView): SafeHtml {
  const { t } = ctx;
  const { sub } = view;
  return html`<p class="actions" data-testid="manage-links"><a class="button secondary" href="/subscriptions/${sub.id}/link" data-testid="own-link-link">${t('ownSubscriptions.link.open')}</a>
  ${view.movable ? html`<a class="button secondary" href="/subscriptions/${sub.id}/move" data-testid="move-link">${t('ownSubscriptions.move.open')}</a>` : ''}
  ${view.family === 'payer' ? html`<a class="button secondary" href="/subscriptions/${sub.id}/family" data-testid="family-link">${t('ownSubscriptions.family.open')}</a>` : ''}</p>
  ${view.family === 'member' ? html`<p class="muted" data-testid="family-member-note">${t('ownSubscriptions.family.memberNote')}</p>` : ''}`;
}

export function subscriptionPage(ctx: RequestContext, view: SubscriptionView): SafeHtml {
  const { t } = ctx;
  const { sub } = view;
  const title = subscriptionTitle(sub, view.planName);
  return page(ctx, {
    title,
    // The change notes below speak for a paid extension; the layout's notice would stack a second one.
    notice: view.notice === EXTENDED ? null : view.notice,
    head: sub.status === 'pending' || view.changeInFlight ? html`<meta http-equiv="refresh" content="5">` : '',
    body: html`<h1 data-testid="subscription-title">${title}</h1>
${sub.label !== null ? html`<p class="muted">${view.planName}</p>` : ''}
${renameForm(ctx, sub, 'subscription')}
${stateNote(ctx, sub, view.pendingReason)}
${changeNote(ctx, view)}
${view.guardStep ? html`<p class="error" role="status" data-testid="guard-note">${t(view.guardStep === 'limit' ? 'guard.buyer.limit' : 'guard.buyer.suspend')}</p>` : ''}
<section class="card" data-testid="subscription" data-subscription-id="${sub.id}">
  <dl class="facts">
    <dt>${t('subscription.statusLabel')}</dt><dd>${statusBadge(ctx, sub.status, 'status')}</dd>
    <dt>${t('subscription.expires')}</dt><dd data-testid="expires-at">${expiryText(ctx, sub, view.timeZone)}</dd>
    ${timeLeft(ctx, sub, view.now)}
    <dt>${t('subscription.autoRenew')}</dt><dd><span data-testid="auto-renew">${sub.autoRenew ? t('subscription.yes') : t('subscription.no')}</span>
      <form method="post" action="/subscriptions/${sub.id}/auto-renew" class="inline">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken}"><input type="hidden" name="enabled" value="${sub.autoRenew ? 'off' : 'on'}">
        <button type="submit" class="small secondary" data-testid="auto-renew-toggle" title="${t('subscription.autoRenewHelp')}">${t(sub.autoRenew ? 'subscription.autoRenewOff' : 'subscription.autoRenewOn')}</button>
      </form></dd>
    ${sub.deviceLimit !== null ? html`<dt>${t('subscription.devices')}</dt><dd>${formatNumber(sub.deviceLimit, ctx.locale)}</dd>` : ''}
    ${sub.trial ? html`<dt>${t('subscription.trial')}</dt><dd>${t('subscription.yes')}</dd>` : ''}
  </dl>
  <h2>${t('subscription.usage.title')}</h2>
  ${usageView(ctx, sub)}
  <p><a class="button" href="/subscriptions/${sub.id}/extend" data-testid="extend-link">${t('subscription.extend')}</a>
    <a class="button secondary" href="/subscriptions/${sub.id}/traffic" data-testid="traffic-link">${t('traffic.link')}</a>
    <a class="button secondary" href="/subscriptions/${sub.id}/plan" data-testid="plan-change-link">${t('planChange.link')}</a></p>
  ${manageLinks(ctx, view)}
</section>
${view.devices !== null ? devicesSection(ctx, view.devices, view.timeZone, view.devicePack ?? null) : ''}
${deliveredByLink(sub) ? connection(ctx, view) : view.delivery ? partConnection(ctx, sub, view.delivery) : ''}`,
  });
}
