import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';

/** Where the support contact leads: the link itself, a mailto: for an address, t.me for a Telegram @handle. */
export function supportHref(contact: string): string {
  if (/^https?:\/\//.test(contact)) return contact;
  if (contact.startsWith('@')) return `https://t.me/${contact.slice(1)}`;
  return `mailto:${contact}`;
}

/** The page footer: support contact, terms and refund policy, each only when the shop configured it. */
export function shopFooter(ctx: RequestContext): SafeHtml | '' {
  const { t } = ctx;
  const footer = ctx.footer;
  if (footer === undefined) return '';
  const items = [
    footer.supportContact !== null
      ? html`<li>${t('footer.support')}: <a href="${supportHref(footer.supportContact)}" dir="ltr" data-testid="footer-support" rel="noopener">${footer.supportContact}</a></li>`
      : null,
    footer.termsUrl !== null
      ? html`<li><a href="${footer.termsUrl}" data-testid="footer-terms" rel="noopener">${t('footer.terms')}</a></li>`
      : null,
    footer.refundPolicyUrl !== null
      ? html`<li><a href="${footer.refundPolicyUrl}" data-testid="footer-refunds" rel="noopener">${t('footer.refunds')}</a></li>`
      : null,
  ].filter((item): item is SafeHtml => item !== null);
  if (items.length === 0) return '';
  return html`<footer class="shop-footer" data-testid="footer"><ul>${items}</ul></footer>`;
}
