import { SUBSCRIPTION_STATUSES, type Panel, type SubscriptionStatus } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';
import { healthCell } from './panel-views.js';
import { ownerFiguresSection, type OwnerFiguresView } from './owner-figures.js';
import { salesSection, type SalesView } from './sales-figures.js';
import { badge, table } from './widgets.js';

export interface Overview {
  byStatus: Record<SubscriptionStatus, number>;
  panels: Panel[];
  /** `more`: at least this many (the count stopped there). */
  jobsQueued: { count: number; more: boolean };
  jobsDead: { count: number; more: boolean };
  pendingReceipts: number;
  /** The owner's sales figures; `null` for support staff, who do not see the shop's money. */
  sales: SalesView | null;
  /** The owner figures (cohorts, churn, renewals, trials, LTV, cash); `null` for support staff, as `sales`. */
  figures: OwnerFiguresView | null;
}

/** The back office's first page: subscriptions by status, pending work, the owner's sales over time, and the panels. */
export function overviewBody(ctx: RequestContext, timeZone: string, o: Overview): SafeHtml {
  const { t, locale } = ctx;
  const count = (c: { count: number; more: boolean }) => `${formatNumber(c.count, locale)}${c.more ? '+' : ''}`;
  return html`<h1>${t('adminOps.overview.title')}</h1>
<div class="grid">
  <section class="card" data-testid="overview-subscriptions">
    <h2>${t('adminOps.overview.subscriptions')}</h2>
    <dl class="facts">${SUBSCRIPTION_STATUSES.map((s) => html`<dt>${badge(ctx, 'subStatus', s)}</dt><dd data-testid="count-${s}">${formatNumber(o.byStatus[s] ?? 0, locale)}</dd>`)}</dl>
  </section>
  <section class="card" data-testid="overview-work">
    <h2>${t('adminOps.overview.work')}</h2>
    <dl class="facts">
      <dt>${t('adminOps.overview.jobsQueued')}</dt><dd data-testid="jobs-queued">${count(o.jobsQueued)}</dd>
      <dt>${t('adminOps.overview.jobsDead')}</dt><dd data-testid="jobs-dead">${count(o.jobsDead)}</dd>
      <dt><a href="/admin/receipts">${t('adminOps.overview.pendingReceipts')}</a></dt><dd data-testid="pending-receipts">${formatNumber(o.pendingReceipts, locale)}</dd>
    </dl>
  </section>
</div>
${o.sales === null ? '' : salesSection(ctx, o.sales)}
${o.figures === null ? '' : ownerFiguresSection(ctx, o.figures)}
<h2>${t('adminOps.panels.title')}</h2>
${
  o.panels.length === 0
    ? html`<p class="muted">${t('adminOps.panels.none')} <a href="/admin/panels/new">${t('adminOps.panels.add')}</a></p>`
    : table(
        [t('adminOps.panels.name'), t('adminOps.panels.enabled'), t('adminOps.panels.health')],
        o.panels.map(
          (p) =>
            html`<tr data-testid="overview-panel"><td><a href="/admin/panels/${p.id}">${p.name}</a></td><td>${badge(ctx, 'onOff', p.enabled ? 'on' : 'off')}</td><td>${healthCell(ctx, timeZone, p)}</td></tr>`,
        ),
        'overview-panels',
      )
}`;
}
