import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { copyRow } from './subscription-page.js';

/** What the page of one subscription's own link shows. */
export interface OwnLinkView {
  subscriptionId: string;
  /** The subscription's name (its label, else its plan's name). */
  title: string;
  /** The link that serves this subscription alone, and a `data:` QR of it. */
  url: string;
  /** The link's version, which the rotate form sends so a second submit replaces nothing more. */
  version: string;
  qr: string;
  notice: string | null;
}

/** One subscription's own link: copy, QR, and rotation (the old link stops at once; other links are untouched). */
export function ownLinkPage(ctx: RequestContext, view: OwnLinkView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('ownSubscriptions.link.title', { name: view.title }),
    notice: view.notice,
    body: html`<h1>${t('ownSubscriptions.link.title', { name: view.title })}</h1>
<section class="card" data-testid="own-link">
  <p>${t('ownSubscriptions.link.help')}</p>
  ${copyRow(ctx, 'own-link-url', view.url, 'own-link-url', t('ownSubscriptions.link.label'))}
  <p><img class="qr" src="${view.qr}" alt="${t('ownSubscriptions.link.qrAlt')}" data-testid="own-link-qr" width="220" height="220"></p>
  <form method="post" action="/subscriptions/${view.subscriptionId}/link/rotate" data-testid="rotate-own-link">
    ${csrfField(ctx)}
    <input type="hidden" name="from" value="${view.version}">
    <p class="muted">${t('ownSubscriptions.link.rotateHelp')}</p>
    <button type="submit" class="small secondary">${t('ownSubscriptions.link.rotate')}</button>
  </form>
</section>
<p><a href="/subscriptions/${view.subscriptionId}">${t('ownSubscriptions.back')}</a></p>`,
  });
}
