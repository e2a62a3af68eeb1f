import type { Subscription } from '@panelkit/sdk';
import type { DeviceCount } from '../app/devices/subscription-devices.js';
import { deviceCountText } from '../i18n/device-text.js';
import type { RequestContext } from '../http/context.js';
import { directionOf } from '../i18n/translate.js';
import { appsFor, importLinkOf, PLATFORMS, type ClientApp, type Platform } from '@panelkit/subscription-feed/apps';
import { type BlockReason, feedTexts } from '@panelkit/subscription-feed';
import { html, type SafeHtml } from './html.js';
import { linkRoutingCard } from './link-routing-card.js';
import type { DirectRouting } from '@panelkit/subscription-feed';
import { expiryText, statusBadge, usageView } from './subscription-bits.js';
import { groupByBundle, type PartGroup } from '../app/kinds/bundle-groups.js';
import { deliveredByLink } from '../app/kinds/part-delivery.js';
import { kindBadge, partDeliveryBlock, type PartDeliveryView } from './part-delivery-card.js';

/** What the page at the buyer's link shows. */
export interface LinkPageView {
  /** The link on the shown address (what apps import, the QR carries). */
  url: string;
  /** A `data:` QR of `url`, drawn locally. */
  qr: string;
  subscriptions: readonly Subscription[];
  planNames: ReadonlyMap<string, string>;
  blocked: BlockReason | null;
  /** Where the buyer renews (their dashboard, on the shown address). */
  renewUrl: string;
  /** The platform the browser reports, or `null`. */
  platform: Platform | null;
  timeZone: string;
  /** The owner's banner in the buyer's language ('' for none). */
  banner: string;
  supportUrl: string | null;
  /** Each subscription's device count and limit, by id (those with neither are absent); read-only here. */
  devices?: ReadonlyMap<string, DeviceCount>;
  /** What the plans on the link send direct (`null` or absent: everything through the proxy, no card). */
  routing?: DirectRouting | null;
  /** Whether a subscription the link serves counts devices (the import links then ask for the device id). */
  deviceLimited?: boolean;
  /** How each WireGuard/AmneziaWG or Telegram part on the link is taken (by id); Xray parts are absent. */
  deliveries?: ReadonlyMap<string, PartDeliveryView>;
}

function appRow(ctx: RequestContext, view: LinkPageView, app: ClientApp): SafeHtml {
  const { t } = ctx;
  const importHref = importLinkOf(app, { url: view.url, title: ctx.shopName, deviceLimited: view.deviceLimited === true });
  return html`<li class="link-app" data-app="${app.id}">
  <strong>${app.name}</strong>
  ${
    importHref !== null
      ? html`<a class="button small" href="${importHref}" data-testid="import-${app.id}">${t('linkPage.apps.add', { app: app.name })}</a>`
      : html`<span class="muted">${t('linkPage.apps.byLink')}</span>`
  }
  <a href="${app.getAt}" rel="noopener noreferrer" data-testid="get-${app.id}">${t('linkPage.apps.get')}</a>
</li>`;
}

function platformApps(ctx: RequestContext, view: LinkPageView, platform: Platform): SafeHtml {
  return html`<ul class="link-apps" data-platform="${platform}">${appsFor(platform).map((app) => appRow(ctx, view, app))}</ul>`;
}

function subscriptionRow(ctx: RequestContext, view: LinkPageView, sub: Subscription, showKind: boolean): SafeHtml {
  const delivery = view.deliveries?.get(sub.id);
  return html`<li class="link-sub" data-testid="link-sub" data-status="${sub.status}">
  <p><strong>${view.planNames.get(sub.planId) ?? ''}</strong> ${showKind ? kindBadge(ctx, sub) : ''} ${statusBadge(ctx, sub.status)}</p>
  <p class="muted">${ctx.t('linkPage.expires', { date: expiryText(ctx, sub, view.timeZone) })}</p>
  ${usageView(ctx, sub)}
  ${delivery !== undefined && view.blocked === null ? partDeliveryBlock(ctx, delivery) : ''}
</li>`;
}

/** A subscription sold alone as its row; the parts of one bundle together under their plan's name. */
function groupRows(ctx: RequestContext, view: LinkPageView, group: PartGroup<Subscription>): SafeHtml {
  const [first] = group.parts;
  if (group.bundleId === null || group.parts.length < 2 || first === undefined)
    return html`${group.parts.map((sub) => subscriptionRow(ctx, view, sub, sub.kind !== 'xray'))}`;
  return html`<li class="link-bundle" data-testid="link-bundle" data-bundle-id="${group.bundleId}">
  <p><strong>${view.planNames.get(first.planId) ?? ''}</strong></p>
  <ul class="link-subs">${group.parts.map((sub) => subscriptionRow(ctx, view, sub, true))}</ul>
</li>`;
}

/** How many devices each subscription on the link counts against its limit, and where the buyer manages them. */
function devicesCard(ctx: RequestContext, view: LinkPageView): SafeHtml | '' {
  const counted = view.subscriptions.filter((s) => view.devices?.has(s.id) === true);
  if (counted.length === 0) return '';
  const { t } = ctx;
  return html`<section class="card" data-testid="link-devices">
  <h2>${t('devices.link.title')}</h2>
  <ul>${counted.map((s) => {
    const { count, limit } = view.devices!.get(s.id)!;
    const line = t('devices.link.line', { plan: view.planNames.get(s.planId) ?? '', count: deviceCountText(count, limit, t) });
    return html`<li data-testid="link-device-count" data-count="${count}" data-limit="${limit ?? ''}">${line}</li>`;
  })}</ul>
  <p class="muted"><a href="${view.renewUrl}">${t('devices.link.manage')}</a></p>
</section>`;
}

/**
 * The page a browser gets at `/s/<token>`: the subscriptions on the link with state, expiry and usage; the QR; the
 * apps for the browser's platform with one-tap import, the other platforms one tap away. No script: `<details>`
 * does the folding, and everything it loads is the shop's own stylesheet and `data:` images.
 */
export function linkPage(ctx: RequestContext, view: LinkPageView): SafeHtml {
  const { t } = ctx;
  const others = PLATFORMS.filter((p) => p !== view.platform);
  // The apps and the link's QR are for parts the link delivers (Xray); a link of configs and proxies alone skips them.
  const xrayOnLink = view.subscriptions.length === 0 || view.subscriptions.some((sub) => deliveredByLink(sub));
  return html`<!doctype html>
<html lang="${ctx.locale}" dir="${directionOf(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${t('linkPage.title')} · ${ctx.shopName}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/shop.css">
</head>
<body>
<header class="top"><span class="brand">${ctx.shopName}</span></header>
<main class="link-page">
<h1>${t('linkPage.title')}</h1>
${view.banner !== '' ? html`<p class="notice" data-testid="link-banner">${view.banner}</p>` : ''}
${
  view.blocked !== null
    ? html`<section class="card error" data-testid="link-blocked" data-reason="${view.blocked}">
  <p>${feedTexts(ctx.locale)[view.blocked]}</p>
  <p><a class="button" href="${view.renewUrl}">${t('linkPage.renew')}</a></p>
</section>`
    : ''
}
<section class="card" data-testid="link-subscriptions">
  <h2>${t('linkPage.subscriptions')}</h2>
  ${
    view.subscriptions.length === 0
      ? html`<p class="muted">${t('linkPage.none')}</p>`
      : html`<ul class="link-subs">${groupByBundle(view.subscriptions).map((g) => groupRows(ctx, view, g))}</ul>`
  }
</section>
${devicesCard(ctx, view)}
${linkRoutingCard(ctx, view.routing)}
${
  xrayOnLink
    ? html`<section class="card" data-testid="link-apps">
  <h2>${t('linkPage.apps.title')}</h2>
  <p class="muted">${t('linkPage.apps.help')}</p>
  ${
    view.platform !== null
      ? html`<h3 data-testid="link-platform" data-platform="${view.platform}">${t(`linkPage.platforms.${view.platform}`)}</h3>
  ${platformApps(ctx, view, view.platform)}`
      : ''
  }
  ${others.map(
    (p) => html`<details data-testid="link-platform-other" data-platform="${p}">
    <summary>${t(`linkPage.platforms.${p}`)}</summary>
    ${platformApps(ctx, view, p)}
  </details>`,
  )}
</section>
<section class="card" data-testid="link-qr-card">
  <h2>${t('linkPage.qrTitle')}</h2>
  <p><img class="qr" src="${view.qr}" alt="${t('sublink.qrAlt')}" data-testid="link-qr" width="220" height="220"></p>
  <label for="link-url">${t('linkPage.copy')}</label>
  <input id="link-url" type="text" readonly value="${view.url}" data-testid="link-url">
</section>`
    : ''
}
${view.supportUrl !== null ? html`<p><a href="${view.supportUrl}" rel="noopener noreferrer" data-testid="link-support">${t('linkPage.support')}</a></p>` : ''}
</main>
</body>
</html>`;
}
