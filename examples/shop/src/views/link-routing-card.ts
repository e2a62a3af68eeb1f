import type { RequestContext } from '../http/context.js';
import { happRoutingLinkOf } from '@panelkit/subscription-feed/formats';
import type { DirectRouting, RoutingCountry } from '@panelkit/subscription-feed/formats';
import { html, type SafeHtml } from './html.js';

/** Each country's line on the page. */
const COUNTRY_KEYS: Readonly<Record<RoutingCountry, string>> = {
  ru: 'routing.page.ru',
  ir: 'routing.page.ir',
  cn: 'routing.page.cn',
};

/**
 * What the buyer's plan sends direct, on the link's page: local networks and each country's sites and addresses, that
 * the apps apply by themselves, and Happ's deep link for adding it by hand. Nothing for a plan without routing.
 */
export function linkRoutingCard(ctx: RequestContext, routing: DirectRouting | null | undefined): SafeHtml | '' {
  if (routing === null || routing === undefined) return '';
  const { t } = ctx;
  return html`<section class="card" data-testid="link-routing" data-countries="${routing.countries.join(' ')}">
  <h2>${t('routing.page.title')}</h2>
  <p>${t('routing.page.intro')}</p>
  <ul>
    ${routing.countries.map((c) => html`<li data-testid="link-routing-country" data-country="${c}">${t(COUNTRY_KEYS[c])}</li>`)}
    <li data-testid="link-routing-private">${t('routing.page.private')}</li>
  </ul>
  <p class="muted">${t('routing.page.apps')}</p>
  <p><a class="button small" href="${happRoutingLinkOf(routing, ctx.shopName)}" data-testid="link-routing-happ">${t('routing.page.happ')}</a></p>
</section>`;
}
