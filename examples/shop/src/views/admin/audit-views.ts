import type { AuditEvent } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { html, type SafeHtml } from '../html.js';
import { table, when } from './widgets.js';

/** Subject types that have an admin page of their own. */
const SUBJECT_PAGES: Record<string, (id: string) => string> = {
  subscription: (id) => `/admin/subscriptions/${id}`,
  order: (id) => `/admin/orders/${id}`,
  panel: (id) => `/admin/panels/${id}`,
  customer: (id) => `/admin/customers/${id}`,
};

export function subjectLink(type: string, id: string): SafeHtml {
  const page = SUBJECT_PAGES[type];
  return page === undefined ? html`<span class="ltr">${id}</span>` : html`<a class="ltr" href="${page(id)}">${id}</a>`;
}

export function auditTable(ctx: RequestContext, timeZone: string, events: readonly AuditEvent[], showSubject: boolean): SafeHtml {
  const { t } = ctx;
  const head = [t('adminOps.audit.at'), t('adminOps.audit.actor'), t('adminOps.audit.action'), ...(showSubject ? [t('adminOps.audit.subject')] : []), t('adminOps.audit.data')];
  return table(
    head,
    events.map(
      (e) => html`<tr data-testid="audit-row">
  <td>${when(ctx, timeZone, e.at)}</td>
  <td>${t(`adminOps.actors.${e.actor.type}`)}${e.actor.id !== null ? html` <small class="muted ltr">${e.actor.id}</small>` : ''}</td>
  <td class="ltr">${e.action}</td>
  ${showSubject ? html`<td><small class="muted">${e.subjectType}</small> ${subjectLink(e.subjectType, e.subjectId)}</td>` : ''}
  <td><code class="ltr">${Object.keys(e.data).length === 0 ? '' : JSON.stringify(e.data)}</code></td>
</tr>`,
    ),
    'audit',
  );
}
