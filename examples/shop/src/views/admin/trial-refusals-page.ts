import type { TrialRefusal } from '@panelkit/sdk/trials';
import type { RequestContext } from '../../http/context.js';
import { html, type SafeHtml } from '../html.js';
import { pager, table, when } from './widgets.js';

/** The owner's list of refused trials: when, the customer, the plan, why, and what matched another account. */
export function trialRefusalsBody(
  ctx: RequestContext,
  timeZone: string,
  refusals: readonly TrialRefusal[],
  nextCursor: string | null,
  firstPage: boolean,
): SafeHtml {
  const { t } = ctx;
  const rows = refusals.map(
    (r) => html`<tr>
  <td>${when(ctx, timeZone, r.at)}</td>
  <td><a href="/admin/customers/${r.customerId}" dir="ltr">${r.customerId}</a></td>
  <td dir="ltr">${r.planId}</td>
  <td>${t(`trials.admin.reasons.${r.reason}`)}</td>
  <td>${r.matched.map((m) => t(`trials.admin.matched.${m}`)).join(', ')}</td>
</tr>`,
  );
  return html`<h1>${t('trials.admin.title')}</h1>
<p class="muted">${t('trials.admin.intro')}</p>
${
  rows.length === 0
    ? html`<p class="muted" data-testid="trial-refusals-none">${t('trials.admin.none')}</p>`
    : table(
        [t('trials.admin.at'), t('trials.admin.customer'), t('trials.admin.plan'), t('trials.admin.reason'), t('trials.admin.matchedHead')],
        rows,
        'trial-refusals',
      )
}
${pager(ctx, '/admin/trials', {}, nextCursor, firstPage)}`;
}
