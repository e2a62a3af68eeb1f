import type { RequestContext } from '../http/context.js';
import { formatDateTime } from '../i18n/format.js';
import { CUSTOMER_KINDS, kindTextKey, type CustomerKind } from '../db/notification-kinds.js';
import { renderNotification } from '../app/notifications/render.js';
import type { Notification } from '../db/notifications.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** What the buyer's notifications page shows. */
export interface NotificationsView {
  history: Notification[];
  nextCursor: string | null;
  optedOut: ReadonlySet<CustomerKind>;
  timeZone: string;
  notice: string | null;
}

function historyRow(ctx: RequestContext, n: Notification, timeZone: string): SafeHtml {
  const message = renderNotification(n.kind, n.params, { locale: ctx.locale, timeZone, shopName: ctx.shopName });
  return html`<tr data-testid="notification" data-kind="${n.kind}">
  <td>${formatDateTime(n.createdAt, ctx.locale, timeZone)}</td>
  <td><details><summary>${message.subject}</summary><p class="message-text">${message.text}</p></details>
    ${n.muted ? html`<span class="badge">${ctx.t('notifications.page.muted')}</span>` : ''}</td>
</tr>`;
}

/** The buyer's notifications: which kinds to send (a checkbox each), and what the shop has told them. */
export function notificationsPage(ctx: RequestContext, view: NotificationsView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('notifications.page.title'),
    notice: view.notice,
    body: html`<h1>${t('notifications.page.title')}</h1>
<p class="muted">${t('notifications.page.intro')}</p>
<section class="card">
  <h2>${t('notifications.page.preferences')}</h2>
  <form method="post" action="/account/notifications" class="stack" data-testid="notification-preferences">
    ${csrfField(ctx)}
    <input type="hidden" name="form" value="preferences">
    ${CUSTOMER_KINDS.map(
      (kind) => html`<label class="check">
      <input type="checkbox" name="send" value="${kind}" ${view.optedOut.has(kind) ? '' : html`checked`}> ${t(kindTextKey(kind, 'name'))}
    </label>`,
    )}
    <button type="submit">${t('notifications.page.save')}</button>
  </form>
</section>
<section class="card">
  <h2>${t('notifications.page.history')}</h2>
  ${
    view.history.length === 0
      ? html`<p class="muted" data-testid="no-notifications">${t('notifications.page.none')}</p>`
      : html`<div class="table-wrap"><table>
    <thead><tr><th>${t('notifications.page.when')}</th><th>${t('notifications.page.what')}</th></tr></thead>
    <tbody>${view.history.map((n) => historyRow(ctx, n, view.timeZone))}</tbody>
  </table></div>`
  }
  ${
    view.nextCursor !== null
      ? html`<p><a href="/account/notifications?cursor=${encodeURIComponent(view.nextCursor)}">${t('notifications.page.more')}</a></p>`
      : ''
  }
</section>`,
  });
}
