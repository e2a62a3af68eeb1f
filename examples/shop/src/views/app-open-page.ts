import type { RequestContext } from '../http/context.js';
import { directionOf } from '../i18n/translate.js';
import { html, type SafeHtml } from './html.js';

/** What the hop page shows: the app, its import link for the buyer's link, and where to go without the app. */
export interface AppOpenView {
  appName: string;
  /** The app's own import link, in its custom scheme (`@panelkit/subscription-feed/apps`). */
  importLink: string;
  /** The app's download page. */
  getAt: string;
  /** The buyer's link page (every app, the QR). */
  pageUrl: string;
}

/**
 * The https hop's page (`/s/<token>/open/<app>`): it asks the browser to open the app's import link at once (a
 * meta refresh, no script), and offers the same link as a button for a browser that waits for a tap, with the app's
 * download page and the link's page beside it. Never indexed, never sends the address on as a referrer.
 */
export function appOpenPage(ctx: RequestContext, view: AppOpenView): SafeHtml {
  const { t } = ctx;
  return html`<!doctype html>
<html lang="${ctx.locale}" dir="${directionOf(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${view.importLink}">
<title>${t('linkPage.open.title', { app: view.appName })} · ${ctx.shopName}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/shop.css">
</head>
<body>
<header class="top"><span class="brand">${ctx.shopName}</span></header>
<main class="link-page">
<h1>${t('linkPage.open.title', { app: view.appName })}</h1>
<p>${t('linkPage.open.help', { app: view.appName })}</p>
<p><a class="button" href="${view.importLink}" data-testid="open-app">${t('linkPage.apps.add', { app: view.appName })}</a></p>
<p><a href="${view.getAt}" rel="noopener noreferrer" data-testid="get-app">${t('linkPage.apps.get')}</a></p>
<p class="muted"><a href="${view.pageUrl}" data-testid="link-page">${t('linkPage.open.allApps')}</a></p>
</main>
</body>
</html>`;
}
