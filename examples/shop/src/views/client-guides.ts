import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';

/**
 * Client apps buyers commonly use, with how many steps each guide has in `guides.apps.<id>.steps`: every app the
 * link's page offers (`@panelkit/subscription-feed/apps`) that has no one-tap import, checked by `subscription.test.ts`, and a few more.
 */
const GUIDES = [
  { id: 'hiddify', steps: 4 },
  { id: 'happ', steps: 4 },
  { id: 'v2raytun', steps: 4 },
  { id: 'v2rayng', steps: 4 },
  { id: 'sing-box', steps: 4 },
  { id: 'clash-verge', steps: 4 },
  { id: 'flclash', steps: 4 },
  { id: 'streisand', steps: 4 },
  { id: 'v2rayn', steps: 4 },
  { id: 'nekobox', steps: 4 },
] as const;

/** Short, localized how-tos for importing the subscription link (or QR) into common apps. */
export function clientGuides(ctx: RequestContext): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-testid="client-guides">
  <h2>${t('guides.title')}</h2>
  <p class="muted">${t('guides.intro')}</p>
  ${GUIDES.map(
    (guide) => html`<details data-guide="${guide.id}">
    <summary>${t(`guides.apps.${guide.id}.name`)} <span class="muted">(${t(`guides.apps.${guide.id}.platforms`)})</span></summary>
    <ol>${Array.from({ length: guide.steps }, (_, i) => html`<li>${t(`guides.apps.${guide.id}.steps.${i + 1}`)}</li>`)}</ol>
  </details>`,
  )}
</section>`;
}
