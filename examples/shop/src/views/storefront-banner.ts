import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';

/**
 * On every page of a suspended storefront's buyer (or visitor): it sells nothing now, their subscriptions and links
 * keep working (the SDK refuses its sales; this only tells it ahead).
 */
export function storefrontSuspendedNotice(ctx: RequestContext): SafeHtml | '' {
  if (ctx.storefront?.status !== 'suspended') return '';
  return html`<p class="notice warning" role="status" data-testid="storefront-suspended">${ctx.t('storefronts.refusals.storefront_suspended')}</p>`;
}

/** The storefront's welcome from its brand, in the reader's language (else English), on its catalog; '' when none. */
export function storefrontWelcome(ctx: RequestContext): SafeHtml | '' {
  const welcome = ctx.storefront?.welcome;
  const text = welcome?.[ctx.locale] ?? welcome?.['en'];
  return text === undefined ? '' : html`<p class="lead" data-testid="storefront-welcome">${text}</p>`;
}
