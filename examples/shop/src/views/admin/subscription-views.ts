import type { Job, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { retryableJob, type SubscriptionActions } from '../../app/ops/subscription-facts.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';
import { actionButton, badge, table, when } from './widgets.js';

/** Display names of the things a subscription points at, by id. */
export type Names = ReadonlyMap<string, string>;

export function jobsTable(ctx: RequestContext, timeZone: string, jobs: readonly Job[], back: string): SafeHtml {
  const { t, locale } = ctx;
  if (jobs.length === 0) return html`<p class="muted">${t('adminOps.jobs.none')}</p>`;
  return table(
    [
      t('adminOps.jobs.type'),
      t('adminOps.jobs.state'),
      t('adminOps.jobs.attempts'),
      t('adminOps.jobs.lastError'),
      t('adminOps.jobs.runAt'),
      '',
    ],
    jobs.map(
      (job) => html`<tr data-testid="job-row" data-job-id="${job.id}" data-job-type="${job.type}" data-job-state="${job.state}">
  <td class="ltr">${job.type}</td>
  <td>${badge(ctx, 'jobState', job.state)}</td>
  <td>${formatNumber(job.attempts, locale)} / ${formatNumber(job.maxAttempts, locale)}</td>
  <td>${job.lastError === null ? '' : html`<small class="ltr">${job.lastError.code}: ${job.lastError.message}</small>`}</td>
  <td>${when(ctx, timeZone, job.state === 'queued' ? job.runAt : (job.finishedAt ?? job.runAt))}</td>
  <td>${retryableJob(job) ? actionButton(ctx, { action: `/admin/jobs/${job.id}/retry`, label: t('adminOps.jobs.retry'), testid: 'retry-job', hidden: { back } }) : ''}</td>
</tr>`,
    ),
    'jobs',
  );
}

/** The buttons for what may be done now; each states what it will do. */
export function subscriptionActionButtons(ctx: RequestContext, sub: Subscription, actions: SubscriptionActions, back: string): SafeHtml {
  const { t } = ctx;
  const base = `/admin/subscriptions/${sub.id}`;
  const hidden = { back };
  const reason = html`<label class="sr-only" for="reason-${sub.id}">${t('adminOps.subscriptions.reason')}</label>`;
  return html`<div class="actions" data-testid="subscription-actions">
  ${actions.retry ? html`${actionButton(ctx, { action: `${base}/retry`, label: t('adminOps.subscriptions.retry'), testid: 'retry-subscription', confirm: t('adminOps.subscriptions.retryConfirm'), hidden })}<small class="muted">${t('adminOps.subscriptions.retryHint')}</small>` : ''}
  ${actions.approve ? actionButton(ctx, { action: `${base}/approve`, label: t('adminOps.subscriptions.approve'), testid: 'approve-subscription', hidden }) : ''}
  ${actions.suspend ? actionButton(ctx, { action: `${base}/suspend`, label: t('adminOps.subscriptions.suspend'), testid: 'suspend-subscription', confirm: t('adminOps.subscriptions.suspendConfirm'), hidden, extra: html`${reason}<input id="reason-${sub.id}" name="reason" maxlength="500" placeholder="${t('adminOps.subscriptions.reason')}">` }) : ''}
  ${actions.resume ? actionButton(ctx, { action: `${base}/resume`, label: t('adminOps.subscriptions.resume'), testid: 'resume-subscription', hidden }) : ''}
  ${actions.terminate ? actionButton(ctx, { action: `${base}/terminate`, label: t('adminOps.subscriptions.terminate'), testid: 'terminate-subscription', confirm: t('adminOps.subscriptions.terminateConfirm'), danger: true, hidden }) : ''}
</div>`;
}

/** One subscription as a card on its order's page. */
export function subscriptionCard(
  ctx: RequestContext,
  timeZone: string,
  sub: Subscription,
  names: Names,
  jobs: readonly Job[],
  actions: SubscriptionActions,
  back: string,
): SafeHtml {
  const { t } = ctx;
  return html`<article class="card" data-testid="order-subscription" data-subscription-id="${sub.id}">
  <h3><a href="/admin/subscriptions/${sub.id}" class="ltr">${sub.id}</a> ${badge(ctx, 'subStatus', sub.status)}</h3>
  <dl class="facts">
    <dt>${t('adminOps.subscriptions.plan')}</dt><dd>${names.get(sub.planId) ?? sub.planId}</dd>
    <dt>${t('adminOps.subscriptions.placedOn')}</dt><dd>${names.get(sub.panelId) ?? sub.panelId} · ${names.get(sub.targetId) ?? sub.targetId}</dd>
    <dt>${t('adminOps.subscriptions.expiresAt')}</dt><dd>${when(ctx, timeZone, sub.expiresAt)}</dd>
    ${sub.failureReason !== null ? html`<dt>${t('adminOps.subscriptions.failureReason')}</dt><dd class="error" data-testid="failure-reason">${sub.failureReason}</dd>` : ''}
  </dl>
  <h4>${t('adminOps.jobs.title')}</h4>
  ${jobsTable(ctx, timeZone, jobs, back)}
  ${subscriptionActionButtons(ctx, sub, actions, back)}
</article>`;
}
