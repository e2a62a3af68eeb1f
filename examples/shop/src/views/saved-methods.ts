import type { SavedPaymentMethodView } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatDateTime } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

/**
 * Saved payment methods: for the buyer (`manage`), each with its renewal switch and a remove button; for
 * staff, the same list read-only.
 */
export function savedMethodsList(
  ctx: RequestContext,
  methods: readonly SavedPaymentMethodView[],
  options: { manage: boolean; timeZone: string },
): SafeHtml {
  const { t } = ctx;
  if (methods.length === 0) return html`<p class="muted" data-testid="saved-methods-none">${t('wallet.methods.none')}</p>`;
  return html`<ul class="stack" data-testid="saved-methods">${methods.map(
    (m) => html`<li data-method="${m.id}" data-renewal="${m.allowRenewal ? 'on' : 'off'}">
  <strong>${m.label}</strong> · ${t(`wallet.providers.${m.providerId}`)} · <small>${formatDateTime(m.createdAt, ctx.locale, options.timeZone)}</small>
  <br>${m.allowRenewal ? t('wallet.methods.renewalOn') : t('wallet.methods.renewalOff')}
  ${
    options.manage
      ? html`<form method="post" action="/wallet/methods/${m.id}/renewal" class="inline">${csrfField(ctx)}<input type="hidden" name="allowed" value="${m.allowRenewal ? 'no' : 'yes'}"><button type="submit" data-testid="method-renewal">${m.allowRenewal ? t('wallet.methods.disallow') : t('wallet.methods.allow')}</button></form>
  <form method="post" action="/wallet/methods/${m.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="danger" data-testid="method-remove">${t('wallet.methods.remove')}</button></form>`
      : ''
  }
</li>`,
  )}</ul>`;
}
