import type { Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatBytes, formatDateTime, formatNumber } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';

/** The status as a coloured badge (the raw status in `data-status`, for scripts and tests). */
export function statusBadge(ctx: RequestContext, status: SubscriptionStatus, testId?: string): SafeHtml {
  return html`<span class="badge ${status}" data-status="${status}" ${testId ? html`data-testid="${testId}"` : ''}>${ctx.t(`subscription.status.${status}`)}</span>`;
}

/** When it ends, in the shop's zone and the viewer's calendar; or why there is no date yet. */
export function expiryText(ctx: RequestContext, sub: Subscription, timeZone: string): string {
  if (sub.expiresAt !== null) return formatDateTime(sub.expiresAt, ctx.locale, timeZone);
  if (sub.status === 'pending' || sub.status === 'failed') return ctx.t('subscription.expiry.notYet');
  return ctx.t('subscription.expiry.onFirstUse');
}

/** Used of limit as text and a bar; unlimited and not-yet-measured said as such. */
export function usageView(ctx: RequestContext, sub: Pick<Subscription, 'usedBytes' | 'trafficLimitBytes'>): SafeHtml {
  const { t, locale } = ctx;
  const limit = sub.trafficLimitBytes;
  if (sub.usedBytes === null) {
    return html`<p class="usage-text" data-testid="usage">${t('subscription.usage.notMeasured')}${limit !== null ? html` · ${t('subscription.usage.limit', { limit: formatBytes(limit, locale) })}` : ''}</p>`;
  }
  const used = formatBytes(sub.usedBytes, locale);
  if (limit === null) return html`<p class="usage-text" data-testid="usage">${t('subscription.usage.usedUnlimited', { used })}</p>`;
  const share = limit === 0 ? 1 : Math.min(1, sub.usedBytes / limit);
  const percent = formatNumber(Math.round(share * 100), locale);
  return html`<div class="usage-block" data-testid="usage">
  <p class="usage-text">${t('subscription.usage.usedOf', { used, limit: formatBytes(limit, locale), percent })}</p>
  <progress class="usage-bar ${share >= 0.9 ? 'high' : ''}" max="${limit}" value="${Math.min(sub.usedBytes, limit)}">${percent}%</progress>
</div>`;
}
