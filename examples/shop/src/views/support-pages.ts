import type { RequestContext } from '../http/context.js';
import { formatDateTime } from '../i18n/format.js';
import type { Ticket, TicketMessage } from '../db/support-tickets.js';
import { MESSAGE_MAX, REASON_MAX, SUBJECT_MAX } from '../app/support/ticket-input.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** A ticket's status as a badge. */
export function ticketStatusBadge(ctx: RequestContext, ticket: Ticket): SafeHtml {
  return html`<span class="badge" data-testid="ticket-status" data-status="${ticket.status}">${ctx.t(`support.status.${ticket.status}`)}</span>`;
}

/** A thread, oldest first: who wrote, when, and whether a picture came with it (`pictureHref` links it for staff). */
export function ticketThread(
  ctx: RequestContext,
  messages: readonly TicketMessage[],
  timeZone: string,
  pictureHref: ((m: TicketMessage) => string) | null,
): SafeHtml {
  const { t } = ctx;
  return html`<ol class="thread stack" data-testid="ticket-thread">${messages.map(
    (m) => html`<li class="card" data-testid="ticket-message" data-author="${m.author}">
  <p class="muted">${t(m.author === 'buyer' ? 'support.thread.buyer' : 'support.thread.staff')} · ${formatDateTime(m.createdAt, ctx.locale, timeZone)}</p>
  <p class="message-text">${m.body}</p>
  ${
    m.picture === null
      ? ''
      : pictureHref === null
        ? html`<p class="muted">${t('support.thread.picture')}</p>`
        : html`<p><a href="${pictureHref(m)}" target="_blank" rel="noopener">${t('support.thread.picture')}</a></p>`
  }
</li>`,
  )}</ol>`;
}

/** The closing line of a closed ticket: who closed it and why. */
export function closedLine(ctx: RequestContext, ticket: Ticket, timeZone: string): SafeHtml | '' {
  if (ticket.status !== 'closed' || ticket.closedAt === null) return '';
  const when = formatDateTime(ticket.closedAt, ctx.locale, timeZone);
  const by = ctx.t(ticket.closedBy === 'staff' ? 'support.closedByStaff' : 'support.closedByBuyer', { when });
  return html`<p class="notice" data-testid="ticket-closed">${by}${ticket.closeReason ? html` · ${ticket.closeReason}` : ''}</p>`;
}

/** What the buyer's support page shows. */
export interface SupportListView {
  tickets: Ticket[];
  contact: string | null;
  timeZone: string;
  notice: string | null;
}

/** The buyer's tickets and the form to open one. */
export function supportListPage(ctx: RequestContext, view: SupportListView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('support.title'),
    notice: view.notice,
    body: html`<h1>${t('support.title')}</h1>
<p class="muted">${t('support.intro')}</p>
${view.contact === null ? '' : html`<p class="muted">${t('support.contact', { contact: view.contact })}</p>`}
<section class="card">
  <h2>${t('support.newTicket')}</h2>
  <form method="post" action="/support" class="stack" data-testid="new-ticket">
    ${csrfField(ctx)}
    <label for="f-subject">${t('support.subject')}
      <input id="f-subject" name="subject" maxlength="${SUBJECT_MAX}" required></label>
    <label for="f-text">${t('support.text')}
      <textarea id="f-text" name="text" rows="6" maxlength="${MESSAGE_MAX}" required></textarea></label>
    <small class="muted">${t('support.pictureInBot')}</small>
    <button type="submit">${t('support.send')}</button>
  </form>
</section>
<section class="card">
  <h2>${t('support.yourTickets')}</h2>
  ${
    view.tickets.length === 0
      ? html`<p class="muted" data-testid="no-tickets">${t('support.none')}</p>`
      : html`<ul class="stack" data-testid="tickets">${view.tickets.map(
          (ticket) =>
            html`<li data-testid="ticket-row"><a href="/support/${ticket.id}">${ticket.subject}</a> ${ticketStatusBadge(ctx, ticket)}
              <small class="muted">${formatDateTime(ticket.updatedAt, ctx.locale, view.timeZone)}</small></li>`,
        )}</ul>`
  }
</section>`,
  });
}

/** What one of the buyer's tickets shows. */
export interface SupportTicketView {
  ticket: Ticket;
  messages: TicketMessage[];
  timeZone: string;
  notice: string | null;
}

/** One ticket for its buyer: the thread, a reply form (which reopens a closed ticket), and the close form. */
export function supportTicketPage(ctx: RequestContext, view: SupportTicketView): SafeHtml {
  const { t } = ctx;
  const { ticket } = view;
  return page(ctx, {
    title: ticket.subject,
    notice: view.notice,
    body: html`<p><a href="/support">${t('support.back')}</a></p>
<h1 data-testid="ticket-subject">${ticket.subject}</h1>
<p>${ticketStatusBadge(ctx, ticket)}</p>
${closedLine(ctx, ticket, view.timeZone)}
${ticketThread(ctx, view.messages, view.timeZone, (m) => `/support/${ticket.id}/messages/${m.id}/picture`)}
<section class="card">
  <form method="post" action="/support/${ticket.id}/reply" class="stack" data-testid="ticket-reply">
    ${csrfField(ctx)}
    <label for="f-text">${t(ticket.status === 'closed' ? 'support.reopenText' : 'support.replyText')}
      <textarea id="f-text" name="text" rows="4" maxlength="${MESSAGE_MAX}" required></textarea></label>
    <button type="submit">${t('support.send')}</button>
  </form>
</section>
${
  ticket.status === 'closed'
    ? ''
    : html`<section class="card">
  <form method="post" action="/support/${ticket.id}/close" class="stack" data-testid="ticket-close">
    ${csrfField(ctx)}
    <label for="f-reason">${t('support.closeReason')}
      <input id="f-reason" name="reason" maxlength="${REASON_MAX}"></label>
    <button type="submit" class="secondary">${t('support.close')}</button>
  </form>
</section>`
}`,
  });
}
