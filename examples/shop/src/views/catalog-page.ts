import { storefrontWelcome } from './storefront-banner.js';
import type { Plan } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatNumber } from '../i18n/format.js';
import { planListPrice, planSummary } from '../i18n/plan-text.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { planKindBadges } from './plan-offer.js';
import type { CatalogGroup } from '../app/plans/catalog-groups.js';

function planCard(ctx: RequestContext, plan: Plan): SafeHtml {
  const { t, locale } = ctx;
  return html`<article class="card plan" data-testid="plan-card">
  <h3>${plan.name}</h3>
  <p class="price" data-testid="plan-price">${planListPrice(plan, t, locale)}</p>
  <p>${planSummary(plan, t, locale)}</p>
  ${planKindBadges(ctx, plan)}
  ${plan.description ? html`<p class="muted">${plan.description}</p>` : ''}
  ${plan.trial !== null ? html`<p><span class="badge">${t('catalog.trialAvailable', { days: formatNumber(plan.trial.days, locale) })}</span></p>` : ''}
  <a class="button" href="/checkout/${plan.id}">${t('catalog.buy')}</a>
</article>`;
}

export function catalogPage(ctx: RequestContext, groups: CatalogGroup[], notice: string | null): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('catalog.title'),
    notice,
    body: html`<h1>${t('catalog.title')}</h1>
${storefrontWelcome(ctx)}
${groups.length === 0 ? html`<p class="muted">${t('catalog.empty')}</p>` : ''}
${groups.map(
  (group) => html`<section class="location" data-location="${group.location ?? 'any'}">
  <h2>${group.name ?? t('catalog.anyLocation')}</h2>
  <div class="grid">${group.plans.map((plan) => planCard(ctx, plan))}</div>
</section>`,
)}`,
  });
}
