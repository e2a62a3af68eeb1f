import type { RequestContext } from '../../http/context.js';
import { formatDuration } from '../../i18n/duration.js';
import { formatDateTime } from '../../i18n/format.js';
import type { SupportOverview, WaitFigures } from '../../app/support/ticket-waits.js';
import type { TicketThread } from '../../app/support/tickets.js';
import { MESSAGE_MAX, REASON_MAX } from '../../app/support/ticket-input.js';
import { roleMayUse } from '../../app/auth/staff-roles.js';
import { closedLine, ticketStatusBadge, ticketThread } from '../support-pages.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

const span = (ctx: RequestContext, ms: number | null): string => (ms === null ? '—' : formatDuration(ms, ctx.t));

function figures(ctx: RequestContext, name: string, f: WaitFigures, testId: string): SafeHtml {
  return html`<div class="card" data-testid="${testId}"><h3>${ctx.t(name)}</h3>
  <p>${ctx.t('support.admin.median')}: <strong data-testid="${testId}-median">${span(ctx, f.medianMs)}</strong> ·
     ${ctx.t('support.admin.longest')}: <strong data-testid="${testId}-longest">${span(ctx, f.longestMs)}</strong> ·
     ${ctx.t('support.admin.count', { count: f.count })}</p></div>`;
}

/** The staff's tickets page: the open tickets, the longest waiting first, with their waits and the figures over them. */
export function ticketsOverviewBody(ctx: RequestContext, overview: SupportOverview, buyers: ReadonlyMap<string, string>): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('support.admin.title')}</h1>
<div class="grid">
  ${figures(ctx, 'support.admin.waitingNow', overview.waitingNow, 'waiting-now')}
  ${figures(ctx, 'support.admin.firstAnswer', overview.firstAnswer, 'first-answer')}
</div>
${
  overview.open.length === 0
    ? html`<p class="muted" data-testid="no-open-tickets">${t('support.admin.none')}</p>`
    : html`<div class="table-wrap"><table data-testid="open-tickets">
  <thead><tr><th>${t('support.subject')}</th><th>${t('support.admin.buyer')}</th><th>${t('support.admin.status')}</th>
    <th>${t('support.admin.waiting')}</th><th>${t('support.admin.firstAnswerCol')}</th></tr></thead>
  <tbody>${overview.open.map(
    (w) => html`<tr data-testid="open-ticket" data-ticket="${w.ticket.id}">
    <td><a href="/admin/tickets/${w.ticket.id}">${w.ticket.subject}</a></td>
    <td>${buyers.get(w.ticket.customerId) ?? w.ticket.customerId}</td>
    <td>${ticketStatusBadge(ctx, w.ticket)}</td>
    <td>${span(ctx, w.waitingMs)}</td>
    <td>${span(ctx, w.firstAnswerMs)}${w.unanswered ? html` <small class="muted">${t('support.admin.running')}</small>` : ''}</td>
  </tr>`,
  )}</tbody></table></div>`
}`;
}

/** One ticket for staff: the buyer, the thread with its pictures, the answer and close forms, and delete for the owner. */
export function staffTicketBody(ctx: RequestContext, thread: TicketThread, buyer: string, timeZone: string): SafeHtml {
  const { t } = ctx;
  const { ticket } = thread;
  const role = ctx.viewer?.account.role ?? 'buyer';
  return html`<p><a href="/admin/tickets">${t('support.admin.back')}</a></p>
<h1 data-testid="ticket-subject">${ticket.subject}</h1>
<p>${ticketStatusBadge(ctx, ticket)} · <a href="/admin/customers/${ticket.customerId}">${buyer}</a> ·
  ${formatDateTime(ticket.createdAt, ctx.locale, timeZone)}</p>
${closedLine(ctx, ticket, timeZone)}
${ticketThread(ctx, thread.messages, timeZone, (m) => `/admin/tickets/${ticket.id}/messages/${m.id}/picture`)}
${
  ticket.status === 'closed'
    ? html`<p class="muted">${t('support.admin.closedHint')}</p>`
    : html`<section class="card">
  <form method="post" action="/admin/tickets/${ticket.id}/answer" class="stack" data-testid="ticket-answer">
    ${csrfField(ctx)}
    <label for="f-text">${t('support.admin.answer')}
      <textarea id="f-text" name="text" rows="5" maxlength="${MESSAGE_MAX}" required></textarea></label>
    <button type="submit">${t('support.send')}</button>
  </form>
</section>
<section class="card">
  <form method="post" action="/admin/tickets/${ticket.id}/close" class="stack" data-testid="ticket-close">
    ${csrfField(ctx)}
    <label for="f-reason">${t('support.admin.closeReason')}
      <input id="f-reason" name="reason" maxlength="${REASON_MAX}" required></label>
    <button type="submit" class="secondary">${t('support.close')}</button>
  </form>
</section>`
}
${
  roleMayUse(role, 'POST', `/admin/tickets/${ticket.id}/delete`)
    ? html`<form method="post" action="/admin/tickets/${ticket.id}/delete" data-testid="ticket-delete">
    ${csrfField(ctx)}<button type="submit" class="danger">${t('support.admin.delete')}</button></form>`
    : ''
}`;
}
