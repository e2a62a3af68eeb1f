import type { AuditEvent } from '@panelkit/sdk';
import { ActorSchema } from '@panelkit/sdk/schemas';
import type { RequestContext } from '../../http/context.js';
import { html, type SafeHtml } from '../html.js';
import { auditTable } from './audit-views.js';
import { pager } from './widgets.js';

export interface AuditFilter {
  subjectType: string;
  subjectId: string;
  actor: string;
}

const ACTOR_TYPES = ActorSchema.shape.type.options;

export function auditBody(
  ctx: RequestContext,
  timeZone: string,
  audit: { events: AuditEvent[]; names: ReadonlyMap<string, string> },
  filter: AuditFilter,
  nextCursor: string | null,
  firstPage: boolean,
): SafeHtml {
  const { t } = ctx;
  const { events } = audit;
  return html`<h1>${t('adminOps.audit.title')}</h1>
<form method="get" action="/admin/audit" class="filters" data-testid="audit-filter">
  <label for="f-subjectType">${t('adminOps.audit.subjectType')}<input id="f-subjectType" name="subjectType" value="${filter.subjectType}" dir="ltr" maxlength="50" placeholder="subscription"></label>
  <label for="f-subjectId">${t('adminOps.audit.subjectId')}<input id="f-subjectId" name="subjectId" value="${filter.subjectId}" dir="ltr" maxlength="128"></label>
  <label for="f-actor">${t('adminOps.audit.actor')}
    <select id="f-actor" name="actor"><option value="">${t('adminOps.all')}</option>${ACTOR_TYPES.map((a) => html`<option value="${a}" ${a === filter.actor ? html`selected` : ''}>${t(`adminOps.actors.${a}`)}</option>`)}</select>
  </label>
  <button type="submit" class="small">${t('adminOps.filter')}</button>
</form>
${events.length === 0 ? html`<p class="muted">${t('adminOps.audit.none')}</p>` : auditTable(ctx, timeZone, events, true, audit.names)}
${pager(ctx, '/admin/audit', { ...filter }, nextCursor, firstPage)}`;
}
