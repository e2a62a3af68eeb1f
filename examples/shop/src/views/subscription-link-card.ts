import type { AppButton } from '../app/subscriptions/app-buttons.js';
import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { copyRow } from './subscription-page.js';

/** The buyer's one shop-owned link, as the dashboard shows it. */
export interface SubscriptionLinkView {
  url: string;
  /** The link's version, which the rotate form sends so a second submit replaces nothing more. */
  version: string;
  /** A `data:` QR of `url`, drawn locally. */
  qr: string;
  /** One-tap imports through the shop's https hop (in the Mini App, Telegram opens them outside its web view). */
  apps: readonly AppButton[];
}

/** The link every client app should subscribe to: copy, QR, and rotation (the old link stops at once). */
export function subscriptionLinkCard(ctx: RequestContext, link: SubscriptionLinkView): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-testid="shop-link">
  <h2>${t('sublink.title')}</h2>
  <p>${t('sublink.help')}</p>
  ${copyRow(ctx, 'shop-link-url', link.url, 'shop-link-url', t('sublink.title'))}
  <p><img class="qr" src="${link.qr}" alt="${t('sublink.qrAlt')}" data-testid="shop-link-qr" width="220" height="220"></p>
  <details data-testid="shop-link-apps">
    <summary>${t('linkPage.apps.title')}</summary>
    <ul class="link-apps">${link.apps.map(
      (b) =>
        html`<li class="link-app"><a class="button small" href="${b.url}" target="_blank" rel="noopener" data-testid="open-${b.app.id}">${t('linkPage.apps.add', { app: b.app.name })}</a></li>`,
    )}</ul>
  </details>
  <form method="post" action="/account/subscription-link/rotate" data-testid="rotate-link">
    ${csrfField(ctx)}
    <input type="hidden" name="from" value="${link.version}">
    <p class="muted">${t('sublink.rotateHelp')}</p>
    <button type="submit" class="small secondary">${t('sublink.rotate')}</button>
  </form>
</section>`;
}
