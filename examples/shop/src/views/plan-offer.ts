import type { Plan } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { bundleLineText, kindName, kindReceiveText } from '../i18n/kind-text.js';
import { html, type SafeHtml } from './html.js';

/**
 * What a plan sells, on its catalogue card and its checkout: one badge per kind ("WireGuard", "Telegram proxy"), and
 * for a bundle (several kinds) the line naming its parts.
 */
export function planKindBadges(ctx: RequestContext, plan: Pick<Plan, 'kinds'>): SafeHtml {
  const { t, locale } = ctx;
  const bundle = bundleLineText(plan.kinds, t, locale);
  return html`<p class="kinds" data-testid="plan-kinds"><span class="muted">${t('kinds.offer.sells')}:</span> ${plan.kinds.map(
    (kind) => html`<span class="badge" data-kind="${kind}">${kindName(kind, t)}</span> `,
  )}</p>
${bundle === null ? '' : html`<p class="muted" data-testid="plan-bundle">${bundle}</p>`}`;
}

/** The checkout's "What you will receive": one line per part of the plan (a link for the app, a config file, a Telegram link). */
export function planReceives(ctx: RequestContext, plan: Pick<Plan, 'kinds'>): SafeHtml {
  const { t } = ctx;
  return html`<div data-testid="checkout-receives"><h3>${t('kinds.offer.receiveTitle')}</h3>
<ul>${plan.kinds.map((kind) => html`<li data-kind="${kind}">${kindReceiveText(kind, t)}</li>`)}</ul></div>`;
}
