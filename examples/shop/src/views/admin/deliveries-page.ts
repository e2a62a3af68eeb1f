import type { RequestContext } from '../../http/context.js';
import { formatDateTime } from '../../i18n/format.js';
import type { FailedDelivery } from '../../db/notification-deliveries.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

const HEADINGS = [
  'notifications.page.when',
  'notifications.admin.kind',
  'notifications.admin.channel',
  'notifications.admin.address',
  'notifications.admin.attempts',
  'notifications.admin.error',
] as const;

/** Deliveries that used every attempt, with the last error and a button to send each again. */
export function failedDeliveriesBody(ctx: RequestContext, timeZone: string, failed: FailedDelivery[]): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('notifications.admin.title')}</h1>
<p class="muted">${t('notifications.admin.intro')}</p>
${
  failed.length === 0
    ? html`<p class="muted" data-testid="no-failed-deliveries">${t('notifications.admin.none')}</p>`
    : html`<div class="table-wrap"><table>
  <thead><tr>${HEADINGS.map((key) => html`<th>${t(key)}</th>`)}<th></th></tr></thead>
  <tbody>${failed.map(
    (d) => html`<tr data-testid="failed-delivery" data-delivery-id="${d.id}">
    <td>${formatDateTime(d.createdAt, ctx.locale, timeZone)}</td><td>${d.kind}</td><td>${d.channel}</td>
    <td dir="ltr">${d.address}</td><td>${d.attempts}</td><td dir="ltr">${d.lastError ?? ''}</td>
    <td><form method="post" action="/admin/deliveries/${d.id}/retry" class="inline">${csrfField(ctx)}
      <button type="submit" class="small">${t('notifications.admin.retry')}</button>
    </form></td>
  </tr>`,
  )}</tbody>
</table></div>`
}`;
}
