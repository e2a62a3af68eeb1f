import type { AuditEvent } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { hasMessage } from '../../i18n/translate.js';
import { html, type SafeHtml } from '../html.js';
import { actorName, auditSentence } from './audit-words.js';
import { table, when } from './widgets.js';

/** Subject types that have an admin page of their own. */
const SUBJECT_PAGES: Record<string, (id: string) => string> = {
  subscription: (id) => `/admin/subscriptions/${id}`,
  order: (id) => `/admin/orders/${id}`,
  panel: (id) => `/admin/panels/${id}`,
  customer: (id) => `/admin/customers/${id}`,
  ticket: (id) => `/admin/tickets/${id}`,
};

export function subjectLink(type: string, id: string): SafeHtml {
  const page = SUBJECT_PAGES[type];
  return page === undefined ? html`<span class="ltr">${id}</span>` : html`<a class="ltr" href="${page(id)}">${id}</a>`;
}

/** The raw event for support: the action, the actor's id and the data as recorded. */
/** What kind of thing an event is about, in the reader's words (`subscription` → "Подписка"); an unknown kind as written. */
function subjectTypeName(ctx: RequestContext, type: string): string {
  const key = `adminOps.audit.subjectTypes.${type}`;
  return hasMessage(key) ? ctx.t(key) : type;
}

function rawEvent(ctx: RequestContext, e: AuditEvent): SafeHtml {
  const raw = { action: e.action, actor: e.actor, ...(Object.keys(e.data).length === 0 ? {} : { data: e.data }) };
  return html`<details data-testid="audit-raw"><summary>${ctx.t('auditWords.raw')}</summary><code class="ltr">${JSON.stringify(raw)}</code></details>`;
}

/** Audit events as sentences naming who did them (emails for admins and customers), the raw event behind a <details>. */
export function auditTable(
  ctx: RequestContext,
  timeZone: string,
  events: readonly AuditEvent[],
  showSubject: boolean,
  names: ReadonlyMap<string, string>,
): SafeHtml {
  const { t } = ctx;
  const head = [
    t('adminOps.audit.at'),
    t('adminOps.audit.actor'),
    t('adminOps.audit.action'),
    ...(showSubject ? [t('adminOps.audit.subject')] : []),
    t('adminOps.audit.data'),
  ];
  return table(
    head,
    events.map(
      (e) => html`<tr data-testid="audit-row">
  <td>${when(ctx, timeZone, e.at)}</td>
  <td data-testid="audit-actor">${actorName(ctx, e, names)}</td>
  <td data-testid="audit-sentence">${auditSentence(ctx, e, names)}</td>
  ${showSubject ? html`<td><small class="muted">${subjectTypeName(ctx, e.subjectType)}</small> ${subjectLink(e.subjectType, e.subjectId)}</td>` : ''}
  <td>${rawEvent(ctx, e)}</td>
</tr>`,
    ),
    'audit',
  );
}
