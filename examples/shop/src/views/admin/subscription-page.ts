import type { AuditEvent, Customer, Job, PendingReason, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { formatBytes, formatMoney, formatNumber } from '../../i18n/format.js';
import type { SubscriptionActions } from '../../app/ops/subscription-facts.js';
import { html, type SafeHtml } from '../html.js';
import { auditTable } from './audit-views.js';
import { jobsTable, subscriptionActionButtons, type Names } from './subscription-views.js';
import { badge, when } from './widgets.js';

function traffic(ctx: RequestContext, sub: Subscription): string {
  const used = sub.usedBytes === null ? ctx.t('adminOps.subscriptions.notMeasured') : formatBytes(sub.usedBytes, ctx.locale);
  const limit = sub.trafficLimitBytes === null ? ctx.t('adminOps.unlimited') : formatBytes(sub.trafficLimitBytes, ctx.locale);
  return `${used} / ${limit}`;
}

const yesNo = (ctx: RequestContext, value: boolean) => ctx.t(value ? 'adminOps.yes' : 'adminOps.no');

/** The terms the subscription was sold with, which its extensions and renewals follow (not the plan as edited since). */
function soldTerms(ctx: RequestContext, sub: Subscription): string {
  const { t, locale } = ctx;
  const terms = sub.terms;
  if (terms === null) return t('adminOps.subscriptions.termsFollowPlan');
  return t('adminOps.subscriptions.termsValue', {
    price: formatMoney(terms.extension.price ?? terms.price, locale),
    days: t('plans.days', { count: terms.durationDays }),
    traffic: terms.trafficBytes === null ? t('adminOps.unlimited') : formatBytes(terms.trafficBytes, locale),
    window: t('plans.days', { count: terms.extension.windowDays }),
  });
}

/** Everything about one subscription, what may be done to it, its jobs and its audit trail. */
export function subscriptionBody(
  ctx: RequestContext,
  timeZone: string,
  view: {
    sub: Subscription;
    customer: Customer | null;
    names: Names;
    jobs: Job[];
    actions: SubscriptionActions;
    audit: AuditEvent[];
    /** Emails of the admins and customers in `audit`, by actor id. */
    auditNames: ReadonlyMap<string, string>;
    pendingReason: PendingReason | null;
  },
): SafeHtml {
  const { t, locale } = ctx;
  const { sub, names } = view;
  const back = `/admin/subscriptions/${sub.id}`;
  return html`<h1>${t('adminOps.subscriptions.title')} <span class="ltr">${sub.id}</span></h1>
<section class="card">
  <dl class="facts" data-testid="subscription-facts">
    <dt>${t('adminOps.subscriptions.status')}</dt><dd data-testid="subscription-status">${badge(ctx, 'subStatus', sub.status)} <small class="muted">${t('adminOps.subscriptions.since')} ${when(ctx, timeZone, sub.statusChangedAt)}</small></dd>
    ${
      view.pendingReason === 'panel_unavailable'
        ? html`<dt>${t('adminOps.subscriptions.waiting')}</dt>
    <dd class="notice" data-testid="panel-unavailable">${t('adminOps.subscriptions.panelUnavailable')}</dd>`
        : ''
    }
    ${sub.failureReason !== null ? html`<dt>${t('adminOps.subscriptions.failureReason')}</dt><dd class="error" data-testid="failure-reason">${sub.failureReason}</dd>` : ''}
    <dt>${t('adminOps.orders.customer')}</dt><dd><a href="/admin/customers/${sub.customerId}">${view.customer?.email ?? sub.customerId}</a></dd>
    <dt>${t('adminOps.orders.order')}</dt><dd>${sub.orderId === null ? '—' : html`<a class="ltr" href="/admin/orders/${sub.orderId}">${sub.orderId}</a>`}</dd>
    <dt>${t('adminOps.subscriptions.plan')}</dt><dd>${names.get(sub.planId) ?? sub.planId}${sub.trial ? html` <span class="badge">${t('adminOps.orders.trial')}</span>` : ''}</dd>
    <dt>${t('adminOps.subscriptions.placedOn')}</dt><dd><a href="/admin/panels/${sub.panelId}">${names.get(sub.panelId) ?? sub.panelId}</a> · ${names.get(sub.targetId) ?? sub.targetId}</dd>
    <dt>${t('adminOps.subscriptions.remoteUser')}</dt><dd class="ltr">${sub.remote.username}</dd>
    <dt>${t('adminOps.subscriptions.createdAt')}</dt><dd>${when(ctx, timeZone, sub.createdAt)}</dd>
    <dt>${t('adminOps.subscriptions.activatedAt')}</dt><dd>${when(ctx, timeZone, sub.activatedAt)}</dd>
    <dt>${t('adminOps.subscriptions.expiresAt')}</dt><dd data-testid="subscription-expires">${sub.expiresAt === null && sub.startOnFirstUse ? t('adminOps.subscriptions.waitsFirstUse', { days: t('plans.days', { count: sub.durationDays }) }) : when(ctx, timeZone, sub.expiresAt)}</dd>
    <dt>${t('adminOps.subscriptions.traffic')}</dt><dd>${traffic(ctx, sub)} <small class="muted">${t('adminOps.subscriptions.observedAt')} ${when(ctx, timeZone, sub.usageObservedAt)}</small></dd>
    <dt>${t('adminOps.plans.deviceLimit')}</dt><dd>${sub.deviceLimit === null ? t('adminOps.unlimited') : formatNumber(sub.deviceLimit, locale)}</dd>
    <dt>${t('adminOps.subscriptions.terms')}</dt><dd data-testid="subscription-terms">${soldTerms(ctx, sub)}</dd>
    <dt>${t('adminOps.subscriptions.autoRenew')}</dt><dd>${yesNo(ctx, sub.autoRenew)}</dd>
    <dt>${t('adminOps.subscriptions.subscriptionUrl')}</dt><dd class="ltr">${sub.subscriptionUrl ?? '—'}</dd>
  </dl>
  ${subscriptionActionButtons(ctx, sub, view.actions, back)}
</section>
<h2>${t('adminOps.jobs.title')}</h2>
${jobsTable(ctx, timeZone, view.jobs, back)}
<h2>${t('adminOps.audit.trail')}</h2>
${view.audit.length === 0 ? html`<p class="muted">${t('adminOps.audit.none')}</p>` : auditTable(ctx, timeZone, view.audit, false, view.auditNames)}
<p><a href="/admin/audit?subjectType=subscription&amp;subjectId=${sub.id}">${t('adminOps.audit.all')}</a></p>`;
}
