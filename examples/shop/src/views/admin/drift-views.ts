import type { PlannedAction, PlannedItem, ReconciliationReport } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { hasMessage } from '../../i18n/translate.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { table, when } from './widgets.js';

const subLink = (id: string) => html`<a class="ltr" href="/admin/subscriptions/${id}">${id}</a>`;

function panelSection(ctx: RequestContext, names: ReadonlyMap<string, string>, p: ReconciliationReport['panels'][number]): SafeHtml {
  const { t } = ctx;
  const clean = p.error === null && p.orphans.length === 0 && p.missing.length === 0 && p.drifted.length === 0;
  return html`<section class="card" data-testid="drift-panel" data-panel-id="${p.panelId}">
  <h2><a href="/admin/panels/${p.panelId}">${names.get(p.panelId) ?? p.panelId}</a></h2>
  ${
    p.error !== null
      ? html`<p class="error" data-testid="drift-error">${t('adminOps.drift.unreadable', { code: p.error })}</p>`
      : html`<p class="muted">${t('adminOps.drift.remoteClients', { count: p.remoteClients })}</p>`
  }
  ${clean ? html`<p data-testid="drift-clean">${t('adminOps.drift.clean')}</p>` : ''}
  ${p.missing.length > 0 ? html`<h3>${t('adminOps.drift.missing')}</h3><ul data-testid="drift-missing">${p.missing.map((id) => html`<li>${subLink(id)}</li>`)}</ul>` : ''}
  ${
    p.drifted.length > 0
      ? html`<h3>${t('adminOps.drift.drifted')}</h3><ul data-testid="drift-drifted">${p.drifted.map((d) => html`<li>${subLink(d.subscriptionId)}: ${d.fields.map((f) => t(`adminOps.drift.field.${f}`)).join(', ')}</li>`)}</ul>`
      : ''
  }
  ${
    p.orphans.length > 0
      ? html`<h3>${t('adminOps.drift.orphans')}</h3><ul data-testid="drift-orphans">${p.orphans.map((o) => html`<li><span class="ltr">${o.username}</span> <small class="muted ltr">${o.targetRef}</small> ${o.ours ? html`<span class="badge">${t('adminOps.drift.ours')}</span>` : html`<small class="muted">${t('adminOps.drift.notOurs')}</small>`}</li>`)}</ul>`
      : ''
  }
</section>`;
}

/** The comparison of every panel with storage, and the button that queues the repairs. */
export function driftBody(
  ctx: RequestContext,
  timeZone: string,
  report: ReconciliationReport,
  names: ReadonlyMap<string, string>,
  repaired: boolean,
): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('adminOps.drift.title')}</h1>
<p class="muted">${t('adminOps.drift.checkedAt')} ${when(ctx, timeZone, report.at)}</p>
${repaired ? html`<p class="notice" role="status" data-testid="repairs-queued">${t('adminOps.drift.repairsQueued', { count: formatNumber(report.repairsQueued, locale) })}</p>` : ''}
${report.panels.length === 0 ? html`<p class="muted">${t('adminOps.panels.none')}</p>` : report.panels.map((p) => panelSection(ctx, names, p))}
<form method="post" action="/admin/drift/repair" data-confirm="${t('adminOps.drift.repairConfirm')}">
  ${csrfField(ctx)}
  <p class="muted">${t('adminOps.drift.repairHint')}</p>
  <button type="submit" data-testid="repair-drift">${t('adminOps.drift.repair')}</button>
</form>`;
}

const ACTION_ORDER: readonly PlannedAction[] = ['activate', 'limit', 'renew', 'skip_renewal', 'warn', 'expire', 'terminate'];

/** A planned item's machine reason (`expiry_notice:1440m`) for people, when the locale knows it. */
function reasonText(ctx: RequestContext, reason: string): string {
  const [code, arg] = reason.split(':') as [string, string | undefined];
  const key = `adminOps.dryRun.reasons.${code}`;
  if (!hasMessage(key)) return reason;
  const minutes = arg === undefined ? NaN : Number.parseInt(arg, 10);
  return ctx.t(key, { hours: Number.isNaN(minutes) ? '' : formatNumber(Math.round(minutes / 60), ctx.locale) });
}

/** What the scheduler will do over the next 24 hours, grouped by action, each in time order. */
export function dryRunBody(ctx: RequestContext, timeZone: string, items: PlannedItem[], from: Date): SafeHtml {
  const { t, locale } = ctx;
  const groups = ACTION_ORDER.map((action) => [action, items.filter((i) => i.action === action)] as const).filter(
    ([, list]) => list.length > 0,
  );
  return html`<h1>${t('adminOps.dryRun.title')}</h1>
<p class="muted">${t('adminOps.dryRun.intro')} ${when(ctx, timeZone, from)}</p>
${items.length === 0 ? html`<p data-testid="dry-run-empty">${t('adminOps.dryRun.nothing')}</p>` : ''}
${groups.map(
  ([action, list]) => html`<section data-testid="dry-run-group" data-action="${action}">
  <h2>${t(`adminOps.dryRun.actions.${action}`)} <small class="muted">(${formatNumber(list.length, locale)})</small></h2>
  ${table(
    [t('adminOps.dryRun.at'), t('adminOps.dryRun.subscription'), t('adminOps.dryRun.reason'), t('adminOps.dryRun.detail')],
    list.map(
      (item) => html`<tr data-testid="dry-run-item" data-subscription-id="${item.subscriptionId}">
  <td>${when(ctx, timeZone, item.at)}</td>
  <td>${subLink(item.subscriptionId)}</td>
  <td>${reasonText(ctx, item.reason)}</td>
  <td><small class="muted ltr">${item.detail}</small></td>
</tr>`,
    ),
    `dry-run-${action}`,
  )}
</section>`,
)}`;
}
